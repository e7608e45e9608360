"""Every string from the server is data: markup, terminal escapes, bidi overrides, huge and non-ASCII strings put on
every kind of record and catalog entry render literally (or are neutralised) in every screen, detail pane, dialog,
toast and form error. Nothing crashes, no ESC reaches the terminal, no ``[@click=...]`` fires, nothing is 10,000
characters wide."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Select

from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.modals.help import HelpScreen
from cloudzy_tui.ui.modals.jobs import JobsScreen
from cloudzy_tui.ui.modals.text_view import TextViewModal
from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.resource_table import ResourceTable
from cloudzy_tui.ui.widgets.status_bar import StatusBar

from .helpers import form_on_screen, loaded, screen_text, settle, wait_for

# Markup that would crash ([/x] closes nothing), act ([@click]) or link ([link]) if parsed; an OSC title, a CSI
# colour (7-bit and C1), a bell, a right-to-left override; non-ASCII and wide characters.
ATTACK = (
    "[/x] [@click=app.quit]q[/] [link=https://evil.example]l[/link] \x1b]0;pwned\x07\x1b[31mred\x9b0m "
    "\u202eevil 日本語🚀"
)
# What is left of it once neutralised (controls and bidi overrides removed, the rest literal).
LITERAL_TAIL = "[@click=app.quit]q[/]"
BAD = ("\x1b", "\x07", "\x9b", "\u202e")
LONG = "L" * 10_000


def hostile(tag: str) -> str:
    """Starts with a literal ``[bold]`` and a tag, so that even a narrow table cell shows both."""
    return f"[bold]{tag}{ATTACK}"


def assert_safe(app: Any, *expected: str) -> str:
    """Nothing dangerous reached the terminal; ``expected`` literal text is on screen. Returns the screen text."""
    assert app.is_running
    svg = app.export_screenshot()
    for bad in BAD:
        assert bad not in svg, f"{bad!r} reached the terminal"
    text = screen_text(app)
    for piece in expected:
        assert piece in text, f"{piece!r} not shown"
    return text


def ed25519(comment: str = "me@laptop") -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def toasts(app: Any) -> list[str]:
    return [str(n.message) + " " + str(n.title) for n in app.shown_toasts()]


def _first(records: dict[Any, Any], **match: Any) -> Any:
    return next(r for r in records.values() if all(r.get(k) == v for k, v in match.items()))


def seed_hostile(simulator: Any) -> dict[str, tuple[str, str]]:
    """Hostile strings on a record of every resource; resource -> (key of the hostile row, tag in its detail)."""
    rows: dict[str, tuple[str, str]] = {}

    web01 = _first(simulator.instances, hostname="web-01")
    web01["hostname"] = hostile("inst")
    web01["customerNote"] = hostile("cnote")
    web01["adminNote"] = LONG
    rows["instances"] = (web01.id, "cnote")
    _first(simulator.instances, hostname="web-02")["hostname"] = LONG

    snapshot = next(s for s in simulator.snapshots.values() if not s.automated)
    snapshot["name"] = hostile("snap")
    snapshot["metadata"] = {**snapshot["metadata"], "hostname": hostile("meta"), "osName": hostile("metaos")}
    rows["snapshots"] = (snapshot.id, "snap")
    for automated in simulator.snapshots.values():
        if automated.automated:
            automated["name"] = hostile("bfile")

    backup = simulator.backups[web01.id]
    backup["scheduleWeekDays"] = [hostile("day")]
    backup["status"] = hostile("bstatus")
    rows["backups"] = (web01.id, "bstatus")

    fip = next(iter(simulator.floating_ips.values()))
    fip["customerNote"] = hostile("fipnote")
    rows["floating-ips"] = (fip.id, "fipnote")

    iso = next(iter(simulator.isos.values()))
    iso["name"] = hostile("iso")
    iso["url"] = "https://x.example/" + hostile("isourl") + LONG
    rows["isos"] = (iso.id, "isourl")
    image = next(iter(simulator.images.values()))
    image["name"] = hostile("img")
    image["url"] = "https://x.example/" + hostile("imgurl")
    rows["images"] = (image.id, "imgurl")

    key = simulator.ssh_keys[min(simulator.ssh_keys)]
    kind, blob, *_ = key["publicKey"].split()
    key["name"] = hostile("key")
    key["publicKey"] = f"{kind} {blob} {hostile('comment')}"
    rows["ssh-keys"] = (str(key.id), "comment")

    simulator.regions["us-utah"]["name"] = hostile("region")
    rows["regions"] = ("us-utah", "region")
    product = next(p for p in simulator.products.values() if p["regionId"] == "us-utah")
    product["plan"] = {**product["plan"], "type": hostile("ptype"), "gpuName": hostile("gpu")}
    product["priceItems"] = [{**product["priceItems"][0], "name": hostile("price")}, *product["priceItems"][1:]]
    rows["products"] = (f"us-utah/{product['id']}", "ptype")
    simulator.oses["ubuntu-24.04"]["name"] = hostile("os")
    rows["os"] = ("ubuntu-24.04", "os")
    wordpress = simulator.applications["wordpress"]
    wordpress["name"] = hostile("app")
    wordpress["description"] = hostile("desc") + LONG
    wordpress["tag"] = "[red]tag"
    rows["applications"] = ("wordpress", "desc")
    assert set(rows) == {spec.name for spec in ALL_SPECS}
    return rows


async def _goto(pilot: Any, name: str) -> ResourceScreen[Any]:
    pilot.app.show_resource(name)
    return await loaded(pilot, name)


# ------------------------------------------------------------------------------------------------- screens


@pytest.mark.parametrize("name", [spec.name for spec in ALL_SPECS])
async def test_every_screen_and_detail_shows_hostile_data_literally(make_app: Any, simulator: Any, name: str) -> None:
    key, tag = seed_hostile(simulator)[name]
    app = make_app(initial_resource=name)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        screen = await loaded(pilot, name)
        await settle(pilot)
        assert screen.last_error is None, screen.last_error
        assert key in screen.model.items
        assert screen.table.move_cursor_to_key(key)
        await pilot.pause()
        # The table: the cell starts with the literal "[bold]" (the markup was not applied).
        text = assert_safe(pilot.app, "[bold]")
        for line in text.splitlines():
            assert len(line) <= 200, f"a line of {len(line)} characters"
        # A click on the hostile row (a live [@click] or [link] would act on it).
        table = screen.query_one(ResourceTable)
        await pilot.click(ResourceTable, offset=(3, table.cursor_index - int(table.scroll_y) + 1))
        # Its detail, full width.
        await pilot.press("enter")
        await settle(pilot)
        assert screen.has_class("detail-open")
        detail = screen.detail.plain_text(width=400)
        assert f"[bold]{tag}[/x] {LITERAL_TAIL}" in detail, detail[:2000]
        assert "[link=https://evil.example]l[/link]" in detail
        assert "]0;pwned" in detail and "[31mred" in detail  # what is left of the escapes: inert text
        assert "日本語🚀" in detail
        for bad in BAD:
            assert bad not in detail, bad
        assert LONG[:2001] not in detail.replace("\n", ""), "a 10,000-character value in full"
        assert_safe(pilot.app, "[bold]")
        await pilot.click("#detail", offset=(4, 2))
        # Its raw JSON: control characters escaped by JSON, bidi overrides removed.
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextViewModal))
        assert "\\u001b" in str(pilot.app.screen.query_one("#text-body").render())
        assert_safe(pilot.app, "[bold]")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        # No [@click=app.quit] fired, no link opened, nothing crashed.
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_hostile_filter_text_and_status_bar(make_app: Any, simulator: Any) -> None:
    seed_hostile(simulator)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("slash", *"[bold]inst")
        assert screen.table.row_count == 1
        await pilot.press("enter")
        bar = screen.query_one("#status", StatusBar)
        assert "filter: [bold]inst" in bar.left.plain
        assert_safe(pilot.app, "filter: [bold]inst", "[bold]inst")


# ------------------------------------------------------------------------------------------------- dialogs


async def _on_hostile_instance(pilot: Any, key: str) -> ResourceScreen[Any]:
    screen = await loaded(pilot, "instances")
    await settle(pilot)
    assert screen.table.move_cursor_to_key(key)
    await pilot.pause()
    return screen


async def test_help_palette_and_confirmations_with_hostile_data(make_app: Any, simulator: Any) -> None:
    rows = seed_hostile(simulator)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await _on_hostile_instance(pilot, rows["instances"][0])

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        assert_safe(pilot.app, "Power off")
        await pilot.press("escape")

        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(pilot.app))
        await pilot.press(*"power")
        await pilot.pause(0.3)
        assert_safe(pilot.app, "Power off")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen)

        # A confirmation naming the hostile instance.
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert_safe(pilot.app, "Power off [bold]inst[/x] [@click=app.quit]q[/]")
        await pilot.press("escape")
        await settle(pilot)

        # Delete needs the hostname typed: the prompt shows it literally.
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert_safe(pilot.app, "Type the hostname [bold]inst")
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_forms_with_hostile_choices_and_values(make_app: Any, simulator: Any) -> None:
    rows = seed_hostile(simulator)
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "snapshots")
        # The snapshot form: a choice list of hostile hostnames, opened.
        await pilot.press("n")
        form = await form_on_screen(pilot)
        form.query_one("#field-instance", Select).focus()
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert_safe(pilot.app, "[bold]inst")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResourceScreen))
        await settle(pilot)

        # The floating IP form, prefilled with a hostile note (neutralised, literal).
        fips = await _goto(pilot, "floating-ips")
        assert fips.table.move_cursor_to_key(rows["floating-ips"][0])
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        note = pilot.app.screen.query_one("#field-note", Input).value
        assert note.startswith("[bold]fipnote[/x] " + LITERAL_TAIL)
        assert not any(bad in note for bad in BAD)
        assert_safe(pilot.app, "[bold]fipnote")
        await pilot.press("escape")
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_instance_forms_with_a_hostile_catalog(make_app: Any, simulator: Any) -> None:
    """The hostile instance's backup schedule, the change-OS form (hostile OS names) and resize (hostile plans)."""
    rows = seed_hostile(simulator)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _on_hostile_instance(pilot, rows["instances"][0])
        for key, shown in (("b", "Backups of [bold]inst"), ("C", "[bold]os"), ("z", "")):
            await pilot.press(key)
            await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ResourceScreen))
            await pilot.pause(0.2)
            assert_safe(pilot.app, *([shown] if shown else []))
            while not isinstance(pilot.app.screen, ResourceScreen):
                await pilot.press("escape")
                await pilot.pause(0.1)
            await settle(pilot)
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_jobs_view_and_job_toast_with_hostile_names(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    rows = seed_hostile(simulator)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _on_hostile_instance(pilot, rows["instances"][0])
        await pilot.press("S")
        await wait_for(pilot, lambda: bool(app.jobs.jobs))
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
        assert_safe(pilot.app, "[bold]inst")
        sim_clock.advance(3)
        await wait_for(pilot, lambda: all(j.finished for j in app.jobs.jobs))
        await pilot.pause(0.1)
        assert_safe(pilot.app)
        assert any("[bold]inst" in t for t in toasts(app))
        await pilot.press("escape")
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_the_create_wizard_with_a_hostile_catalog(make_app: Any, simulator: Any) -> None:
    from cloudzy_tui.ui.modals.create_wizard import CreateWizard

    seed_hostile(simulator)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CreateWizard))
        await pilot.pause(0.3)
        assert_safe(pilot.app, "[bold]region")
        await pilot.press("escape")
        assert pilot.app.is_running


