"""Backup schedules from the keyboard: create and update from an instance (``b``), create, edit and delete from
the backups screen; checked before sending, the server's 422 at its field."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, SelectionList

from cloudzy_tui.ui.modals.backup_schedule import BackupScheduleModal
from cloudzy_tui.ui.modals.confirm import ConfirmModal

from .helpers import form_on_screen, instance_record, loaded, select_instance, settle, wait_for, writes


def _error(form: Any, name: str) -> str:
    return str(form.query_one(f"#error-{name}").render())


async def _select_profile(pilot: Any, simulator: Any, hostname: str) -> Any:
    screen = await loaded(pilot, "backups")
    record = instance_record(simulator, hostname)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    return screen


async def test_create_from_an_instance_weekly_needs_a_day(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        instance = await select_instance(pilot, simulator, "web-02")
        assert instance.id not in simulator.backups
        await pilot.press("b")
        form = await form_on_screen(pilot, BackupScheduleModal)
        # No profile yet: GET /v1/backups/{id} answered 404, so this is the create form.
        assert any(r.path == f"/v1/backups/{instance.id}" and r.status == 404 for r in simulator.requests)
        assert "new schedule" in form.form_title
        assert form.query_one("#field-frequency", Select).value == "weekly"
        assert not form.query_one("#row-retention_other").display  # only with "Other…"

        await pilot.click("#submit")  # weekly, no day: refused here, nothing sent
        await wait_for(pilot, lambda: "at least one day" in _error(form, "days"))
        assert not writes(simulator, "/v1/backups")
        assert pilot.app.screen is form and not form.busy

        days = form.query_one("#field-days", SelectionList)
        days.focus()
        await pilot.press("down", "space", "down", "down", "space")  # Monday, Wednesday
        assert list(days.selected) == ["Monday", "Wednesday"]
        await pilot.pause(0.25)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/backups")))
        await settle(pilot)
        (post,) = writes(simulator, "/v1/backups")
        assert post.method == "POST"
        assert post.body == {
            "instanceId": instance.id,
            "scheduleFrequency": "weekly",
            "scheduleWeekDays": ["Monday", "Wednesday"],
            "periodId": 7,
        }
        profile = simulator.backups[instance.id]
        assert profile["scheduleFrequency"] == "weekly" and profile["scheduleWeekDays"] == ["Monday", "Wednesday"]
        assert not isinstance(pilot.app.screen, BackupScheduleModal)
        assert any("Backup profile of web-02 created" in n.message for n in app.shown_toasts())


async def test_update_from_an_instance_that_has_a_profile(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        instance = await select_instance(pilot, simulator, "web-01")
        assert simulator.backups[instance.id]["periodId"] == 7
        await pilot.press("b")
        form = await form_on_screen(pilot, BackupScheduleModal)
        assert "edit schedule" in form.form_title
        assert form.query_one("#field-frequency", Select).value == "daily"
        retention = form.query_one("#field-retention", Select)
        assert retention.value == 7
        offered = [v for _, v in retention._options if v is not Select.NULL]
        assert offered == [7, 14, 30, 60, 90, "other"]
        retention.value = 30
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/backups")))
        await settle(pilot)
        (put,) = writes(simulator, "/v1/backups")
        assert put.method == "PUT" and put.body["periodId"] == 30 and put.body["instanceId"] == instance.id
        assert simulator.backups[instance.id]["periodId"] == 30


async def test_server_422_lands_on_the_retention_field(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="backups")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _select_profile(pilot, simulator, "db-primary")
        instance = instance_record(simulator, "db-primary")
        await pilot.press("e")
        form = await form_on_screen(pilot, BackupScheduleModal)
        form.query_one("#field-retention", Select).value = "other"
        await pilot.pause()
        assert form.query_one("#row-retention_other").display
        form.query_one("#field-retention_other", Input).focus()
        await pilot.press("2", "1", "enter")  # 21 days: this server does not accept it
        await wait_for(pilot, lambda: "permitted" in _error(form, "retention_other"))
        (put,) = writes(simulator, "/v1/backups")
        assert put.body["periodId"] == 21 and put.status == 422
        assert pilot.app.screen is form and not form.busy
        assert form.query_one("#field-retention_other", Input).value == "21"  # nothing typed is lost
        assert simulator.backups[instance.id]["periodId"] == 30

        # A period the server accepts, typed the same way, goes through.
        form.query_one("#field-retention_other", Input).value = "60"
        form.query_one("#field-retention_other", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, BackupScheduleModal))
        await settle(pilot)
        assert simulator.backups[instance.id]["periodId"] == 60
        assert screen.model.items[instance.id].period_id == 60  # the row shows what the API returned


async def test_delete_from_the_backups_screen(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="backups")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _select_profile(pilot, simulator, "staging-web")
        instance = instance_record(simulator, "staging-web")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert pilot.app.focused is not None and pilot.app.focused.id == "cancel"
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: instance.id not in simulator.backups)
        await settle(pilot)
        assert instance.id not in screen.model.items
        sent = [(r.method, r.path) for r in writes(simulator, "/v1/backups")]
        assert sent == [("DELETE", f"/v1/backups/{instance.id}")]


async def test_create_from_the_backups_screen_offers_instances_without_a_profile(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="backups")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "backups")
        await pilot.press("n")
        form = await form_on_screen(pilot, BackupScheduleModal)
        choice = form.query_one("#field-instance", Select)
        offered = {str(v) for _, v in choice._options if v is not Select.NULL}
        assert not offered & set(simulator.backups)  # instances with a profile are not offered
        target = instance_record(simulator, "mail")
        assert target.id in offered
        choice.value = target.id
        form.query_one("#field-frequency", Select).value = "daily"
        form.query_one("#field-retention", Select).value = 14
        await pilot.pause()  # Daily hides the weekdays: the buttons move up
        await pilot.click("#submit")
        await wait_for(pilot, lambda: target.id in simulator.backups)
        await settle(pilot)
        (post,) = writes(simulator, "/v1/backups")
        assert post.body == {"instanceId": target.id, "scheduleFrequency": "daily", "periodId": 14}
        assert screen.model.items[target.id].status == "pending"  # the row is there at once
