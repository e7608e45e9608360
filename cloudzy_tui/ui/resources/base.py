"""What a resource screen needs to know about one kind of resource.

One ``ResourceScreen`` serves every resource; each resource is a ``ResourceSpec``: how to load it, its columns, the
text its filter matches, its detail pane, and its actions. Adding a resource means adding one spec module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from cloudzy_tui.ops import Filter, Operation, Resource
from cloudzy_tui.ui.text import as_text as as_text  # (where it was defined before)
from cloudzy_tui.ui.widgets.detail_pane import Section

if TYPE_CHECKING:
    from cloudzy_tui.core.catalog import Catalog
    from cloudzy_tui.ui.services import Console, ListScreen

T = TypeVar("T")


@dataclass(frozen=True)
class View:
    """What rendering may depend on besides the item: the time and the session catalog."""

    now: float
    catalog: Catalog


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
    # When the screen is too narrow for every column, the highest numbers are hidden first (whole columns; the
    # first column always stays). ``cut``: free text that may be shortened with "…" down to ``min_width``; other
    # columns (numbers, dates, statuses, addresses) are shown whole or hidden, never cut.
    priority: int = 50
    cut: bool = False


@dataclass
class ActionCall(Generic[T]):
    """One run of an action: the app's services, the screen it was started from, the item it acts on."""

    app: Console
    screen: ListScreen
    item: T | None
    #: the marked rows, for an action that runs once for all of them (``Action.bulk``: ssh to each); else None
    items: list[T] | None = None

    @property
    def target(self) -> T:
        assert self.item is not None
        return self.item


ActionRunner = Callable[[ActionCall[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Action(Generic[T]):
    """A key on a resource screen.

    Most actions are a view of an operation (``op``): what it does, whether it mutates, when it applies and which
    rails hold are the operation's (``ops/``); ``run`` is only how the console asks for its parameters and
    confirmation (a form, a dialog) before ``Session.execute``. Without ``run``, the generic runner asks what the
    operation's confirmation says and executes it. Actions without ``op`` are the console's own (ssh, go to,
    copy): they change nothing on the account.
    """

    id: str
    key: str
    title: str
    run: ActionRunner | None = None
    description: str = ""
    op: Operation[Any] | None = None
    show: bool = True
    # Whether the action needs a row under the cursor.
    needs_item: bool = True
    # Whether that row is the operation's target (then the operation's own state rules apply to it); False for
    # keys whose run picks the target itself (``n`` on snapshots asks for the instance).
    row_is_target: bool = True
    # When a console-only action applies to the row (operations say this for themselves).
    unavailable_: Callable[[T], str | None] | None = None
    # A console-only action that, with rows marked, runs once with all of them (``ActionCall.items``), e.g. ssh
    # to each marked instance. Operations run on marked rows through ops/bulk.py (see ui/bulk.py) instead.
    bulk: bool = False

    @property
    def mutating(self) -> bool:
        return self.op.mutating if self.op is not None else False

    def unavailable(self, item: T) -> str | None:
        if self.op is not None:
            if not self.row_is_target or self.op.unavailable is None:
                return None
            return self.op.unavailable(item)
        return self.unavailable_(item) if self.unavailable_ is not None else None


def op_action(
    op: Operation[Any],
    key: str,
    *,
    id: str | None = None,
    run: ActionRunner | None = None,
    show: bool = True,
    title: str | None = None,
    needs_item: bool | None = None,
    row_is_target: bool | None = None,
) -> Action[Any]:
    """The console's key for an operation. By default the row under the cursor is its target (when it has one)."""
    needs = op.needs_target if needs_item is None else needs_item
    is_target = needs and op.needs_target if row_is_target is None else row_is_target
    return Action(
        id=id or op.name.replace("-", "_"),
        key=key,
        title=title or op.title,
        run=run,
        description=op.summary,
        op=op,
        show=show,
        needs_item=needs,
        row_is_target=is_target,
    )


def console_action(
    id: str,
    key: str,
    title: str,
    run: ActionRunner,
    description: str = "",
    *,
    needs_item: bool = True,
    unavailable: Callable[[Any], str | None] | None = None,
    show: bool = True,
    bulk: bool = False,
) -> Action[Any]:
    """A key of the console's own that changes nothing on the account (ssh, go to...)."""
    return Action(
        id=id,
        key=key,
        title=title,
        run=run,
        description=description,
        show=show,
        needs_item=needs_item,
        row_is_target=False,
        unavailable_=unavailable,
        bulk=bulk,
    )


@dataclass
class ResourceSpec(Generic[T]):
    """How the console shows one resource: the ops ``resource`` (names, loading, keys) plus columns, detail pane and
    the keys of its actions."""

    resource: Resource[T]
    columns: Sequence[Column[T]]
    detail: Callable[[T, View], list[Section]]
    related: Callable[[Console, T, View], Awaitable[list[Section]]] | None = None
    actions: Sequence[Action[T]] = ()
    copy_value: Callable[[T], str] | None = None
    row_style: Callable[[T], str] | None = None
    empty_hint: str = "Nothing here yet."
    refresh_interval: float = 15.0
    # The column a list opens sorted by, until the user sorts (``created`` with ``default_sort_reverse``: newest
    # first, and a new object lands where the sort puts it, not at the bottom).
    default_sort: str | None = None
    default_sort_reverse: bool = False
    # Shown for the title instead of the resource's (a rare override).
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def title(self) -> str:
        return self.resource.title

    @property
    def singular(self) -> str:
        return self.resource.singular

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.resource.aliases

    @property
    def filters(self) -> Sequence[Filter]:
        return self.resource.filters

    @property
    def job_kind(self) -> str | None:
        return self.resource.job_kind

    def key_of(self, item: T) -> str:
        return self.resource.key_of(item)

    def label(self, item: T) -> str:
        return self.resource.label_of(item)

    def to_json(self, item: T) -> Any:
        return self.resource.json(item)

    def load(self, app: Console, filters: dict[str, Any]) -> AsyncIterator[Sequence[T]]:
        return self.resource.pages(app.ops, filters)

    @property
    def can_fetch_one(self) -> bool:
        return self.resource.fetch is not None

    async def fetch_one(self, app: Console, item: T) -> T:
        assert self.resource.fetch is not None
        return await self.resource.fetch(app.ops, self.key_of(item))

    def action(self, action_id: str) -> Action[T] | None:
        return next((a for a in self.actions if a.id == action_id), None)