# -------------------------------------------------------------------------------------------- error messages

HOSTILE_DETAIL = (
    b'{"detail": "[bold]x\\u001b[31m \\u001b]0;pwned\\u0007 [@click=app.quit]q[/] \\u202eevil '
    + b"Z" * 5000
    + b'", "code": "FAILED", "data": null}'
)


async def test_an_error_toast_with_a_hostile_server_detail(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["status"] == "active" and not r.busy)
        assert screen.table.move_cursor_to_key(record.id)
        simulator.faults.add(method="POST", path_prefix="/v1/instances", status=409, body=HOSTILE_DETAIL)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: any("[bold]x" in t for t in toasts(app)))
        message = next(t for t in toasts(app) if "[bold]x" in t)
        assert "HTTP 409 Conflict" in message and "[@click=app.quit]q[/]" in message
        assert not any(bad in message for bad in BAD)
        assert len(message) < 700  # 5,000 characters of detail, cut
        await pilot.pause(0.2)
        assert_safe(pilot.app, "[bold]x", "[@click=app.quit]q[/]")
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_a_load_error_with_a_hostile_server_detail(make_app: Any, simulator: Any) -> None:
    simulator.faults.add(method="GET", path_prefix="/v1/instances", status=503, body=HOSTILE_DETAIL, times=None)
    app = make_app()
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ResourceScreen)
        await wait_for(pilot, lambda: screen.last_error is not None and not screen.fetching)
        assert "[bold]x" in screen.table.empty_message
        bar = screen.query_one("#status", StatusBar)
        assert "ERROR" in bar.right.plain  # nothing was shown yet, so nothing is stale
        assert_safe(pilot.app, "Could not load", "[bold]x", "ERROR")
        assert any("[bold]x" in t for t in toasts(app))


