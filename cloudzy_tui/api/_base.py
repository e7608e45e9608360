"""What every resource class shares: parsing of replies into models, list extraction, pagination walks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from cloudzy_tui.api._replies import to_int
from cloudzy_tui.api._transport import Envelope, Transport
from cloudzy_tui.api.errors import MalformedResponseError, shorten
from cloudzy_tui.api.models import ActionResult, Page

logger = logging.getLogger("cloudzy_tui.api")

M = TypeVar("M", bound=BaseModel)

#: a walk stops after this many pages whatever the server says (a server that never ends must not hang us)
MAX_PAGES = 1000


class Resource:
    """Base of the resource classes: holds the shared transport."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _problem(exc: PydanticValidationError) -> str:
    """The first problem of a reply that did not validate, for a message or a log line. Its location may hold
    the server's own keys and its message the server's values: scrubbed and cut by :func:`shorten`."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid"
    first = errors[0]
    loc = ".".join(str(x) for x in first.get("loc", ())) or "object"
    return shorten(f"{loc}: {first.get('msg', 'invalid')}", 200)


def parse_one(model: type[M], data: Any, *, what: str, path: str) -> M:
    """The object a GET returned, or :class:`MalformedResponseError` (never a raw pydantic trace)."""
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        raise MalformedResponseError(
            f"The API's reply to GET {path} held {kind} where {what} was expected.", path=path, method="GET"
        )
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise MalformedResponseError(
            f"The API's reply to GET {path} is not a usable {what} ({_problem(exc)}).",
            path=path,
            method="GET",
        ) from None


def parse_optional(model: type[M], data: Any, *, what: str) -> M | None:
    """The object a change returned, if it returned a usable one. The change succeeded either way, so a
    missing or unusable object is ``None`` (logged), not an error."""
    if isinstance(data, dict):
        try:
            return model.model_validate(data)
        except PydanticValidationError as exc:
            logger.warning("API reply: the returned %s is not usable (%s); ignored", what, _problem(exc))
            return None
    if data is not None:
        logger.warning("API reply: expected %s object, got %s; ignored", what, type(data).__name__)
    return None


def parse_list(model: type[M], items: list[Any], *, what: str) -> list[M]:
    """Each usable element as a model; unusable ones are skipped with a warning."""
    out: list[M] = []
    skipped = 0
    first_problem = ""
    for item in items:
        if not isinstance(item, dict):
            skipped += 1
            first_problem = first_problem or f"a {type(item).__name__} instead of an object"
            continue
        try:
            out.append(model.model_validate(item))
        except PydanticValidationError as exc:
            skipped += 1
            first_problem = first_problem or _problem(exc)
    if skipped:
        logger.warning("API reply: skipped %d malformed %s item(s) (%s)", skipped, what, first_problem)
    return out


def extract_items(data: Any, key: str, *, path: str) -> list[Any]:
    """The list of a list reply: ``data[key]``, or ``data`` itself when it is a list, ``[]`` for null.

    A dict without ``key`` but with exactly one list inside is accepted too (a server naming the key
    differently); anything else is :class:`MalformedResponseError`.
    """
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if key in data:
            value = data[key]
            if value is None:
                return []
            if isinstance(value, list):
                return value
            raise MalformedResponseError(
                f"The API's reply to GET {path} has '{key}' as a {type(value).__name__}, not a list.",
                path=path,
                method="GET",
            )
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            logger.debug("API reply to GET %s: no '%s' key, using the only list in it", path, key)
            return lists[0]
        if not data or not lists:
            return []
    raise MalformedResponseError(f"The API's reply to GET {path} has no '{key}' list.", path=path, method="GET")


def total_of(data: Any) -> int | None:
    if isinstance(data, dict):
        value = data.get("total")
        if isinstance(value, bool):
            return None
        return to_int(value)
    return None


def action_result(env: Envelope) -> ActionResult:
    return ActionResult(detail=env.detail, code=env.code, data=env.data)


def dedupe(items: list[M]) -> list[M]:
    """Items in order, later duplicates (same ``id``) dropped: a list shifting between page requests must
    not give the UI two rows with one key."""
    seen: set[object] = set()
    out: list[M] = []
    for item in items:
        key = getattr(item, "id", None)
        if key is None:
            out.append(item)
            continue
        marker = str(key)
        if marker in seen:
            continue
        seen.add(marker)
        out.append(item)
    return out


#: pages with at least this many items are validated in a worker thread, so the event loop the caller runs on
#: (a UI's) stays free while thousands of objects are checked
THREAD_PARSE_MIN = 40


async def parse_list_off_loop(model: type[M], items: list[Any], *, what: str) -> list[M]:
    if len(items) < THREAD_PARSE_MIN:
        return parse_list(model, items, what=what)
    return await asyncio.to_thread(parse_list, model, items, what=what)


#: how a walk fetches one page: the query in, the reply out (the transport's GET by default; the parallel
#: numbered walk passes one that answers from pages it fetched ahead)
Fetch = Callable[[dict[str, object]], Awaitable[Envelope]]


class BookmarkCursor:
    """``limit`` + ``bookmark`` (instances): the next page is named by the bookmark the last one returned. The
    last page is the one with no bookmark, a bookmark seen before (the API returns one even with the last page),
    or no items."""

    name = "bookmark"

    def __init__(self, start: str | None = None, seen: Iterable[str] = ()) -> None:
        self.bookmark = start
        self.seen = set(seen)
        self.total: int | None = None

    def query(self) -> dict[str, object]:
        return {"bookmark": self.bookmark} if self.bookmark is not None else {}

    def advance(self, data: Any, raw: list[Any]) -> str | None:
        """Take in the page just read; the bookmark of the next one, ``None`` when this one was the last."""
        self.total = total_of(data)
        next_raw = data.get("bookmark") if isinstance(data, dict) else None
        bookmark = str(next_raw) if next_raw not in (None, "") else None
        if not raw or bookmark is None or bookmark in self.seen or bookmark == self.bookmark:
            return None
        self.seen.add(bookmark)
        self.bookmark = bookmark
        return bookmark


class PageNumberCursor:
    """``page`` from 1 (snapshots, ISOs, images, floating IPs): the last page is an empty one or the one with
    which the items seen reach ``total`` (the last ``total`` a page told)."""

    name = "page"

    def __init__(self) -> None:
        self.number = 1
        self.seen = 0
        self.total: int | None = None

    def query(self) -> dict[str, object]:
        return {"page": self.number}

    def advance(self, data: Any, raw: list[Any]) -> int | None:
        """Take in the page just read; the number of the next one, ``None`` when this one was the last."""
        told = total_of(data)
        self.total = told if told is not None else self.total
        self.seen += len(raw)
        if not raw or (self.total is not None and self.seen >= self.total):
            return None
        self.number += 1
        return self.number


async def walk_pages(
    transport: Transport,
    path: str,
    params: Mapping[str, object],
    model: type[M],
    *,
    key: str,
    what: str,
    page_size: int | None,
    cursor: BookmarkCursor | PageNumberCursor,
    fetch: Fetch | None = None,
    after: list[Any] | None = None,
) -> AsyncIterator[Page[M]]:
    """The one page walker: ``params`` (plus ``limit`` when ``page_size`` is given) on every page, the cursor's
    position on each, pages yielded as they come, ``next`` ``None`` on the last.

    Stops where the cursor says the page was the last, on an empty page (the first page is always yielded, even
    empty), on a page repeating the one before it (a server ignoring the cursor), or after :data:`MAX_PAGES`.
    ``after``: the raw items of a page already read when the walk continues from it (the cursor placed after
    it): the first page fetched is then no longer the first, and repeating that page ends the walk."""

    async def get(query: dict[str, object]) -> Envelope:
        return await transport.request("GET", path, params=query)

    fetch = fetch or get
    previous = after
    for number in range(1, MAX_PAGES + 1):
        query: dict[str, object] = dict(params)
        if page_size is not None:
            query["limit"] = page_size
        query.update(cursor.query())
        env = await fetch(query)
        raw = extract_items(env.data, key, path=path)
        if not raw and (number > 1 or after is not None):
            return
        if previous is not None and raw == previous:
            logger.warning(
                "GET %s: a page repeats the one before it; the server ignores '%s', stopping", path, cursor.name
            )
            return
        previous = raw
        following = cursor.advance(env.data, raw)
        if following is not None and number == MAX_PAGES:
            logger.warning("GET %s: stopped after %d pages", path, MAX_PAGES)
            following = None
        yield Page(items=await parse_list_off_loop(model, raw, what=what), total=cursor.total, next=following)
        if following is None:
            return


async def bookmark_pages(
    transport: Transport,
    path: str,
    params: Mapping[str, object],
    model: type[M],
    *,
    key: str,
    what: str,
    page_size: int,
    fetch: Fetch | None = None,
) -> AsyncIterator[Page[M]]:
    """The sequential ``limit`` + ``bookmark`` walk (:func:`walk_pages` with a :class:`BookmarkCursor`)."""
    async for page in walk_pages(
        transport, path, params, model, key=key, what=what, page_size=page_size, cursor=BookmarkCursor(), fetch=fetch
    ):
        yield page


async def collect(pages: AsyncIterator[Page[M]]) -> list[M]:
    items: list[M] = []
    async for page in pages:
        items.extend(page.items)
    return dedupe(items)
