"""What a resource screen needs to know about one kind of resource.

One ``ResourceScreen`` serves every resource; each resource is a ``ResourceSpec``: how to load it, its columns, the
text its filter matches, its detail pane, and its actions. Adding a resource means adding one spec module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from rich.text import Text

from cloudzy_tui.ui.text import safe_text

if TYPE_CHECKING:
    from cloudzy_tui.core.catalog import Catalog
    from cloudzy_tui.ui.app import CloudzyApp
    from cloudzy_tui.ui.screens.resource import ResourceScreen

T = TypeVar("T")


@dataclass(frozen=True)
class View:
    """What rendering may depend on besides the item: the time and the session catalog."""

    now: float
    catalog: Catalog


def as_text(value: Any) -> Text:
    """A cell or field value as text: ``Text`` is trusted as built, anything else goes through ``safe_text``.
    A whole float shows as an integer (JSON has one number type: a server may send ``4.0`` vCPUs)."""
    if isinstance(value, Text):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return safe_text(value)


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    label: str
    cell: Callable[[T, View], Any]
    sort: Callable[[T], Any] | None = None
    min_width: int = 3
    max_width: int = 30
    justify: Literal["left", "right"] = "left"
    flex: bool = False


@dataclass(frozen=True)
class Section:
    """A titled block of the detail pane: label/value rows, or free text (``body``)."""

    title: str
    rows: Sequence[tuple[str, Any]] = ()
    body: Text | None = None


@dataclass(frozen=True)
class FilterField:
    """A server-side filter the list endpoint accepts (shown in the filter form, passed to ``load``)."""

    name: str
    label: str
    kind: Literal["text", "bool", "choice"] = "text"
    choices: Sequence[tuple[str, str]] = ()
    placeholder: str = ""


@dataclass
class ActionCall(Generic[T]):
    """One run of an action: the app's services, the screen it was started from, the item it acts on."""

    app: CloudzyApp
    screen: ResourceScreen[Any]
    item: T | None

    @property
    def target(self) -> T:
        assert self.item is not None
        return self.item


ActionRunner = Callable[[ActionCall[Any]], Awaitable[None]]
Danger = Literal["none", "confirm", "type"]


@dataclass(frozen=True)
class Action(Generic[T]):
    """An operation on a resource (or, with ``needs_item=False``, on the list: create, allocate...)."""

    id: str
    key: str
    title: str
    run: ActionRunner
    description: str = ""
    needs_item: bool = True
    mutating: bool = True
    show: bool = True
    # None when the action applies to this item, else the reason it does not ("only ACTIVE snapshots").
    unavailable: Callable[[T], str | None] | None = None
    # A mutating action on an item whose spec names an instance (``instance_of``) is refused when that
    # instance is protected; ``guard=False`` for actions that do not change the instance (delete a snapshot).
    guard: bool = True


LoadPages = Callable[["CloudzyApp", dict[str, Any]], AsyncIterator[Sequence[Any]]]


@dataclass
class ResourceSpec(Generic[T]):
    name: str
    title: str
    key_of: Callable[[T], str]
    columns: Sequence[Column[T]]
    load: LoadPages
    detail: Callable[[T, View], list[Section]]
    aliases: tuple[str, ...] = ()
    singular: str = ""
    fetch_one: Callable[[CloudzyApp, T], Awaitable[T]] | None = None
    related: Callable[[CloudzyApp, T, View], Awaitable[list[Section]]] | None = None
    actions: Sequence[Action[T]] = ()
    copy_value: Callable[[T], str] | None = None
    label_of: Callable[[T], str] | None = None
    row_style: Callable[[T], str] | None = None
    filters: Sequence[FilterField] = ()
    empty_hint: str = "Nothing here yet."
    refresh_interval: float = 15.0
    default_sort: str | None = None
    job_kind: str | None = None  # which job tracker kind updates rows of this screen
    to_json: Callable[[T], Any] | None = None
    # The instance (id, hostname) an item belongs to, for protected-instance checks.
    instance_of: Callable[[T], tuple[str, str | None] | None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def label(self, item: T) -> str:
        return self.label_of(item) if self.label_of else self.key_of(item)

    def action(self, action_id: str) -> Action[T] | None:
        return next((a for a in self.actions if a.id == action_id), None)
