"""Refresh that costs what it is worth: when a list on display is walked in full, and what is read between.

A full walk of 10,000 instances is ~105 requests. Re-walking every refresh period (15 s) made an idle console
cost 200-270 requests a minute. The planner keeps an idle list within ``idle_per_minute`` (default 30):

* It learns what a full walk costs (requests, measured on the last one).
* When a full walk costs no more than a light refresh would, every refresh is a full walk (small accounts: the
  behaviour of old, and exact).
* Otherwise the full walk comes only every ``full_period`` seconds, scaled to its cost:
  ``cost / (0.9 * idle_per_minute - light_per_minute)`` minutes (the light ticks' cost as last planned), never
  less than ``MIN_FULL_PERIOD``, never more than ``MAX_FULL_PERIOD``. Between full walks each refresh is
  **light**: the first page (newest first: new objects, and the newest ones' changes), the rows in a transitional
  status (``preparing_disk``, ``stopping``, ``DOWNLOADING``... fetched by id, at most ``MAX_TRANSITIONAL``), and
  a few of the rows on screen, in turn (``VISIBLE_PER_TICK`` a refresh, round robin). Objects this console acted
  on are followed by the job tracker, and the console's own changes are painted at once by the operations
  listener: neither waits for a refresh.
* A screen not on display does not refresh at all (the screen's own rule).

Nothing here knows Textual: the screen asks :meth:`FreshnessPlanner.plan` at each refresh tick and reports each
walk with :meth:`FreshnessPlanner.walked`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: statuses in which an object is on its way somewhere (lower case)
TRANSITIONAL = frozenset(
    {
        "preparing_disk",
        "initializing",
        "stopping",
        "starting",
        "resetting",
        "resizing",
        "restoring",
        "in_progress",
        "downloading",
        "pending",
        "creating",
        "deleting",
    }
)
DEFAULT_IDLE_PER_MINUTE = 30
MIN_FULL_PERIOD = 120.0
MAX_FULL_PERIOD = 1800.0
MAX_TRANSITIONAL = 5
#: the share of ``idle_per_minute`` planned for (the rest absorbs transitional rows and job polls)
HEADROOM = 0.9
VISIBLE_PER_TICK = 3


def is_transitional(item: Any) -> bool:
    status = getattr(item, "status", None)
    return isinstance(status, str) and status.strip().lower() in TRANSITIONAL


@dataclass(frozen=True)
class Plan:
    """What one refresh tick reads: everything (``full``), or the first page plus these keys by id."""

    full: bool
    first_page: bool = False
    keys: tuple[str, ...] = ()
    reason: str = ""

    @property
    def requests(self) -> int:
        """What the light plan costs (the full walk's cost is the planner's to know)."""
        return (1 if self.first_page else 0) + len(self.keys)


@dataclass
class _State:
    full_cost: int = 0
    last_full: float | None = None
    rotate: int = 0
    #: what the last light tick read (more than the planned minimum while rows are in transition)
    light_cost: int = 0


@dataclass
class FreshnessPlanner:
    """One per console; state per resource name."""

    idle_per_minute: float = DEFAULT_IDLE_PER_MINUTE
    clock: Callable[[], float] = field(default=lambda: 0.0)
    _states: dict[str, _State] = field(default_factory=dict)

    def _state(self, name: str) -> _State:
        return self._states.setdefault(name, _State())

    def walked(self, name: str, requests: int, *, now: float | None = None) -> None:
        """A full walk of ``name`` ended; it cost ``requests``."""
        state = self._state(name)
        state.full_cost = max(1, int(requests))
        state.last_full = self.clock() if now is None else now

    def full_cost(self, name: str) -> int:
        """What the last full walk of ``name`` cost, in requests (0 before the first)."""
        state = self._states.get(name)
        return state.full_cost if state is not None else 0

    def full_period(self, name: str, refresh_seconds: float) -> float:
        """Seconds between full walks of ``name`` at a refresh tick every ``refresh_seconds``."""
        state = self._state(name)
        light = max(1 + VISIBLE_PER_TICK, state.light_cost) * 60.0 / max(refresh_seconds, 1.0)
        if state.full_cost <= 1 + VISIBLE_PER_TICK:
            return refresh_seconds
        spare = max(self.idle_per_minute * HEADROOM - light, 1.0)
        period = state.full_cost / spare * 60.0
        return min(MAX_FULL_PERIOD, max(MIN_FULL_PERIOD, refresh_seconds, period))

    def plan(
        self,
        name: str,
        *,
        refresh_seconds: float,
        items: Iterable[Any],
        key_of: Callable[[Any], str],
        visible: Sequence[str] = (),
        can_fetch_one: bool = True,
        now: float | None = None,
    ) -> Plan:
        """What this tick of ``name`` reads. ``visible``: the keys of the rows on screen, top to bottom."""
        state = self._state(name)
        when = self.clock() if now is None else now
        if state.last_full is None or not can_fetch_one:
            return Plan(full=True, reason="first walk" if state.last_full is None else "no fetch by id")
        period = self.full_period(name, refresh_seconds)
        if when - state.last_full >= period - 0.5:
            return Plan(full=True, reason=f"full walk every {period:.0f}s")
        moving = [key_of(i) for i in items if is_transitional(i)][:MAX_TRANSITIONAL]
        keys: list[str] = list(moving)
        rest = [k for k in visible if k not in keys]
        if rest:
            start = state.rotate % len(rest)
            chosen = (rest[start:] + rest[:start])[:VISIBLE_PER_TICK]
            state.rotate += VISIBLE_PER_TICK
            keys += chosen
        plan = Plan(full=False, first_page=True, keys=tuple(keys), reason="light")
        state.light_cost = plan.requests
        return plan
