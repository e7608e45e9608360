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
from functools import lru_cache
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

# What a cell of the shadow holds: the character and style last written to it, or None (unknown: never equal).
Cell = tuple[str, Style | None] | None


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


_UNKNOWN: tuple[str, ...] = ("?",)  # the terminal's SGR state is not known: set it whole
_PLAIN: tuple[str, ...] = ()  # reset (no attributes, default colours)


@lru_cache(maxsize=4096)
def _sgr_parts(style: Style, color_system: ColorSystem) -> tuple[str, ...]:
    """(attributes, foreground, background) SGR codes of ``style``; () for a style that sets nothing."""
    attributes = Style(
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        blink=style.blink,
        blink2=style.blink2,
        reverse=style.reverse,
        conceal=style.conceal,
        strike=style.strike,
        underline2=style.underline2,
        frame=style.frame,
        encircle=style.encircle,
        overline=style.overline,
    )._make_ansi_codes(color_system)
    foreground = Style(color=style.color)._make_ansi_codes(color_system) if style.color else ""
    background = Style(bgcolor=style.bgcolor)._make_ansi_codes(color_system) if style.bgcolor else ""
    if not (attributes or foreground or background):
        return _PLAIN
    return (attributes, foreground or "39", background or "49")


class _Pen:
    """Writes styled text, sending only the SGR codes that change from one piece to the next.

    Textual sends every segment as ``ESC[codes m text ESC[0m``: for a line of a few short values that is most of the
    bytes. Within one update the pen keeps the terminal's SGR state; a cursor move does not change it. ``close``
    resets it, so whatever is written after an update starts from the default state, as before.
    """

    def __init__(self, console: Console, append: Any) -> None:
        self.color_system = console._color_system or ColorSystem.TRUECOLOR
        self.append = append
        self.state = _UNKNOWN

    def write(self, style: Style | None, text: str) -> None:
        append = self.append
        if style is not None and style.link:
            # A hyperlink: Rich's own rendering (self-contained, ends reset).
            if self.state is not _PLAIN:
                append("\x1b[0m")
            append(Strip.render_style(style, text, color_system=self.color_system))
            self.state = _PLAIN
            return
        parts = _PLAIN if style is None else _sgr_parts(style, self.color_system)
        state = self.state
        if parts != state:
            if parts is _PLAIN or parts == _PLAIN:
                append("\x1b[0m")
            elif state is not _UNKNOWN and state != _PLAIN and state[0] == parts[0]:
                changed = [parts[i] for i in (1, 2) if parts[i] != state[i]]
                append(f"\x1b[{';'.join(changed)}m")
            else:
                append(f"\x1b[0;{';'.join(part for part in parts if part)}m")
            self.state = parts
        append(text)

    def close(self) -> None:
        if self.state is not _UNKNOWN and self.state != _PLAIN:
            self.append("\x1b[0m")
            self.state = _PLAIN


@lru_cache(maxsize=1024)
def _blank_style(style: Style | None) -> Style | None:
    """What a space in ``style`` looks like: its background and the attributes that draw on blanks (the foreground
    colour, bold, italic... do not show on a space)."""
    if style is None:
        return None
    return Style(
        bgcolor=style.bgcolor,
        reverse=style.reverse,
        underline=style.underline,
        underline2=style.underline2,
        strike=style.strike,
        overline=style.overline,
        color=style.color if style.reverse else None,  # reversed: the foreground is the space's background
    )


def _cells_of(text: str, style: Style | None) -> list[Cell] | None:
    """The cells ``text`` covers, one (character, look) each; None when it has wide or zero-width characters.

    A space is compared by what it looks like (``_blank_style``): re-padding a value in another colour costs nothing.
    """
    if cell_len(text) != len(text):
        return None
    blank = (" ", _blank_style(style)) if " " in text else None
    return [blank if char == " " else (char, style) for char in text]


def _write_line(shadow: Shadow, y: int, x: int, segments: Iterable[Segment], pen: _Pen, skip: bool) -> None:
    """Write ``segments`` starting at column ``x`` of line ``y``; when ``skip``, only the cells that differ from
    what the terminal shows (a segment is trimmed to its first and last changed cell, or skipped)."""
    move_to = Control.move_to
    append = pen.append
    positioned = False  # the terminal's cursor is where the next piece goes
    cursor_x = x
    cells: list[Cell] | None = None
    for text, style, control in segments:
        if control:
            append(text)
            positioned = False
            continue
        width = cell_len(text)
        if not width:
            continue
        end = cursor_x + width
        if cells is None or len(cells) < end:
            cells = shadow.line(y, end)
        new = _cells_of(text, style)
        first, last = 0, width  # the cells of this segment to write: [first, last)
        if new is None:
            # Wide characters: written whole; their cells are marked unknown (never taken as already shown).
            new = [None] * width
        elif skip:
            old = cells[cursor_x:end]
            if old == new:
                first = last = 0
            else:
                while first < width and old[first] == new[first]:
                    first += 1
                while last > first and old[last - 1] == new[last - 1]:
                    last -= 1
        if first == last:
            positioned = False
        else:
            if not positioned or first:
                append(move_to(cursor_x + first, y).segment.text)
            pen.write(style, text if (first, last) == (0, width) else text[first:last])
            positioned = last == width
            cells[cursor_x:end] = new
        cursor_x = end


def render_chops(self: ChopsUpdate, console: Console) -> str:
    """``ChopsUpdate.render_segments``, writing only the segments that differ from what the terminal shows."""
    sequences: list[str] = []
    append = sequences.append
    shadow = shadow_for(console)
    pen = _Pen(console, append)
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
            _write_line(shadow, y, x, strip, pen, skip=True)
    pen.close()
    return "".join(sequences)


def render_layout(self: LayoutUpdate, console: Console) -> str:
    """``LayoutUpdate.render_segments`` (a full frame, written whole), recording what it writes in the shadow."""
    shadow = shadow_for(console)
    shadow.clear()
    sequences: list[str] = []
    pen = _Pen(console, sequences.append)
    x = self.region.x
    for y, line in enumerate(self.strips, self.region.y):
        segments: list[Segment] = []
        for strip in line:
            segments.extend(strip)
        _write_line(shadow, y, x, segments, pen, skip=False)
    pen.close()
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
