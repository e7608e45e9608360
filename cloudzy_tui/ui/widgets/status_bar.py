"""The line at the top: where we are, what is shown, which API, read-only, jobs, and how fresh the data is."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget


class StatusBar(Widget):
    """Renders itself (no layout pass on update: it is one line, always)."""

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.left = Text()
        self.right = Text()
        self._grid: RenderableType = Text()

    def update_status(self, parts: tuple[Text, Text]) -> None:
        left, right = parts
        if left == self.left and right == self.right:
            return
        self.left, self.right = left, right
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(left, right)
        self._grid = grid
        self.refresh()

    def render(self) -> RenderableType:
        return self._grid