async def test_a_hostile_422_lands_on_the_form_field(make_app: Any, simulator: Any) -> None:
    body = (
        b'{"detail": [{"loc": ["body", "name"], "msg": "[bold]bad name\\u001b]0;pwned\\u0007 [@click=app.quit]q[/]'
        b' \\u202eevil", "type": "value_error"}, {"loc": ["body", "[red]nowhere"], "msg": "[/oops]\\u001b[31m",'
        b' "type": "value_error"}]}'
    )
    app = make_app(initial_resource="ssh-keys")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "ssh-keys")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        form.query_one("#field-name", Input).value = "laptop"
        form.query_one("#field-public_key", Input).value = ed25519()
        simulator.faults.add(method="POST", path_prefix="/v1/ssh-keys", status=422, body=body)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: form.query_one("#error-name").display)
        under_name = str(form.query_one("#error-name").render())
        assert "[bold]bad name" in under_name and "[@click=app.quit]q[/]" in under_name
        assert not any(bad in under_name for bad in BAD)
        general = str(form.query_one("#form-error").render())
        assert "[red]nowhere" in general and "[/oops]" in general
        assert form.query_one("#field-name", Input).value == "laptop"  # what was typed stays
        assert_safe(pilot.app, "[bold]bad name", "[/oops]")
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_hostile_input_typed_into_a_form_stays_literal(make_app: Any, simulator: Any) -> None:
    """What a person pastes is data too: an invalid key with markup in it is refused at the field, literally."""
    app = make_app(initial_resource="ssh-keys")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "ssh-keys")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        form.query_one("#field-name", Input).value = "[bold]n[/x]"
        form.query_one("#field-public_key", Input).value = "[@click=app.quit]ssh-ed25519 [/x]"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: form.query_one("#error-public_key").display)
        assert not [r for r in simulator.requests if r.method == "POST"]
        assert_safe(pilot.app, "[bold]n[/x]")
        assert pilot.app.is_running


