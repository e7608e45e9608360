"""The one resource screen: a table, a detail pane, filter, sort, live refresh and the spec's actions.

Every resource of the console is this screen with a different ``ResourceSpec``. ``screen_class_for(spec)`` makes a
subclass whose ``BINDINGS`` carry the spec's actions (each with an id, so a user keymap can rebind it).

The screen owns what it shows: its status line, export, server filters, raw JSON, and the runs of its actions. It
reaches the console only through ``ScreenHost`` (``ui/services.py``), never the concrete app.

Size: one screen serves every resource, and its parts share one state (the rows, the cursor, the load generation,
the timers, the actions running): loading and live refresh, the detail pane, filter and sort, actions, status. What
needs no screen lives beside it: ``ui/refresh.py``, ``ui/rowmodel.py``, ``ui/screens/export.py``.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from cloudzy_tui.api import CloudzyError, RateLimitedError
from cloudzy_tui.core.cache import age_text
from cloudzy_tui.ops import Refused
from cloudzy_tui.ops.freshness import Plan
from cloudzy_tui.ui.bulk import copy_choices, dispatch_marked, offered_with_marks
from cloudzy_tui.ui.modals.copy_choice import CopyChoice
from cloudzy_tui.ui.modals.form import FormField, FormModal
from cloudzy_tui.ui.modals.text_view import TextViewModal
from cloudzy_tui.ui.operations import run_op
from cloudzy_tui.ui.refresh import light_refresh, paint_cached, plan_tick, refresh_period, store_cached
from cloudzy_tui.ui.resources.base import Action, ActionCall, ResourceSpec, View
from cloudzy_tui.ui.rowmodel import RowModel, RowSource
from cloudzy_tui.ui.screens.export import export_form, export_rows
from cloudzy_tui.ui.text import as_text, clean, safe_text
from cloudzy_tui.ui.widgets.detail_pane import DetailPane, Section
from cloudzy_tui.ui.widgets.key_footer import KeyFooter
from cloudzy_tui.ui.widgets.resource_table import ResourceTable, TableColumn
from cloudzy_tui.ui.widgets.status_bar import StatusBar
from cloudzy_tui.units import duration

if TYPE_CHECKING:
    from cloudzy_tui.ui.services import ScreenHost

T = TypeVar("T")

ORDER_THROTTLE = 0.25
# Each time this many more rows are in, what is alive is frozen out of the garbage collector's full passes.
FREEZE_EVERY = 2000
# Below this many columns the detail pane is not shown beside the table (Enter shows it full width).
NARROW_WIDTH = 140
DETAIL_ERROR = "Could not load details"


class ResourceScreen(Screen[None], Generic[T]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "start_filter", "Filter", id="resource.filter"),
        # Marks (see "marks" below). Each key that the footer shows only while rows are marked comes twice: the
        # shown twin first (enabled only with marks), then the hidden one that always works; they share an id, so a
        # user keymap moves both.
        Binding("space", "toggle_mark('footer')", "Mark", id="resource.mark"),
        Binding("space", "toggle_mark", "Mark / unmark", show=False, id="resource.mark"),
        Binding("asterisk", "mark_all", "Mark all shown", show=False, id="resource.mark_all"),
        Binding("ctrl+@", "mark_all", "Mark all shown", show=False, key_display="^space", id="resource.mark_all_ctrl"),
        Binding("escape", "back('marks')", "Unmark", id="resource.back"),
        Binding("escape", "back", "Back", show=False, id="resource.back"),
        Binding("ctrl+r", "reload", "Refresh", id="resource.refresh"),
        Binding("o", "sort_next", "Sort", id="resource.sort"),
        Binding("O", "sort_reverse", "Reverse sort", show=False, id="resource.sort_reverse"),
        Binding("c", "copy", "Copy", id="resource.copy"),
        Binding("F", "server_filters", "Filters", id="resource.server_filters"),
        Binding("y", "raw_json", "Raw JSON", show=False, id="resource.raw_json"),
        Binding("E", "export", "Export", show=False, id="resource.export"),
    ]

    spec: ResourceSpec[T]

    def __init__(self, spec: ResourceSpec[T]) -> None:
        super().__init__(name=spec.name, id=f"screen-{spec.name}")
        self.spec = spec
        self.model: RowModel[T] = RowModel(
            RowSource(
                key_of=spec.key_of,
                cells=self._cells,
                row_style=self._row_style,
                sorters=tuple(c.sort for c in spec.columns),
                column_keys=tuple(c.key for c in spec.columns),
                column_labels=tuple(c.label for c in spec.columns),
            )
        )
        self.filter_text = ""
        self.sort_column: str | None = spec.default_sort
        self.sort_reverse = spec.default_sort_reverse
        self._user_sorted = False
        self.server_filters: dict[str, Any] = {}
        self.fetching = False
        self.loaded_once = False
        self.load_progress = 0
        self.last_updated: float | None = None
        #: when the rows on screen came from the local cache: the time they were stored (None once walked)
        self.cached_at: float | None = None
        self.last_error: str | None = None
        self.failed_loads = 0
        self._retry_after: float | None = None
        self._load_generation = 0
        self._manual_reload = False
        self._refresh_timer: Timer | None = None
        self._refresh_due = False
        self._detail_timer: Timer | None = None
        self._last_order_at = 0.0
        self._last_status_at = 0.0
        self._frozen_rows = 0
        self._pending_select: str | None = None
        self._filter_pending = False
        self._detail_key: str | None = None
        self._detail_extra: list[Section] = []
        self._full_items: dict[str, T] = {}
        #: (spec, action, row) of the actions running from this screen: one dialog per action and row
        self._running_actions: set[tuple[str, str, str | None]] = set()
        #: ids of the actions running on the marked rows now (ui/bulk.py): one run per action at a time
        self.bulk_running: set[str] = set()

    # ----------------------------------------------------------- rendering

    @property
    def cloudzy(self) -> ScreenHost:
        """The console's services (``ui/services.py``): the screen never names the concrete app."""
        return self.app  # type: ignore[return-value]

    def view(self) -> View:
        return View(now=self.cloudzy.now(), catalog=self.cloudzy.catalog)

    def _cells(self, item: T) -> tuple[Text, ...]:
        view = self.view()
        return tuple(as_text(column.cell(item, view)) for column in self.spec.columns)

    def _row_style(self, item: T) -> str:
        return self.spec.row_style(item) if self.spec.row_style else ""

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="body"):
            yield ResourceTable(
                [
                    TableColumn(c.key, c.label, c.min_width, c.max_width, c.justify, c.flex, c.priority, c.cut)
                    for c in self.spec.columns
                ],
                self.model.row,
                empty_message="Loading…",
                id="table",
            )
            yield DetailPane(id="detail")
        yield Input(placeholder="filter: text, col:value, !exclude — Enter keeps it, Esc clears", id="filter")
        yield KeyFooter()

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.table.focus()
        self.cloudzy.resource_updates.subscribe(self, self._on_resource_update)
        self.cloudzy.catalog_loaded.subscribe(self, self._on_catalog_loaded)
        self.update_status()
        self.reload()

    def on_unmount(self) -> None:
        # Resource screens are installed once and kept (subscribed once, in on_mount); one that is ever removed
        # leaves no subscription behind (Textual drops a dead subscriber only at the signal's next publish).
        self.cloudzy.resource_updates.unsubscribe(self)
        self.cloudzy.catalog_loaded.unsubscribe(self)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "narrow")
        # The table chooses its columns for the new width after layout: the header then lists what is hidden.
        self.call_after_refresh(self.update_status)

    # -------------------------------------------------------------- loading

    def action_reload(self) -> None:
        self._manual_reload = True
        self.reload()
        self.cloudzy.jobs.wake()
        self.cloudzy.ensure_catalog()

    def reload(self) -> None:
        self.cancel_refresh_timer()
        self._load()

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _load(self) -> None:
        # A newer load (ctrl+r) cancels this one; only the newest may report and re-arm the timer.
        self._load_generation += 1
        generation = self._load_generation
        self._refresh_due = False
        manual, self._manual_reload = self._manual_reload, False
        self.fetching = True
        self.load_progress = 0
        self.update_status()
        seen: set[str] = set()
        sent_before = self.cloudzy.requests_sent()
        painter = None
        try:
            if not self.loaded_once:  # the last list from the local cache, at once, until the walk replaces it
                painter = await paint_cached(self)
            async for page in self.spec.load(self.cloudzy, dict(self.server_filters)):
                diff = self.model.upsert(page)
                seen.update(self.spec.key_of(item) for item in page)
                self.load_progress = len(seen)
                if diff.changed:
                    self.table.invalidate(diff.changed)
                    self._order(throttle=True)
                    self._freeze_rows()
                self.update_status(throttle=True)
            if painter is not None:
                await painter  # every cached row in before the rows the walk did not see are removed
            removed = self.model.remove_missing(seen)
            if removed:
                self.table.invalidate(removed)
            self.last_updated = self.cloudzy.now()
            self.last_error = None
            self.failed_loads = 0
            self.loaded_once = True
            cost = self.cloudzy.requests_sent() - sent_before  # (a job poll meanwhile counts too: on the safe side)
            self.cloudzy.freshness.walked(self.spec.name, cost, now=self.cloudzy.monotonic())
            await store_cached(self)
            self.cloudzy.ensure_catalog()  # the API works again: fetch what the catalog is missing
            self._freeze_rows(force=True)
        except CloudzyError as exc:
            self.last_error = exc.message
            self.failed_loads += 1
            self._retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
            if not self.model.items:
                self.table.set_empty_message(clean(f"Could not load: {exc.message}", max_length=300))
            # One toast per streak of failures (and for each ctrl+r); the status bar keeps saying it meanwhile.
            if manual or self.failed_loads == 1:
                self.cloudzy.report_error(exc, context=f"Loading {self.spec.title.lower()}")
        finally:
            if painter is not None and not painter.done():
                painter.cancel()
            # A newer load (ctrl+r) owns the flags, the status and the timer: a superseded one only stops.
            if generation == self._load_generation:
                self._load_finished()

    def _load_finished(self) -> None:
        self.fetching = False
        if self.loaded_once and not self.model.items:
            self.table.set_empty_message(self._empty_message())
        self._order()
        self.update_status()
        self._show_detail()
        self._arm_refresh()
        self._apply_pending_select()

    def select_key(self, key: str) -> None:
        """Put the cursor on this row now, or as soon as it has loaded (a screen opened for the first time)."""
        if self.is_mounted and self.loaded_once and not self.fetching:
            self._pending_select = None
            if not self.table.move_cursor_to_key(key):
                self.cloudzy.toast(
                    f"{clean(self.spec.singular or self.spec.title)} {clean(key, max_length=40)} is not in the list "
                    "(a filter may hide it).",
                    severity="warning",
                )
        else:
            self._pending_select = key

    def _apply_pending_select(self) -> None:
        if self._pending_select is not None and self.loaded_once and not self.fetching:
            key, self._pending_select = self._pending_select, None
            self.select_key(key)

    def refresh_detail(self) -> None:
        """Load the detail pane again (after an action changed what it shows)."""
        self._full_items.clear()
        self._load_detail()

    def _freeze_rows(self, force: bool = False) -> None:
        """Keep the garbage collector's full passes short on large accounts.

        Every full collection walks every live object: at 10,000 instances that was up to 0.3 s of frozen UI,
        dozens of times while loading. The rows are long-lived, so once a few thousand more are in, what is alive
        is moved out of the collector's way (``gc.freeze``). Rows replaced later are plain objects, freed by
        reference counting. Not while a dialog is open: it would outlive its own collection.
        """
        grown = len(self.model) - self._frozen_rows
        due = grown >= FREEZE_EVERY or (force and grown > 0 and len(self.model) >= FREEZE_EVERY)
        if due and self.app.screen is self:
            gc.freeze()
            self._frozen_rows = len(self.model)

    def _empty_message(self) -> str:
        if self.filter_text or self.server_filters:
            return "No rows match the filter (Esc clears it)."
        hint = self.spec.extra.get("empty_hint")
        return str(hint()) if callable(hint) else self.spec.empty_hint

    def cancel_refresh_timer(self) -> None:
        """Stop the pending automatic-refresh timer, if any (the next load's end, or a return here, arms it again)."""
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None

    @property
    def refresh_due(self) -> bool:
        """Whether a refresh tick came while another screen was in front (it runs as soon as this one is back)."""
        return self._refresh_due

    def refresh_tick(self) -> None:
        """The automatic refresh's next tick, now rather than when its timer fires (the timer is cancelled)."""
        self.cancel_refresh_timer()
        self._on_refresh_timer()

    def _arm_refresh(self) -> None:
        self.cancel_refresh_timer()
        interval = refresh_period(self.cloudzy.refresh_seconds, self.spec)
        if interval > 0 and self.failed_loads:
            # Under errors, back off (x2 per failure, up to 5 minutes): never pile requests on a struggling API;
            # and never before the API said it will take requests again (429 Retry-After).
            interval = min(300.0, interval * 2 ** min(self.failed_loads, 8))
            if self._retry_after:
                interval = max(interval, min(self._retry_after, 900.0))
        if interval > 0:
            self._refresh_timer = self.set_timer(interval, self._on_refresh_timer)

    def _on_refresh_timer(self) -> None:
        self._refresh_timer = None
        if self.fetching:
            self._arm_refresh()
            return
        # Never while a modal or another screen is in front: the refresh waits, and happens as soon as this
        # screen is back (not a whole period later: the list must not look fresher than it is).
        if self.app.screen is not self:
            self._refresh_due = True
            return
        self._refresh_tick()

    def _refresh_tick(self) -> None:
        """A full walk, or a light refresh between full walks (see cloudzy_tui.ops.freshness)."""
        plan = plan_tick(self)
        if plan.full:
            self._load()
        else:
            self._light_refresh(plan)

    @work(group="load", exclusive=True, exit_on_error=False)
    async def _light_refresh(self, plan: Plan) -> None:
        self._load_generation += 1
        generation = self._load_generation
        self._refresh_due = False
        try:
            await light_refresh(self, plan)
            self.last_updated = self.cloudzy.now()
            self.last_error = None
            self.failed_loads = 0
        except CloudzyError as exc:
            self.last_error = exc.message
            self.failed_loads += 1
            self._retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
        finally:
            if generation == self._load_generation:
                self._load_finished()

    def on_screen_resume(self) -> None:
        self.update_status()
        if self._refresh_due and not self.fetching:
            self._refresh_tick()
        elif self.loaded_once and self.last_updated is not None and self._refresh_timer is None and not self.fetching:
            self._arm_refresh()

    def _order(self, throttle: bool = False) -> None:
        now = self.cloudzy.monotonic()
        if throttle and now - self._last_order_at < ORDER_THROTTLE and self.table.row_count:
            return
        self._last_order_at = now
        self.table.set_order(self.model.order(self.filter_text, self.sort_column, self.sort_reverse))
        self._drop_gone_marks()
        if not self.table.row_count and self.loaded_once:
            self.table.set_empty_message(self._empty_message())

    def upsert_items(self, items: Sequence[T]) -> None:
        """Put fresh objects into the list (after an action, or as a job advances)."""
        diff = self.model.upsert(items)
        for item in items:
            self._full_items.pop(self.spec.key_of(item), None)
        if diff.changed:
            self.table.invalidate(diff.changed)
            self._order()
            if self._detail_key in diff.changed:
                self._show_detail()

    def remove_item(self, key: str) -> None:
        self.model.remove(key)
        self.table.invalidate([key])
        self._order()

    def _on_resource_update(self, update: tuple[str, Any]) -> None:
        kind, item = update
        if self.spec.job_kind == kind and item is not None:
            try:
                key = self.spec.key_of(item)
            except Exception:
                return
            if key in self.model.items:
                self.upsert_items([item])

    def _on_catalog_loaded(self, _: object) -> None:
        if self.model.items:
            self.model.rerender_all()
            self.table.invalidate()
            self._order()
        self._show_detail()

    # --------------------------------------------------------------- detail

    @property
    def detail_pending(self) -> bool:
        """A detail load is waiting for the cursor to rest (the debounce timer is running)."""
        return self._detail_timer is not None

    @property
    def current_item(self) -> T | None:
        key = self.table.cursor_key
        return None if key is None else self.model.get(key)

    @on(ResourceTable.Highlighted)
    def _highlighted(self, event: ResourceTable.Highlighted) -> None:
        self._detail_key = event.key
        # While the new row's related sections load, the previous row's section titles stay with "loading…": the
        # pane keeps its shape (no blank-then-redraw of every line below, over the SSH link, on each move).
        self._detail_extra = [
            Section(section.title, body=Text("loading…", style="dim italic"))
            for section in self._detail_extra
            if event.key is not None and self.spec.related is not None and section.title != DETAIL_ERROR
        ]
        self._show_detail()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        if event.key is not None and (self.spec.related is not None or self.spec.can_fetch_one):
            delay = self.cloudzy.detail_delay
            if delay > 0:
                self._detail_timer = self.set_timer(delay, self._load_detail)
            else:  # no debounce (Textual's timers refuse a zero delay)
                self._detail_timer = None
                self.call_later(self._load_detail)

    def detail_item(self) -> T | None:
        """The row under the cursor as the detail pane shows it: as fetched by id once it has been, else as listed."""
        key = self.table.cursor_key
        return None if key is None else self._full_items.get(key) or self.model.get(key)

    def detail_sections(self) -> list[Section]:
        """The sections the detail pane shows for the row under the cursor (its related ones once loaded)."""
        item = self.detail_item()
        if item is None:
            return []
        sections = self.spec.detail(item, self.view())
        if self.table.cursor_key == self._detail_key:
            sections = sections + self._detail_extra
        return sections

    def _show_detail(self) -> None:
        if self.table.cursor_key is None:
            self.detail.show_message("Nothing selected." if self.loaded_once else "Loading…")
            return
        item = self.detail_item()
        if item is None:
            return
        self.detail.show(safe_text(self.spec.label(item), style="bold"), self.detail_sections())

    def _load_detail(self) -> None:
        self._detail_timer = None
        item = self.current_item
        if item is not None:
            self._fetch_detail(item)

    @work(group="detail", exclusive=True, exit_on_error=False)
    async def _fetch_detail(self, item: T) -> None:
        key = self.spec.key_of(item)
        try:
            if self.spec.can_fetch_one:
                full = await self.spec.fetch_one(self.cloudzy, item)
                self._full_items[key] = full
                while len(self._full_items) > 50:  # the detail of the last rows visited, not of the account
                    self._full_items.pop(next(iter(self._full_items)))
            extra: list[Section] = []
            if self.spec.related is not None:
                extra = await self.spec.related(self.cloudzy, self._full_items.get(key, item), self.view())
        except CloudzyError as exc:
            extra = [Section(DETAIL_ERROR, rows=[("error", exc.message)])]
        if self.table.cursor_key == key:
            self._detail_key = key
            self._detail_extra = extra
            self._show_detail()

    @on(ResourceTable.Selected)
    def _selected(self, event: ResourceTable.Selected) -> None:
        enter = self.spec.action(self.spec.extra.get("enter_action", ""))
        if enter is not None:  # a spec whose Enter is an action (:sessions switches tmux to the session)
            self.dispatch_action(enter, self.current_item)
            return
        self.open_detail()

    def open_detail(self) -> None:
        if self.table.cursor_key is None:
            return
        self.add_class("detail-open")
        self.detail.focus()
        self._load_detail()

    def close_detail(self) -> None:
        self.remove_class("detail-open")
        self.table.focus()

    # --------------------------------------------------------------- filter

    def action_start_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # Keys typed ahead (a burst over SSH) each change the box; the list is filtered once for what is in the box
        # when the screen gets to it, not once per key (at 50,000 rows each pass is work the next key undoes).
        self.filter_text = event.value
        if not self._filter_pending:
            self._filter_pending = True
            self.call_later(self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_pending = False
        self._order()
        self.update_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one("#filter", Input)
        box.display = bool(box.value)
        self.table.focus()

    def clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.filter_text = ""
        self._order()
        self.table.focus()
        self.update_status()

    def action_back(self, _why: str = "") -> None:
        box = self.query_one("#filter", Input)
        if self.has_class("detail-open"):
            self.close_detail()
        elif self.marks and not box.has_focus:  # marks first (while typing a filter, Esc is the filter's)
            self.clear_marks()
        elif self.filter_text or box.display:
            self.clear_filter()
        else:
            self.cloudzy.go_back()

    # ----------------------------------------------------------------- sort

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.spec.columns]
        if self.sort_column is None or not self._user_sorted:
            # The spec's default order (newest first) until the user sorts: then from the first column.
            self._user_sorted = True
            self.sort_column = keys[0]
            self.sort_reverse = False
        else:
            index = keys.index(self.sort_column) if self.sort_column in keys else -1
            self.sort_column = keys[index + 1] if index + 1 < len(keys) else None
        self._order()
        self.update_status()

    def action_sort_reverse(self) -> None:
        self._user_sorted = True
        self.sort_reverse = not self.sort_reverse
        self._order()
        self.update_status()

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # What the footer shows must not depend on the row under the cursor: every change of these answers makes
        # Textual rebuild the footer's widgets, which leaked ~2,000 objects per cursor move. Only read-only mode
        # (which never changes while running) hides actions; an action that does not apply to the row is refused
        # by the dispatcher, which says why (and `?` lists what applies to the row now).
        if action == "act" and parameters:
            spec_action = self.spec.action(str(parameters[0]))
            if spec_action is None:
                return False
            return not (spec_action.mutating and self.cloudzy.read_only)
        if action == "read_only_refusal":
            # The hidden twin of a mutating key: only in read-only mode, to say why the key does nothing.
            return self.cloudzy.read_only
        if action == "server_filters":
            return bool(self.spec.filters)
        if action in ("toggle_mark", "back") and parameters:
            # the footer's twins of space and esc: shown while rows are marked (the plain keys always work)
            return bool(self.marks)
        return True

    def action_read_only_refusal(self, action_id: str) -> None:
        """A mutating key in read-only mode: the operations layer's refusal, shown (never a silent no-op)."""
        spec_action = self.spec.action(action_id)
        if spec_action is not None and spec_action.op is not None:
            refusal = self.cloudzy.ops.quick_refusal(spec_action.op, self.current_item)
            if refusal is not None:
                self.cloudzy.toast(refusal.message, severity="warning", timeout=8)

    def action_availability(self, action_id: str) -> bool | None:
        """For the row under the cursor: True offered, None not possible now, False hidden (read-only)."""
        spec_action = self.spec.action(action_id)
        if spec_action is None:
            return False
        return self.action_state(spec_action, self.current_item)

    def action_act(self, action_id: str) -> None:
        spec_action = self.spec.action(action_id)
        if spec_action is not None:
            self.perform_action(spec_action)

    def perform_action(self, action: Action[T]) -> None:
        """A key or palette entry: on the marked rows when there are marks (ui/bulk.py), else on the cursor's row."""
        if self.marks and action.needs_item:
            dispatch_marked(self, action)
            return
        self.dispatch_action(action, self.current_item)

    def enabled_actions(self) -> list[Action[T]]:
        item = self.current_item
        if self.marks:  # what applies to the marked rows is decided per row when it runs (the confirmation says)
            return [a for a in self.spec.actions if offered_with_marks(self, a)]
        return [a for a in self.spec.actions if self.action_state(a, item) is True]

    def action_state(self, action: Action[Any], item: Any) -> bool | None:
        """True: offered; None: shown but not possible now; False: hidden (read-only hides every mutation)."""
        if action.mutating and self.cloudzy.read_only:
            return False
        if action.needs_item:
            if item is None:
                return None
            if action.unavailable(item) is not None:
                return None
            if self._action_key(action, item) in self._running_actions:
                return None
        return True

    @property
    def running_actions(self) -> frozenset[tuple[str, str, str | None]]:
        """The actions under way on this screen: (resource, action id, row key or ``None``)."""
        return frozenset(self._running_actions)

    def _action_key(self, action: Action[Any], item: Any) -> tuple[str, str, str | None]:
        spec = self.spec
        return (spec.name, action.id, spec.key_of(item) if item is not None and action.needs_item else None)

    def dispatch_action(self, action: Action[Any], item: Any) -> None:
        """Every key of this screen goes through here. The rails are the operations layer's (``cloudzy.ops``):
        what is refused here without a request (read-only, no row, a state the operation does not apply to) is
        refused again, with every other rule, by ``Session.execute``. Here: one dialog per action and row."""
        ops = self.cloudzy.ops
        toast = self.cloudzy.toast
        if action.op is not None and action.row_is_target:
            refusal = ops.quick_refusal(action.op, item)
            if refusal is not None:
                toast(refusal.message, severity="warning", timeout=8)
                return
        elif action.op is not None and action.op.mutating and ops.policy.read_only:
            toast(f"{action.title}: refused, the console is read-only.", severity="warning")
            return
        if action.needs_item and not action.row_is_target:
            if item is None:
                toast(f"{action.title}: select a row first.", severity="warning")
                return
            reason = action.unavailable(item)
            if reason is not None:
                toast(f"{action.title}: {reason}", severity="warning")
                return
        key = self._action_key(action, item)
        if key in self._running_actions:
            toast(f"{action.title} is already running for this item.", severity="warning")
            return
        self._running_actions.add(key)
        self.run_worker(self._run_action(action, item, key), group="actions", exit_on_error=False, name=action.id)

    async def _run_action(self, action: Action[Any], item: Any, key: tuple[str, str, str | None]) -> None:
        console = self.cloudzy
        call = ActionCall(app=console, screen=self, item=item if action.needs_item else None)
        try:
            if action.run is not None:
                await action.run(call)
            elif action.op is not None:
                await run_op(call, action.op)
        except Refused as refusal:
            console.toast(refusal.message, severity="warning", timeout=8)
        except CloudzyError as exc:
            console.report_error(exc, context=action.title)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            console.report_error(exc, context=action.title)
        finally:
            self._running_actions.discard(key)
            if self.is_mounted and action.mutating and item is not None:
                self.refresh_detail()  # what the action changed (snapshots, backups...) shows in the pane

    # ---------------------------------------------------------------- marks

    @property
    def marks(self) -> AbstractSet[str]:
        """The keys of the marked rows (shown or hidden by the filter); read-only."""
        return self.table.marks if self.is_mounted else frozenset()

    def set_marks(self, keys: Iterable[str]) -> None:
        wanted = set(keys)
        had = bool(self.marks)
        self.table.set_marks(wanted)
        if had != bool(wanted):
            self.refresh_bindings()  # the footer shows esc Unmark while rows are marked
        self.update_status()

    def clear_marks(self) -> None:
        self.set_marks(())

    def unmark(self, keys: Sequence[str]) -> None:
        if self.marks:
            self.set_marks(self.marks - set(keys))

    def action_toggle_mark(self, _where: str = "") -> None:
        """``space``: mark or unmark the row under the cursor and move to the next."""
        key = self.table.cursor_key
        if key is None:
            return
        self.set_marks(self.marks ^ {key})
        self.table.action_cursor_down()

    def action_mark_all(self) -> None:
        """``*`` / ``ctrl+space``: mark every row shown (after a filter: every row that matches); when all of them
        are marked already, unmark them."""
        shown = set(self.table.order)
        if not shown:
            return
        marks = self.marks
        self.set_marks(marks - shown if shown <= marks else marks | shown)

    def marked_items(self) -> list[T]:
        """The marked objects: the rows shown first, in their order; then marked rows the filter hides."""
        marks = self.marks
        order = [k for k in self.table.order if k in marks]
        seen = set(order)
        order += [k for k in self.model.items if k in marks and k not in seen]
        return [self.model.items[k] for k in order if k in self.model.items]

    def marks_status(self) -> Text | None:
        """``3 marked`` (and how many of them the filter hides), for the status bar."""
        marks = self.marks
        if not marks:
            return None
        text = Text(f"{len(marks)} marked", style="bold")
        if self.filter_text:
            hidden = len(marks - set(self.table.order))
            if hidden:
                text.append(f" ({hidden} not shown)", style="dim")
        return text

    def _drop_gone_marks(self) -> None:
        """Marks are kept by id: a row that left the list (deleted, no longer listed) loses its mark."""
        marks = self.marks
        if marks:
            items = self.model.items
            gone = [k for k in marks if k not in items]
            if gone:
                self.set_marks(marks - set(gone))

    def action_copy(self) -> None:
        """``c``: the row's id or IP (asking which when there are several), or the marked rows' joined on one line."""
        marked = self.marked_items() if self.marks else []
        items = marked or ([self.current_item] if self.current_item is not None else [])
        if not items:
            return
        choices = copy_choices(self.spec, items, self.cloudzy)
        if not choices:
            self.cloudzy.toast(f"Nothing to copy on one line from the {len(items)} marked rows.", severity="warning")
        elif len(choices) > 1:
            title = f"Copy from the {len(marked)} marked rows" if marked else "Copy"
            self.app.push_screen(CopyChoice(title, choices), self._copy_value)
        else:
            self._copy_value(choices[0][1])

    def _copy_value(self, value: str | None) -> None:
        if value is None:
            return
        # What goes on the clipboard is pasted into shells: one line, no control characters, no bidi overrides.
        value = clean(value, max_length=20_000)
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied {clean(value, max_length=80)}", markup=False, timeout=3)

    def action_raw_json(self) -> None:
        item = self.current_item
        if item is not None:
            self.show_raw_json(self._full_items.get(self.spec.key_of(item), item))

    def show_raw_json(self, item: T) -> None:
        spec = self.spec
        data = spec.to_json(item)
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        self.app.push_screen(TextViewModal(f"{spec.singular or spec.title}: raw JSON", text))

    def action_export(self) -> None:
        """Write the rows shown (filtered, sorted) to a CSV or JSON file."""

        def done(path: str | None) -> None:
            if path:
                self.cloudzy.toast(f"Exported {self.table.row_count} rows to {path}")

        form = export_form(self.spec, self.table.row_count, self.export_rows, self.cloudzy.now())
        self.app.push_screen(form, done)

    def export_rows(self, fmt: str) -> str:
        """The rows shown (filtered and sorted, as on screen) as CSV (the columns) or JSON (the whole objects)."""
        return export_rows(self.spec, self.model.items, self.table.order, self.view(), fmt)

    def action_server_filters(self) -> None:
        spec = self.spec
        fields = [
            FormField(
                name=f.name,
                label=f.label,
                kind="bool" if f.kind == "bool" else ("choice" if f.kind == "choice" else "text"),
                value=self.server_filters.get(f.name),
                choices=list(f.choices),
                placeholder=f.placeholder,
            )
            for f in spec.filters
        ]

        async def apply(values: dict[str, Any]) -> dict[str, Any]:
            return values

        def done(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.apply_server_filters(values)

        self.app.push_screen(FormModal(f"{spec.title}: server-side filters", fields, apply, submit_label="Apply"), done)

    def apply_server_filters(self, filters: dict[str, Any]) -> None:
        self.server_filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        self.model.remove_missing(set())
        self.table.invalidate()
        self.loaded_once = False
        self.table.set_empty_message("Loading…")
        self._order()
        self.reload()

    # --------------------------------------------------------------- status

    def update_status(self, throttle: bool = False) -> None:
        now = self.cloudzy.monotonic()
        if throttle and now - self._last_status_at < ORDER_THROTTLE:
            return
        self._last_status_at = now
        try:
            bar = self.query_one("#status", StatusBar)
        except Exception:
            return
        bar.update_status(self.status_items())

    def status_items(self) -> tuple[list[tuple[int, Text]], list[tuple[int, Text]]]:
        """The status bar's items, left and right, each with a rank (lower is kept longer on a narrow line).

        Freshness is one state at a time (issue 19): loading, else stale/error with the reason, else how old. The
        shell's badges (request rate, read-only, profile) end the right side."""
        spec = self.spec
        left: list[tuple[int, Text]] = [(0, Text(f" {spec.title} ", style="bold reverse"))]
        total = len(self.model)
        shown = self.table.row_count if self.is_mounted else total
        left.append((1, Text(f"{total}" + (f" ({shown} shown)" if shown != total else ""))))
        marked = self.marks_status() if self.is_mounted else None
        if marked is not None:
            left.append((2, marked))
        if self.filter_text:
            item = Text("filter: ")
            item.append_text(safe_text(self.filter_text, max_length=30))
            left.append((5, item))
        if self.server_filters:
            item = Text("server filter: ")
            item.append_text(safe_text(", ".join(f"{k}={v}" for k, v in self.server_filters.items()), max_length=40))
            left.append((6, item))
        if self.sort_column:
            label = next((c.label for c in spec.columns if c.key == self.sort_column), self.sort_column)
            left.append((9, Text(f"sort: {label} {'↓' if self.sort_reverse else '↑'}")))
        hidden = self.table.hidden_columns if self.is_mounted else []
        if hidden:
            left.append((8, Text(f"hidden: {', '.join(hidden)} (←/→)", style="dim")))

        now = self.cloudzy.now()
        right: list[tuple[int, Text]] = []
        running = len(self.cloudzy.jobs.in_flight)
        if running:
            right.append((4, Text(f"jobs {running}", style="bold")))
        cached_at = self.cached_at
        if self.fetching:
            # rows from the local cache say how old they are while the fresh ones come (one item: its age + loading)
            cached = f"cached {age_text(now - cached_at)} ago, " if cached_at is not None else ""
            right.append((2, Text(f"{cached}loading… {self.load_progress}", style="italic")))
        elif self.last_error:
            # Stale when there is something shown to be stale; otherwise the load simply failed.
            item = Text("STALE " if self.model.items else "ERROR ", style="bold red")
            item.append_text(safe_text(self.last_error, "red", max_length=40))
            right.append((2, item))
        else:
            if cached_at is not None:  # rows from the local cache, not yet replaced by the API's
                right.append((7, Text(f"cached {age_text(now - cached_at)} ago", style="italic")))
            elif self.last_updated is not None:
                right.append((7, Text(f"updated {duration(now - self.last_updated)} ago", style="dim")))
        right.extend(self.cloudzy.status_badges())
        return left, right


def screen_class_for(spec: ResourceSpec[Any]) -> type[ResourceScreen[Any]]:
    """A ResourceScreen subclass whose bindings include the spec's actions."""
    bindings: list[BindingType] = [
        Binding(a.key, f"act('{a.id}')", a.title, show=a.show, id=f"{spec.name}.{a.id}")
        for a in spec.actions
        if a.key  # no key: offered in the command palette only
    ]
    # Tried after the action's own binding, which read-only mode disables (hidden from the footer).
    bindings += [
        Binding(a.key, f"read_only_refusal('{a.id}')", a.title, show=False, id=f"{spec.name}.{a.id}")
        for a in spec.actions
        if a.mutating
    ]
    name = "".join(part.capitalize() for part in spec.name.replace("-", "_").split("_")) + "Screen"
    return type(name, (ResourceScreen,), {"BINDINGS": bindings})
