"""The detail pane: titled sections of label/value rows, every value literal text.

The pane renders its own lines (Line API) instead of handing a ``Group`` to a ``Static``:

* In Textual 8.2.8 a ``Static`` holding a ``Group`` whose last ``Text`` has ``end=""`` is laid out one line short,
  so the last line of a section body (an SSH public key, an application's description) was never drawn (issue 13).
  Here the renderable is rendered once to lines at the pane's width and the pane is exactly that many lines tall.
* Moving the cursor re-renders the pane for another row, but most lines (labels, section titles, blank lines, often
  whole sections) are the same: only the lines that differ are marked dirty, so only they are repainted and sent to
  the terminal (issue 11: every repaint crosses the SSH link).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.console import Console, Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cloudzy_tui.ui.text import as_text


@dataclass(frozen=True)
class Section:
    """A titled block of the detail pane: label/value rows, or free text (``body``)."""

    title: str
    rows: Sequence[tuple[str, Any]] = ()
    body: Text | None = None


def render_sections(title: Text | None, sections: Sequence[Section]) -> RenderableType:
    parts: list[RenderableType] = []
    if title is not None:
        parts.append(title)
    for section in sections:
        parts.append(Text(""))
        parts.append(Text(section.title, style="bold underline"))
        if section.rows:
            # The value column takes the rest of the line: a value is padded to the same width whatever the longest
            # value of the section, so a line whose value did not change is painted the same (and not re-sent).
            grid = Table.grid(padding=(0, 2), expand=True)
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold", ratio=1)
            for label, value in section.rows:
                grid.add_row(Text(label), as_text(value))
            parts.append(grid)
        if section.body is not None:
            parts.append(section.body)
    return Group(*parts)


class DetailPane(ScrollView, can_focus=True):
    """A scrollable view of one renderable, drawn line by line; only changed lines are repainted."""

    DEFAULT_CSS = """
    DetailPane {
        width: 45%;
        min-width: 30;
        border-left: vkey $panel;
        padding: 0 1;
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    ALLOW_MAXIMIZE: ClassVar[bool] = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType = Text("Nothing selected.", style="dim")
        # The rendered lines (each a list of segments, no new lines) and the width they were rendered at.
        self._lines: list[list[Segment]] = []
        self._rendered_width = 0

    # ------------------------------------------------------------------ content

    def show(self, title: Text | None, sections: Sequence[Section]) -> None:
        self._renderable = render_sections(title, sections)
        self._relayout()

    def show_message(self, message: str) -> None:
        self._renderable = Text(message, style="dim")
        self._relayout()

    def plain_text(self, width: int = 120) -> str:
        """What the pane shows, as plain text (for tests and export)."""
        console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
        with console.capture() as capture:
            console.print(self._renderable)
        return capture.get()

    # ------------------------------------------------------------------ layout

    def _render_at(self, width: int) -> list[list[Segment]]:
        console = self.app.console
        options = console.options.update(width=width, min_width=width, max_width=width, height=None, highlight=False)
        return console.render_lines(self._renderable, options, pad=False, new_lines=False)

    def _relayout(self) -> None:
        if not self.is_mounted:
            return
        region = self.content_region  # inside border and padding, scrollbar included
        width, height = region.width, region.height
        if width <= 0:
            return
        lines = self._render_at(width)
        if len(lines) > height and self.styles.overflow_y != "hidden":
            # Taller than the pane: the vertical scrollbar takes its columns; render for what is left.
            width = max(1, width - self.styles.scrollbar_size_vertical)
            lines = self._render_at(width)
        old, old_width = self._lines, self._rendered_width
        self._lines, self._rendered_width = lines, width
        # Never shorter than the pane: a change of the virtual size repaints the whole pane (and its scrollbar),
        # so while the content fits, the size stays the same and only the lines that differ are repainted.
        new_size = Size(width, max(len(lines), height))
        if new_size != self.virtual_size:
            self.virtual_size = new_size
            if self.scroll_y > max(0, len(lines) - height):
                self.scroll_to(y=max(0, len(lines) - height), animate=False)
        if old_width != width:
            self.refresh()
            return
        # Only the lines that differ (on screen: the view's offset applies) are repainted.
        top = int(self.scroll_y)
        for y in range(top, top + height):
            before = old[y] if y < len(old) else None
            after = lines[y] if y < len(lines) else None
            if before != after:
                self.refresh_line(y)

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self._relayout)

    # ------------------------------------------------------------------ paint

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if 0 <= index < len(self._lines):
            return Strip(self._lines[index]).crop_extend(0, width, None).apply_style(base)
        return Strip.blank(width, base)
