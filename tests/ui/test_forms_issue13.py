"""Issue 13 part 4 on the painted screen: forms that offered what the API refuses, or hid the price."""

from __future__ import annotations

import re
from typing import Any

from textual.widgets import Select, SelectionList

from cloudzy_tui.ui.modals.backup_schedule import BackupScheduleModal

from .helpers import form_on_screen, loaded, screen_text, select_instance, settle, toasts, wait_for, writes


async def test_daily_clears_and_hides_the_weekdays(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        instance = await select_instance(pilot, simulator, "web-02")
        await pilot.press("b")
        form = await form_on_screen(pilot, BackupScheduleModal)
        days = form.query_one("#field-days", SelectionList)
        days.focus()
        await pilot.press("down", "space", "down", "down", "down", "space")  # Monday, Thursday
        assert list(days.selected) == ["Monday", "Thursday"]
        assert "Weekdays" in screen_text(app)
        form.query_one("#field-frequency", Select).focus()
        form.query_one("#field-frequency", Select).value = "daily"
        await pilot.pause()
        assert "Weekdays" not in screen_text(app) and "Thursday" not in screen_text(app)
        assert list(days.selected) == []
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, "/v1/backups")))
        await settle(pilot)
        (post,) = writes(simulator, "/v1/backups")
        assert post.body["scheduleFrequency"] == "daily"
        assert not post.body.get("scheduleWeekDays")
        await pilot.press("colon", *"backups", "enter")
        screen = await loaded(pilot, "backups")
        assert screen.table.move_cursor_to_key(instance.id)
        await settle(pilot)
        assert not re.search(r"daily \(", screen_text(app))


async def test_backup_form_shows_the_price_before_saving(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        # An instance with a profile: its own monthly price.
        await select_instance(pilot, simulator, "web-01")
        await pilot.press("b")
        await form_on_screen(pilot, BackupScheduleModal)
        await pilot.pause()
        profile = next(p for p in simulator.backups.values() if p["instanceId"] == app.screen_stack[-2].current_item.id)
        assert re.search(r"Price\s+\$[0-9,]+\.\d{2,4}/mo", screen_text(app)), screen_text(app)
        assert f"{profile['feePercentage']}% of the instance" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        # One without: the fee of the account's profiles applied to its plan.
        await select_instance(pilot, simulator, "web-02")
        await pilot.press("b")
        await form_on_screen(pilot, BackupScheduleModal)
        await pilot.pause()
        assert re.search(r"Price\s+≈ \$[0-9,]+\.\d{2,4}/mo", screen_text(app)), screen_text(app)
        assert not writes(simulator, "/v1/backups")
        assert not toasts(app)
