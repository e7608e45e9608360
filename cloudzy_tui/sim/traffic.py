"""What the simulator received: the request log (``sim.requests``, a bounded ring) and the request counters per
endpoint (always on, one number per endpoint).

Both are bounded whatever the run's length: the log keeps the newest ``SimConfig.request_log`` requests (default
1,000; 0 keeps none), the counters one entry per endpoint that was called -- the 41 route templates, plus one
``"<METHOD> (no route)"`` entry per HTTP method for requests that matched none (unknown paths, wrong methods,
paths outside ``/developers``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, SupportsIndex, overload

#: the counters' key for a request that matched no endpoint: ``"GET (no route)"``
NO_ROUTE = "(no route)"


@dataclass
class RequestRecord:
    """One request the simulator answered.

    ``path`` is relative to ``/developers`` (``"/v1/instances"``; a path outside ``/developers`` is kept
    whole), ``query`` the query string (last value wins), ``status`` the HTTP status sent (``0`` when the
    connection was reset by a fault), ``body`` the JSON body sent by the client (None if empty or not JSON).
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    body: Any = None


class RequestLog(deque[RequestRecord]):
    """``sim.requests``: the newest ``maxlen`` requests, oldest first. A ring: each request past ``maxlen`` drops
    the oldest one; ``maxlen`` 0 keeps nothing. Indexes and slices like a list (``log[-1]``, ``log[1:]``)."""

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> RequestRecord: ...

    @overload
    def __getitem__(self, index: slice, /) -> list[RequestRecord]: ...

    def __getitem__(self, index: SupportsIndex | slice, /) -> RequestRecord | list[RequestRecord]:
        if isinstance(index, slice):
            return list(self)[index]
        return super().__getitem__(index)


def endpoint(method: str, template: str | None) -> str:
    """The counters' key: ``"GET /v1/instances/{instanceId}"``, or ``"GET (no route)"``."""
    return f"{method} {template or NO_ROUTE}"


@dataclass(frozen=True)
class RequestCounts:
    """Requests received since ``since`` (epoch seconds on the simulator's clock): ``total`` and per endpoint."""

    total: int
    endpoints: dict[str, int] = field(default_factory=dict)
    since: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "since": self.since, "endpoints": dict(self.endpoints)}


class RequestCounter:
    """Counts every request the simulator receives, per endpoint (``endpoint()``), since the last ``reset``."""

    def __init__(self, now: float) -> None:
        self._counts: dict[str, int] = {}
        self._total = 0
        self._since = now

    def add(self, key: str) -> None:
        self._counts[key] = self._counts.get(key, 0) + 1
        self._total += 1

    def counts(self) -> RequestCounts:
        return RequestCounts(self._total, dict(sorted(self._counts.items())), self._since)

    def reset(self, now: float) -> RequestCounts:
        """Start counting afresh at ``now``; returns the counts up to here."""
        before = self.counts()
        self._counts.clear()
        self._total = 0
        self._since = now
        return before
