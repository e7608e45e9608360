"""Stored objects and their scheduled transitions.

Every stored object is a ``Record``: ``record.data`` is the JSON object exactly as the API serves it
(``record["status"]`` reads it), plus a few typed fields the API does not show. Time-driven changes are
``Transition``s kept on a single heap and applied lazily by ``Scheduler.run_due(now)`` -- on every request,
or when a test calls ``sim.refresh()``. Nothing runs in the background.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Transition:
    """At ``at`` (epoch seconds) run ``apply(at)``; ``label`` names the status it leads to."""

    at: float
    label: str
    apply: Callable[[float], None]
    record: Record = field(repr=False)
    cancelled: bool = False


@dataclass(eq=False)
class Record:
    data: dict[str, Any]
    #: transitions scheduled for this object, in time order
    pending: list[Transition] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def id(self) -> Any:
        return self.data["id"]

    @property
    def status(self) -> Any:
        return self.data.get("status")

    @property
    def busy(self) -> bool:
        """True while a transition is pending (a transitional status is showing)."""
        return bool(self.pending)


@dataclass(eq=False)
class InstanceRecord(Record):
    #: position in the instance listing (higher = newer); bookmarks point at it
    seq: int = 0
    #: physical server (the ``host`` filter); not part of the wire object
    host: str = ""
    #: price per month of the plan + extras, under the instance's billing cycle
    monthly_price: float = 0.0
    #: amount held against the balance for this instance (0 for seeded ones)
    reserved: float = 0.0
    billing_cycle: str = "hourly"
    ssh_key_ids: list[int] = field(default_factory=list)
    #: epoch seconds of ``insertedAt``
    created: float = 0.0
    #: traffic bought with add-traffic (TB) not yet credited: ``extraResource.bandwidthInTB`` is an integer
    #: (the reference's ExtraResourceDetailSchema), so only whole TB show and fractions accumulate here
    traffic_fraction: float = 0.0

    @property
    def deleted(self) -> bool:
        return self.data["status"] == "deleted"


@dataclass(eq=False)
class SnapshotRecord(Record):
    #: automated backups (listed with ``is_automated_backup=true`` and in a backup profile's files)
    automated: bool = False
    #: OS the snapshot holds (restored with it)
    os_id: str | None = None


@dataclass(eq=False)
class DownloadRecord(Record):
    """An ISO or image; ``progress`` is computed from these while DOWNLOADING."""

    started: float = 0.0
    finishes: float = 0.0


def set_status(record: Record, status: str) -> Callable[[float], None]:
    """A transition's ``apply`` that sets ``record``'s wire ``status``."""

    def apply(at: float) -> None:
        record.data["status"] = status

    return apply


class Scheduler:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Transition]] = []
        self._counter = itertools.count()

    def __len__(self) -> int:
        return sum(1 for _, _, t in self._heap if not t.cancelled)

    def schedule(self, record: Record, at: float, label: str, apply: Callable[[float], None]) -> Transition:
        transition = Transition(at, label, apply, record)
        record.pending.append(transition)
        heapq.heappush(self._heap, (at, next(self._counter), transition))
        return transition

    def chain(
        self, record: Record, start: float, step: float, steps: list[tuple[str, Callable[[float], None]]]
    ) -> None:
        """Schedule ``steps`` one ``step`` apart, the first at ``start + step``."""
        for index, (label, apply) in enumerate(steps, start=1):
            self.schedule(record, start + step * index, label, apply)

    def cancel(self, record: Record) -> None:
        for transition in record.pending:
            transition.cancelled = True
        record.pending.clear()

    def run_due(self, now: float) -> int:
        """Apply every transition due at ``now`` in time order; returns how many ran."""
        ran = 0
        while self._heap and self._heap[0][0] <= now:
            at, _, transition = heapq.heappop(self._heap)
            if transition.cancelled:
                continue
            if transition in transition.record.pending:
                transition.record.pending.remove(transition)
            transition.apply(at)
            ran += 1
        return ran
