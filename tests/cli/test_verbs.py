"""Every verb once against ``cloudzy-tui sim`` on a socket, the rails (read-only, protected, confirmation, state),
usage errors from the operations' own models, and the audit log. Each test works on its own objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._helpers import TOKEN, Api, Cli, ed25519_public_key, mutations


def _product(api: Api, region: str, plan: str) -> str:
    return next(p["id"] for p in api.get("/v1/products", regionId=region) if p["planId"] == plan)


def _snapshot(api: Api, name: str) -> dict[str, Any]:
    return next(s for s in api.snapshots() if s["name"] == name)


# ------------------------------------------------------------------------------------------------ instance verbs


def test_power_off_and_on(cli: Cli, api: Api) -> None:
    off = cli("power-off", "web-02", "--yes", "-o", "json")
    assert off.code == 0, off
    doc = off.json()
    web = api.instance("web-02")
    assert doc["operation"] == "power-off"
    assert doc["target"] == {"resource": "instances", "id": web["id"], "name": "web-02"}
    assert doc["message"] == "Powering off web-02" and off.err.strip() == "Powering off web-02"
    assert [(j["kind"], j["id"], j["state"]) for j in doc["jobs"]] == [("instance", web["id"], "started")]
    on = cli("power-on", "worker-02")  # shut down in the seed data
    assert on.code == 0, on
    assert on.err.strip() == "Powering on worker-02"
    assert "worker-02" in on.out.splitlines()[1]  # the instance as the API shows it now
    assert api.instance("worker-02")["status"] != "shutdown"


def test_reset_resize_change_os(cli: Cli, api: Api) -> None:
    reset = cli("reset", "web-03", "--yes")
    assert reset.code == 0, reset
    assert "Resetting web-03" in reset.err
    product = _product(api, "us-utah", "regular-4c-8g")
    resized = cli("resize", "monitoring", "--product", product, "--yes", "-o", "json")
    assert resized.code == 0, resized
    assert resized.json()["operation"] == "resize" and "Resizing monitoring" in resized.json()["message"]
    changed = cli("change-os", "ci-runner", "--os", "debian-12", "--yes")
    assert changed.code == 0, changed
    assert "Reinstalling ci-runner with" in changed.err
    assert api.instance("ci-runner")["osId"] == "debian-12"


def test_add_traffic_and_change_password(cli: Cli, api: Api) -> None:
    traffic = cli("add-traffic", "mail", "--amount", "2", "--yes", "-o", "yaml")
    assert traffic.code == 0, traffic
    assert "Added 2 TB of traffic to mail" in traffic.out
    password = cli("change-password", "rescue-box", "--yes")
    assert password.code == 0, password
    lines = password.out.splitlines()
    assert len(lines) == 1 and len(lines[0]) >= 8  # the password alone on stdout
    assert lines[0] not in password.err
    audit = json.dumps(cli.audit)
    assert lines[0] not in audit and "New password" in audit


def test_create_and_delete(cli: Cli, api: Api) -> None:
    product = _product(api, "us-utah", "regular-1c-1g")
    created = cli(
        "create",
        "--region",
        "us-utah",
        "--plan",
        product,
        "--os",
        "ubuntu-24.04",
        "--hostname",
        "cli-new-01",
        "--hostname",
        "cli-new-02",
        "--yes",
        "-o",
        "json",
    )
    assert created.code == 0, created
    doc = created.json()
    assert doc["target"] is None
    assert sorted(i["hostname"] for i in doc["result"]["instances"]) == ["cli-new-01", "cli-new-02"]
    assert {j["action"] for j in doc["jobs"]} == {"create"}
    assert api.instance("cli-new-01")["region"] == "us-utah"
    deleted = cli("delete", "cli-new-02", "--yes")  # type level: --yes gives the hostname
    assert deleted.code == 0, deleted
    assert "Deleting cli-new-02" in deleted.err


def test_snapshot_take_restore_delete(cli: Cli, api: Api) -> None:
    taken = cli("snapshot", "k8s-node-1", "-o", "json")
    assert taken.code == 0, taken
    snapshot = taken.json()["result"]
    assert snapshot["instanceId"] == api.instance("k8s-node-1")["id"]
    assert _snapshot(api, snapshot["name"])["id"] == snapshot["id"]
    restore = cli("snapshots", "restore", "gitlab-before-16.11-upgrade", "--yes")
    assert restore.code == 0, restore
    assert "Restoring gitlab-before-16.11-upgrade onto gitlab" in restore.err
    victim = _snapshot(api, "old-test-final")
    deleted = cli("snapshots", "delete", "old-test-final", "--yes", "-o", "json")
    assert deleted.code == 0, deleted
    assert deleted.json()["result"]["id"] == victim["id"]
    assert all(s["id"] != victim["id"] for s in api.snapshots())


def test_backup_schedule_set_and_delete(cli: Cli, api: Api) -> None:
    result = cli(
        "backups",
        "set",
        "wordpress-blog",
        "--frequency",
        "weekly",
        "--days",
        "mon,thu",
        "--retention",
        "7",
        "-o",
        "json",
    )
    assert result.code == 0, result
    instance = api.instance("wordpress-blog")
    profile = api.get(f"/v1/backups/{instance['id']}")
    assert profile["scheduleFrequency"] == "weekly"
    assert profile["scheduleWeekDays"] == ["Monday", "Thursday"] and profile["periodId"] == 7
    gone = cli("backups", "delete", "staging-web", "--yes")
    assert gone.code == 0, gone
    assert "Backup profile of staging-web deleted" in gone.err
    profiles = {b["instanceId"] for b in api.get("/v1/backups")["backups"]}
    assert api.instance("staging-web")["id"] not in profiles


def test_backup_schedule_errors_name_the_option(cli: Cli) -> None:
    bad_freq = cli("backups", "set", "mail", "--frequency", "fortnightly", "--retention", "7")
    assert bad_freq.code == 2, bad_freq
    assert "--frequency" in bad_freq.err
    no_days = cli("backups", "set", "mail", "--frequency", "weekly", "--retention", "7")
    assert no_days.code == 2, no_days
    assert "--days: a weekly schedule needs at least one day" in no_days.err
    bad_day = cli("backups", "set", "mail", "--frequency", "weekly", "--days", "someday", "--retention", "7")
    assert bad_day.code == 2 and "--days" in bad_day.err
    assert not any(e["method"] for e in cli.audit)  # nothing was sent


def test_floating_ips_allocate_update_release(cli: Cli, api: Api) -> None:
    before = {f["id"] for f in api.floating_ips()}
    allocated = cli("fip", "allocate", "--region", "de-frankfurt", "--count", "2", "--yes", "-o", "json")
    assert allocated.code == 0, allocated
    new = allocated.json()["result"]
    assert len(new) == 2 and {f["id"] for f in new} == {f["id"] for f in api.floating_ips()} - before
    address = new[0]["ipAddress"]
    updated = cli("floating-ips", "update", address, "--note", "from the CLI", "--auto-renew")
    assert updated.code == 0, updated
    stored = next(f for f in api.floating_ips() if f["id"] == new[0]["id"])
    assert stored["customerNote"] == "from the CLI" and stored["autoRenew"] is True
    released = cli("fip", "release", new[1]["id"], "--yes")
    assert released.code == 0, released
    assert new[1]["id"] not in {f["id"] for f in api.floating_ips()}
    released_ip = next(f for f in api.floating_ips(include_deleted="true") if f["id"] == new[1]["id"])
    assert released_ip["isDeleted"] is True


def test_iso_and_image_download_and_delete(cli: Cli, api: Api) -> None:
    iso = cli(
        "iso",
        "download",
        "--name",
        "cli-iso",
        "--url",
        "https://example.com/cli.iso",
        "--region",
        "us-utah",
        "--no-virtio",
        "-o",
        "json",
    )
    assert iso.code == 0, iso
    assert iso.json()["result"]["name"] == "cli-iso" and iso.json()["result"]["useVirtio"] is False
    image = cli(
        "images",
        "download",
        "--name",
        "cli-image",
        "--url",
        "https://example.com/cli.qcow2",
        "--region",
        "us-utah",
        "--format",
        "qcow2",
    )
    assert image.code == 0, image
    assert "cli-image" in image.out
    assert cli("iso", "delete", "cli-iso", "--yes").code == 0
    assert cli("image", "delete", "cli-image", "--yes").code == 0
    assert all(i["name"] != "cli-iso" for i in api.get("/v1/iso")["isos"] if i["status"] != "DELETED")


def test_ssh_keys_create_from_text_file_and_stdin_then_delete(cli: Cli, api: Api, tmp_path: Path) -> None:
    key_file = tmp_path / "id_cli.pub"
    key_file.write_text(ed25519_public_key("cli@file", seed=3) + "\n")
    from_file = cli("keys", "create", "--name", "cli-file", "--public-key-file", str(key_file), "-o", "json")
    assert from_file.code == 0, from_file
    assert from_file.json()["result"]["name"] == "cli-file"
    from_text = cli("ssh-keys", "create", "--name", "cli-text", "--public-key", ed25519_public_key("t", seed=4))
    assert from_text.code == 0, from_text
    from_stdin = cli(
        "keys", "create", "--name", "cli-stdin", "--public-key-file", "-", input=ed25519_public_key("s", seed=5)
    )
    assert from_stdin.code == 0, from_stdin
    names = {k["name"] for k in api.get("/v1/ssh-keys")}
    assert {"cli-file", "cli-text", "cli-stdin"} <= names
    for name in ("cli-file", "cli-text", "cli-stdin"):
        assert cli("keys", "delete", name, "--yes").code == 0
    assert not {"cli-file", "cli-text", "cli-stdin"} & {k["name"] for k in api.get("/v1/ssh-keys")}


def test_a_key_file_that_is_not_a_key_is_never_echoed(cli: Cli, tmp_path: Path) -> None:
    secret = "AKIA-this-is-a-cloud-credential-0123456789"
    not_a_key = tmp_path / "credentials"
    not_a_key.write_text(f"{secret} and more\n")
    result = cli("keys", "create", "--name", "oops", "--public-key-file", str(not_a_key))
    assert result.code == 2, result
    assert "--public-key-file" in result.err and str(not_a_key) in result.err
    assert secret[:12] not in result.err + result.out
    directory = cli("keys", "create", "--name", "oops", "--public-key-file", str(tmp_path))
    assert directory.code == 2 and "not a regular file" in directory.err


# ------------------------------------------------------------------------------------------------ rails


def test_read_only_refuses_before_sending_anything(cli: Cli, api: Api) -> None:
    before = api.instance("web-01")
    counted = mutations(api.sim_requests())
    result = cli("--read-only", "power-off", "web-01", "--yes")
    assert result.code == 3, result
    assert "read-only" in result.err and result.out == ""
    assert api.instance("web-01")["status"] == before["status"] == "active"
    entries = cli.audit
    assert [e["outcome"] for e in entries] == ["refused"]
    assert entries[0]["action"] == "Power off" and entries[0]["method"] is None
    if counted is not None:  # where the simulator counts requests (GET /_sim/requests): no mutation arrived
        assert mutations(api.sim_requests()) == counted
    # The profile's read_only does the same, and after the command too.
    cli.write_config(f'[profiles.ro]\napi_url = "{cli.env["CLOUDZY_API_URL"]}"\nread_only = true\n')
    profile = cli("snapshots", "delete", "web-01-before-upgrade", "--yes", "--profile", "ro")
    assert profile.code == 3 and "read-only" in profile.err
    assert any(s["name"] == "web-01-before-upgrade" for s in api.snapshots())


def test_protected_instances_and_what_is_attached_to_them(cli: Cli, api: Api) -> None:
    cli.write_config(
        f'default_profile = "prod"\n[profiles.prod]\napi_url = "{cli.env["CLOUDZY_API_URL"]}"\nprotected = ["db-*"]\n'
    )
    power = cli("power-off", "db-replica-1", "--yes")
    assert power.code == 3, power
    assert "protected instance" in power.err and "'db-*'" in power.err
    snapshot = cli("snapshots", "delete", "db-primary-pre-migration", "--yes")
    assert snapshot.code == 3 and "protected" in snapshot.err
    assert api.instance("db-replica-1")["status"] == "active"
    assert any(s["name"] == "db-primary-pre-migration" for s in api.snapshots())
    assert [e["outcome"] for e in cli.audit] == ["refused", "refused"]
    allowed = cli("get", "instances", "--hostname", "db-primary", "-o", "json")  # reading is fine
    assert allowed.code == 0 and allowed.json()[0]["hostname"] == "db-primary"


def test_without_yes_and_without_a_terminal_nothing_is_sent(cli: Cli, api: Api) -> None:
    for argv in (
        ["reset", "worker-03"],
        ["delete", "worker-03"],
        ["snapshots", "restore", "web-01-before-upgrade"],
        ["fip", "allocate", "--region", "us-utah"],
    ):
        result = cli(*argv)
        assert result.code == 3, (argv, result)
        assert "use --yes" in result.err, argv
    assert api.instance("worker-03")["status"] == "active"
    assert {e["outcome"] for e in cli.audit} == {"refused"}
    # An answer on a pipe is not a confirmation either.
    piped = cli("reset", "worker-03", input="y\n")
    assert piped.code == 3 and "use --yes" in piped.err


def test_operations_that_do_not_ask_need_no_yes(cli: Cli) -> None:
    result = cli("snapshot", "worker-03")  # danger "none": runs without --yes on a pipe
    assert result.code == 0, result


def test_an_operation_the_state_does_not_allow_is_refused(cli: Cli) -> None:
    result = cli("power-on", "web-01")  # active already
    assert result.code == 3, result
    assert "only for shutdown instances" in result.err


def test_the_api_refusing_a_request_is_exit_1(cli: Cli) -> None:
    result = cli("resize", "cache-01", "--product", "no-such-product", "--yes")
    assert result.code == 1, result
    assert result.out == ""
    assert "Product 'no-such-product' not found" in result.err
    sent = [(e["method"], e["status"], e["action"]) for e in cli.audit if e["method"]]
    assert sent == [("POST", 404, "Resize")]  # the request was sent, and audited with the API's answer


def test_validation_errors_are_usage_errors_naming_the_option(cli: Cli) -> None:
    cases = {
        (
            "create",
            "--region",
            "us-utah",
            "--cpu",
            "0",
            "--ram-gb",
            "2",
            "--disk-gb",
            "20",
            "--hostname",
            "x",
        ): "--cpu: Input should be greater than or equal to 1",
        ("create", "--region", "us-utah", "--plan", "p", "--hostname", "bad_name!"): "--hostname:",
        ("add-traffic", "mail", "--amount", "0"): "--amount: Input should be greater than 0",
        ("add-traffic", "mail", "--amount", "nan"): "--amount:",
        ("fip", "allocate", "--region", "us-utah", "--count", "9"): "--count: Input should be less than or equal",
        ("iso", "download", "--name", "x", "--url", "ftp://example.com/x.iso", "--region", "us-utah"): "--url:",
        ("keys", "create", "--name", "", "--public-key", ed25519_public_key()): "--name:",
    }
    for argv, message in cases.items():
        result = cli(*argv)
        assert result.code == 2, (argv, result)
        assert message in result.err, (argv, result.err)
    assert not any(e["method"] for e in cli.audit)


def test_every_mutation_is_audited_with_the_real_audit_path(cli: Cli) -> None:
    result = cli("add-traffic", "vpn-gw", "--amount", "1", "--yes")
    assert result.code == 0, result
    sent = [e for e in cli.audit if e["method"]]
    assert len(sent) == 1
    assert sent[0]["action"] == "Add traffic" and sent[0]["target"] == "vpn-gw"
    assert sent[0]["method"] == "POST" and sent[0]["path"].endswith("/add-traffic")
    assert TOKEN not in json.dumps(cli.audit)
