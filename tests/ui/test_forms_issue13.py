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


async def _resize_form(pilot: Any, simulator: Any, hostname: str, how: str = "FIXED") -> Any:
    from cloudzy_tui.ui.modals.form import FormModal

    await select_instance(pilot, simulator, hostname)
    await pilot.press("z")
    first = await form_on_screen(pilot, FormModal)
    first.query_one("#field-type", Select).value = how
    await pilot.click("#submit")
    await wait_for(pilot, lambda: pilot.app.screen is not first and isinstance(pilot.app.screen, FormModal))
    await pilot.pause()
    return pilot.app.screen


async def test_resize_offers_only_plans_whose_disk_is_not_smaller_with_the_price_difference(
    make_app: Any, simulator: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        form = await _resize_form(pilot, simulator, "web-01")
        record = next(r for r in simulator.instances.values() if r["hostname"] == "web-01")
        disk = record["disk"]
        products = [p for p in simulator.products.values() if p["regionId"] == record["region"] and p["isActive"]]
        smaller = [p for p in products if p["plan"]["specification"]["storage"] < disk]
        assert smaller, "the seed has smaller plans in web-01's region"
        offered = [v for _, v in form.query_one("#field-product", Select)._options if v is not Select.NULL]
        assert offered and not {p["id"] for p in smaller} & set(offered)
        text = screen_text(app)
        current = simulator.products[record["productId"]]
        assert "Now:" in text and f"{disk} GB disk" in text, text
        assert "with a smaller disk not offered" in text, text
        # Open the list: each plan with its price and the difference from now.
        form.query_one("#field-product", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert re.search(r"\$[0-9,.]+/mo \([+-]\$[0-9,.]+\)", screen_text(app)), screen_text(app)
        assert current["id"] not in offered


async def test_custom_resize_refuses_a_smaller_disk_before_sending(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(140, 50)) as pilot:
        form = await _resize_form(pilot, simulator, "web-01", "CUSTOM")
        from textual.widgets import Input

        disk = form.query_one("#field-disk", Input)
        disk.value = "10"
        confirm = form.query("#field-confirm")
        if confirm:
            form.query_one("#field-confirm", Input).value = "web-01"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "cannot shrink" in screen_text(app))
        assert not writes(simulator, "/v1/instances", "/resize")


async def test_add_traffic_form_says_what_there_is_and_the_toast_the_figures(make_app: Any, simulator: Any) -> None:
    from textual.widgets import Input

    from cloudzy_tui.ui.modals.form import FormModal

    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await select_instance(pilot, simulator, "web-01")
        await pilot.press("t")
        form = await form_on_screen(pilot, FormModal)
        text = screen_text(app)
        assert re.search(r"Plan traffic\s+\d+(\.\d+)? TB", text), text
        assert "the API quotes none for extra traffic" in text
        form.query_one("#field-amount", Input).value = "2"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: any("Added 2 TB of traffic to web-01" in t for t in toasts(app)))


async def test_resize_toast_names_the_plan_and_the_price_change(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(140, 50), notifications=True) as pilot:
        form = await _resize_form(pilot, simulator, "web-01")
        select = form.query_one("#field-product", Select)
        select.value = next(v for _, v in select._options if v is not Select.NULL)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: any(t.startswith("Resizing web-01 to") for t in toasts(app)))
        toast = next(t for t in toasts(app) if t.startswith("Resizing web-01 to"))
        assert re.search(r"\(\$[0-9,.]+/mo, [+-]\$[0-9,.]+/mo\)", toast), toast
        assert "Resizing web-01" in screen_text(app)


async def test_instance_detail_links_to_the_iso_and_image_it_started_from(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        record = next(r for r in simulator.instances.values() if r.get("isoId"))
        iso = simulator.isos[record["isoId"]]
        await select_instance(pilot, simulator, record["hostname"])
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: iso["name"] in screen_text(app))
        assert "I opens it" in screen_text(app)
        await pilot.press("I")
        screen = await loaded(pilot, "isos")
        await wait_for(pilot, lambda: screen.table.cursor_key == iso["id"])

        record = next(r for r in simulator.instances.values() if r.get("fromImage"))
        image = simulator.images[record["fromImage"]]
        await pilot.press("colon", *"instances", "enter")
        await select_instance(pilot, simulator, record["hostname"])
        await pilot.press("enter")
        await settle(pilot)
        await wait_for(pilot, lambda: image["name"] in screen_text(app))
        await pilot.press("M")
        screen = await loaded(pilot, "images")
        await wait_for(pilot, lambda: screen.table.cursor_key == image["id"])
