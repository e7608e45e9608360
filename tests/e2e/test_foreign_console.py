"""The console against a server it was not built with.

The product owner's requirement: the console works against any server that speaks the reference, never relying
on a quirk of our own seed data. ``tests/contract/test_contract_foreign.py`` checks the client against such a
server; this file checks the console (the real ``CloudzyApp``) against one, driven with Pilot the way a person
does it: every resource screen opened with ``:``, the cursor on every row with its detail shown, help, the raw JSON
view, the create wizard through all its steps, resize, change OS and the backup schedule, each cancelled.

``ForeignServer`` (``foreign_server.py``) is a server written by hand from the reference and the notes, whose
account is odd but legal.

Size: one odd account walked through every screen; the per-resource checks (``CHECKS``, ~130 lines) read what
that account's rows must show, and they belong beside the walk that paints them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Checkbox, Input, OptionList, Select, SelectionList, Static
from textual.worker import Worker, WorkerState
from ui.helpers import loaded, screen_text, wait_for

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.ui.app import CloudzyApp
from cloudzy_tui.ui.modals.backup_schedule import BackupScheduleModal
from cloudzy_tui.ui.modals.command_line import CommandLine
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.create_wizard import STEP_IDS, CreateWizard
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.modals.help import HelpScreen
from cloudzy_tui.ui.modals.text_view import TextViewModal
from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.status_bar import StatusBar

from . import foreign_server
from .foreign_server import (
    BASE_URL,
    EPOCH_SHOWN,
    LONG_HOST,
    LONG_REGION,
    NOW,
    SNAPSHOTS,
    SSH_KEYS,
    TOKEN,
    UNICODE_HOST,
    UNICODE_REGION,
    ForeignServer,
    reply_ok,
)

# ---------------------------------------------------------------------------------------------------- helpers


class Watch:
    """What went wrong inside the console without crashing it: workers that ended in an error (their exceptions are
    swallowed by ``exit_on_error=False``) and error toasts."""

    def __init__(self, app: CloudzyApp) -> None:
        self.app = app
        self.worker_errors: list[str] = []
        manager = app.workers
        remove = manager._remove_worker

        def record(worker: Worker[Any]) -> None:
            if worker.state == WorkerState.ERROR:
                self.worker_errors.append(f"{worker.group}:{worker.name}: {worker.error!r}")
            remove(worker)

        manager._remove_worker = record  # type: ignore[method-assign]

    def error_toasts(self) -> list[str]:
        return [str(n.message) for n in self.app.shown_toasts() if n.severity == "error"]

    def check(self) -> None:
        assert self.app.is_running and self.app.return_code in (None, 0)
        assert self.app._exception is None, repr(self.app._exception)
        assert not self.worker_errors, self.worker_errors
        assert not self.error_toasts(), self.error_toasts()


def make_console(server: ForeignServer) -> tuple[CloudzyApp, Watch]:
    async def no_sleep(_: float) -> None:
        return None

    client = CloudzyClient(BASE_URL, TOKEN, transport=httpx.MockTransport(server), sleep=no_sleep)
    app = CloudzyApp(
        client,
        api_label="api.foreign.example",
        clock=lambda: NOW,
        refresh_seconds=0,
        job_interval=0.02,
        local_hostname="console-host",
    )
    return app, Watch(app)


def status_right(screen: ResourceScreen[Any]) -> str:
    return screen.query_one("#status", StatusBar).right.plain


def idle(app: CloudzyApp) -> bool:
    """No worker pending or running (but the job tracker, and an action waiting for its dialog); no detail load
    waiting for its timer."""
    screens = [s for s in app.screen_stack if isinstance(s, ResourceScreen)]
    return not any(s.detail_pending for s in screens) and not any(
        not w.is_finished and w.group not in ("jobs", "actions") for w in app.workers
    )


async def go(pilot: Any, name: str) -> ResourceScreen[Any]:
    """``:name`` Enter, as typed; the screen once loaded, with no error."""
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
    await pilot.press(*name, "enter")
    screen = await loaded(pilot, name)
    await wait_for(pilot, lambda: idle(pilot.app))
    assert screen.last_error is None, (name, screen.last_error)
    right = status_right(screen)
    assert "ERROR" not in right and "STALE" not in right, right
    # Lists open newest first; these tests read the rows in the server's order: ``o`` through every column
    # to no sort at all, as a person would.
    for _ in range(len(screen.spec.columns) + 1):
        if screen.sort_column is None:
            break
        await pilot.press("o")
    assert screen.sort_column is None
    return screen


def labels(screen: ResourceScreen[Any]) -> list[str]:
    """The rows in the order shown, by their label (hostname, name...)."""
    return [screen.spec.label(screen.model.items[key]) for key in screen.table.order]


async def open_modal(pilot: Any, key: str, kind: type[Any]) -> Any:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    return pilot.app.screen


async def close_modal(pilot: Any, screen: ResourceScreen[Any]) -> None:
    await pilot.press("escape")
    await wait_for(pilot, lambda: pilot.app.screen is screen)
    await wait_for(pilot, lambda: idle(pilot.app))


async def visit_rows(pilot: Any, screen: ResourceScreen[Any]) -> dict[str, str]:
    """Down the list from the top, opening each row's detail (Enter) as a person on a narrow terminal does;
    returns key -> the detail pane's text once its load has finished."""
    seen: dict[str, str] = {}
    await pilot.press("home")
    for index in range(screen.table.row_count):
        if index:
            await pilot.press("down")
        key = screen.table.cursor_key
        assert key is not None and key == screen.table.order[index]
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.has_class("detail-open") and idle(pilot.app))
        text = screen.detail.plain_text(width=200)
        label = screen.spec.label(screen.model.items[key])
        assert label[:40] in text, (screen.spec.name, key, text)
        assert "Could not load details" not in text, text
        assert label[:20] in screen_text(pilot.app)  # the pane is on the screen, its title at the top
        seen[key] = text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.has_class("detail-open"))
    return seen


