"""A virtual table for resource lists of any size.

Textual's DataTable measures every cell of every new row before it paints and has no cheap way to show a
different subset of rows; at 10,000 rows that is seconds of frozen UI per filter keystroke. This widget keeps the
cells in a dict by row key and an ``order`` (the keys visible, filtered and sorted by the caller) and renders only the
lines on screen (Line API), so loading, filtering, sorting and refreshing cost time proportional to what changed
plus one screenful, not to the size of the account.

Cells are ``rich.text.Text`` built by ``safe_text`` (literal, never markup), asked of ``row_provider`` for the rows
being painted only, and kept as rendered lines in a bounded cache until ``invalidate`` says a row changed.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cloudzy_tui.ui.widgets.table_row import TableRow

SEPARATOR = 2
SAMPLE_FOR_WIDTH = 300
# What the leading cell of a marked row shows.
MARK = "●"
# Rendered rows kept: a tall terminal's worth, twice.
STRIP_CACHE_ROWS = 256


@dataclass(frozen=True)
class TableColumn:
    """How one column is laid out."""

    key: str
    label: str
    min_width: int = 3
    max_width: int = 40
    justify: Literal["left", "right"] = "left"
    flex: bool = False
    # Lower is kept longer when the table is too narrow for every column (the first column is always shown).
    priority: int = 50
    # Free text that may be shortened with an ellipsis (down to ``min_width``). Other columns (numbers, dates,
    # statuses, addresses) are shown whole or not at all: a column that does not fit is hidden, never cut.
    cut: bool = False


# A number as a person reads it: digits, and digits joined by - : . , / (dates, times, versions, addresses).
NUMBER = re.compile(r"\d+(?:[-:.,/]\d+)*")


def shorten(cell: Text, width: int) -> Text:
    """``cell`` in ``width`` cells with an ellipsis, never cut inside a number or a date: the cut moves back to
    before the number (``Windows Server 2019`` is ``Windows Server …``, not ``Windows Server 201…``)."""
    plain = cell.plain
    if cell.cell_len <= width or width <= 0 or cell_len(plain) != len(plain):
        cell = cell.copy()
        cell.truncate(width, overflow="ellipsis")
        return cell
    cut = width - 1  # characters kept before the ellipsis
    for match in NUMBER.finditer(plain):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    while cut > 0 and plain[cut - 1] == " ":
        cut -= 1
    kept = cell[:cut]
    kept.append("…")
    kept.no_wrap = True
    kept.end = ""
    return kept


class ResourceTable(ScrollView, can_focus=True):
    """Header + rows, a row cursor tracked by key, rendering only what is visible."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("left", "scroll_left", "Left", show=False, id="table.left"),
        Binding("right", "scroll_right", "Right", show=False, id="table.right"),
        Binding("enter", "select", "Detail", show=False, id="table.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--cursor-blurred",
        "resource-table--empty",
        "resource-table--mark",
        "resource-table--marked",
    }

    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        height: 1fr;
        overflow-x: hidden;  /* columns that do not fit are hidden whole; left/right scroll by columns */
        scrollbar-size-vertical: 1;
    }
    ResourceTable > .resource-table--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    ResourceTable > .resource-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    ResourceTable > .resource-table--cursor-blurred {
        background: $block-cursor-blurred-background;
    }
    ResourceTable > .resource-table--empty {
        color: $text-muted;
        text-style: italic;
    }
    ResourceTable > .resource-table--mark {
        color: $accent;
        text-style: bold;
    }
    ResourceTable > .resource-table--marked {
        background: $accent 15%;
    }
    """

    # A var, not a reactive: a reactive repaints the whole widget on every change; watch_cursor_index repaints
    # the two rows that changed.
    cursor_index: var[int] = var(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved onto another row (``key`` is ``None`` for an empty table)."""

        def __init__(self, table: ResourceTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            return self.table

    class Selected(Message):
        """Enter (or a click on the highlighted row)."""

        def __init__(self, table: ResourceTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[TableColumn] = (),
        row_provider: Callable[[str], TableRow | None] = lambda key: None,
        *,
        empty_message: str = "Nothing to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns: list[TableColumn] = list(columns)
        self._row_provider = row_provider
        self._order: list[str] = []
        self._widths: list[int] = [max(c.min_width, min(c.max_width, len(c.label))) for c in self._columns]
        # Rendered rows, most recently painted last. Small on purpose: only what is on screen needs keeping, and
        # every Strip carries caches of its own (thousands of them made full garbage collections take 0.2 s).
        self._strip_cache: OrderedDict[str, Strip] = OrderedDict()
        self._header_strip: Strip | None = None
        self._last_highlighted: str | None = None
        self._widths_from_rows = 0
        self._natural: list[int] = list(self._widths)
        self._shown: list[int] = list(range(len(self._columns)))
        self._grown: dict[int, int] = {}
        self._grow_pending = False
        #: columns not shown (too narrow for them, or scrolled sideways past), by label
        self.hidden_columns: list[str] = []
        #: how many columns after the first are scrolled past (sideways, by whole columns)
        self.column_offset = 0
        self.empty_message = empty_message
        # Marked rows (by key): a mark in the row's leading cell, the row tinted. Kept by key, so a mark stays on
        # its row whatever the filter, sort or reload does; the owner drops the keys of rows that are gone.
        self._marks: set[str] = set()

    # ------------------------------------------------------------------ data

    @property
    def columns(self) -> list[TableColumn]:
        return list(self._columns)

    @property
    def row_count(self) -> int:
        """Rows currently shown (after the caller's filter)."""
        return len(self._order)

    @property
    def order(self) -> list[str]:
        return list(self._order)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_index < len(self._order):
            return self._order[self.cursor_index]
        return None

    @property
    def marks(self) -> AbstractSet[str]:
        """The keys of the marked rows (shown or not). Read-only: ``set_marks`` replaces the set, never changes it
        (no copy per call: at 50,000 marked rows a copy costs more than the key press it serves)."""
        return self._marks

    def set_marks(self, keys: Iterable[str]) -> None:
        """Mark exactly these rows; only the rows whose mark changed are repainted."""
        wanted = keys if isinstance(keys, set) else set(keys)  # a set handed over is kept (never changed here)
        changed = wanted ^ self._marks
        if changed:
            self._marks = wanted
            self.invalidate(changed)

    def get_row(self, key: str) -> TableRow | None:
        return self._row_provider(key)

    def set_empty_message(self, message: str) -> None:
        self.empty_message = message
        if not self._order:
            self.refresh()

    def invalidate(self, keys: Iterable[str] | None = None) -> None:
        """These rows (None: all) changed: render them again when next painted."""
        if keys is None:
            self._strip_cache.clear()
            self.refresh()
            return
        changed = set(keys)
        for key in changed:
            self._strip_cache.pop(key, None)
        # Repaint the lines of the changed rows that are on screen, not the table.
        top = int(self.scroll_y)
        for offset, key in enumerate(self._order[top : top + self._visible_rows()]):
            if key in changed:
                self.refresh_row(top + offset)

    def set_order(self, keys: Sequence[str]) -> None:
        """Show exactly these rows in this order; the cursor stays on its row when that row is still shown."""
        keys = list(keys)
        if keys == self._order:
            # The same rows (a live reload that changed nothing, a filter key that matched the same rows): nothing
            # to repaint; the rows whose content changed were invalidated by the caller.
            return
        current = self.cursor_key
        self._order = keys
        # Widths follow the data until enough rows were seen to judge them; later rows never reflow the table.
        if self._widths_from_rows < min(SAMPLE_FOR_WIDTH, len(self._order)):
            self._measure()
        self.virtual_size = Size(self._total_width(), len(self._order) + 1)
        new_index = self._position(current) if current is not None else None
        if new_index is None:
            new_index = min(self.cursor_index, max(0, len(self._order) - 1))
            self._set_cursor(new_index, scroll=True)
        else:
            self._set_cursor(new_index, scroll=False)
        self.refresh()

    def _position(self, key: str) -> int | None:
        """Where ``key`` is in ``order`` (None: not shown): one scan in C (~0.3 ms at 50,000 rows), where keeping a
        key-to-position dict cost building one of 50,000 keys on every filter key and every reloaded page."""
        try:
            return self._order.index(key)
        except ValueError:
            return None

    def move_cursor_to_key(self, key: str) -> bool:
        index = self._position(key)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    # --------------------------------------------------------------- layout

    def _measure(self) -> None:
        sample = [row for key in self._order[:SAMPLE_FOR_WIDTH] if (row := self._row_provider(key)) is not None]
        self._widths_from_rows = len(sample)
        natural: list[int] = []
        for i, column in enumerate(self._columns):
            widest = len(column.label)
            for row in sample:
                if i < len(row.cells):
                    widest = max(widest, row.cells[i].cell_len)
            if self._can_cut(i):
                widest = min(column.max_width, widest)
            natural.append(max(column.min_width if self._can_cut(i) else 1, widest, self._grown.get(i, 0)))
        self._natural = natural
        self._apply_flex()

    def _can_cut(self, index: int) -> bool:
        column = self._columns[index]
        return column.cut or column.flex

    def _minimum(self, index: int) -> int:
        """The narrowest this column is shown at: its whole values, or (free text) its ``min_width``."""
        natural = self._natural[index] if index < len(self._natural) else self._columns[index].min_width
        if self._can_cut(index) and index > 0:
            return min(natural, max(self._columns[index].min_width, 10))
        return natural  # the first column (frozen) is cut only when the screen is narrower than it

    def _apply_flex(self) -> None:
        """Choose the columns shown and their widths for the width there is (see ``TableColumn.priority``)."""
        self._strip_cache.clear()
        self._header_strip = None
        count = len(self._columns)
        if len(self._natural) != count:
            self._natural = [max(c.min_width, len(c.label)) for c in self._columns]
        available = (self.scrollable_content_region.width or self.size.width) - 1  # the leading space
        if available <= 0:
            available = 10_000
        # The first column is frozen; the others start after ``column_offset`` (scrolled sideways, whole columns).
        self.column_offset = max(0, min(self.column_offset, count - 2)) if count > 1 else 0
        candidates = [0, *range(1 + self.column_offset, count)]
        shown = list(candidates)

        def needed(indices: list[int]) -> int:
            return sum(self._minimum(i) for i in indices) + SEPARATOR * max(0, len(indices) - 1)

        # Too narrow: hide whole columns, least important first (the last of equal priority first).
        while len(shown) > 1 and needed(shown) > available:
            drop = max(shown[1:], key=lambda i: (self._columns[i].priority, i))
            shown.remove(drop)
        widths = [0] * count
        for i in shown:
            widths[i] = self._minimum(i)
        spare = available - needed(shown)
        # Free space goes first to the columns shown shorter than their values, most important first...
        for i in sorted(shown, key=lambda i: (self._columns[i].priority, i)):
            if spare <= 0:
                break
            grow = min(spare, self._natural[i] - widths[i])
            if grow > 0:
                widths[i] += grow
                spare -= grow
        # ...then to the flexible ones (free text: descriptions, URLs).
        flex = [i for i in shown if self._columns[i].flex]
        if flex and spare > 0 and self.size.width:
            share = spare // len(flex)
            for i in flex:
                widths[i] = min(widths[i] + share, 200)
        if shown and widths[shown[0]] > available:
            widths[shown[0]] = max(1, available)
        self._widths = widths
        self._shown = shown
        self.hidden_columns = [self._columns[i].label for i in range(count) if i not in shown]
        self.virtual_size = Size(self._total_width(), len(self._order) + 1)
        self.refresh()

    def _total_width(self) -> int:
        shown = self._shown or list(range(len(self._columns)))
        return sum(self._widths[i] for i in shown) + SEPARATOR * max(0, len(shown) - 1) + 1

    def column_spans(self) -> list[tuple[int, int, int]]:
        """(column index, x, width) of every column shown, x in the table's content coordinates."""
        spans = []
        x = 1
        for i in self._shown:
            spans.append((i, x, self._widths[i]))
            x += self._widths[i] + SEPARATOR
        return spans

    def on_resize(self, event: events.Resize) -> None:
        self._apply_flex()
        self._scroll_cursor_into_view()

    def action_scroll_right(self) -> None:
        """Sideways by whole columns; the first column stays."""
        if self.hidden_columns and self.column_offset < len(self._columns) - 2:
            self.column_offset += 1
            self._apply_flex()

    def action_scroll_left(self) -> None:
        if self.column_offset > 0:
            self.column_offset -= 1
            self._apply_flex()

    def _grow(self, index: int, width: int) -> None:
        """A value wider than its column arrived (a later row, a status after a job): widen the column."""
        if width > self._grown.get(index, 0):
            self._grown[index] = width
            if not self._grow_pending:
                self._grow_pending = True
                self.call_later(self._apply_growth)

    def _apply_growth(self) -> None:
        self._grow_pending = False
        for index, width in self._grown.items():
            if index < len(self._natural):
                self._natural[index] = max(self._natural[index], width)
        self._apply_flex()

    # ------------------------------------------------------------ rendering

    def _line_for(self, cells: Sequence[Text], style: str = "", header: bool = False, marked: bool = False) -> Strip:
        line = Text(" ", no_wrap=True, end="", style=style)
        if marked:  # the leading cell is the mark column: one cell, so marking never moves a column
            line = Text(no_wrap=True, end="", style=style)
            line.append(MARK, self.get_component_rich_style("resource-table--mark", partial=True))
        shown = self._shown or list(range(len(self._columns)))
        for position, i in enumerate(shown):
            column = self._columns[i]
            width = self._widths[i]
            cell = cells[i].copy() if i < len(cells) else Text("")
            cell.no_wrap = True
            cell.end = ""
            if cell.cell_len > width:
                if not header and not self._can_cut(i):
                    self._grow(i, cell.cell_len)
                cell = shorten(cell, width)
            pad = width - cell.cell_len
            if column.justify == "right":
                line.append(" " * pad)
                line.append_text(cell)
            else:
                line.append_text(cell)
                line.append(" " * pad)
            if position < len(shown) - 1:
                line.append(" " * SEPARATOR)
        segments = list(line.render(self.app.console))
        return Strip(Segment.simplify(s for s in segments if s.text != "\n"))

    def _header(self) -> Strip:
        if self._header_strip is None:
            labels = [Text(c.label) for c in self._columns]
            self._header_strip = self._line_for(labels, header=True)
        return self._header_strip

    def _row_strip(self, key: str) -> Strip:
        strip = self._strip_cache.get(key)
        if strip is not None:
            self._strip_cache.move_to_end(key)
        else:
            row = self._row_provider(key)
            if row is None:
                return Strip([])
            strip = self._line_for(row.cells, row.style, marked=key in self._marks)
            self._strip_cache[key] = strip
            while len(self._strip_cache) > STRIP_CACHE_ROWS:
                self._strip_cache.popitem(last=False)
        return strip

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            header_style = self.get_component_rich_style("resource-table--header")
            return self._header().crop_extend(scroll_x, scroll_x + width, None).apply_style(base + header_style)
        index = scroll_y + y - 1
        if not self._order:
            if y == 2:
                empty = self.get_component_rich_style("resource-table--empty")
                message = Strip([Segment(" " + self.empty_message, empty)])
                return message.crop_extend(0, width, None).apply_style(base)
            return Strip.blank(width, base)
        if index >= len(self._order):
            return Strip.blank(width, base)
        strip = self._row_strip(self._order[index]).crop_extend(scroll_x, scroll_x + width, None)
        if index == self.cursor_index:
            name = "resource-table--cursor" if self.has_focus else "resource-table--cursor-blurred"
            strip = strip.apply_style(base + self.get_component_rich_style(name))
        elif self._marks and self._order[index] in self._marks:
            strip = strip.apply_style(base + self.get_component_rich_style("resource-table--marked"))
        else:
            strip = strip.apply_style(base)
        return strip

    # --------------------------------------------------------------- cursor

    def _set_cursor(self, index: int, *, scroll: bool = True) -> None:
        index = max(0, min(index, len(self._order) - 1)) if self._order else 0
        self.cursor_index = index
        if scroll:
            self._scroll_cursor_into_view()

    def watch_cursor_index(self, old: int, new: int) -> None:
        # Only the two rows whose look changed are repainted (every repaint crosses the SSH link, issue 11); a
        # move that scrolls repaints the view through the scroll offset's own refresh.
        self.refresh_row(old)
        self.refresh_row(new)
        key = self.cursor_key
        if key != self._last_highlighted:
            self._last_highlighted = key
            self.post_message(self.Highlighted(self, key))

    def refresh_row(self, index: int) -> None:
        """Repaint the line of the row at ``index`` (in ``order``) if it is on screen."""
        y = index - int(self.scroll_y) + 1  # the header is line 0
        region = self.scrollable_content_region
        if 1 <= y < region.height:
            self.refresh(Region(0, y, region.width, 1))

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        visible = self._visible_rows()
        top = int(self.scroll_y)
        if self.cursor_index < top:
            self.scroll_to(y=self.cursor_index, animate=False)
        elif self.cursor_index >= top + visible:
            self.scroll_to(y=self.cursor_index - visible + 1, animate=False)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_index - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_index + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor_index - self._visible_rows())

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor_index + self._visible_rows())

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._order) - 1)

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = int(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._order):
            if index == self.cursor_index and event.chain >= 2:
                self.action_select()
            self._set_cursor(index)
