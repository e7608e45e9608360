"""Writing only the changed cells (``ui/partial_output.py``) leaves the terminal showing exactly the frame.

The console's output stream is fed, frame by frame as the app writes it, to a terminal emulator (``pyte``); after
each step a person would take (cursor moves, PageDown, the last row, a filter, another resource and back, a dialog)
the emulator's screen must equal the compositor's frame, character and colour, cell for cell. A patch that skipped
a cell the terminal does not show (a wrong shadow) or left an SGR state behind fails here.
"""

from __future__ import annotations

from typing import Any

import pyte
import pytest
import textual
from rich.color import ColorSystem
from rich.segment import Segment

from cloudzy_tui.ui import partial_output

from .helpers import loaded, settle, wait_for


def _hex(color: Any) -> str:
    if color is None:
        return "default"
    triplet = color.downgrade(ColorSystem.TRUECOLOR).get_truecolor()
    return f"{triplet.red:02x}{triplet.green:02x}{triplet.blue:02x}"


def _frame_cells(app: Any) -> list[list[tuple[str, str, str]]]:
    """The compositor's full frame: (character, foreground, background) of every cell."""
    width, height = app.size
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    rows: list[list[tuple[str, str, str]]] = []
    for line in update.strips:
        cells: list[tuple[str, str, str]] = []
        for strip in line:
            for text, style, _control in strip:
                for char in text:
                    if style is None:
                        cells.append((char, "default", "default"))
                        continue
                    fg, bg = _hex(style.color), _hex(style.bgcolor)
                    if style.reverse:
                        fg, bg = bg, fg
                    cells.append((char, fg, bg))
        rows.append(cells[:width])
    return rows[:height]


def _emulator_cells(screen: pyte.Screen) -> list[list[tuple[str, str, str]]]:
    rows = []
    for y in range(screen.lines):
        line = screen.buffer[y]
        cells = []
        for x in range(screen.columns):
            char = line[x]
            fg, bg = char.fg, char.bg
            if char.reverse:
                fg, bg = bg, fg
            cells.append((char.data, fg, bg))
        rows.append(cells)
    return rows


def _differences(app: Any, screen: pyte.Screen) -> list[str]:
    expected, shown = _frame_cells(app), _emulator_cells(screen)
    problems = []
    for y, (want, got) in enumerate(zip(expected, shown, strict=False)):
        for x, (a, b) in enumerate(zip(want, got, strict=False)):
            # A space's foreground colour does not show (the patch may leave an old one there).
            if a[0] == " " and b[0] == " " and a[2] == b[2]:
                continue
            if a != b:
                problems.append(f"row {y} col {x}: frame {a!r}, terminal {b!r}")
                break
    return problems


class Wire:
    """What the app writes, fed to a terminal emulator, and counted."""

    def __init__(self, app: Any) -> None:
        width, height = app.size
        app.console._color_system = ColorSystem.TRUECOLOR  # as in a terminal with COLORTERM=truecolor
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes = 0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                data = renderable.render_segments(app.console).encode()
                self.bytes += len(data)
                self.stream.feed(data)

        app._display = display


@pytest.mark.skipif(not partial_output.supported(), reason="the patch is for Textual 8.2.8 only")
@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_terminal_shows_the_frame_after_every_step(make_app: Any, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        assert partial_output.apply()
        wire = Wire(app)
        # Everything from here is written through the patch; start from a full frame, as the real driver does.
        app.screen.refresh()
        app.screen._compositor._dirty_regions.add(app.screen._compositor.size.region)
        await loaded(pilot, "instances")
        await settle(pilot)
        steps: list[tuple[str, ...]] = [
            ("j",),
            ("j", "j", "j"),
            ("k",),
            ("pagedown",),
            ("G",),
            ("g",),
            ("slash", "w", "e", "b"),
            ("escape", "escape"),
            ("enter",),
            ("escape",),
            ("question_mark",),
            ("escape",),
            ("colon", "s", "n", "a", "p", "enter"),
            ("j", "j"),
            ("colon", "i", "n", "enter"),
            ("j",),
        ]
        for keys in steps:
            await pilot.press(*keys)
            await settle(pilot)
            # the detail pane's related sections load a moment after a move: wait until that is done too
            await wait_for(pilot, lambda: not getattr(app.screen, "detail_pending", False))
            await settle(pilot)
            problems = _differences(app, wire.screen)
            assert not problems, f"after {keys}: the terminal differs from the frame:\n" + "\n".join(problems[:10])
        assert wire.bytes


def test_patch_is_for_this_textual() -> None:
    """An upgrade of Textual turns the patch off (Textual then writes whole regions, as before): notice it here and
    check ``ChopsUpdate``/``LayoutUpdate`` before adding the new version to ``SUPPORTED``."""
    assert textual.__version__ in partial_output.SUPPORTED, (
        f"Textual {textual.__version__}: ui/partial_output.py is off; re-check it against this version"
    )
    assert partial_output.supported()


def test_unchanged_cells_are_not_written() -> None:
    """Two frames that differ in one cell: the second writes that cell only (and resets the style after)."""
    from rich.console import Console
    from rich.style import Style
    from textual._compositor import ChopsUpdate
    from textual.strip import Strip

    partial_output.apply()
    console = Console(width=20, color_system="truecolor", force_terminal=True)
    style = Style(color="#ffffff", bgcolor="#1e1e1e")

    def update(text: str) -> str:
        strip = Strip([Segment(text, style)])
        return ChopsUpdate([{0: strip}], [(0, 0, 20)], [[len(text)]]).render_segments(console)

    first = update("hostname  web-01   ")
    second = update("hostname  web-02   ")
    assert "hostname" in first
    assert "hostname" not in second and "2" in second and "web" not in second
    assert second.endswith("\x1b[0m")
    assert update("hostname  web-02   ") == ""
