"""``get``, ``describe`` and ``info --check`` against ``cloudzy-tui sim`` on a socket; output parsed back and compared
with what the simulator itself answers over HTTP."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import yaml

from ._helpers import TOKEN, Api, Cli, no_escapes


def test_get_instances_json_is_the_simulators_data(cli: Cli, api: Api) -> None:
    result = cli("get", "instances", "-o", "json")
    assert result.code == 0, result
    assert result.out.isascii() and no_escapes(result.out)
    listed = result.json()
    assert isinstance(listed, list)
    truth = api.instances()
    assert [i["id"] for i in listed] == [i["id"] for i in truth]
    by_id = {i["id"]: i for i in truth}
    for item in listed:  # the API's names (camelCase) and values
        assert item["hostname"] == by_id[item["id"]]["hostname"]
        assert item["mainIp"] == by_id[item["id"]]["mainIp"]
        assert item["region"] == by_id[item["id"]]["region"]
        # the simulator on the socket runs in real time: an instance still being set up may have moved on between
        # the two reads, so a status is compared only where neither read saw it in a transitional state
        statuses = {item["status"], by_id[item["id"]]["status"]}
        if not statuses & {"preparing_disk", "initializing"}:
            assert item["status"] == by_id[item["id"]]["status"]
    assert result.err == ""


def test_get_with_filters_and_aliases(cli: Cli, api: Api) -> None:
    result = cli("get", "vm", "--status", "SHUTDOWN", "--region", "us-utah", "-o", "json")
    assert result.code == 0, result
    expected = {i["hostname"] for i in api.instances(status="shutdown", region="us-utah")}
    assert expected and {i["hostname"] for i in result.json()} == expected
    snaps = cli("get", "snap", "--is-automated-backup", "-o", "json")
    assert snaps.code == 0, snaps
    assert snaps.json() and all(s["name"].startswith("auto-") for s in snaps.json())
    prefix = cli("get", "floating", "-o", "json")  # an alias; a unique prefix works too
    assert prefix.code == 0 and {f["id"] for f in prefix.json()} == {f["id"] for f in api.floating_ips()}
    assert cli("get", "floa", "-o", "json").json() == prefix.json()


def test_get_csv_reads_back(cli: Cli, api: Api) -> None:
    result = cli("get", "instances", "-o", "csv")
    assert result.code == 0, result
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert list(rows[0]) == ["id", "hostname", "status", "region", "ipv4", "os", "vcpu", "ram", "disk", "created"]
    truth = {i["id"]: i for i in api.instances()}
    assert {r["id"] for r in rows} == set(truth)
    for row in rows:
        assert row["hostname"] == truth[row["id"]]["hostname"]
        assert row["status"] == truth[row["id"]]["status"]
        assert row["ipv4"] == truth[row["id"]]["mainIp"]
        assert row["vcpu"] == str(truth[row["id"]]["vcpuCount"])


def test_get_yaml_reads_back_as_the_json(cli: Cli) -> None:
    as_json = cli("get", "snapshots", "-o", "json")
    as_yaml = cli("get", "snapshots", "-o", "yaml")
    assert as_json.code == as_yaml.code == 0
    assert yaml.safe_load(as_yaml.out) == as_json.json()


def test_every_resource_lists_in_every_format(cli: Cli) -> None:
    for resource in (
        "instances",
        "snapshots",
        "backups",
        "floating-ips",
        "isos",
        "images",
        "ssh-keys",
        "regions",
        "products",
        "os",
        "applications",
    ):
        table = cli("get", resource)
        assert table.code == 0, (resource, table)
        header = table.out.splitlines()[0]
        assert header.startswith(("ID", "INSTANCE ID")), resource
        assert no_escapes(table.out)
        as_json = cli("get", resource, "-o", "json")
        assert as_json.code == 0 and isinstance(as_json.json(), list), resource
        assert len(as_json.json()) == len(table.out.splitlines()) - 1, resource


def _spare_addresses(api: Api) -> list[dict[str, Any]]:
    """Floating IPs attached to nothing and not released (each test that changes one takes its own)."""
    return sorted(
        (f for f in api.floating_ips() if not f["isDeleted"] and f["instanceId"] is None), key=lambda f: f["ipAddress"]
    )


def test_table_cuts_long_values_and_wide_does_not(cli: Cli, api: Api) -> None:
    long_note = "N" * 70
    target = _spare_addresses(api)[0]
    assert cli("fip", "update", target["id"], "--note", long_note).code == 0
    table = cli("get", "fip")
    wide = cli("get", "fip", "-o", "wide")
    assert long_note not in table.out and "N" * 39 + "…" in table.out
    assert long_note in wide.out


def test_server_strings_reach_the_terminal_as_plain_text(cli: Cli, api: Api) -> None:
    """A note with escape sequences (a hostile server or a hostile colleague): printed without them."""
    target = _spare_addresses(api)[1]
    note = "\x1b]0;owned\x07\x1b[2J\x1b[31mred\u202e"
    changed = cli("fip", "update", target["ipAddress"], "--note", note)
    assert changed.code == 0, changed
    stored = next(f for f in api.floating_ips() if f["id"] == target["id"])
    assert stored["customerNote"] == note  # sent as typed: the CLI cleans what it prints, not what it sends
    for fmt in ("table", "wide", "csv", "json", "yaml"):
        out = cli("get", "fip", "-o", fmt).out
        assert no_escapes(out) and "\u202e" not in out, fmt
    as_json = cli("get", "fip", "-o", "json").json()
    assert any(f["customerNote"] == note for f in as_json)  # JSON keeps the data exactly, escaped
    described = cli("describe", "fip", target["ipAddress"])
    assert described.code == 0 and "red" in described.out and no_escapes(described.out)


def test_describe_by_id_and_by_name(cli: Cli, api: Api) -> None:
    web = api.instance("web-01")
    by_name = cli("describe", "instances", "web-01", "-o", "json")
    by_id = cli("describe", "in", web["id"], "-o", "json")
    assert by_name.code == by_id.code == 0
    assert by_name.json() == by_id.json()
    assert by_name.json()["id"] == web["id"] and by_name.json()["mainIp"] == web["mainIp"]
    table = cli("describe", "instances", "web-01")
    assert table.code == 0
    assert table.out.splitlines()[0].split() == ["ID", web["id"]]
    assert "HOSTNAME  web-01" in table.out
    snapshot = cli("describe", "snapshots", "web-01-before-upgrade", "-o", "yaml")
    assert snapshot.code == 0 and yaml.safe_load(snapshot.out)["name"] == "web-01-before-upgrade"
    backup = cli("describe", "backups", "db-primary", "-o", "json")  # by the instance's hostname
    assert backup.code == 0, backup
    assert backup.json()["instanceId"] == api.instance("db-primary")["id"]
    csv_one = cli("describe", "regions", "us-utah", "-o", "csv")
    assert csv_one.code == 0 and len(csv_one.out.splitlines()) == 2


def test_not_found_is_an_api_error(cli: Cli) -> None:
    result = cli("describe", "instances", "no-such-host")
    assert result.code == 1, result
    assert "no instance with the id or name 'no-such-host'" in result.err
    assert result.out == ""
    verb = cli("power-off", "no-such-host", "--yes")
    assert verb.code == 1 and "no-such-host" in verb.err


def test_a_wrong_token_is_exit_4_and_never_printed(cli: Cli) -> None:
    wrong = "wrong-token-5550123"
    result = cli("get", "instances", env={"CLOUDZY_API_TOKEN": wrong})
    assert result.code == 4, result
    assert "authentication failed" in result.err
    assert wrong not in result.err + result.out
    check = cli("info", "--check", env={"CLOUDZY_API_TOKEN": wrong})
    assert check.code == 4, check
    assert "refused the token" in check.err and wrong not in check.err + check.out


def test_info_check_accepts_the_right_token(cli: Cli, sim_url: str) -> None:
    result = cli("info", "--check")
    assert result.code == 0, result
    assert result.out.startswith("token accepted by 127.0.0.1:")
    assert TOKEN not in result.out + result.err
    plain = cli("info")
    assert plain.code == 0 and sim_url in plain.out and "token from    environment" in plain.out
    assert TOKEN not in plain.out + plain.err


def test_an_unreachable_api_is_exit_1(cli: Cli) -> None:
    result = cli("--api-url", "http://127.0.0.1:9/developers", "get", "regions", timeout=180)
    assert result.code == 1, result
    assert result.out == ""


@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_no_color_changes_nothing_and_output_has_no_ansi(cli: Cli, fmt: str) -> None:
    plain = cli("get", "instances", "-o", fmt)
    no_color = cli("get", "instances", "-o", fmt, env={"NO_COLOR": "1"})
    assert plain.out == no_color.out
    assert "\x1b" not in plain.out
