"""The detail pane paints every section to its last line, for every resource, at 80 and 160 columns (issue 13.1).

In Textual 8.2.8 a ``Static`` holding a ``Group`` whose last ``Text`` has ``end=""`` is laid out one line short: the
last line of ":keys" "Public key" or ":apps" "Description" was never drawn although a Rich render of the same
renderable showed it. These tests read the painted screen (the compositor's frame), not a renderable.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from textual.pilot import Pilot

from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.text import as_text

from .helpers import loaded
from .painted import painted_region

# Tall enough that every detail fits without scrolling: what is not painted is then a layout bug, not a scroll.
ROWS = 200
TAIL = 12


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


async def _detail_settled(pilot: Pilot[Any], screen: ResourceScreen[Any]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while screen.detail_pending or any(w.is_running and w.group not in ("jobs",) for w in pilot.app.workers):
        if loop.time() > deadline:
            raise AssertionError("the detail pane did not settle")
        await asyncio.sleep(0.01)
    await pilot.pause()
    await pilot.pause()


def _expected(screen: ResourceScreen[Any]) -> list[tuple[str, str]]:
    """(section title, the tail of its last line) for every section the pane shows for the row under the cursor."""
    assert screen.table.cursor_key is not None
    wanted = []
    for section in screen.detail_sections():
        if section.body is not None:
            last = section.body.plain
        elif section.rows:
            label, value = section.rows[-1]
            last = label + as_text(value).plain
        else:
            continue
        tail = _squash(last)[-TAIL:]
        if tail:
            wanted.append((section.title, tail))
    return wanted


@pytest.mark.parametrize("columns", [80, 160])
@pytest.mark.parametrize("name", [spec.name for spec in ALL_SPECS])
async def test_every_section_paints_its_last_line(make_app: Any, name: str, columns: int) -> None:
    app = make_app()
    async with app.run_test(size=(columns, ROWS)) as pilot:
        await loaded(pilot, "instances")
        if name != "instances":
            app.show_resource(name)
            await loaded(pilot, name)
        screen = pilot.app.screen
        assert isinstance(screen, ResourceScreen)
        assert screen.table.row_count, f"the seeded simulator has no {name}"
        if columns < 140:
            await pilot.press("enter")  # narrow: the detail opens full width
        await _detail_settled(pilot, screen)
        wanted = _expected(screen)
        assert wanted
        painted = _squash("".join(painted_region(app, screen.detail.region)))
        position = 0
        for title, tail in wanted:
            at = painted.find(_squash(title), position)
            assert at >= 0, f"{name} at {columns} columns: section {title!r} not painted:\n{painted}"
            end = painted.find(tail, at)
            assert end >= 0, f"{name} at {columns} columns: the last line of {title!r} ({tail!r}) is not painted"
            position = end
