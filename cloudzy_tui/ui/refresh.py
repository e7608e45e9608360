"""The console's side of refresh planning and the local list cache (the screen calls these; see
:mod:`cloudzy_tui.ops.freshness` and :mod:`cloudzy_tui.core.cache`).

* :func:`plan_tick` asks the planner what a refresh tick of a screen reads: the full walk, or a light refresh.
* :func:`light_refresh` does the light one: the list's first page (only: :data:`FIRST_PAGE_ONLY` makes the app's
  walker stop after it, and nothing more is requested), then the planned rows by id.
* :func:`paint_cached` puts the cached rows of a list on screen before its first walk; :func:`store_cached`
  keeps the rows of a finished full walk.
* :func:`refresh_period`: how often a list is refreshed (the user's period, scaled per resource).

They are typed against :class:`RefreshedList`, what they use of the resource screen (which imports this module).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from cloudzy_tui.api import CloudzyError, NotFoundError
from cloudzy_tui.core.cache import HEAD_ROWS
from cloudzy_tui.ops.freshness import Plan

if TYPE_CHECKING:
    from cloudzy_tui.ui.resources.base import ResourceSpec
    from cloudzy_tui.ui.rowmodel import RowModel
    from cloudzy_tui.ui.services import ScreenHost
    from cloudzy_tui.ui.widgets.resource_table import ResourceTable

log = logging.getLogger("cloudzy_tui.ui")

#: set in a light refresh's task: the app's page walker yields the first page only and closes the walk
FIRST_PAGE_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("cloudzy_first_page_only", default=False)

# The refresh period the specs' intervals are written against (instances: 15 s).
DEFAULT_REFRESH = 15.0


class RefreshedList(Protocol):
    """What this module uses of the resource screen (``ui/screens/resource.py``)."""

    spec: ResourceSpec[Any]
    model: RowModel[Any]
    server_filters: dict[str, Any]
    cached_at: float | None

    @property
    def cloudzy(self) -> ScreenHost: ...

    @property
    def table(self) -> ResourceTable: ...

    def upsert_items(self, items: Sequence[Any]) -> None: ...

    def remove_item(self, key: str) -> None: ...

    def update_status(self, throttle: bool = False) -> None: ...

    def _order(self, throttle: bool = False) -> None: ...

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...


def refresh_period(refresh_seconds: float, spec: ResourceSpec[Any]) -> float:
    """The user's refresh period, scaled by how often the resource changes (catalogs rarely: x20)."""
    if refresh_seconds <= 0 or spec.refresh_interval <= 0:
        return 0
    return refresh_seconds * spec.refresh_interval / DEFAULT_REFRESH


def _models() -> dict[str, type[Any]]:
    from cloudzy_tui.api import BackupProfile, FloatingIp, Image, Instance, Iso, Snapshot, SshKey

    return {
        "instances": Instance,
        "snapshots": Snapshot,
        "floating-ips": FloatingIp,
        "isos": Iso,
        "images": Image,
        "ssh-keys": SshKey,
        "backups": BackupProfile,
    }


def visible_keys(screen: RefreshedList) -> list[str]:
    table = screen.table
    order = table.order
    top = int(table.scroll_y)
    return order[top : top + max(1, table.scrollable_content_region.height - 1)]


def plan_tick(screen: RefreshedList) -> Plan:
    app = screen.cloudzy
    if screen.server_filters:
        return Plan(full=True, reason="server filter")
    return app.freshness.plan(
        screen.spec.name,
        refresh_seconds=refresh_period(app.refresh_seconds, screen.spec),
        items=screen.model.items.values(),
        key_of=screen.spec.key_of,
        visible=visible_keys(screen),
        can_fetch_one=screen.spec.can_fetch_one,
        now=app.monotonic(),
    )


async def light_refresh(screen: RefreshedList, plan: Plan) -> None:
    """The first page (new rows, the newest rows' changes) and the planned rows by id, into the list."""
    spec = screen.spec
    app = screen.cloudzy
    if plan.first_page:
        token = FIRST_PAGE_ONLY.set(True)
        try:
            pages = spec.load(app, {})
            try:
                async for page in pages:
                    diff = screen.model.upsert(page)
                    if diff.changed:
                        screen.table.invalidate(diff.changed)
                    break
            finally:
                closer = getattr(pages, "aclose", None)
                if closer is not None:
                    await closer()
        finally:
            FIRST_PAGE_ONLY.reset(token)
    for key in plan.keys:
        item = screen.model.get(key)
        if item is None:
            continue
        try:
            fresh = await spec.fetch_one(app, item)
        except NotFoundError:
            screen.remove_item(key)
            continue
        except CloudzyError:
            raise
        except asyncio.CancelledError:
            raise
        screen.upsert_items([fresh])


# ------------------------------------------------------------------------------------------------ the cache


#: cached rows painted at once (the top of the list, kept apart by the cache); the rest follow in chunks
FIRST_CHUNK = HEAD_ROWS
CHUNK = 1000


async def paint_cached(screen: RefreshedList) -> asyncio.Task[None] | None:
    """The cached rows of this list on screen before its first walk: the first :data:`FIRST_CHUNK` now, the rest
    by a task (returned) that only fills keys the walk has not brought yet. ``None``: nothing more to paint."""
    app = screen.cloudzy
    cache = app.list_cache
    model = _models().get(screen.spec.name)
    if cache is None or model is None or screen.server_filters or screen.model.items:
        return None
    name = screen.spec.name
    head = cache.load_head(name)  # a few hundred rows: read at once
    if head is None or not head.rows:
        return None

    def validate(chunk: list[dict[str, Any]]) -> list[Any]:
        out = []
        for row in chunk:
            try:
                out.append(model.model_validate(row))
            except Exception:  # a row of an older shape: skipped, the walk brings it back
                continue
        return out

    def put(items: list[Any]) -> None:
        fresh = [i for i in items if screen.spec.key_of(i) not in screen.model.items]  # never over the walk's rows
        diff = screen.model.upsert(fresh)
        if diff.changed:
            screen.table.invalidate(diff.changed)

    put(validate(head.rows))
    screen.cached_at = head.stored_at
    screen._order()
    screen.update_status()
    if len(head.rows) < FIRST_CHUNK:
        return None

    # The whole list is read after the first rows are on screen: its parse holds the interpreter for a while.
    painted: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_painted() -> None:
        if not painted.done():
            painted.set_result(None)

    screen.call_after_refresh(on_painted)

    async def rest() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted, 2.0)  # (a screen that does not repaint: go on anyway)
        cached = await asyncio.to_thread(cache.load, name)
        if cached is None or cached.stored_at != head.stored_at:
            return
        rows = cached.rows
        for start in range(FIRST_CHUNK, len(rows), CHUNK):
            put(await asyncio.to_thread(validate, rows[start : start + CHUNK]))
            screen._order(throttle=True)
            screen.update_status(throttle=True)
        screen._order()

    return asyncio.create_task(rest())


async def store_cached(screen: RefreshedList) -> None:
    """After a full walk without server filters: its rows are the list's cache (written off the UI loop)."""
    screen.cached_at = None
    app = screen.cloudzy
    cache = app.list_cache
    if cache is None or screen.server_filters or screen.spec.name not in _models():
        return
    items = list(screen.model.items.values())
    name = screen.spec.name
    to_json = screen.spec.to_json

    def write() -> None:
        if not cache.store(name, [to_json(item) for item in items]):
            log.debug("list cache: %s not stored", name)

    await asyncio.to_thread(write)