def row(text: str, label: str) -> str:
    """The value of ``label`` in a detail pane's text (its first line; "—" when the server gave nothing)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(label + "  ") or stripped == label:
            return stripped[len(label) :].strip()
    raise AssertionError(f"no {label!r} row in:\n{text}")


# ---------------------------------------------------------------------------------------------------- tests


@pytest.fixture
def server() -> ForeignServer:
    return ForeignServer()


EXPECTED_ROWS: dict[str, list[str]] = {
    "instances": [UNICODE_HOST, LONG_HOST, "plain-host", "n-4"],
    "snapshots": ["nightly ❄ snapshot", "s-2", SNAPSHOTS[2]["name"], "s-null"],
    "backups": ["1001", LONG_HOST, "n-4"],
    "floating-ips": ["198.51.100.7", "2001:db8::1", "fip-null"],
    "isos": ["Arch Linux 🏔 ISO", "iso-null"],
    "images": ["Ubuntu gold image", "img-null"],
    "ssh-keys": ["laptop 💻 key", SSH_KEYS[1]["name"], "9"],
    "regions": [UNICODE_REGION, LONG_REGION, "Hidden place", "r-null"],
    "products": ["4 vCPU · 2 GB RAM · 25.5 GB disk · 1 TB", "1 vCPU · 1 GB RAM · 10 GB disk", "p-null", "p-fra"],
    "os": ["Debian 12 🐧", "Windows Server 2022", "Retired OS", "os-null"],
    "applications": ["WordPress ✨", "Docker", "app-null"],
}


def cells(screen: ResourceScreen[Any], column: str) -> list[str]:
    """What one column shows, row by row in the order shown."""
    index = [c.key for c in screen.spec.columns].index(column)
    rows = [screen.model.row(key) for key in screen.table.order]
    return [r.cells[index].plain for r in rows if r is not None]


async def sort_through_every_column(pilot: Any, screen: ResourceScreen[Any]) -> None:
    """``o`` through every column and back to the API's order: the rows are all still there."""
    before = list(screen.table.order)
    for _ in screen.spec.columns:
        await pilot.press("o")
        assert screen.sort_column is not None and sorted(screen.table.order) == sorted(before)
    await pilot.press("o")
    assert screen.sort_column is None and screen.table.order == before


async def refresh_changes_nothing(pilot: Any, server: ForeignServer, screen: ResourceScreen[Any]) -> None:
    """``ctrl+r``: the same odd data again is no change (rows are compared, not replaced: a value coerced from a
    string must compare equal to itself the next time), and no error."""
    before = dict(screen.model.items)
    asked = len(server.requests)
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: len(server.requests) > asked and not screen.fetching and idle(pilot.app))
    assert screen.last_error is None and screen.model.items.keys() == before.keys()
    assert all(screen.model.items[key] is item for key, item in before.items()), screen.spec.name


