"""Floating IPs from the keyboard: allocate (count checked), edit auto-renew and note (hostile text shown
literally), release with confirmation, and go to the instance an address is attached to."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, Input, Select

from cloudzy_tui.ui.inputs import clean_input
from cloudzy_tui.ui.modals.confirm import ConfirmModal

from .helpers import form_on_screen, instance_record, loaded, settle, wait_for, writes


def _fip(simulator: Any, **match: Any) -> Any:
    return next(r for r in simulator.floating_ips.values() if all(r[k] == v for k, v in match.items()))


async def _screen(pilot: Any) -> Any:
    await loaded(pilot, "instances")  # the instances list is loaded first (hostnames for the Instance column)
    await pilot.press("colon", *"fip", "enter")
    return await loaded(pilot, "floating-ips")


async def test_allocate_checks_the_count_and_names_the_new_addresses(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await _screen(pilot)
        before = set(simulator.floating_ips)
        await pilot.press("n")
        form = await form_on_screen(pilot)
        region = form.query_one("#field-region", Select)
        offered = [v for _, v in region._options if v is not Select.NULL]
        active = {r["id"] for r in simulator.regions.values() if r["isActive"] and not r["isHidden"]}
        assert offered and set(offered) <= active
        region.value = "us-utah"
        count = form.query_one("#field-count", Input)
        count.focus()
        count.value = ""
        await pilot.press("6", "enter")
        await wait_for(pilot, lambda: "between 1 and 5" in str(form.query_one("#error-count").render()))
        assert not writes(simulator, "/v1/floating-ips")
        assert pilot.app.screen is form

        await pilot.press("backspace", "2", "enter")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/floating-ips")))
        await settle(pilot)
        (post,) = writes(simulator, "/v1/floating-ips")
        assert post.body == {"regionId": "us-utah", "count": 2}
        new = [simulator.floating_ips[k] for k in set(simulator.floating_ips) - before]
        assert len(new) == 2 and all(r["regionId"] == "us-utah" for r in new)
        toast = next(n.message for n in app.shown_toasts() if n.message.startswith("Allocated"))
        for record in new:
            assert record["ipAddress"] in toast
            assert record.id in screen.model.items  # rows appear at once


async def test_release_asks_first(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _screen(pilot)
        fip = _fip(simulator, customerNote="Reserved for the blue/green switch")
        assert screen.table.move_cursor_to_key(fip.id)
        await pilot.pause()
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert fip["ipAddress"] in str(pilot.app.screen.query_one("#dialog-message").render())
        await pilot.press("escape")
        await settle(pilot)
        assert not writes(simulator, "/v1/floating-ips") and not fip["isDeleted"]

        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: fip["isDeleted"])
        await settle(pilot)
        assert [r.path for r in writes(simulator, "/v1/floating-ips")] == [f"/v1/floating-ips/{fip.id}/release"]
        assert fip.id not in screen.model.items


async def test_edit_note_with_hostile_text_is_shown_literally(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _screen(pilot)
        fip = _fip(simulator, customerNote="Kubernetes API")
        assert fip["autoRenew"] is True
        assert screen.table.move_cursor_to_key(fip.id)
        await pilot.pause()
        await pilot.press("e")
        form = await form_on_screen(pilot)
        assert form.query_one("#field-note", Input).value == "Kubernetes API"
        hostile = "[bold]x[/] \x1b]0;pwned\x07 [link=http://evil]y[/link]"
        form.query_one("#field-auto_renew", Checkbox).focus()
        await pilot.press("space")  # auto-renew off
        note = form.query_one("#field-note", Input)
        note.value = hostile
        note.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/floating-ips")))
        await settle(pilot)
        (patch,) = writes(simulator, "/v1/floating-ips")
        # Sent as text, control characters removed (ui/inputs.py): the markup stays literal.
        assert patch.method == "PATCH" and patch.body == {"autoRenew": False, "customerNote": clean_input(hostile)}
        assert fip["customerNote"] == clean_input(hostile) and fip["autoRenew"] is False

        row = screen.model.row(fip.id)
        assert row is not None
        cell = row.cells[[c.key for c in screen.spec.columns].index("note")]
        assert "[bold]x[/]" in cell.plain and "[link=http://evil]y[/link]" in cell.plain
        assert "\x1b" not in cell.plain and "\x07" not in cell.plain
        assert not cell.spans or all(not str(span.style).startswith("bold") for span in cell.spans)
        detail = screen.detail.plain_text(width=300)
        assert "[bold]x[/]" in detail and "\x1b" not in detail


async def test_go_to_instance_lands_on_its_row(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="floating-ips")  # the instances screen has never been opened
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "floating-ips")
        unattached = _fip(simulator, customerNote="Reserved for the blue/green switch")
        assert unattached["instanceId"] is None
        assert screen.table.move_cursor_to_key(unattached.id)
        await pilot.pause()
        assert screen.action_availability("instance") is None  # nothing to go to

        instance = instance_record(simulator, "db-primary")
        fip = _fip(simulator, instanceId=instance.id)
        assert screen.table.move_cursor_to_key(fip.id)
        await pilot.pause()
        await pilot.press("i")
        instances = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: instances.table.cursor_key == instance.id)
        await settle(pilot)
        assert instances.current_item is not None and instances.current_item.hostname == "db-primary"
        # and back again
        await pilot.press("escape")
        await loaded(pilot, "floating-ips")
        row = screen.model.row(fip.id)
        assert row is not None
        assert "db-primary" in row.cells[[c.key for c in screen.spec.columns].index("instance")].plain
