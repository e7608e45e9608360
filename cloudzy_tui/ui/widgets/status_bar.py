"""The line at the top: where we are, what is shown, which API, read-only, jobs, and how fresh the data is.

What it shows is a list of items, each with a rank (lower is kept longer). When the line is too narrow for all of
them, whole items are dropped, least important first: an item is never cut (at 80 columns the filter used to run
into the freshness text: ``filter: de…updated 3s ago``).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

#: (rank, text): lower ranks are kept longer when the line is too narrow
StatusItem = tuple[int, Text]
GAP = 2


def _join(items: Sequence[StatusItem]) -> Text:
    return Text(" " * GAP).join(text for _rank, text in items)


def fit(left: Sequence[StatusItem], right: Sequence[StatusItem], width: int) -> tuple[list[int], list[int]]:
    """The indices of the left and right items that fit in ``width`` cells, dropping whole items by rank."""
    kept = [("l", i, rank, text.cell_len) for i, (rank, text) in enumerate(left)]
    kept += [("r", i, rank, text.cell_len) for i, (rank, text) in enumerate(right)]

    def used(entries: list[tuple[str, int, int, int]]) -> int:
        lefts = [e for e in entries if e[0] == "l"]
        rights = [e for e in entries if e[0] == "r"]
        total = sum(e[3] for e in entries)
        total += GAP * max(0, len(lefts) - 1) + GAP * max(0, len(rights) - 1)
        if lefts and rights:
            total += GAP
        return total

    while kept and used(kept) > width:
        worst = max(kept, key=lambda e: (e[2], e[0] == "l", e[1]))
        kept.remove(worst)
    return [e[1] for e in kept if e[0] == "l"], [e[1] for e in kept if e[0] == "r"]


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
        #: everything the bar would show with room for it (left and right parts)
        self.left = Text()
        self.right = Text()
        self._left_items: list[StatusItem] = []
        self._right_items: list[StatusItem] = []

    def update_status(self, parts: tuple[Sequence[StatusItem] | Text, Sequence[StatusItem] | Text]) -> None:
        left_items, right_items = (list(p) if not isinstance(p, Text) else [(0, p)] for p in parts)
        if left_items == self._left_items and right_items == self._right_items:
            return
        self._left_items, self._right_items = left_items, right_items
        self.left, self.right = _join(left_items), _join(right_items)
        self.refresh()

    def shown_text(self) -> str:
        """What the last render shows (plain)."""
        return self._render_line(self.content_region.width or self.size.width).plain

    def _render_line(self, width: int) -> Text:
        lefts, rights = fit(self._left_items, self._right_items, width)
        left = _join([self._left_items[i] for i in lefts])
        right = _join([self._right_items[i] for i in rights])
        line = Text(no_wrap=True, overflow="crop", end="")
        line.append_text(left)
        line.append(" " * max(0, width - left.cell_len - right.cell_len))
        line.append_text(right)
        return line

    def render(self) -> RenderableType:
        return self._render_line(self.content_region.width or self.size.width)