def check_instances(t: dict[str, list[str]], inst: dict[str, str]) -> None:
    assert t["status"] == ["migrating", "active", "shutdown", "—"]
    assert t["ram"] == ["2 GB", "1 GB", "3 GB", "—"] and t["cpu"] == ["4", "1", "2", "—"]  # not "2.0"
    assert t["disk"] == ["25.5 GB", "—", "40.5 GB", "—"] and t["ipv4"] == ["203.0.113.10", "—", "198.51.100.3", "—"]
    assert t["region"] == [UNICODE_REGION, "atlantis", UNICODE_REGION, "—"]
    assert t["os"] == ["Debian 12 🐧", "unknown-os", "Debian 12 🐧", "—"]
    assert t["created"] == [EPOCH_SHOWN, "—", EPOCH_SHOWN, "—"]
    odd = inst["1001"]
    assert row(odd, "RAM") == "2 GB" and row(odd, "vCPU") == "4" and row(odd, "disk") == "25.5 GB"
    assert row(odd, "status") == "migrating"  # an unknown status, as it came
    assert row(odd, "created") == EPOCH_SHOWN  # epoch seconds where the reference has an ISO string
    assert row(odd, "region").startswith(UNICODE_REGION)  # region id 7 (a number) matched "7"
    assert row(odd, "OS").startswith("Debian 12 🐧")
    assert row(odd, "extra disk") == "10 GB" and row(odd, "discount") == "15%"
    assert row(odd, "DDoS protection") == "no" and row(odd, "user") == "555"
    assert "4 vCPU · 2 GB RAM · 25.5 GB disk" in row(odd, "product") and "$7.20/mo" in row(odd, "product")
    assert "nightly ❄ snapshot  QUEUED" in odd  # its snapshot, from the list filtered by instance_id
    assert "2001:db8::1" in odd  # its floating IP (instanceId 1001 sent as a number)
    assert row(odd, "schedule") == "monthly" and row(odd, "retention") == "14 days" and row(odd, "files") == "0"
    bare = inst["b-2"]
    assert row(bare, "IPv4") == "—" and row(bare, "IPv6") == "—"
    assert row(bare, "region") == "atlantis" and row(bare, "OS") == "unknown-os"
    assert row(bare, "created") == "—" and row(bare, "disk") == "—" and row(bare, "RAM") == "1 GB"
    assert "nested, quantum" in bare and "weekly (Mon, Fun)" in bare
    plain = inst["1003"]
    assert row(plain, "created") == EPOCH_SHOWN  # milliseconds, as a string
    assert row(plain, "vCPU") == "2" and row(plain, "RAM") == "3 GB" and row(plain, "disk") == "40.5 GB"
    assert "none — b sets a schedule" in plain  # the server's own 404 for "no profile"
    empty = inst["n-4"]
    assert row(empty, "id") == "n-4" and row(empty, "status") == "—" and row(empty, "RAM") == "—"


def check_snapshots(t: dict[str, list[str]], snaps: dict[str, str]) -> None:
    assert t["status"] == ["QUEUED", "ACTIVE", "RESTORING", "—"]
    assert t["instance"][:2] == [UNICODE_HOST, "gone-instance (deleted)"]
    assert row(snaps["9001"], "status") == "QUEUED" and row(snaps["9001"], "created") == EPOCH_SHOWN
    assert row(snaps["9001"], "size") == "20 GB" and row(snaps["9001"], "RAM") == "2 GB"
    assert row(snaps["9001"], "instance").startswith(UNICODE_HOST)  # named from the instances list
    assert row(snaps["9001"], "product") == "4 vCPU · 2 GB RAM · 25.5 GB disk · 1 TB"
    assert row(snaps["s-2"], "size") == "20 GiB" and row(snaps["s-2"], "last restored") == EPOCH_SHOWN
    assert row(snaps["s-2"], "instance deleted") == "yes" and row(snaps["s-2"], "name") == "—"
    assert row(snaps["s-3"], "created") == EPOCH_SHOWN and row(snaps["s-3"], "status") == "RESTORING"
    assert row(snaps["s-null"], "last restored") == "never"


