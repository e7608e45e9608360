"""Faster list walks over a slow API: partitioned bookmark walks (instances) and parallel numbered pages.

**Partitioned instance walk.** ``GET /v1/instances`` pages behind an opaque bookmark, so one walk is strictly
sequential: 101 pages x RTT for 10,000 instances. The reference's filters ``createdTo`` (and ``createdFrom``) let
several bookmark chains walk disjoint creation-time ranges at once. Creation time never changes, so an instance
that changes status or region during the walk stays in exactly one range (a region or status partition would
lose an instance moving from a range not yet walked into one already walked).

How the ranges are cut, and why the result is still every instance a sequential walk would find:

* The first page is fetched without any extra filter (it is also what the user sees first). Partitioning starts
  only when that page is full, carries a bookmark, and lists its items newest first (``insertedAt``
  non-increasing, every item dated). Nothing else about the order is assumed: each chain checks, page after
  page, that its items keep coming newest first; a chain that stops doing so gives up its cut (below) and is
  walked to its end, so a wrong guess costs requests, never rows.
* A chain is *cut* at a whole second ``S`` below the oldest item it has returned: it keeps walking, but stops
  after a page holding an item older than ``S`` (newest first: every item at ``S`` or newer has come). A new
  chain starts with ``createdTo=S`` and takes over below. ``createdTo`` inclusive or exclusive, items exactly at
  ``S`` are covered by the first chain; duplicates (inclusive) are dropped by id.
* Pages go out in the order of the ranges, newest first (a chain's pages wait until every newer range is out):
  the caller gets the list in the API's own order, as from a sequential walk, only sooner.
* Only ``createdTo`` is ever added to the caller's filters: no chain relies on a lower bound the server applies.
* A server that ignores ``createdTo`` (an item newer than ``S`` in a chain asked for ``createdTo=S``) is detected
  on that chain's first page: everything partitioned is abandoned and one sequential walk is made instead (its
  rows de-duplicated against those already yielded).

Every sequential part (the first chain of a list that does not qualify, the fallback) is the one page walker,
:func:`cloudzy_tui.api._base.walk_pages`, with a bookmark cursor.

**Parallel numbered pages.** Snapshots, ISOs, images and floating IPs are paged by number with ``total``: after
the first page the rest are fetched several at once (in page order for the caller), then the walk continues
one page at a time if the list grew meanwhile: the same page walker with a page-number cursor, given a fetch
that answers from the pages fetched ahead.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from cloudzy_tui.api import _base
from cloudzy_tui.api._base import (
    BookmarkCursor,
    Fetch,
    PageNumberCursor,
    bookmark_pages,
    extract_items,
    parse_list_off_loop,
    total_of,
    walk_pages,
)
from cloudzy_tui.api._transport import Envelope, Transport
from cloudzy_tui.api.models import Page, iso_to_datetime

logger = logging.getLogger("cloudzy_tui.api")

M = TypeVar("M", bound=BaseModel)

#: bookmark chains walked at once by a partitioned walk
DEFAULT_PARTITIONS = 6
#: pages a newly cut creation-time range is sized for (from the density of the chain it was cut from)
PIECE_PAGES = 8
#: numbered pages fetched at once
DEFAULT_PAGE_CONCURRENCY = 6
#: a walk's chains stop after this many pages in all, whatever the server says
MAX_CHAIN_PAGES = 2000


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    when = iso_to_datetime(value) if isinstance(value, str) else None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _iso_second(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _raw_id(item: Any) -> str | None:
    if isinstance(item, dict) and item.get("id") is not None:
        return str(item["id"])
    return None


@dataclass
class _Chain:
    """One bookmark chain over the creation-time range ``[stop_below, hi]`` (``None``: unbounded)."""

    number: int
    created_to: int | None
    stop_below: int | None = None
    bookmark: str | None = None
    bookmarks: set[str] = field(default_factory=set)
    previous: list[Any] | None = None
    pages: int = 0
    items: int = 0
    newest: float | None = None
    oldest: float | None = None
    #: items per second of creation time, seen by this chain (or inherited from the chain it was cut from)
    density: float | None = None
    ordered: bool = True
    done: bool = False
    #: pages received and not yet given to the caller (a chain's pages go out once every newer range is out)
    buffer: list[list[Any]] = field(default_factory=list)

    @property
    def hi(self) -> float | None:
        return self.oldest if self.oldest is not None else self.created_to

    def remaining(self) -> float:
        """Estimated items left to walk (``inf`` when the range is open below)."""
        if self.hi is None or self.density is None or not self.ordered:
            return 0.0
        if self.stop_below is None:
            return math.inf
        return max(0.0, (self.hi - self.stop_below) * self.density)


@dataclass
class WalkStats:
    """What the last walk did (for tests, logs and the benchmark)."""

    requests: int = 0
    chains: int = 0
    partitioned: bool = False
    fallback: str | None = None


class _FilterIgnored(Exception):
    pass


async def partitioned_bookmark_pages(
    transport: Transport,
    path: str,
    params: Mapping[str, object],
    model: type[M],
    *,
    key: str,
    what: str,
    page_size: int,
    partitions: int = DEFAULT_PARTITIONS,
    time_field: str = "insertedAt",
    stats: WalkStats | None = None,
) -> AsyncIterator[Page[M]]:
    """Every item of a bookmark list with several creation-time chains at once (see the module docstring).

    The first page is yielded at once; the others in the order of their creation-time ranges (newest first: a
    chain's pages as they arrive once every newer range is out), each holding only items not yielded before;
    ``next`` is ``None`` on the last page yielded (which may be empty). With ``partitions`` 1, or when the server
    does not qualify, this is the plain sequential walk."""
    stats = stats if stats is not None else WalkStats()
    counted = _counted(transport, path, stats)
    if partitions <= 1 or "createdTo" in params:
        async for page in bookmark_pages(
            transport, path, params, model, key=key, what=what, page_size=page_size, fetch=counted
        ):
            yield page
        return

    yielded: set[str] = set()
    chains: list[_Chain] = []
    #: the chains by creation-time range, newest first: pages are given out in this order, so the caller gets the
    #: list in the API's own order (newest first), as a sequential walk would give it
    order: list[_Chain] = []
    pointer = 0
    running: dict[asyncio.Task[tuple[Envelope, list[Any]]], _Chain] = {}
    total_pages = 0

    def start(chain: _Chain) -> None:
        query: dict[str, object] = {**params, "limit": page_size}
        if chain.created_to is not None:
            query["createdTo"] = _iso_second(chain.created_to)
        if chain.bookmark is not None:
            query["bookmark"] = chain.bookmark

        async def fetch() -> tuple[Envelope, list[Any]]:
            env = await transport.request("GET", path, params=query)
            return env, extract_items(env.data, key, path=path)

        running[asyncio.ensure_future(fetch())] = chain
        stats.requests += 1

    def split() -> None:
        """Fill free slots by cutting the chain with the most work left."""
        while len(running) < partitions:
            # only chains that have answered: one that has not may be empty (cutting it would cost requests for
            # ranges before the oldest instance)
            candidates = [c for c in chains if not c.done and c.pages and c.remaining() > 2 * page_size]
            if not candidates:
                return
            chain = max(candidates, key=lambda c: c.remaining())
            hi = chain.hi
            assert hi is not None and chain.density is not None
            if chain.stop_below is None:
                span = PIECE_PAGES * page_size / chain.density
                cut = math.floor(hi - max(span, 1.0))
                if cut < 1:
                    chain.density = 0.0
                    continue
            else:
                cut = math.floor((chain.stop_below + hi) / 2)
                if not chain.stop_below < cut < hi:
                    chain.density = 0.0  # too narrow to cut again
                    continue
            new = _Chain(number=len(chains), created_to=cut, stop_below=chain.stop_below, density=chain.density)
            chain.stop_below = cut
            chains.append(new)
            order.insert(order.index(chain) + 1, new)
            stats.chains = len(chains)
            start(new)

    def ready() -> list[list[Any]]:
        """The pages that may go out now: those of the newest chain not finished, and of every finished one
        before it. Items of a cut chain below its cut are left to the chain after it (which has them too)."""
        nonlocal pointer
        out: list[list[Any]] = []
        while pointer < len(order):
            chain = order[pointer]
            while chain.buffer:
                raw = chain.buffer.pop(0)
                if chain.ordered and chain.stop_below is not None:
                    bound = chain.stop_below
                    raw = [
                        item
                        for item in raw
                        if (t := _epoch(item.get(time_field) if isinstance(item, dict) else None)) is None or t >= bound
                    ]
                items = fresh(raw)
                if items:
                    out.append(items)
            if not chain.done:
                break
            pointer += 1
        return out

    def fresh(raw: list[Any]) -> list[Any]:
        out = []
        for item in raw:
            ident = _raw_id(item)
            if ident is None or ident not in yielded:
                if ident is not None:
                    yielded.add(ident)
                out.append(item)
        return out

    def absorb(chain: _Chain, env: Envelope, raw: list[Any]) -> None:
        """Update ``chain`` with one page; decide whether it goes on."""
        chain.pages += 1
        times = [_epoch(item.get(time_field)) if isinstance(item, dict) else None for item in raw]
        if chain.created_to is not None and any(t is not None and t >= chain.created_to + 1 for t in times):
            raise _FilterIgnored
        next_raw = env.data.get("bookmark") if isinstance(env.data, dict) else None
        next_bookmark = str(next_raw) if next_raw not in (None, "") else None
        dated = [t for t in times if t is not None]
        ordered = len(dated) == len(times) and all(a >= b for a, b in itertools.pairwise(dated))
        if ordered and dated and chain.oldest is not None:
            ordered = dated[0] <= chain.oldest
        if not ordered and chain.ordered:
            chain.ordered = False
            if chain.stop_below is not None:
                logger.debug("GET %s: chain %d is not newest first; walking it to its end", path, chain.number)
                chain.stop_below = None
        if dated and chain.ordered:
            first, last = dated[0], dated[-1]
            chain.newest = first if chain.newest is None else chain.newest
            chain.oldest = last
            chain.items += len(raw)
            span = chain.newest - chain.oldest
            chain.density = chain.items / max(span, 1.0)
        repeated = chain.previous is not None and raw == chain.previous
        chain.previous = raw
        finished = (
            not raw
            or repeated
            or next_bookmark is None
            or next_bookmark in chain.bookmarks
            or next_bookmark == chain.bookmark
        )
        if not finished and chain.ordered and chain.stop_below is not None and dated and dated[-1] < chain.stop_below:
            finished = True
        if finished:
            chain.done = True
            return
        assert next_bookmark is not None
        chain.bookmarks.add(next_bookmark)
        chain.bookmark = next_bookmark

    root = _Chain(number=0, created_to=None)
    chains.append(root)
    order.append(root)
    stats.chains = 1
    # The first page alone: it decides whether to partition at all.
    env = await transport.request("GET", path, params={**params, "limit": page_size})
    stats.requests += 1
    total_pages = 1
    raw = extract_items(env.data, key, path=path)
    absorb(root, env, raw)
    first_items = await parse_list_off_loop(model, fresh(raw), what=what)
    qualifies = root.ordered and not root.done and len(raw) >= page_size
    if not qualifies:
        # The plain sequential walk, continued from the first page's bookmark.
        yield Page(items=first_items, total=total_of(env.data), next=None if root.done else root.bookmark)
        if root.done:
            return
        async for page in walk_pages(
            transport,
            path,
            params,
            model,
            key=key,
            what=what,
            page_size=page_size,
            cursor=BookmarkCursor(start=root.bookmark, seen=root.bookmarks),
            fetch=counted,
            after=raw,
        ):
            yield _unseen(page, yielded)
        return

    stats.partitioned = True
    yield Page(items=first_items, total=None, next=root.bookmark)
    start(root)
    split()
    try:
        while running:
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                chain = running.pop(task)
                env, raw = task.result()  # an API error ends the walk (the rest are cancelled below)
                total_pages += 1
                absorb(chain, env, raw)
                chain.buffer.append(raw)
                if not chain.done:
                    if total_pages < MAX_CHAIN_PAGES:
                        start(chain)
                    else:
                        chain.done = True
            split()
            for items in ready():
                parsed = await parse_list_off_loop(model, items, what=what)
                yield Page(items=parsed, total=None, next="…")
    except _FilterIgnored:
        stats.fallback = "createdTo ignored"
        logger.warning("GET %s: the server ignores 'createdTo'; walking the list sequentially", path)
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        running.clear()
    if stats.fallback is None:
        for items in ready():  # (all given out already: every chain is done)
            yield Page(items=await parse_list_off_loop(model, items, what=what), total=None, next="…")
        yield Page(items=[], total=None, next=None)
        return
    async for page in bookmark_pages(
        transport, path, params, model, key=key, what=what, page_size=page_size, fetch=counted
    ):
        yield _unseen(page, yielded, keep_total=False)


async def parallel_numbered_pages(
    transport: Transport,
    path: str,
    params: Mapping[str, object],
    model: type[M],
    *,
    key: str,
    what: str,
    page_size: int | None,
    concurrency: int = DEFAULT_PAGE_CONCURRENCY,
    stats: WalkStats | None = None,
) -> AsyncIterator[Page[M]]:
    """The numbered walk (:func:`walk_pages` with a :class:`PageNumberCursor`, so it stops where the sequential
    walk does) with pages fetched ahead: pages 1 and 2 alone, then (when page 1 told ``total``) the pages it
    implies, ``concurrency`` at a time, yielded in page order; then page by page while pages keep coming full.
    Page 2 goes alone because a server ignoring ``page`` repeats page 1 there: that costs one request, not six."""
    stats = stats if stats is not None else WalkStats()
    counted = _counted(transport, path, stats)
    cursor = PageNumberCursor()
    pending: dict[int, asyncio.Task[Envelope]] = {}
    planned = 1

    async def ahead(query: dict[str, object]) -> Envelope:
        nonlocal planned
        number = cursor.number
        if number == 2 and cursor.total is not None and cursor.seen:
            planned = min(_base.MAX_PAGES, math.ceil(cursor.total / cursor.seen))
            stats.partitioned = planned > 1 and concurrency > 1
        lookahead = 0 if number <= 2 else concurrency - 1
        for n in range(number, min(planned, number + lookahead) + 1):
            if n not in pending:
                pending[n] = asyncio.ensure_future(counted({**query, "page": n}))
        task = pending.pop(number, None)
        return await task if task is not None else await counted(query)

    try:
        async for page in walk_pages(
            transport, path, params, model, key=key, what=what, page_size=page_size, cursor=cursor, fetch=ahead
        ):
            yield page
    finally:
        for t in pending.values():
            t.cancel()
        if pending:
            await asyncio.gather(*pending.values(), return_exceptions=True)


def _counted(transport: Transport, path: str, stats: WalkStats) -> Fetch:
    """A GET of ``path`` that counts itself in ``stats``."""

    async def fetch(query: dict[str, object]) -> Envelope:
        stats.requests += 1
        return await transport.request("GET", path, params=query)

    return fetch


def _unseen(page: Page[M], yielded: set[str], *, keep_total: bool = True) -> Page[M]:
    """``page`` without the items yielded before (by id); those it keeps are added to ``yielded``."""
    items = [i for i in page.items if str(getattr(i, "id", "")) not in yielded]
    yielded.update(str(getattr(i, "id", "")) for i in items)
    return Page(items=items, total=page.total if keep_total else None, next=page.next)
