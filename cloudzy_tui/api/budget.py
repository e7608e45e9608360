"""One request budget for the whole app: a token bucket every client, worker and thread draws from.

``RequestBudget(per_minute, burst=...)`` admits ``burst`` requests at once and ``per_minute`` a minute after
that: in any window of ``w`` seconds at most ``burst + per_minute * w / 60`` requests start. It is scheduled by
reservation (GCRA): each request is given the earliest time it may start and sleeps until then, so waiting
requests go in the order they asked, and no lock is held while anyone waits. The lock is a
``threading.Lock``: the console's list client runs on another thread's event loop and shares the budget.

``pause(seconds)`` (a 429's ``Retry-After``) holds back every request not yet sent, in every worker, until then:
a request already granted a slot looks again after its sleep and waits for the pause too.

``rate(window)`` is the requests per minute over the last ``window`` seconds, five minutes by default (for the
status bar: an idle console's rate, its periodic full walk included).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]

#: the default ``max_requests_per_minute`` (a burst of a quarter of it: one full walk of 10,000 instances)
DEFAULT_PER_MINUTE = 600


class RequestBudget:
    def __init__(
        self,
        per_minute: float = DEFAULT_PER_MINUTE,
        *,
        burst: int | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be more than 0")
        self.per_minute = float(per_minute)
        self.burst = max(1, int(burst if burst is not None else per_minute / 4))
        self._interval = 60.0 / self.per_minute
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tat = clock()  # the "theoretical arrival time" of the next request
        self._paused_until = 0.0
        self._sent: deque[float] = deque()
        self._first_sent: float | None = None
        self.waited = 0.0
        self.pauses = 0

    def __repr__(self) -> str:
        return f"RequestBudget(per_minute={self.per_minute:g}, burst={self.burst})"

    # -- scheduling ------------------------------------------------------------------------------------------

    def _reserve(self) -> float:
        """The seconds until this request may start (its slot is taken now)."""
        with self._lock:
            now = self._clock()
            tolerance = (self.burst - 1) * self._interval
            start = max(now, self._tat - tolerance, self._paused_until)
            self._tat = max(self._tat, start) + self._interval
            return start - now

    async def acquire(self) -> None:
        """Wait for this request's slot (and for any pause that began meanwhile)."""
        wait = self._reserve()
        while wait > 0:
            self.waited += wait
            await self._sleep(wait)
            with self._lock:
                wait = self._paused_until - self._clock()
        with self._lock:
            now = self._clock()
            if self._first_sent is None:
                self._first_sent = now
            self._sent.append(now)
            while self._sent and self._sent[0] < now - 300:
                self._sent.popleft()

    def pause(self, seconds: float) -> None:
        """Hold every request not yet sent for ``seconds`` from now (a 429's ``Retry-After``)."""
        if seconds <= 0:
            return
        with self._lock:
            until = self._clock() + seconds
            if until > self._paused_until:
                self._paused_until = until
                self.pauses += 1

    @property
    def paused_for(self) -> float:
        with self._lock:
            return max(0.0, self._paused_until - self._clock())

    def rate(self, window: float = 300.0) -> float:
        """Requests per minute sent over the last ``window`` seconds (at most 300; since the first request when
        that is sooner, but over one minute at least)."""
        with self._lock:
            now = self._clock()
            if self._first_sent is not None:
                window = min(window, max(60.0, now - self._first_sent))
            count = sum(1 for t in self._sent if t >= now - window)
        return count * 60.0 / window