def check_backups(t: dict[str, list[str]], backups: dict[str, str]) -> None:
    assert t["instance"] == [UNICODE_HOST, LONG_HOST, "n-4"]  # named from the instances list
    assert t["schedule"] == ["monthly", "weekly (Mon, Fun)", "—"]
    first = backups["1001"]
    assert row(first, "instance") == UNICODE_HOST and row(first, "instance id") == "1001"
    assert row(first, "status") == "ACTIVE" and row(first, "frequency") == "monthly"
    assert row(first, "retention") == "14 days" and row(first, "max files") == "5" and row(first, "fee") == "10%"
    assert row(first, "monthly price") == "$1.99/mo" and "none yet" in first
    assert "Funday" in row(backups["b-2"], "weekdays") and "UPLOADING" in backups["b-2"]
    assert row(backups["n-4"], "last successful backup") == "never"


def check_floating_ips(t: dict[str, list[str]], fips: dict[str, str]) -> None:
    assert t["instance"] == ["unattached", UNICODE_HOST, "unattached"]
    assert row(fips["1"], "instance") == "unattached" and row(fips["1"], "auto-renew") == "no"
    assert "(expired)" in row(fips["1"], "expires") and row(fips["1"], "region") == UNICODE_REGION
    assert row(fips["fip-2"], "instance").startswith(UNICODE_HOST) and row(fips["fip-2"], "auto-renew") == "yes"
    assert "(in 30d0h)" in row(fips["fip-2"], "expires") and row(fips["fip-2"], "note") == "Ünïcode nöte ✓"
    assert row(fips["fip-null"], "address") == "—" and row(fips["fip-null"], "expires") == "—"


def check_isos(t: dict[str, list[str]], details: dict[str, str]) -> None:
    # an unknown status in flight shows the percent the server gives (as text, or a whole float)
    assert t["status"] == ["VALIDATING 42.5%", "—"]
    iso = details["77"]
    assert row(iso, "status") == "VALIDATING" and row(iso, "progress") == "42.5%" and row(iso, "virtio") == "yes"


def check_images(t: dict[str, list[str]], details: dict[str, str]) -> None:
    assert t["status"] == ["CONVERTING 100%", "—"]
    image = details["img-1"]
    assert row(image, "status") == "CONVERTING" and row(image, "created") == EPOCH_SHOWN
    assert row(image, "format") == "—" and row(image, "decompress") == "—" and row(image, "progress") == "100%"


def check_ssh_keys(t: dict[str, list[str]], keys: dict[str, str]) -> None:
    assert t["id"] == ["7", "8", "9"]
    assert row(keys["7"], "type") == "ssh-ed25519" and row(keys["7"], "fingerprint") == "—"
    assert row(keys["7"], "comment") == "tëst@laptop"
    assert row(keys["8"], "type") == "—" and row(keys["9"], "name") == "—"


def check_regions(t: dict[str, list[str]], regions: dict[str, str]) -> None:
    assert t["caps"] == ["custom", "—", "—", "—"]
    assert row(regions["7"], "custom plans") == "yes" and row(regions["7"], "IPv6") == "no"
    assert row(regions["7"], "RAM threshold") == "64 GB" and row(regions["7"], "max discount") == "20%"
    assert row(regions["fra-2"], "custom plans") == "no" and row(regions["fra-2"], "abbreviation") == "—"
    assert row(regions["r-null"], "active") == "yes" and row(regions["r-null"], "hidden") == "no"


def check_products(products: dict[str, list[str]], details: dict[str, str]) -> None:
    assert products["ram"] == ["2 GB", "1 GB", "—", "—"]  # the second one sends RAM in MB only
    assert products["monthly"] == ["$7.20", "—", "—", "—"] and products["stock"] == ["3", "—", "—", "—"]
    assert products["region"] == [UNICODE_REGION, UNICODE_REGION, UNICODE_REGION, LONG_REGION]
    first = details["7/501"]
    assert row(first, "RAM") == "2 GB" and row(first, "disk") == "25.5 GB" and row(first, "stock") == "3"
    assert row(first, "discount") == "12.5%" and "$7.20/mo" in first and "$6.50/mo" in first
    assert "Prices" not in details["7/p-502"] and row(details["7/p-502"], "RAM") == "1 GB"
    assert row(details["fra-2/p-fra"], "specification") == "—"
    assert row(details["fra-2/p-fra"], "region").startswith("Frankfurt am Main am Main")


