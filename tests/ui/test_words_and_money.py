"""Issue 13 part 3 on the painted screen: one money rule, units on every figure, lists newest first, a grouped and
complete `?`, and read-only keys that say why they do nothing."""

from __future__ import annotations

import re
from typing import Any

from cloudzy_tui.ui.modals.help import HelpScreen

from .helpers import loaded, screen_text, settle, toasts, wait_for


async def _go(pilot: Any, name: str) -> Any:
    await pilot.press("colon", *name, "enter")
    return await loaded(pilot, name)


async def test_products_show_hourly_prices_to_the_cent_fraction_the_api_gives(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, "instances")
        screen = await _go(pilot, "products")
        first = screen.model.items[screen.table.order[0]]
        hourly = float(first.hourly_price)
        assert round(hourly, 2) != round(hourly, 4), "the seed's first product should have a sub-cent hourly price"
        text = screen_text(app)
        # The products list shows what the wizard's review shows: four decimals, never rounded to cents.
        assert re.search(r"\$0\.\d{4}\b", text), text
        assert not re.search(r"\s\$0\.0[0-9]\s", text.replace("/h", " ")) or re.search(r"\$0\.\d{3,4}", text)
        await pilot.press("enter")
        await settle(pilot)
        detail = screen_text(app)
        assert f"{hourly:.4f}".rstrip("0") in detail
        # Every figure with its unit: the product's network rate.
        assert re.search(r"network max rate\s+[0-9.]+ [MG]bit/s", detail), detail


async def test_os_minimum_ram_has_its_unit(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await loaded(pilot, "instances")
        screen = await _go(pilot, "os")
        await settle(pilot)
        text = screen_text(app)
        assert re.search(r"\b\d+(\.\d+)? [MG]B\b", text), text
        await pilot.press("enter")
        await settle(pilot)
        assert re.search(r"minimum RAM\s+\d+(\.\d+)? [MG]B", screen_text(app)), screen_text(app)
        assert screen.spec.name == "os"


async def test_lists_open_newest_first(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await loaded(pilot, "instances")
        created = [screen.model.items[k].inserted_at_dt for k in screen.table.order]
        known = [c for c in created if c is not None]
        assert len(set(known)) > 1
        assert known == sorted(known, reverse=True)
        assert "sort: Created ↓" in screen_text(app)
        snapshots = await _go(pilot, "snapshots")
        times = [snapshots.model.items[k].created_at or 0 for k in snapshots.table.order]
        assert times == sorted(times, reverse=True) and len(set(times)) > 1


async def test_help_is_grouped_and_lists_every_navigation_key(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 70)) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(pilot)
        text = screen_text(app)
        text = text[text.index("Keys") :]  # the dialog (the list's header behind it also says "Instances")
        for heading in ("Navigate", "Instances", "Global"):
            assert heading in text, text
        assert text.index("Navigate") < text.index("Instances") < text.index("Global")
        # Every key of a binding with several keys: j and k beside the arrows, g and G beside home and end.
        lines = text.splitlines()

        def line_of(word: str) -> str:
            return next(line for line in lines if re.search(rf"\b{word}\b", line))

        assert re.search(r"\bk\b", line_of("Up")), line_of("Up")
        assert re.search(r"\bj\b", line_of("Down")), line_of("Down")
        assert re.search(r"\bg\b", line_of("First")), line_of("First")
        assert re.search(r"\bG\b", line_of("Last")), line_of("Last")
        await pilot.press("escape")


async def test_help_on_a_detail_view_lists_only_what_applies_there(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(pilot)
        text = screen_text(app)
        assert "Power off" in text or "Power on" in text
        for list_only in ("Filter", "Sort", "Reverse sort", "Export"):
            assert not re.search(rf"\b{list_only}\b", text), (list_only, text)


async def test_read_only_mutating_key_says_why(make_app: Any, simulator: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        before = len(simulator.requests)
        await pilot.press("D")
        await wait_for(pilot, lambda: any("read-only" in t for t in toasts(app)))
        assert "read-only" in screen_text(app)
        assert all(r.method == "GET" for r in simulator.requests[before:])


async def test_a_new_snapshot_lands_where_the_sort_puts_it(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    from .helpers import select_instance

    app = make_app()
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await loaded(pilot, "instances")
        snapshots = await _go(pilot, "snapshots")
        assert snapshots.table.row_count > 3
        await pilot.press("colon", *"instances", "enter")
        await select_instance(pilot, simulator, "web-02")
        before = set(simulator.snapshots)
        sim_clock.advance(60)  # taken after every seeded one
        await pilot.press("S")
        await wait_for(pilot, lambda: len(simulator.snapshots) > len(before))
        await settle(pilot)
        (new_id,) = set(simulator.snapshots) - before
        await wait_for(pilot, lambda: new_id in snapshots.model.items)
        # Newest first: the new snapshot is the first row, not appended at the bottom.
        assert snapshots.table.order[0] == new_id
        await _go(pilot, "snapshots")
        await settle(pilot)
        rows = [line.strip() for line in screen_text(app).splitlines()]
        new_name = simulator.snapshots[new_id]["name"][:20]
        second = simulator.snapshots[snapshots.table.order[1]]["name"][:20]
        first_row = next(i for i, row in enumerate(rows) if row.startswith(new_name))
        second_row = next(i for i, row in enumerate(rows) if row.startswith(second))
        assert first_row < second_row  # painted above the others


async def test_read_only_refusal_follows_a_rebound_key(make_app: Any, simulator: Any) -> None:
    app = make_app(read_only=True, keymap={"instances.delete": "X"})
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("D")
        await pilot.pause()
        assert not any("read-only" in t for t in toasts(app))
        await pilot.press("X")
        await wait_for(pilot, lambda: any("Delete: refused" in t for t in toasts(app)))
        assert "read-only" in screen_text(app)
