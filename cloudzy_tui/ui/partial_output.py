"""Write to the terminal only the cells that changed since the last frame (Textual 8.2.8's compositor, patched).

Why: the console runs over SSH, where every byte of a repaint crosses the link (issue 11). Textual repaints the
*regions* marked dirty, and writes each dirty line of each widget whole, with a full truecolor SGR sequence per
segment: moving the cursor in the detail pane's list re-sends every line of the pane although most of them (labels,
titles, blank lines, unchanged values) are exactly what the terminal already shows. The widgets already mark only
the lines that changed (``ResourceTable.refresh_row``, ``DetailPane`` line diff); this module removes the rest: when
a partial update (``ChopsUpdate``) is written, each segment identical (same text, same style, same place) to what the
previous frames put on the terminal is skipped, and only the others are written, each run after a cursor move.

How it stays right: a *shadow* of the terminal (per console: for each line, which segment each cell last received)
is kept from everything the compositor writes: a full update (``LayoutUpdate``: screen switch, resize, resume after
``suspend``) is always written whole and replaces the shadow; a partial update is compared with it and recorded. A
segment is skipped only when every cell it covers still belongs to the very same earlier segment. The shadow is
dropped on suspend and resume (another program, ssh, had the screen) so the next frames are written whole.

The patch is applied only to the Textual version it was written against (``SUPPORTED``) and only when the two
methods are Textual's own; otherwise nothing changes (Textual writes whole regions, as before). Tested by
``tests/ui/test_partial_output.py``: a terminal emulator fed the patched stream shows exactly the compositor's frame.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

import textual
from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import Console
from rich.control import Control
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.strip import Strip

#: the Textual versions whose ``ChopsUpdate.render_segments`` this replaces (same inputs, same meaning)
SUPPORTED = ("8.2.8",)

ORIGINAL_CHOPS_RENDER: Any = ChopsUpdate.__dict__.get("render_segments")
ORIGINAL_LAYOUT_RENDER: Any = LayoutUpdate.__dict__.get("render_segments")

# What a cell of the shadow holds: the (x, text, style) of the segment last written over it (one shared tuple per
# write, so that "every cell still belongs to that write" is a check of identity), or None (unknown).
Cell = tuple[int, str, Style | None] | None


class Shadow:
    """What the terminal shows, as far as this console wrote it."""

    def __init__(self) -> None:
        self.lines: dict[int, list[Cell]] = {}

    def line(self, y: int, width: int) -> list[Cell]:
        line = self.lines.get(y)
        if line is None:
            line = self.lines[y] = [None] * width
        elif len(line) < width:
            line.extend([None] * (width - len(line)))
        return line

    def clear(self) -> None:
        self.lines.clear()


_shadows: weakref.WeakKeyDictionary[Console, Shadow] = weakref.WeakKeyDictionary()
_applied = False


def shadow_for(console: Console) -> Shadow:
    shadow = _shadows.get(console)
    if shadow is None:
        shadow = _shadows[console] = Shadow()
    return shadow


def forget(console: Console) -> None:
    """The terminal may show something else now (another program had it): write the next frames whole."""
    shadow = _shadows.get(console)
    if shadow is not None:
        shadow.clear()


def _render(style: Style | None, text: str, console: Console) -> str:
    if style is None:
        return text
    color_system = console._color_system or ColorSystem.TRUECOLOR
    return Strip.render_style(style, text, color_system=color_system)


def _write_line(
    console: Console, shadow: Shadow, y: int, x: int, segments: Iterable[Segment], append: Any, skip: bool
) -> None:
    """Write ``segments`` starting at column ``x`` of line ``y``, skipping (when ``skip``) what the terminal shows.

    Consecutive written segments of one style go out as one run (one SGR sequence instead of one per segment)."""
    move_to = Control.move_to
    positioned = False  # the terminal's cursor is where the next segment goes
    run_style: Style | None = None
    run: list[str] = []
    cursor_x = x
    cells: list[Cell] | None = None

    def flush() -> None:
        if run:
            append(_render(run_style, "".join(run), console))
            run.clear()

    for text, style, control in segments:
        if control:
            flush()
            append(text)
            positioned = False
            continue
        width = cell_len(text)
        if not width:
            continue
        end = cursor_x + width
        if cells is None or len(cells) < end:
            cells = shadow.line(y, end)
        start_cell = cells[cursor_x]
        if (
            skip
            and start_cell is not None
            and start_cell[0] == cursor_x
            and start_cell[1] == text
            and start_cell[2] == style
            and cells[cursor_x:end] == [start_cell] * width
        ):
            flush()
            positioned = False
        else:
            if not positioned:
                flush()
                append(move_to(cursor_x, y).segment.text)
                positioned = True
            if run and style != run_style:
                flush()
            run_style = style
            run.append(text)
            record: Cell = (cursor_x, text, style)
            cells[cursor_x:end] = [record] * width
        cursor_x = end
    flush()


def render_chops(self: ChopsUpdate, console: Console) -> str:
    """``ChopsUpdate.render_segments``, writing only the segments that differ from what the terminal shows."""
    sequences: list[str] = []
    append = sequences.append
    shadow = shadow_for(console)
    chops = self.chops
    chop_ends = self.chop_ends
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items(), strict=False):
            if strip is None:
                continue
            if x > x2 or end <= x1:
                continue
            if not (x2 > x >= x1 and end <= x2):
                strip = strip.crop(0, min(end, x2) - x)
            _write_line(console, shadow, y, x, strip, append, skip=True)
    return "".join(sequences)


def render_layout(self: LayoutUpdate, console: Console) -> str:
    """``LayoutUpdate.render_segments`` (a full frame, written whole), recording what it writes in the shadow."""
    shadow = shadow_for(console)
    shadow.clear()
    sequences: list[str] = []
    append = sequences.append
    x = self.region.x
    for y, line in enumerate(self.strips, self.region.y):
        segments: list[Segment] = []
        for strip in line:
            segments.extend(strip if not isinstance(strip, Strip) else list(strip))
        _write_line(console, shadow, y, x, segments, append, skip=False)
    return "".join(sequences)


def supported() -> bool:
    """True when the running Textual is one this patch was written against, with its own two methods."""
    return (
        textual.__version__ in SUPPORTED
        and callable(ORIGINAL_CHOPS_RENDER)
        and callable(ORIGINAL_LAYOUT_RENDER)
        and getattr(ORIGINAL_CHOPS_RENDER, "__module__", "") == "textual._compositor"
    )


def apply() -> bool:
    """Patch the compositor's updates (idempotent); False when this Textual is not a supported one."""
    global _applied
    if _applied:
        return True
    if not supported():
        return False
    ChopsUpdate.render_segments = render_chops  # type: ignore[method-assign]
    LayoutUpdate.render_segments = render_layout  # type: ignore[method-assign]
    _applied = True
    return True


def remove() -> None:
    """Put Textual's own methods back (tests)."""
    global _applied
    if _applied:
        ChopsUpdate.render_segments = ORIGINAL_CHOPS_RENDER  # type: ignore[method-assign]
        LayoutUpdate.render_segments = ORIGINAL_LAYOUT_RENDER  # type: ignore[method-assign]
        _applied = False


def install(app: Any) -> bool:
    """Apply the patch and forget the terminal's contents whenever ``app`` hands the screen to another program.

    Call from ``on_mount`` (a signal takes subscribers only once the app runs)."""
    if not apply():
        return False
    console = app.console

    def _forget(_app: object) -> None:
        forget(console)

    app.app_suspend_signal.subscribe(app, _forget)
    app.app_resume_signal.subscribe(app, _forget)
    return True
