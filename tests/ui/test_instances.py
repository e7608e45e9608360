"""Every instance action from the keyboard, asserted on what the simulator then holds."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Input, Select

from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.modals.text_view import TextViewModal

from .helpers import loaded, screen_text, settle, wait_for, writes


def _by_hostname(simulator: Any, hostname: str) -> Any:
    return next(r for r in simulator.instances.values() if r["hostname"] == hostname)


async def _select(pilot: Any, simulator: Any, status: str) -> Any:
    """Put the cursor on the first instance with this status; returns its record."""
    screen = await loaded(pilot, "instances")
    record = next(r for r in simulator.instances.values() if r["status"] == status and not r.busy)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    return record


async def test_power_off_asks_first_with_cancel_focused(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        record = await _select(pilot, simulator, "active")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert pilot.app.focused is not None and pilot.app.focused.id == "cancel"
        await pilot.press("enter")  # a reflexive Enter cancels
        await settle(pilot)
        assert not writes(simulator, suffix="/poweroff")
        assert record["status"] == "active"

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: bool(writes(simulator, suffix="/poweroff")))
        await settle(pilot)
        assert record["status"] == "stopping"
        screen = await loaded(pilot, "instances")
        assert screen.model.items[record.id].status == "stopping"  # the row shows it at once
        job = next(j for j in app.jobs.jobs if j.target_id == record.id)
        sim_clock.advance(5)
        await wait_for(pilot, lambda: job.state == "succeeded")
        assert record["status"] == "shutdown"
        await wait_for(pilot, lambda: screen.model.items[record.id].status == "shutdown")
        assert any("shutdown" in n.message for n in pilot.app.shown_toasts())


async def test_power_on_and_not_offered_when_not_applicable(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "shutdown")
        screen = await loaded(pilot)
        # Power off is not available for a powered-off instance.
        assert screen.action_availability("power_off") is None
        await pilot.press("p")
        await settle(pilot)
        assert not writes(simulator)
        await pilot.press("u")
        await wait_for(pilot, lambda: bool(writes(simulator, suffix="/poweron")))
        sim_clock.advance(5)
        await wait_for(pilot, lambda: screen.model.items[record.id].status == "active")


async def test_reset_and_double_fire_sends_one_request(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "active")
        screen = await loaded(pilot)
        action = screen.spec.action("power_off")
        assert action is not None
        # Two presses while the first is still waiting for its confirmation: one dialog, one request.
        screen.dispatch_action(action, screen.current_item)
        screen.dispatch_action(action, screen.current_item)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await settle(pilot)
        assert len(writes(simulator, suffix="/poweroff")) == 1
        assert record["status"] == "stopping"


async def test_delete_requires_typing_the_hostname(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "active")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        modal = pilot.app.screen
        assert modal.query_one("#confirm", Button).disabled
        modal.query_one("#require-input", Input).focus()
        await pilot.press(*"wrong")
        assert modal.query_one("#confirm", Button).disabled
        modal.query_one("#require-input", Input).value = ""
        await pilot.press(*record["hostname"])
        assert not modal.query_one("#confirm", Button).disabled
        await pilot.press("enter")
        await wait_for(pilot, lambda: record["status"] == "deleted")
        screen = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: record.id not in screen.model.items)


async def test_change_password_shows_it_once(make_app: Any, simulator: Any, caplog: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _select(pilot, simulator, "active")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextViewModal))
        assert writes(simulator, suffix="/change-pass")
        await pilot.press("c")  # copies the password shown
        shown = pilot.app.clipboard
        assert len(shown) >= 8 and " " not in shown
        assert shown in screen_text(pilot.app)  # painted in the dialog
        await pilot.press("escape")
        assert shown not in caplog.text


async def test_add_traffic_form_validates_and_sends(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "active")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        await pilot.press("enter")  # empty: required
        await pilot.pause()
        assert "required" in str(pilot.app.screen.query_one("#error-amount").render())
        assert not writes(simulator)
        await pilot.press("2")
        await pilot.press("enter")
        await settle(pilot)
        posts = writes(simulator, suffix="/add-traffic")
        assert len(posts) == 1 and posts[0].body == {"amount": 2.0}
        assert posts[0].path == f"/v1/instances/{record.id}/add-traffic"


async def test_resize_to_a_fixed_product(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "active")
        region = simulator.regions[record["region"]]
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        form = pilot.app.screen
        if form.fields[0].name == "type":  # the region offers custom plans too: choose the fixed plan
            assert region["config"]["supportCustomPlan"]
            await pilot.click("#submit")
            await wait_for(pilot, lambda: pilot.app.screen is not form and isinstance(pilot.app.screen, FormModal))
            form = pilot.app.screen
        select = form.query_one("#field-product", Select)
        options = [value for _, value in select._options if value is not Select.NULL]
        bigger = next(
            pid for pid in options if simulator.products[pid]["plan"]["specification"]["storage"] >= record["disk"]
        )
        select.value = bigger
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, suffix="/resize")))
        body = writes(simulator, suffix="/resize")[0].body
        assert body["type"] == "FIXED" and body["productId"] == bigger
        await settle(pilot)
        assert record["status"] == "resizing"
        sim_clock.advance(5)
        job = next(j for j in app.jobs.jobs if j.target_id == record.id)
        await wait_for(pilot, lambda: job.finished)
        assert record["productId"] == bigger


async def test_change_os_needs_the_hostname(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "active")
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        form = pilot.app.screen
        select = form.query_one("#field-os", Select)
        options = [v for _, v in select._options if v is not Select.NULL]
        inactive = {o["id"] for o in simulator.oses.values() if not o["isActive"]}
        assert options and not inactive & set(options)
        target = next(o for o in options if o != record["osId"])
        select.value = target
        form.query_one("#field-confirm", Input).value = "not-the-hostname"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "hostname" in str(form.query_one("#error-confirm").render()))
        assert not form.busy
        assert not writes(simulator, suffix="/change-os")
        assert select.value == target  # what was chosen is kept
        form.query_one("#field-confirm", Input).value = record["hostname"]
        await pilot.pause(0.25)  # a Button ignores a second click during its 0.2 s press effect
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, suffix="/change-os")))
        assert writes(simulator, suffix="/change-os")[0].body == {"osId": target}


async def test_ssh_runs_the_configured_command(make_app: Any, simulator: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("TMUX", raising=False)  # outside tmux: ssh runs here (inside, tests/ssh covers it)
    app = make_app(ssh_command="ssh -o StrictHostKeyChecking=ask admin@{ip}")
    ran: list[list[str]] = []

    async def fake_run(argv: list[str], *, banner: str = "") -> tuple[int, str]:
        ran.append(argv)
        return 0, ""

    app.run_external = fake_run  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _select(pilot, simulator, "active")
        await pilot.press("s")
        await settle(pilot)
        assert ran == [["ssh", "-o", "StrictHostKeyChecking=ask", f"admin@{record['mainIp']}"]]


async def test_server_filters_form_reloads_with_query(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        form = pilot.app.screen
        form.query_one("#field-status", Select).value = "shutdown"
        await pilot.click("#submit")
        await loaded(pilot, "instances")
        await wait_for(pilot, lambda: screen.loaded_once and not screen.fetching)
        assert screen.server_filters == {"status": "shutdown"}
        assert {i.status for i in screen.model.items.values()} == {"shutdown"}
        last = [r for r in simulator.requests if r.path == "/v1/instances"][-1]
        assert last.query.get("status") == "shutdown"


async def test_help_says_why_an_action_does_not_apply_to_the_row(make_app: Any, simulator: Any) -> None:
    from cloudzy_tui.ui.modals.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _select(pilot, simulator, "shutdown")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        text = pilot.app.export_screenshot().replace("&#160;", " ")
        assert "only for active instances" in text
