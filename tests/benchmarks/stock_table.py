"""The reference for bytes per keypress: a stock Textual ``DataTable`` (5 columns, 60 rows), optionally beside a
30-line detail pane (a ``Static``) re-rendered on every cursor move. Run by ``wire.py`` in a pseudo-terminal.

``python tests/benchmarks/stock_table.py [--pane]``; ``q`` quits.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static


class Table(DataTable[str]):
    """The stock widget; ``j`` moves down as in the console (the stock table binds only the arrow keys)."""

    BINDINGS = [Binding("j", "cursor_down", "Down", show=False)]


class StockApp(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit")]
    CSS = """
    DataTable { width: 1fr; }
    #pane { width: 45%; border-left: vkey $panel; padding: 0 1; }
    """

    def __init__(self, pane: bool) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Table(cursor_type="row")
            if self.pane:
                yield Static(id="pane")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Status", "Region", "RAM", "Created")
        for i in range(60):
            table.add_row(
                f"row-{i:03d}",
                "active" if i % 3 else "off",
                "us-utah",
                f"{2 ** (i % 5)} GB",
                f"2024-10-{i % 28 + 1:02d} 21:56 UTC",
                key=str(i),
            )
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.pane:
            row = event.cursor_row
            lines = [f"row-{row:03d}", ""] + [f"field {n:02d}  value {row * 100 + n}" for n in range(28)]
            self.query_one("#pane", Static).update("\n".join(lines))


if __name__ == "__main__":
    StockApp(pane="--pane" in sys.argv).run()