def check_os(t: dict[str, list[str]], systems: dict[str, str]) -> None:
    assert t["minram"] == ["1 GB", "4 GB", "—", "—"]  # minRam "4096": MB, with its unit
    assert row(systems["42"], "minimum RAM") == "1 GB" and row(systems["42"], "default") == "yes"
    assert row(systems["old-os"], "active") == "no" and row(systems["os-null"], "name") == "—"


def check_applications(t: dict[str, list[str]], apps: dict[str, str]) -> None:
    assert t["price"] == ["$5.00", "—", "—"]
    assert "Debian 12 🐧, Windows Server 2022" in row(apps["3"], "runs on") and row(apps["3"], "price") == "$5.00/mo"
    assert row(apps["docker"], "runs on") == "—"


#: per resource: what its columns (column key -> the cells, in the server's order) and its rows' details
#: (row key -> the detail pane's text) must show
CHECKS: dict[str, Callable[[dict[str, list[str]], dict[str, str]], None]] = {
    "instances": check_instances,
    "snapshots": check_snapshots,
    "backups": check_backups,
    "floating-ips": check_floating_ips,
    "isos": check_isos,
    "images": check_images,
    "ssh-keys": check_ssh_keys,
    "regions": check_regions,
    "products": check_products,
    "os": check_os,
    "applications": check_applications,
}


def test_the_foreign_server_imports_nothing_of_ours() -> None:
    """It is a check of the console only while it is written apart from the project (no simulator, no client)."""
    tree = ast.parse(Path(foreign_server.__file__).read_text(encoding="utf-8"))
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert imported and not [name for name in imported if name.split(".")[0] == "cloudzy_tui"], imported


def test_every_resource_has_its_checks() -> None:
    assert sorted(CHECKS) == sorted(spec.name for spec in ALL_SPECS) == sorted(EXPECTED_ROWS)


# One test per screen and size (not one walk through all of them): each starts the console as a person does (on
# the instances) and goes to its screen by the command line; xdist spreads them over the workers.
@pytest.mark.parametrize("name", [spec.name for spec in ALL_SPECS])
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_every_screen_and_every_row(server: ForeignServer, size: tuple[int, int], name: str) -> None:
    spec = next(s for s in ALL_SPECS if s.name == name)
    app, watch = make_console(server)
    async with app.run_test(size=size, notifications=True) as pilot:
        await loaded(pilot, "instances")
        screen = await go(pilot, spec.name)
        assert labels(screen) == EXPECTED_ROWS[spec.name], spec.name
        table = {c.key: cells(screen, c.key) for c in spec.columns}
        shown = screen_text(app)
        for cell in table[spec.columns[0].key]:
            assert cell[:10] in shown, (spec.name, cell)  # the rows are on the screen, first column readable
        if size == (120, 40):
            await sort_through_every_column(pilot, screen)
        details = await visit_rows(pilot, screen)
        await refresh_changes_nothing(pilot, server, screen)
        shown = screen_text(app)
        assert "Traceback" not in shown and "ERROR" not in shown
        assert server.unexpected() == [] and server.writes == []
        watch.check()
    CHECKS[spec.name](table, details)


async def test_a_non_ascii_filter_and_the_bookmark_walk(server: ForeignServer) -> None:
    app, watch = make_console(server)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await loaded(pilot, "instances")
        # Away and back by the command line, then a non-ASCII filter as typed.
        await go(pilot, "snapshots")
        instances = await go(pilot, "instances")
        await pilot.press("slash", *"ünï")
        assert labels(instances) == [UNICODE_HOST]
        await pilot.press("escape")
        assert labels(instances) == EXPECTED_ROWS["instances"]
        # The bookmark walk: the second page was asked for with the bookmark of the first, and no third page
        # after the server repeated it.
        walk = [q.get("bookmark") for _, p, q, _ in server.requests if p == "/v1/instances"]
        assert walk[:2] == [None, "after-b-2"] and set(walk) == {None, "after-b-2"}
        assert server.unexpected() == [] and server.writes == []
        watch.check()


def wizard(pilot: Any) -> CreateWizard:
    screen = pilot.app.screen
    assert isinstance(screen, CreateWizard), f"not on the wizard: {screen!r}"
    return screen


