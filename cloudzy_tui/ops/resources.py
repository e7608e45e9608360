"""What every face knows about a kind of resource: its names, how to list it, how to find one, its plain fields.

A :class:`Resource` is UI-free. The console's spec for a resource (``ui/resources/*.py``) adds how rows and detail
panes look; the CLI prints ``fields`` as a table, CSV or YAML and the raw objects as JSON; the MCP server returns
the raw objects. Listing goes through ``pages(session, filters)`` (an async iterator of lists of objects).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from cloudzy_tui.api import CloudzyError, NotFoundError
from cloudzy_tui.ops.model import InstanceRef
from cloudzy_tui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context

T = TypeVar("T")

Pages = Callable[["Context", dict[str, Any]], AsyncIterator[Sequence[Any]]]


@dataclass(frozen=True)
class Filter:
    """A server-side filter the list endpoint accepts (``status``, ``region``...)."""

    name: str
    label: str
    kind: Literal["text", "bool", "choice"] = "text"
    choices: Sequence[tuple[str, str]] = ()
    placeholder: str = ""


@dataclass(frozen=True)
class Field(Generic[T]):
    """A plain value of an object, for tables and CSV (``value`` returns text or a number, never markup)."""

    key: str
    label: str
    value: Callable[[T], Any]


class AmbiguousError(CloudzyError):
    """More than one object answers to the name given."""


@dataclass(frozen=True)
class Resource(Generic[T]):
    name: str
    title: str
    singular: str
    key_of: Callable[[T], str]
    pages: Pages
    fields: Sequence[Field[T]]
    aliases: tuple[str, ...] = ()
    label: Callable[[T], str] | None = None
    fetch: Callable[[Context, str], Awaitable[T]] | None = None
    # Names a person may use for one object besides its key (an instance's hostname, a snapshot's name).
    names_of: Callable[[T], Sequence[str]] | None = None
    # A cheaper list to search by name (e.g. the instances list filtered by hostname); default: every page.
    search: Callable[[Context, str], AsyncIterator[Sequence[Any]]] | None = None
    filters: Sequence[Filter] = ()
    job_kind: str | None = None
    instance_of: Callable[[T], InstanceRef | None] | None = None
    to_json: Callable[[T], Any] | None = None

    def label_of(self, item: T) -> str:
        return self.label(item) if self.label is not None else self.key_of(item)

    def json(self, item: T) -> Any:
        if self.to_json is not None:
            return self.to_json(item)
        return item.model_dump(mode="json", by_alias=True)  # type: ignore[attr-defined]

    async def all(self, session: Context, filters: dict[str, Any] | None = None) -> list[T]:
        found: list[T] = []
        async for page in self.pages(session, dict(filters or {})):
            found.extend(page)
        return found

    async def find(self, session: Context, ref: str) -> T:
        """One object by its key or, failing that, by an exact name (case-sensitive); ``NotFoundError`` if none,
        ``AmbiguousError`` if the name is not unique."""
        ref = ref.strip()
        if not ref:
            raise NotFoundError(f"no {self.singular.lower()} given")
        if self.fetch is not None:
            try:
                return await self.fetch(session, ref)
            except NotFoundError:
                pass
            except CloudzyError as exc:
                # A name is not an id: some servers answer 400/422 for a malformed id. Anything else is real.
                if exc.status not in (400, 422):
                    raise
        matches: list[T] = []
        pages = self.search(session, ref) if self.search is not None else self.pages(session, {})
        async for page in pages:
            for item in page:
                names = list(self.names_of(item)) if self.names_of is not None else []
                if self.key_of(item) == ref or ref in names:
                    matches.append(item)
        if not matches:
            raise NotFoundError(f"no {self.singular.lower()} with the id or name {clean(ref, max_length=60)!r}")
        if len({self.key_of(m) for m in matches}) > 1:
            keys = ", ".join(clean(self.key_of(m), max_length=40) for m in matches[:5])
            raise AmbiguousError(
                f"{len(matches)} {self.title.lower()} answer to {clean(ref, max_length=60)!r} ({keys}): use the id"
            )
        return matches[0]
