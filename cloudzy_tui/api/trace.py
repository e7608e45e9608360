"""A bounded record of the requests a client sent: the console's request trace and its view of the API's health.

No Textual here. The transport records one :class:`TraceEntry` per request when it ends (the retries it took are
counted in it, not listed), and the last low-balance answer (460) it saw. Entries carry the method, the path
without its query string, the status, the final attempt's time and the retries; never a header, a body or the
token (the path and the error are scrubbed again here, through :mod:`cloudzy_tui.api.redact`).

The record is shared safely between threads (the console's list walks run on a loop of their own).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cloudzy_tui.api.redact import scrub

#: requests kept (the newest)
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class TraceEntry:
    """One request as it ended. ``status`` is ``None`` when no answer came; ``ms`` is the final attempt's time."""

    seq: int
    time: float
    method: str
    path: str
    status: int | None
    ms: float
    retries: int
    outcome: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Balance:
    """What the last 460 (low balance) answer said."""

    time: float
    customer_balance: float | None
    minimum_required: float | None
    path: str


class RequestTrace:
    """The newest ``limit`` requests, oldest first; thread-safe."""

    def __init__(self, limit: int = DEFAULT_LIMIT, clock: Callable[[], float] = time.time) -> None:
        if limit < 1:
            raise ValueError("limit must be 1 or more")
        self.limit = limit
        self.clock = clock
        self._entries: deque[TraceEntry] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.total = 0
        self.balance: Balance | None = None

    def record(
        self,
        method: str,
        path: str,
        status: int | None,
        elapsed: float,
        attempt: int,
        outcome: str,
        error: str | None = None,
    ) -> TraceEntry:
        with self._lock:
            entry = TraceEntry(
                seq=next(self._seq),
                time=self.clock(),
                method=method.upper(),
                path=scrub(path),
                status=status,
                ms=max(0.0, elapsed * 1000.0),
                retries=max(0, attempt - 1),
                outcome=outcome,
                error=scrub(error) if error else None,
            )
            self._entries.append(entry)
            self.total += 1
        return entry

    def note_balance(self, customer_balance: float | None, minimum_required: float | None, path: str) -> None:
        self.balance = Balance(self.clock(), customer_balance, minimum_required, scrub(path))

    def entries(self) -> list[TraceEntry]:
        """A copy, oldest first."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
