"""The table widget's input type, kept free of Textual: what ``ResourceTable``'s row provider returns (built by
``ui/rowmodel.py``, which so need not import the widget)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text


@dataclass(frozen=True)
class TableRow:
    """The rendered cells of one row (one ``Text`` per column) and an optional row style."""

    cells: tuple[Text, ...]
    style: str = ""
