"""The detail pane: titled sections of label/value rows, every value literal text."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from cloudzy_tui.ui.resources.base import Section, as_text


def render_sections(title: Text | None, sections: Sequence[Section]) -> RenderableType:
    parts: list[RenderableType] = []
    if title is not None:
        parts.append(title)
    for section in sections:
        parts.append(Text(""))
        parts.append(Text(section.title, style="bold underline"))
        if section.rows:
            grid = Table.grid(padding=(0, 2), expand=False)
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold")
            for label, value in section.rows:
                grid.add_row(Text(label), as_text(value))
            parts.append(grid)
        if section.body is not None:
            parts.append(section.body)
    return Group(*parts)


class DetailPane(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    DetailPane {
        width: 45%;
        min-width: 30;
        border-left: vkey $panel;
        padding: 0 1;
        background: $surface;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderable: RenderableType = Text("Nothing selected.", style="dim")
        self._body = Static(self._renderable, id="detail-body")

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body

    def show(self, title: Text | None, sections: Sequence[Section]) -> None:
        self._renderable = render_sections(title, sections)
        self._body.update(self._renderable)

    def show_message(self, message: str) -> None:
        self._renderable = Text(message, style="dim")
        self._body.update(self._renderable)

    def plain_text(self, width: int = 120) -> str:
        """What the pane shows, as plain text (for tests and export)."""
        console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
        with console.capture() as capture:
            console.print(self._renderable)
        return capture.get()
