"""``Simulator``: the seeded account (a ``Store``) plus what the HTTP face needs to answer requests.

    sim = Simulator(SimConfig(seed=1, clock=FakeClock()))
    sim.instances["..."]["status"]       # the tables of ``Store`` (see ``store.py``)
    instances.power_off(sim, "...")      # operations: ``cloudzy_tui.sim.resources.*``, the store first
    sim.requests[-1]                     # the newest requests (a ring of ``config.request_log``)
    sim.request_counts()                 # requests per endpoint since the last ``reset_request_counts()``

Call ``sim.refresh()`` after moving a FakeClock to apply due transitions without a request.
"""

from __future__ import annotations

import random
from typing import Any

from cloudzy_tui.sim.config import SimConfig
from cloudzy_tui.sim.faults import FaultQueue, RateLimiter
from cloudzy_tui.sim.records import DownloadRecord
from cloudzy_tui.sim.resources import backups, catalog, downloads
from cloudzy_tui.sim.resources.instances import decode_bookmark
from cloudzy_tui.sim.seed import populate
from cloudzy_tui.sim.store import Store
from cloudzy_tui.sim.traffic import RequestCounter, RequestCounts, RequestLog

__all__ = ["Simulator", "decode_bookmark"]


class Simulator(Store):
    """The simulated Cloudzy account: the store's tables (``instances``, ``snapshots``, ...) seeded from
    ``config.seed``, and the request log (``requests``), request counters, programmable faults (``faults``) and
    rate limiter the HTTP face uses."""

    def __init__(self, config: SimConfig | None = None) -> None:
        super().__init__(config or SimConfig())
        #: the random ``error_rate`` faults' own stream (fault draws never change the data)
        self.rng_faults = random.Random(f"{self.config.seed}:faults")
        self.requests = RequestLog(maxlen=self.config.request_log)
        self.request_counter = RequestCounter(self.started)
        self.faults = FaultQueue()
        self.rate_limiter = RateLimiter()
        populate(self)

    # ------------------------------------------------------------------ request counters
    def request_counts(self) -> RequestCounts:
        """Requests received per endpoint (``"GET /v1/instances"``) and in total since the last reset."""
        return self.request_counter.counts()

    def reset_request_counts(self) -> RequestCounts:
        """Start the counters afresh (e.g. before a benchmark's window); returns the counts until now."""
        return self.request_counter.reset(self.now())

    # ------------------------------------------------------------------ conveniences for tests
    def downloads(self, kind: str) -> dict[str, DownloadRecord]:
        """The ISOs (``kind`` ``"iso"``) or images."""
        return downloads.table(self, kind)

    def render_download(self, record: DownloadRecord) -> dict[str, Any]:
        """An ISO/image as the API shows it now (with ``progress``)."""
        return downloads.render_download(self, record)

    def list_backups(self, status: str | None = None) -> list[dict[str, Any]]:
        """The backup profiles as the API shows them."""
        return backups.list_backups(self, status)

    @staticmethod
    def price_item(product: dict[str, Any], cycle: str) -> dict[str, Any]:
        """A product's price item for a billing cycle."""
        return catalog.price_item(product, cycle)