# ------------------------------------------------------------------------------------------------- numbers

HUGE = 10**400  # a valid JSON integer, far beyond a float


async def test_absurd_numbers_render_without_crashing(make_app: Any, simulator: Any) -> None:
    web01 = _first(simulator.instances, hostname="web-01")
    for field in ("vcpuCount", "ram", "disk", "discountPercent"):
        web01[field] = HUGE
    web01["insertedAt"] = HUGE
    web01["extraResource"] = {"cpu": HUGE, "ramInGB": -HUGE, "diskInGB": HUGE, "bandwidthInTB": HUGE}
    product = next(p for p in simulator.products.values() if p["regionId"] == "us-utah")
    product["priceItems"] = [{**item, "monthlyPrice": HUGE, "hourlyPrice": -HUGE} for item in product["priceItems"]]
    product["plan"] = {
        **product["plan"],
        "specification": {"cpu": HUGE, "ram": HUGE, "ramInMB": HUGE, "storage": HUGE, "bandwidthInTB": HUGE},
    }
    simulator.regions["us-utah"]["config"] = {**simulator.regions["us-utah"]["config"], "ramThresholdInGB": HUGE}
    fip = next(iter(simulator.floating_ips.values()))
    fip["expiresAt"] = HUGE
    snapshot = next(s for s in simulator.snapshots.values() if not s.automated)
    snapshot["createdAt"] = HUGE
    snapshot["size"] = HUGE
    app = make_app()
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        for name, key in (
            ("instances", web01.id),
            ("products", f"us-utah/{product['id']}"),
            ("regions", "us-utah"),
            ("floating-ips", fip.id),
            ("snapshots", snapshot.id),
        ):
            screen = await _goto(pilot, name)
            assert screen.last_error is None, (name, screen.last_error)
            assert screen.table.move_cursor_to_key(key), name
            await pilot.press("enter")
            await settle(pilot)
            assert screen.detail.plain_text(), name
            assert_safe(pilot.app)
            await pilot.press("escape")
        assert pilot.app.is_running and pilot.app.return_code is None


