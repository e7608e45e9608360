"""What the parts of the console may ask of the application: the UI contract ("attributes down, messages up").

Specs (``ui/resources``), flows (``ui/operations.py``), modals and screens are typed against these Protocols, never
against the concrete ``CloudzyApp`` (``ui/app.py``, the shell that implements them): so no module of ``ui/`` imports
the shell, and the shell is the only place that knows every part.

* :class:`Console`: the services a spec's action, a flow or a modal uses (ask, confirm, toast, report an error,
  follow a job, go to a resource, run a terminal program, the API client, the catalog, the operations session).
* :class:`ScreenHost`: what a resource screen uses besides (the signals it listens to, refresh settings, the
  freshness planner and list cache, going back, the shell's badges for its status line).
* :class:`ListScreen`: what an action may do to the list it was started from (``ActionCall.screen``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rich.text import Text
    from textual.screen import Screen
    from textual.signal import Signal

    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.core.cache import ListCache
    from cloudzy_tui.core.catalog import Catalog
    from cloudzy_tui.core.jobs import Expectation, Job, JobTracker
    from cloudzy_tui.ops import Session
    from cloudzy_tui.ops.freshness import FreshnessPlanner
    from cloudzy_tui.ops.ssh import SshSettings
    from cloudzy_tui.ui.rowmodel import RowModel
    from cloudzy_tui.ui.widgets.resource_table import ResourceTable


class Console(Protocol):
    """The services of the console that specs, flows and modals use."""

    @property
    def client(self) -> CloudzyClient: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def ops(self) -> Session:
        """Every operation runs through this session (rails, confirmation, audit, job hand-off)."""
        ...

    @property
    def jobs(self) -> JobTracker: ...

    @property
    def job_updates(self) -> Signal[Job]: ...

    @property
    def ssh_settings(self) -> SshSettings: ...

    @property
    def is_web(self) -> bool:
        """Running in a browser (``cloudzy-tui serve``): no terminal to hand over."""
        ...

    def monotonic(self) -> float: ...

    async def ask(self, modal: Screen[Any]) -> Any:
        """Show a modal (from a worker) and return what it was dismissed with."""
        ...

    async def confirm(
        self,
        title: str,
        message: Text | str,
        *,
        confirm_label: str = ...,
        danger: bool = ...,
        require: str | None = ...,
        require_label: str = ...,
    ) -> bool:
        """Ask (from a worker); True only if the user confirmed."""
        ...

    def toast(self, message: str, *, severity: str = ..., title: str = ..., timeout: float = ...) -> None:
        """A notification whose text is taken literally (server strings included)."""
        ...

    def report_error(self, exc: BaseException, *, context: str = ...) -> None: ...

    def track(
        self,
        kind: str,
        target_id: str,
        label: str,
        action: str,
        expect: Expectation,
        *,
        timeout: float | None = ...,
    ) -> Job:
        """Follow an asynchronous operation to its end; rows update and a toast announces the end."""
        ...

    def show_resource(self, name: str, *, select: str | None = ..., remember: bool = ...) -> bool:
        """Go to a resource's screen (by name or alias), the cursor on ``select`` when given."""
        ...

    async def run_external(self, argv: list[str], *, banner: str = ...) -> tuple[int, str]:
        """Run a terminal program (ssh) with the console suspended; back on exit. Returns (status, error)."""
        ...

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...


class ScreenHost(Console, Protocol):
    """What a resource screen uses of the console besides the services of :class:`Console`."""

    @property
    def read_only(self) -> bool: ...

    def now(self) -> float:
        """The wall clock (tests freeze it): ages and times shown."""
        ...

    @property
    def resource_updates(self) -> Signal[tuple[str, Any]]:
        """``(job kind, item)`` as jobs advance: a list showing the item updates its row."""
        ...

    @property
    def catalog_loaded(self) -> Signal[None]: ...

    @property
    def detail_delay(self) -> float:
        """How long the cursor must rest on a row before its full detail is fetched."""
        ...

    @property
    def refresh_seconds(self) -> float:
        """The user's refresh period (0: no live refresh), scaled per resource by ``refresh.refresh_period``."""
        ...

    @property
    def freshness(self) -> FreshnessPlanner: ...

    @property
    def list_cache(self) -> ListCache | None: ...

    def requests_sent(self) -> int:
        """HTTP attempts made by the console's clients so far (a walk's cost is the difference)."""
        ...

    def ensure_catalog(self) -> None:
        """Fetch the parts of the catalog that failed before."""
        ...

    def go_back(self) -> None:
        """Back to the screen shown before (Esc on a list)."""
        ...

    def screen_for(self, name: str) -> Screen[Any]:
        """The screen of a resource (made and installed on first use)."""
        ...

    def action_jobs(self) -> None:
        """Open the jobs view."""
        ...

    def status_badges(self) -> list[tuple[int, Text]]:
        """The shell's items at the right of every status line (request rate, read-only, profile), ranked."""
        ...


class ListScreen(Protocol):
    """What an action may do to the list it was started from (``model``, ``table`` and ``upsert_items``: the create
    wizard's, which shows and selects the new instances)."""

    @property
    def server_filters(self) -> dict[str, Any]: ...

    @property
    def model(self) -> RowModel[Any]: ...

    @property
    def table(self) -> ResourceTable: ...

    def upsert_items(self, items: Sequence[Any]) -> None: ...

    def remove_item(self, key: str) -> None: ...