async def at_step(pilot: Any, step: str) -> CreateWizard:
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, CreateWizard) and idle(pilot.app) and STEP_IDS[wizard(pilot).step] == step,
    )
    return wizard(pilot)


def static_text(modal: Any, selector: str) -> str:
    return str(modal.query_one(selector, Static).render())


def select_values(form: FormModal[Any], name: str) -> list[Any]:
    select = form.query_one(f"#field-{name}", Select)
    return [value for _, value in select._options if value is not Select.NULL]


def select_labels(form: FormModal[Any], name: str) -> list[str]:
    select = form.query_one(f"#field-{name}", Select)
    return [str(label) for label, value in select._options if value is not Select.NULL]


async def cursor_to(pilot: Any, screen: ResourceScreen[Any], key: str) -> None:
    """Arrow keys down the list to the row ``key``."""
    await pilot.press("home")
    for _ in range(screen.table.row_count):
        if screen.table.cursor_key == key:
            break
        await pilot.press("down")
    assert screen.table.cursor_key == key
    await wait_for(pilot, lambda: idle(pilot.app))


def warnings(app: CloudzyApp) -> list[str]:
    return [str(n.message) for n in app.shown_toasts() if n.severity == "warning"]


async def test_help_raw_json_and_refusals_on_odd_rows(server: ForeignServer) -> None:
    app, watch = make_console(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: idle(app))
        await cursor_to(pilot, screen, "1001")

        # ? lists the keys, and says why the actions that need a settled instance do not apply to "migrating".
        await open_modal(pilot, "question_mark", HelpScreen)
        shown = screen_text(app)
        assert "the instance is migrating; wait until it settles" in shown
        assert "only for shutdown instances (this one is migrating)" in shown
        await close_modal(pilot, screen)

        # y: the whole object as the server sent it, unknown fields included.
        await open_modal(pilot, "y", TextViewModal)
        await pilot.press("c")  # the text shown, copied whole
        raw = app.clipboard
        assert '"hypervisor"' in raw and '"migrating"' in raw and '"detailOnly"' in raw
        assert UNICODE_HOST in raw and '"ram": 2048' in raw
        await close_modal(pilot, screen)

        # Resize and change OS wait for an unknown status to settle: refused with the reason, nothing sent.
        await pilot.press("z", "C")
        refusals = [
            "Resize: the instance is migrating; wait until it settles",
            "Change OS: the instance is migrating; wait until it settles",
        ]
        await wait_for(pilot, lambda: all(r in warnings(app) for r in refusals))
        assert app.screen is screen

        # The instance without any IP: ssh says so, c copies its id.
        await cursor_to(pilot, screen, "b-2")
        await pilot.press("s")
        await wait_for(pilot, lambda: any("has no IP address" in w for w in warnings(app)))
        await pilot.press("c")
        assert app.clipboard == "b-2"

        # Floating IPs: the unattached one has no instance to go to; the attached one leads to instance 1001.
        fips = await go(pilot, "floating-ips")
        await cursor_to(pilot, fips, "1")
        await pilot.press("i")
        await wait_for(pilot, lambda: any("not attached" in w for w in warnings(app)))
        await open_modal(pilot, "e", FormModal)
        form = app.screen
        assert form.query_one("#field-auto_renew", Checkbox).value is False  # "false", a string
        assert form.query_one("#field-note", Input).value == ""
        await close_modal(pilot, fips)
        await cursor_to(pilot, fips, "fip-2")
        await pilot.press("i")
        instances = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: instances.table.cursor_key == "1001")

        # Snapshots: an unknown status and a deleted instance cannot be restored; deleting asks first.
        snaps = await go(pilot, "snapshots")
        await cursor_to(pilot, snaps, "9001")
        await pilot.press("R")
        await wait_for(pilot, lambda: any("only ACTIVE snapshots" in w and "QUEUED" in w for w in warnings(app)))
        await cursor_to(pilot, snaps, "s-2")
        await pilot.press("R")
        await wait_for(pilot, lambda: any("instance was deleted" in w for w in warnings(app)))
        app.clear_notifications()  # the warnings so far would lie over the dialog's text
        await open_modal(pilot, "D", ConfirmModal)
        assert "gone-instance" in screen_text(app)
        await close_modal(pilot, snaps)

        await wait_for(pilot, lambda: idle(app))
        assert server.writes == [] and server.unexpected() == []
        watch.check()


