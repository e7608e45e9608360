"""``CloudzyClient``: one object per profile holding the shared transport and every resource."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from types import TracebackType

import httpx
from pydantic import SecretStr

from cloudzy_tui.api._transport import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    EventCallback,
    Sleep,
    Transport,
)
from cloudzy_tui.api.backups import Backups
from cloudzy_tui.api.budget import RequestBudget
from cloudzy_tui.api.catalog import Applications, OperatingSystems, Products, Regions
from cloudzy_tui.api.floating_ips import FloatingIps
from cloudzy_tui.api.instances import Instances
from cloudzy_tui.api.media import Images, Isos
from cloudzy_tui.api.snapshots import Snapshots
from cloudzy_tui.api.ssh_keys import SshKeys
from cloudzy_tui.api.trace import RequestTrace

__all__ = ["CloudzyClient"]


class CloudzyClient:
    """The Cloudzy Developer API client.

    ``base_url`` is the API root (``https://api.cloudzy.com/developers``); every path starts ``/v1/``.
    ``token`` is kept as a ``SecretStr`` and only put on requests as they are sent; it never appears in a
    repr, an exception, an event or a log line. ``transport`` may be any ``httpx.AsyncBaseTransport``
    (``httpx.ASGITransport`` for the in-process simulator, ``httpx.MockTransport`` in tests).
    ``on_event`` is called after every HTTP attempt with a :class:`RequestEvent`.
    ``sleep`` and ``rng`` are injectable so that retry tests need not wait. ``budget`` (a
    :class:`~cloudzy_tui.api.budget.RequestBudget`) is the request budget shared with the app's other clients.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str | SecretStr = "",
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        read_only: bool = False,
        on_event: EventCallback | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        budget: RequestBudget | None = None,
    ) -> None:
        secret = token if isinstance(token, SecretStr) else SecretStr(str(token))
        self._transport = Transport(
            base_url=base_url,
            token=secret,
            transport=transport,
            timeout=timeout,
            max_retries=max_retries,
            read_only=read_only,
            on_event=on_event,
            sleep=sleep,
            rng=rng,
            budget=budget,
        )
        del secret, token
        t = self._transport
        self.instances = Instances(t)
        self.regions = Regions(t)
        self.products = Products(t)
        self.os = OperatingSystems(t)
        self.applications = Applications(t)
        self.ssh_keys = SshKeys(t)
        self.floating_ips = FloatingIps(t)
        self.isos = Isos(t)
        self.images = Images(t)
        self.snapshots = Snapshots(t)
        self.backups = Backups(t)

    # -- settings the UI reads or changes -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root, for display."""
        return self._transport.base_url

    @property
    def read_only(self) -> bool:
        """When True every non-GET request raises ReadOnlyError before anything is sent."""
        return self._transport.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self._transport.read_only = bool(value)

    @property
    def max_retries(self) -> int:
        return self._transport.max_retries

    @max_retries.setter
    def max_retries(self, value: int) -> None:
        if value < 0:
            raise ValueError("max_retries must be 0 or more")
        self._transport.max_retries = int(value)

    @property
    def on_event(self) -> EventCallback | None:
        return self._transport.on_event

    @on_event.setter
    def on_event(self, callback: EventCallback | None) -> None:
        self._transport.on_event = callback

    @property
    def trace(self) -> RequestTrace:
        """The newest requests this client sent, as they ended (bounded; no headers, bodies or token)."""
        return self._transport.trace

    @trace.setter
    def trace(self, trace: RequestTrace) -> None:
        self._transport.trace = trace

    @property
    def budget(self) -> RequestBudget | None:
        """The request budget this client draws from (shared with the app's other clients), if any."""
        return self._transport.budget

    @budget.setter
    def budget(self, value: RequestBudget | None) -> None:
        self._transport.budget = value

    @property
    def requests_sent(self) -> int:
        """HTTP attempts this client has made (retries included)."""
        return self._transport.sent

    @property
    def is_closed(self) -> bool:
        return self._transport.is_closed

    def set_token(self, token: str | SecretStr) -> None:
        """Replace the token (a 401 mid-session: the user enters another without restarting)."""
        self._transport.set_token(token if isinstance(token, SecretStr) else SecretStr(str(token)))

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> CloudzyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        flag = ", read_only=True" if self.read_only else ""
        return f"CloudzyClient(base_url={self.base_url!r}{flag})"
