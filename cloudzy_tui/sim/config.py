"""Simulator configuration and the controllable clock used by tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

#: Seed content (creation dates, expiry dates...) is laid out relative to this fixed instant,
#: 2025-11-01T00:00:00Z, never relative to the wall clock.
SEED_BASE_EPOCH = 1_761_955_200.0


class FakeClock:
    """A clock that only moves when told to: ``clock()`` returns epoch seconds.

    The default start (2025-11-24T16:00:00Z) lies after every seeded timestamp.
    """

    def __init__(self, start: float = 1_764_000_000.0) -> None:
        self.time = float(start)

    def __call__(self) -> float:
        return self.time

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` and return the new time."""
        if seconds < 0:
            raise ValueError("a FakeClock only moves forward")
        self.time += seconds
        return self.time

    def set(self, when: float) -> None:
        self.time = float(when)

    def __repr__(self) -> str:
        return f"FakeClock({self.time!r})"


@dataclass
class SimConfig:
    """Everything that shapes a simulator run. The fault and timing knobs (``job_seconds``, ``latency_ms``,
    ``error_rate``, ``rate_limit``, ``snapshot_failure_rate``, ``token``, ``clock``) may be changed on a live
    simulator (``sim.config.error_rate = 1.0``): they are read on every request. ``seed``, ``balance``,
    ``instances`` and ``request_log`` are read once, when the simulator is built."""

    seed: int = 1
    token: str = "demo-token"
    #: seconds each step of an asynchronous transition takes (e.g. preparing_disk -> initializing)
    job_seconds: float = 3.0
    #: the customer's balance; new instances and upgrades are checked against it
    balance: float = 1000.0
    #: extra generated instances on top of the ~30 seeded ones
    instances: int = 0
    #: delay added to every request, in milliseconds
    latency_ms: float = 0
    #: share of requests answered 500/502/503 (drawn from a RNG seeded with ``seed``)
    error_rate: float = 0.0
    #: requests admitted per sliding second; beyond that 429 with Retry-After (0 = off)
    rate_limit: int = 0
    #: share of new snapshots that end FAILED instead of ACTIVE (1.0 forces failure)
    snapshot_failure_rate: float = 0.1
    #: how many requests ``sim.requests`` keeps: a ring of the newest ones (0 = none). The per-endpoint request
    #: counters (``sim.request_counts()``, ``GET /_sim/requests``) are always on and need no log.
    request_log: int = 1000
    #: a callable returning epoch seconds; None means ``time.time``
    clock: Callable[[], float] | None = None

    def now(self) -> float:
        return (self.clock or time.time)()