async def test_create_wizard_through_every_step_on_odd_data(server: ForeignServer) -> None:
    app, watch = make_console(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: idle(app))
        await pilot.press("n")
        w = await at_step(pilot, "region")
        # Offered: the active, visible regions (id 7 sent as a number; the one whose config is null).
        assert list(w.form.values["region-list"].values()) == ["7", "fra-2", "r-null"]
        assert UNICODE_REGION in static_text(w, "#region-info")
        assert "custom plans (≤ 64 GB RAM)" in static_text(w, "#region-info")
        await pilot.press("enter")

        w = await at_step(pilot, "class")
        assert list(w.form.values["class-list"].values()) == ["default"]  # config lists only regular CPUs
        await pilot.press("enter")

        w = await at_step(pilot, "plan")
        offered = ["501", "p-502", "p-null"]  # id 501 sent as a number; the all-null product
        await wait_for(pilot, lambda: list(wizard(pilot).form.values["product-list"].values()) == offered)
        products = w.query_one("#product-list", OptionList)
        prompts = [str(products.get_option_at_index(i).prompt) for i in range(products.option_count)]
        assert "4 vCPU · 2 GB RAM · 25.5 GB disk · 1 TB" in prompts[0] and "3 left" in prompts[0]
        assert "$7.20/mo" in prompts[0]
        assert prompts[1].startswith("1 vCPU · 1 GB RAM · 10 GB disk")  # no price items: no price shown
        await pilot.press("down", "enter")  # the product without prices

        w = await at_step(pilot, "software")
        assert list(w.form.values["app-list"].values()) == ["", "3", "docker", "app-null"]
        apps = w.query_one("#app-list", OptionList)
        assert apps.get_option_at_index(2).disabled and apps.get_option_at_index(3).disabled  # no OS to run on
        assert list(w.form.values["os-list"].values()) == ["42", "win-2022", "os-null"]  # default first, no inactive
        os_list = w.query_one("#os-list", OptionList)
        assert "needs 4 GB RAM" in str(os_list.get_option_at_index(1).prompt)  # 1 GB plan, minRam 4096
        if pilot.app.focused is w.query_one("#source-list", OptionList):
            await pilot.press("enter")  # start from an operating system (an ISO or snapshot is offered too)
        await pilot.press("enter", "enter")  # no application; the default OS

        await at_step(pilot, "hostnames")
        await pilot.press(*"odd-1", "enter")
        w = await at_step(pilot, "ssh")
        keys = w.query_one("#ssh-keys", SelectionList)
        assert [keys.get_option_at_index(i).value for i in range(keys.option_count)] == [7, 8, 9]  # "7" a string
        await pilot.press("space", "ctrl+n")

        w = await at_step(pilot, "network")
        assert not w.query_one("#ipv6").display  # the region's config does not mention IPv6: not offered
        await pilot.press("ctrl+n")
        await at_step(pilot, "billing")
        await pilot.press("ctrl+n")

        w = await at_step(pilot, "review")
        summary = static_text(w, "#review-summary")
        assert UNICODE_REGION in summary and "1 vCPU · 1 GB RAM · 10 GB disk" in summary
        assert "Debian 12 🐧" in summary and "odd-1" in summary and "laptop 💻 key" in summary
        assert "unknown (the product lists no price)" in static_text(w, "#review-price")

        # Back to the plan (nothing lost on the way), the product with prices, forward to the review again.
        for _ in range(6):
            await pilot.press("alt+b")
        w = await at_step(pilot, "plan")
        assert w.draft.hostnames_text == "odd-1" and w.draft.ssh_key_ids == [7]
        await pilot.press("up")
        for step in ("software", "hostnames", "ssh", "network", "billing", "review"):
            await pilot.press("ctrl+n")
            w = await at_step(pilot, step)
        price = static_text(w, "#review-price")
        assert "$7.20/mo" in price and "hourly: $0.01/h" in price  # one money rule: whole cents, two decimals

        # Esc asks (something was entered); discarding sends nothing.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: app.screen is screen and idle(app))
        assert server.writes == [] and server.unexpected() == []
        watch.check()


