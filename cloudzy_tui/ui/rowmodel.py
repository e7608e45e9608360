"""Rows of a resource list: keyed items, rendered cells, filter and sort. No widgets here.

The screen feeds pages and refreshes in; the model answers with only the rows whose cells changed (a keyed diff), and
with the visible order for a filter and sort. The table then repaints only what is on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.text import Text

from cloudzy_tui.ui.widgets.resource_table import TableRow

T = TypeVar("T")


@dataclass(frozen=True)
class RowSource(Generic[T]):
    """What the model needs from a resource spec, bound to a render context."""

    key_of: Callable[[T], str]
    cells: Callable[[T], tuple[Text, ...]]
    row_style: Callable[[T], str]
    sort_values: Callable[[T], tuple[Any, ...]]
    column_keys: tuple[str, ...]
    column_labels: tuple[str, ...]


@dataclass
class Diff:
    changed: dict[str, TableRow]
    removed: list[str]

    @property
    def empty(self) -> bool:
        return not self.changed and not self.removed


def sort_key(value: Any) -> tuple[int, Any]:
    """Order numbers numerically, text case-insensitively, and missing values last."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, bool):
        return (0, float(value))
    if isinstance(value, int | float):
        return (0, float(value)) if not (isinstance(value, float) and math.isnan(value)) else (2, "")
    return (1, str(value).casefold())


class RowModel(Generic[T]):
    def __init__(self, source: RowSource[T]) -> None:
        self.source = source
        self.items: dict[str, T] = {}
        self.rows: dict[str, TableRow] = {}
        self._search: dict[str, tuple[str, ...]] = {}
        self._arrival: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> T | None:
        return self.items.get(key)

    def _render(self, item: T) -> tuple[str, TableRow]:
        key = self.source.key_of(item)
        cells = self.source.cells(item)
        return key, TableRow(cells=cells, style=self.source.row_style(item))

    def upsert(self, items: Iterable[T]) -> Diff:
        """Add or update these items; only rows whose rendering changed are returned."""
        changed: dict[str, TableRow] = {}
        for item in items:
            key, row = self._render(item)
            self.items[key] = item
            if key not in self._arrival:
                self._arrival[key] = len(self._arrival)
            if self.rows.get(key) != row:
                self.rows[key] = row
                self._search[key] = tuple(c.plain.casefold() for c in row.cells)
                changed[key] = row
        return Diff(changed=changed, removed=[])

    def replace_all(self, items: Iterable[T]) -> Diff:
        """A full refresh: upsert everything, then drop what the server no longer lists."""
        items = list(items)
        diff = self.upsert(items)
        seen = {self.source.key_of(item) for item in items}
        diff.removed = [key for key in self.items if key not in seen]
        for key in diff.removed:
            self.remove(key)
        return diff

    def remove(self, key: str) -> None:
        self.items.pop(key, None)
        self.rows.pop(key, None)
        self._search.pop(key, None)
        self._arrival.pop(key, None)

    def rerender_all(self) -> Diff:
        """Render every row again (the catalog or the clock changed what cells say)."""
        return self.upsert(list(self.items.values()))

    # ------------------------------------------------------------ filter/sort

    def _column_index(self, name: str) -> int | None:
        name = name.casefold()
        for i, (key, label) in enumerate(zip(self.source.column_keys, self.source.column_labels, strict=True)):
            if name in (key.casefold(), label.casefold()):
                return i
        return None

    def matcher(self, query: str) -> Callable[[str], bool]:
        """``web`` substring anywhere; ``status:active`` in one column; ``!web`` inverts; terms are AND-ed."""
        tests: list[tuple[bool, int | None, str]] = []
        for raw in query.split():
            negate = raw.startswith("!")
            term = raw[1:] if negate else raw
            column: int | None = None
            if ":" in term:
                name, _, value = term.partition(":")
                index = self._column_index(name)
                if index is not None:
                    column, term = index, value
            if term or column is not None:
                tests.append((negate, column, term.casefold()))

        def matches(key: str) -> bool:
            cells = self._search.get(key, ())
            for negate, column, term in tests:
                if column is None:
                    found = any(term in cell for cell in cells)
                else:
                    found = column < len(cells) and term in cells[column]
                if found == negate:
                    return False
            return True

        return matches

    def order(self, query: str = "", sort_column: str | None = None, reverse: bool = False) -> list[str]:
        keys: Sequence[str] = list(self.items)
        if query.strip():
            matches = self.matcher(query)
            keys = [k for k in keys if matches(k)]
        if sort_column is None:
            arrival = self._arrival
            return sorted(keys, key=lambda k: arrival.get(k, 0), reverse=reverse)
        index = self._column_index(sort_column)
        if index is None:
            return list(keys)
        values = {k: sort_key(self.source.sort_values(self.items[k])[index]) for k in keys}
        return sorted(keys, key=lambda k: values[k], reverse=reverse)