async def test_a_low_balance_answer_with_absurd_numbers(make_app: Any, simulator: Any) -> None:
    body = (
        b'{"detail": "Insufficient balance", "code": "BALANCE_IS_NOT_SUFFICIENT", "data": '
        b'{"minimumRequiredBalance": ' + str(HUGE).encode() + b', "customerBalance": "NaN", '
        b'"numberOfDaysBalanceValidatedAgainst": ' + str(HUGE).encode() + b"}}"
    )
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["status"] == "active" and not r.busy)
        assert screen.table.move_cursor_to_key(record.id)
        simulator.faults.add(method="POST", path_prefix="/v1/instances", status=460, body=body)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: any("Balance too low" in t for t in toasts(app)))
        assert not any("OverflowError" in t for t in toasts(app))
        assert pilot.app.is_running


# ------------------------------------------------------------------------------ what leaves the console


async def test_copy_puts_no_control_characters_on_the_clipboard(make_app: Any, simulator: Any) -> None:
    key = simulator.ssh_keys[min(simulator.ssh_keys)]
    kind, blob, *_ = key["publicKey"].split()
    key["publicKey"] = f"{kind} {blob} me\nssh-ed25519 AAAAattacker evil\n\x1b[31m\u202e"
    app = make_app(initial_resource="ssh-keys")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = await loaded(pilot, "ssh-keys")
        assert screen.table.move_cursor_to_key(str(key.id))
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(pilot.app.clipboard))
        assert_safe(pilot.app)  # the "Copied" toast is clean either way
        assert not any(bad in pilot.app.clipboard for bad in ("\n", "\r", *BAD))


async def test_ssh_never_turns_a_server_string_into_an_option(make_app: Any, simulator: Any) -> None:
    web01 = _first(simulator.instances, hostname="web-01")
    web01["mainIp"] = "-oProxyCommand=touch /tmp/cloudzy-pwned"
    app = make_app(ssh_command="ssh {ip}")
    calls: list[list[str]] = []

    async def run_external(argv: list[str], *, banner: str = "") -> tuple[int, str]:
        calls.append(argv)
        return 0, ""

    app.run_external = run_external
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        assert screen.table.move_cursor_to_key(web01.id)
        await pilot.press("s")
        await settle(pilot)
        assert not any(part.startswith("-oProxyCommand") for argv in calls for part in argv), calls
        # The IPv4 is not an address: the IPv6 (a real one) is used instead, the hostile string never.
        assert calls == [["ssh", web01["mainIpv6"]]]