async def test_resize_change_os_and_backup_forms_on_odd_data(server: ForeignServer) -> None:
    app, watch = make_console(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: idle(app))
        await cursor_to(pilot, screen, "1003")  # shutdown; vcpuCount 2.0, ram 3072.0, disk 40.5

        # Resize: the region allows custom plans ("1"), so first how; custom resources start from the instance's.
        how = await open_modal(pilot, "z", FormModal)
        assert select_values(how, "type") == ["FIXED", "CUSTOM"]
        how.query_one("#field-type", Select).value = "CUSTOM"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal) and app.screen is not how)
        custom = app.screen
        values = {name: custom.query_one(f"#field-{name}", Input).value for name in ("cpu", "ram", "disk")}
        assert values == {"cpu": "2", "ram": "3", "disk": "41"}  # 2.0, 3072.0 MB, 40.5 GB (disks only grow)
        await close_modal(pilot, screen)

        fixed_how = await open_modal(pilot, "z", FormModal)
        await pilot.click("#submit")  # FIXED, preselected
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal) and app.screen is not fixed_how)
        fixed = app.screen
        # Disks do not shrink: plain-host has 40.5 GB, so 501 (25.5 GB) and p-502 (10 GB) are not offered; p-null
        # says no disk (the server decides).
        assert select_values(fixed, "product") == ["p-null"]
        assert "2 plans with a smaller disk not offered" in str(fixed.query_one("#dialog-message").render())
        await close_modal(pilot, screen)

        # Change OS: active systems other than the current one (osId 42 sent as a number).
        change = await open_modal(pilot, "C", FormModal)
        assert select_values(change, "os") == ["os-null", "win-2022"]  # by name (or id); not the current
        assert "Type the hostname (plain-host) to confirm" in screen_text(app)
        await close_modal(pilot, screen)

        # Backup schedule of an instance without a profile (the server's own 404): the create form.
        form = await open_modal(pilot, "b", BackupScheduleModal)
        assert "new schedule" in form.form_title
        await close_modal(pilot, screen)

        # ... and of the instance whose profile has an unknown frequency, no days and periodId "14".
        await cursor_to(pilot, screen, "1001")
        form = await open_modal(pilot, "b", BackupScheduleModal)
        assert "edit schedule" in form.form_title
        assert form.query_one("#field-retention", Select).value == 14
        assert "monthly" in form.query_one("#field-frequency", Select).value  # shown as the server has it
        await pilot.click("#submit")  # not silently turned into another schedule: refused at the field
        await wait_for(pilot, lambda: "daily or weekly" in str(form.query_one("#error-frequency").render()))
        assert server.writes == [] and app.screen is form
        await close_modal(pilot, screen)

        # The backups screen: editing keeps a day the server spelt its own way.
        backups = await go(pilot, "backups")
        await cursor_to(pilot, backups, "b-2")
        form = await open_modal(pilot, "e", BackupScheduleModal)
        days = form.query_one("#field-days", SelectionList)
        assert list(days.selected) == ["Monday", "Funday"]
        assert form.query_one("#field-frequency", Select).value == "weekly"
        await close_modal(pilot, backups)
        form = await open_modal(pilot, "n", BackupScheduleModal)  # only the instance without a profile
        assert select_values(form, "instance") == ["1003"]
        await close_modal(pilot, backups)

        await wait_for(pilot, lambda: idle(app))
        assert server.writes == [] and server.unexpected() == []
        watch.check()


class NullForNone(ForeignServer):
    """The same account, but "this instance has no backup profile" is a 200 with ``data: null``, not a 404 (the
    reference does not say which)."""

    def _route(self, method: str, path: str, params: dict[str, str]) -> httpx.Response:
        if method == "GET" and path == "/v1/backups/1003":
            return reply_ok(None)
        return super()._route(method, path, params)


async def test_no_backup_profile_said_with_null_data() -> None:
    server = NullForNone()
    app, watch = make_console(server)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: idle(app))
        await cursor_to(pilot, screen, "1003")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.has_class("detail-open") and idle(app))
        text = screen.detail.plain_text(width=200)
        assert "none — b sets a schedule" in text and "error" not in text
        await pilot.press("escape")
        form = await open_modal(pilot, "b", BackupScheduleModal)
        assert "new schedule" in form.form_title  # creating one is possible, as after a 404
        await close_modal(pilot, screen)
        assert ("GET", "/v1/backups", {}, 200) in server.requests  # the list said there is none
        assert server.writes == []
        watch.check()
