"""Rows of a resource list: keyed items, filter and sort. No widgets here.

The screen feeds pages and refreshes in; the model keeps the objects and, per row, the plain text its filter matches,
and answers with only the keys whose objects changed (a keyed diff: an unchanged object costs one comparison, not a
re-render). Cells are rendered to ``Text`` on demand, for the rows on screen only (``row``), so 10,000 rows cost
10,000 objects and their search strings, not 90,000 ``Text`` objects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Generic, TypeVar

from rich.text import Text

from cloudzy_tui.ui.widgets.table_row import TableRow

T = TypeVar("T")

# Joins a row's cells for searching: a unit separator, which a typed filter term never contains.
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class RowSource(Generic[T]):
    """What the model needs from a resource spec, bound to a render context."""

    key_of: Callable[[T], str]
    cells: Callable[[T], tuple[Text, ...]]
    row_style: Callable[[T], str]
    # Per column, how to sort by it (None: by the text shown, case-insensitively).
    sorters: tuple[Callable[[T], Any] | None, ...]
    column_keys: tuple[str, ...]
    column_labels: tuple[str, ...]


@dataclass
class Diff:
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

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
        self._search: dict[str, tuple[str, ...]] = {}
        # Per row, its cells' search text joined by a separator no typed term contains: an unscoped term is one
        # C-level substring test per row (50,000 rows in a few ms; a per-cell Python loop took ~150 ms).
        self._joined: dict[str, str] = {}
        # Bumped whenever a row's content changes: the sorted order is kept until then (a live reload that brings
        # nothing new, or typing a filter, does not sort 50,000 rows again).
        self._version = 0
        self._sorted: tuple[tuple[int, int | None, bool], list[str], list[str]] | None = None

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str) -> T | None:
        return self.items.get(key)

    def row(self, key: str) -> TableRow | None:
        """The rendered cells of one row (called by the table for the rows it paints)."""
        item = self.items.get(key)
        if item is None:
            return None
        return TableRow(cells=self.source.cells(item), style=self.source.row_style(item))

    def _index(self, key: str, item: T) -> None:
        search = tuple(cell.plain.casefold() for cell in self.source.cells(item))
        self._search[key] = search
        self._joined[key] = SEPARATOR.join(search)
        self._version += 1

    def upsert(self, items: Iterable[T], *, force: bool = False) -> Diff:
        """Add or update these items; returns the keys whose object changed (unchanged ones cost one ``==``)."""
        diff = Diff()
        for item in items:
            key = self.source.key_of(item)
            old = self.items.get(key)
            if old is not None and not force and old == item:
                continue
            self.items[key] = item
            self._index(key, item)
            diff.changed.append(key)
        return diff

    def remove(self, key: str) -> None:
        self.items.pop(key, None)
        self._search.pop(key, None)
        self._joined.pop(key, None)
        self._version += 1

    def remove_missing(self, seen: set[str]) -> list[str]:
        """After a full walk: forget what the server no longer lists."""
        removed = [key for key in self.items if key not in seen]
        for key in removed:
            self.remove(key)
        return removed

    def rerender_all(self) -> Diff:
        """Index every row again (the catalog changed what cells say)."""
        for key, item in self.items.items():
            self._index(key, item)
        return Diff(changed=list(self.items))

    # ------------------------------------------------------------ filter/sort

    def _column_index(self, name: str) -> int | None:
        name = name.casefold()
        for i, (key, label) in enumerate(zip(self.source.column_keys, self.source.column_labels, strict=True)):
            if name in (key.casefold(), label.casefold()):
                return i
        return None

    def _terms(self, query: str) -> list[tuple[bool, int | None, str]]:
        """(negate, column or None, casefolded term) for each word of the query."""
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
        return tests

    def filter(self, keys: Sequence[str], query: str, texts: Sequence[str] | None = None) -> list[str]:
        """The keys among ``keys`` (order kept) whose row matches ``query``, term by term: ``web`` a substring
        anywhere; ``status:active`` in one column; ``!web`` inverts; terms are AND-ed.

        ``texts``: the rows' joined search texts aligned with ``keys`` (computed when not given)."""
        kept = list(keys)
        joined = list(texts) if texts is not None else [self._joined[k] for k in kept]
        search = self._search
        for negate, column, term in self._terms(query):
            if column is None and SEPARATOR not in term:
                hits = [term not in text for text in joined] if negate else [term in text for text in joined]
            elif column is None:
                hits = [any(term in cell for cell in search[k]) != negate for k in kept]
            else:
                hits = [(column < len(search[k]) and term in search[k][column]) != negate for k in kept]
            kept = list(compress(kept, hits))
            joined = list(compress(joined, hits))
        return kept

    def order(self, query: str = "", sort_column: str | None = None, reverse: bool = False) -> list[str]:
        index = None if sort_column is None else self._column_index(sort_column)
        keys, texts = self._sorted_keys(index, reverse)
        if query.strip():
            return self.filter(keys, query, texts)
        return list(keys)

    def _sorted_keys(self, index: int | None, reverse: bool) -> tuple[list[str], list[str]]:
        """Every key in display order and the rows' search texts aligned with it (kept until a row changes; the
        caller must not modify the lists)."""
        state = (self._version, index, reverse)
        if self._sorted is not None and self._sorted[0] == state:
            return self._sorted[1], self._sorted[2]
        keys: list[str] = list(self.items)
        if index is None:
            # ``items`` keeps arrival order (an update keeps its place), which is the API's own order.
            ordered = list(reversed(keys)) if reverse else keys
        else:
            sorter = self.source.sorters[index]
            if sorter is None:
                search = self._search
                values = {k: (1, search[k][index]) if search[k][index] else (2, "") for k in keys}
            else:
                items = self.items
                values = {k: sort_key(sorter(items[k])) for k in keys}
            ordered = sorted(keys, key=values.__getitem__, reverse=reverse)
            if reverse:
                # Missing values stay last either way (newest first puts the rows without a date at the bottom).
                ordered = [k for k in ordered if values[k][0] != 2] + [k for k in ordered if values[k][0] == 2]
        joined = self._joined
        texts = [joined[k] for k in ordered]
        self._sorted = (state, ordered, texts)
        return ordered, texts
