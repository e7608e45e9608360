"""Every resource screen at 80x24, 120x40 and 160x50: no painted cell is cut inside a number or a date; the header
and the footer show whole items only (issue 13.2), and the header shows one freshness state at a time (issue 19).

Before: RAM ``8`` and Disk ``1`` at 160 columns with the detail pane, ``… 11:48 UT`` at 120, products' Type
``high-freque…``; the header ran together at 80 columns (``filter: de…updated 3s ago``) and showed
``loading……STALE``. These tests read the painted screen (the compositor's frame).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.key_footer import KeyFooter
from cloudzy_tui.ui.widgets.status_bar import StatusBar

from .helpers import loaded, settle
from .painted import painted_lines

SIZES = [(80, 24), (120, 40), (160, 50)]
NUMBER = re.compile(r"\d+(?:[-:.,/]\d+)*")


async def _open(pilot: Any, name: str) -> ResourceScreen[Any]:
    await loaded(pilot, "instances")
    if name != "instances":
        pilot.app.show_resource(name)
        await loaded(pilot, name)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ResourceScreen)
    return screen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", [spec.name for spec in ALL_SPECS])
async def test_no_cell_is_cut_inside_a_number_or_a_date(make_app: Any, name: str, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await _open(pilot, name)
        table = screen.table
        assert table.row_count, f"the seeded simulator has no {name}"
        lines = painted_lines(app)
        origin = table.content_region  # screen coordinates of the table's content
        top = int(table.scroll_y)
        visible = table.order[top : top + origin.height - 1]
        checked = 0
        for row_number, key in enumerate(visible, start=1):
            line = lines[origin.y + row_number]
            row = table.get_row(key)
            assert row is not None
            for index, x, width in table.column_spans():
                value = row.cells[index].plain.strip()
                painted = line[origin.x + x : origin.x + x + width].strip()
                label = table.columns[index].label
                checked += 1
                if painted == value:
                    continue
                # Only free text may be shortened, with an ellipsis, and never inside a number or a date.
                assert table.columns[index].cut or table.columns[index].flex, (
                    f"{name} at {size}: {label!r} shows {painted!r} for {value!r} although it is not free text"
                )
                assert painted.endswith("…") and value.startswith(painted[:-1]), (name, size, label, painted, value)
                cut = len(painted) - 1
                inside = [m.group() for m in NUMBER.finditer(value) if m.start() < cut < m.end()]
                assert not inside, f"{name} at {size}: {label!r} cut inside {inside[0]!r}: {painted!r} for {value!r}"
        # The header paints whole items only; when it has room for the list of hidden columns, it is whole.
        header = lines[0]
        bar = screen.query_one("#status", StatusBar)
        shown = bar.shown_text().strip()
        assert shown and shown in header, (shown, header)
        if "hidden:" in shown:
            assert all(label in header for label in table.hidden_columns), header
        assert "……" not in header
        footer = screen.query_one(KeyFooter)
        footer_line = lines[footer.region.y]
        for item in footer.shown_items():
            assert f" {item.display} {item.description}".rstrip() in footer_line, (item, footer_line)
        assert checked, "nothing checked"


async def test_header_fits_whole_items_at_80_columns(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "instances")
        await pilot.press("slash", "d", "e", "enter")
        await settle(pilot)
        screen.last_updated = app.now() - 3
        screen.update_status()
        await settle(pilot)
        header = painted_lines(app)[0]
        assert "filter: de" in header, header
        assert "…updated" not in header and "filter: de…" not in header, header
        # Every item shown is whole and separated from the next.
        bar = screen.query_one("#status", StatusBar)
        assert bar.shown_text().strip() in header.strip()


async def test_one_freshness_state_at_a_time(make_app: Any, simulator: Any) -> None:
    """Loading, else STALE with the reason, else 'updated … ago': never two of them (``loading……STALE``)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "instances")
        # A refresh failed: the rows are kept and marked STALE with the reason.
        screen.last_error = "Server error (503)"
        screen.update_status()
        await settle(pilot)
        header = painted_lines(app)[0]
        assert "STALE" in header and "updated" not in header and "loading" not in header, header
        # A new attempt is in flight: loading, and nothing else about freshness.
        screen.fetching = True
        screen.load_progress = 12
        screen.update_status()
        await settle(pilot)
        header = painted_lines(app)[0]
        assert "loading… 12" in header and "STALE" not in header and "updated" not in header, header
        screen.fetching = False
        screen.last_error = None
        screen.update_status()
        await settle(pilot)
        header = painted_lines(app)[0]
        assert "updated" in header and "STALE" not in header and "loading" not in header, header


async def test_sideways_by_whole_columns_with_the_first_frozen(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "instances")
        table = screen.table
        hidden = list(table.hidden_columns)
        assert hidden, "80 columns should not hold every instance column"
        before = painted_lines(app)[table.content_region.y]
        await pilot.press("right")
        await settle(pilot)
        after = painted_lines(app)[table.content_region.y]
        assert after.split()[0] == "Hostname" == before.split()[0], (before, after)
        assert "Status" in before and "Status" not in after, after  # scrolled past, whole
        assert any(label in after for label in hidden), (hidden, after)  # a hidden column came into view
        await pilot.press("left")
        await settle(pilot)
        assert painted_lines(app)[table.content_region.y] == before
