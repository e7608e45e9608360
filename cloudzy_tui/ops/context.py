"""What an operation's body, a resource's pager and its fetcher may use of the session that runs them: the client,
the catalog, the page walk and (to be read, as the activity list does) the audit log. Nothing else: policy,
confirmation and the job hand-off stay with
:class:`cloudzy_tui.ops.session.Session`, which runs the bodies and provides this contract (checked by mypy there).

Typing the bodies against this Protocol instead of the concrete ``Session`` keeps the import graph of ``ops/`` a
tree: the session reads the registry of resources, the resources never read the session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cloudzy_tui.api import CloudzyClient, Page
    from cloudzy_tui.core.audit import AuditLog
    from cloudzy_tui.core.catalog import Catalog


class Context(Protocol):
    """The services an operation's body or a resource's reader is handed."""

    @property
    def client(self) -> CloudzyClient: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def audit(self) -> AuditLog: ...

    def walk(self, make: Callable[[CloudzyClient], AsyncIterator[Page[Any]]]) -> AsyncIterator[list[Any]]:
        """The items of a paged list walk, page by page (off the caller's loop when the face provides a walker)."""
        ...
