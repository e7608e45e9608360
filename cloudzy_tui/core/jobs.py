"""The job tracker: follows asynchronous operations to a terminal state, on one scheduler.

An action started from the console (create or restore a snapshot, download an ISO or image, power an instance
on or off, reset it, change its OS, resize or delete it) returns at once while the server keeps working. The
tracker follows each such *job* until the object reaches a status that ends it, and publishes what it sees as
:class:`JobEvent` objects to plain synchronous callbacks. It is pure asyncio: the Textual app runs
:meth:`JobTracker.run` in a worker and turns events into toasts and row updates. What a job is (kinds, states,
:class:`Expectation`, :class:`Job`, :class:`JobEvent`) lives in :mod:`cloudzy_tui.core.job`, re-exported here.

Scheduling, in one loop (:meth:`JobTracker.run`), one round at a time (:meth:`JobTracker.poll_once`):

* **No overlap.** Rounds are serialised by a lock; a round awaits its requests one after the other.
* **Batching.** Snapshots, ISOs and images are followed with list calls filtered by their transitional
  status (snapshots ``IN_PROGRESS`` and ``RESTORING``, ISOs and images ``DOWNLOADING``), following at most
  ``max_list_pages`` pages, stopping as soon as every tracked id was seen. The filter is not trusted: each
  listed item's own status is read. A tracked object missing from the lists (it probably finished) gets one
  ``get``. Instances (the list API has no id filter) get one ``get`` each.
* **Detail budget.** At most ``max_detail_requests_per_tick`` ``get`` calls per round, over all kinds, handed
  out round-robin (least recently fetched first), so every job progresses. Jobs on one object share a ``get``.
* **Interval.** ``min_interval`` after a round that saw a change (or after a new job); times 1.5 per quiet
  round up to ``max_interval``. A failed request doubles the wait per consecutive failing round (capped at
  ``max_backoff``) and ``RateLimitedError.retry_after`` is honoured (even :meth:`JobTracker.wake` waits).
* **Errors never end a job.** The job records ``errors``/``last_error`` and is retried next round; only the
  timeout, a failure status, or the object disappearing ends it.
* **Idle.** With nothing in flight, :meth:`JobTracker.run` awaits an event that :meth:`JobTracker.track` and
  :meth:`JobTracker.wake` set: no timer spins.
* **Bounded history.** Running jobs are all kept (each ends by ``timeout`` at the latest). Finished jobs are kept
  for the jobs view up to ``max_finished`` (the newest; default 100) and no longer than ``keep_finished`` seconds
  after they ended (default 24 h), pruned whenever a job starts or finishes: a console left open for weeks holds
  at most ``max_finished`` finished jobs.

The API client is duck-typed (``client.instances.get``, ``client.snapshots.pages``/``get``,
``client.isos.pages``/``get``, ``client.images.pages``/``get``); its errors are recognised by class name
(``NotFoundError``, ``RateLimitedError``) so this module does not need to import the client.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from cloudzy_tui.core.job import (
    JOB_KINDS,
    EventKind,
    Expectation,
    Job,
    JobCallback,
    JobEvent,
    JobKind,
    JobState,
    fold_status,
    format_duration,
    normalise_action,
    status_of,
)

__all__ = [
    "EventKind",
    "Expectation",
    "Job",
    "JobEvent",
    "JobKind",
    "JobState",
    "JobTracker",
    "format_duration",
]

logger = logging.getLogger("cloudzy_tui.jobs")

#: the client attribute that serves each kind
_RESOURCE: dict[str, str] = {
    "instance": "instances",
    "snapshot": "snapshots",
    "iso": "isos",
    "image": "images",
}
#: the transitional statuses whose filtered lists are polled for batched kinds, in the order they are listed
_LIST_STATUSES: dict[str, tuple[str, ...]] = {
    "snapshot": ("IN_PROGRESS", "RESTORING"),
    "iso": ("DOWNLOADING",),
    "image": ("DOWNLOADING",),
}
#: what a kind is called in messages, when the caller gives no label
_NOUN: dict[str, str] = {"instance": "instance", "snapshot": "snapshot", "iso": "ISO", "image": "image"}
#: a server's Retry-After is honoured up to this many seconds (a hostile value must not stall the console)
_MAX_RETRY_AFTER = 900.0


def _snapshot_filters(status: str) -> Any:
    # Imported here: the tracker module stays free of the client (and httpx, pydantic) until it polls.
    from cloudzy_tui.api.snapshots import SnapshotFilters

    return SnapshotFilters(status=status)


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _is_not_found(exc: BaseException) -> bool:
    return "NotFoundError" in _class_names(exc) or getattr(exc, "status", None) == 404


def _retry_after(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return min(float(value), _MAX_RETRY_AFTER)
    return None


def _error_text(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc) or type(exc).__name__


@dataclass
class _Round:
    number: int
    changed: bool = False
    errors: int = 0
    retry_after: float | None = None

    def failed(self, exc: BaseException) -> None:
        self.errors += 1
        wait = _retry_after(exc)
        if wait is not None:
            self.retry_after = max(self.retry_after or 0.0, wait)


# ------------------------------------------------------------------------------------------------------------
# The tracker


class JobTracker:
    """Follows jobs to a terminal state; see the module docstring for the scheduling rules."""

    def __init__(
        self,
        client: Any,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        min_interval: float = 1.0,
        max_interval: float = 10.0,
        timeout: float = 1800.0,
        max_detail_requests_per_tick: int = 10,
        max_backoff: float = 60.0,
        max_list_pages: int = 10,
        page_size: int = 100,
        max_finished: int = 100,
        keep_finished: float = 24 * 3600.0,
    ) -> None:
        if min_interval <= 0 or max_interval < min_interval:
            raise ValueError("need 0 < min_interval <= max_interval")
        if max_detail_requests_per_tick < 1 or max_list_pages < 1 or page_size < 1:
            raise ValueError("max_detail_requests_per_tick, max_list_pages and page_size must be >= 1")
        if timeout <= 0:
            raise ValueError("timeout must be > 0")
        if max_finished < 0 or keep_finished < 0:
            raise ValueError("max_finished and keep_finished must be >= 0")
        self.client = client
        self._clock = clock
        self._sleep = sleep
        self.min_interval = float(min_interval)
        self.max_interval = float(max_interval)
        self.timeout = float(timeout)
        self.max_detail_requests_per_tick = int(max_detail_requests_per_tick)
        self.max_backoff = max(float(max_backoff), self.max_interval)
        self.max_list_pages = int(max_list_pages)
        self.page_size = int(page_size)
        self.max_finished = int(max_finished)
        self.keep_finished = float(keep_finished)

        self._jobs: list[Job] = []  # oldest first; finished ones bounded by max_finished / keep_finished
        self._subscribers: list[JobCallback] = []
        self._seq = 0
        self._round = 0
        self._fetch_seq = 0
        self._interval = self.min_interval  # the quiet-round interval (grows by half when quiet)
        self._next_delay = self.min_interval  # what the loop waits after the last round
        self._error_streak = 0
        self._not_before = float("-inf")  # Retry-After: no round before this clock value
        self._round_end = float("-inf")
        self._new_jobs = False  # track() since the last round started
        self._lock = asyncio.Lock()  # one round at a time
        self._run_lock = asyncio.Lock()  # one run() loop at a time
        self._wakeup = asyncio.Event()

    # ---- reading -------------------------------------------------------------------------------------------

    @property
    def jobs(self) -> list[Job]:
        """Every job (in flight and finished), newest first."""
        return list(reversed(self._jobs))

    @property
    def in_flight(self) -> list[Job]:
        """Running jobs, newest first."""
        return [job for job in reversed(self._jobs) if job.running]

    @property
    def next_delay(self) -> float:
        """Seconds the loop waits after the last round (grows when quiet, backs off on errors)."""
        return self._next_delay

    # ---- subscribing ---------------------------------------------------------------------------------------

    def subscribe(self, callback: JobCallback) -> Callable[[], None]:
        """Call ``callback(event)`` for every event; returns a function that unsubscribes (idempotent)."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, job: Job, kind: EventKind, item: Any = None) -> None:
        event = JobEvent(job=job, kind=kind, item=item)
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                logger.exception("job event subscriber %r failed on %s of job %s", callback, kind, job.id)

    # ---- starting and clearing -----------------------------------------------------------------------------

    def track(
        self,
        *,
        kind: str,
        target_id: str,
        label: str | None = None,
        action: str = "",
        expect: Expectation | None = None,
        timeout: float | None = None,
        item: Any = None,
    ) -> Job:
        """Follow ``target_id`` of ``kind`` until ``expect`` says it is done (or ``timeout`` passes).

        ``expect`` defaults to :meth:`Expectation.for_action`. The same (kind, target_id, action) while one
        is running returns that job. ``item`` is the action's reply, if the caller has it (sent on
        ``started``).
        """
        if kind not in JOB_KINDS:
            raise ValueError(f"unknown job kind {kind!r}; expected one of {', '.join(JOB_KINDS)}")
        target = str(target_id)
        for job in self._jobs:
            if job.running and job.kind == kind and job.target_id == target and job.action == action:
                return job
        if expect is None:
            expect = Expectation.for_action(kind, action)
        limit = self.timeout if timeout is None else float(timeout)
        if limit <= 0:
            raise ValueError("timeout must be > 0")
        self._seq += 1
        job = Job(
            id=self._seq,
            kind=kind,
            target_id=target,
            label=label or f"{_NOUN[kind]} {target}",
            action=action,
            expect=expect,
            started_at=self._clock(),
            timeout=limit,
            item=item,
        )
        job.message = f"{job.label}: {action} started" if action else f"{job.label}: started"
        self._jobs.append(job)
        self._prune_finished()
        self._new_jobs = True
        self._interval = self.min_interval
        self._next_delay = min(self._next_delay, self.min_interval)
        self._wakeup.set()
        self._emit(job, "started", item)
        return job

    def wake(self) -> None:
        """Poll soon: the next round comes ``min_interval`` after the last one (a Retry-After still holds)."""
        self._interval = self.min_interval
        self._next_delay = min(self._next_delay, self.min_interval)
        self._wakeup.set()

    def forget_finished(self) -> None:
        """Drop finished jobs from :attr:`jobs`."""
        self._jobs = [job for job in self._jobs if job.running]

    def _prune_finished(self) -> None:
        """Keep the newest ``max_finished`` finished jobs that ended less than ``keep_finished`` seconds ago."""
        now = self._clock()
        finished = [
            job
            for job in self._jobs
            if job.finished and job.finished_at is not None and now - job.finished_at <= self.keep_finished
        ]
        finished.sort(key=lambda job: job.finished_at or 0.0)
        keep = {id(job) for job in finished[max(0, len(finished) - self.max_finished) :]}
        if len(keep) != sum(1 for job in self._jobs if job.finished):
            self._jobs = [job for job in self._jobs if job.running or id(job) in keep]

    # ---- the loop ------------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until cancelled. Idles (no timer) while nothing is in flight. Raises only CancelledError.

        A second concurrent ``run()`` waits until the first one ends, so there is never more than one loop.
        """
        async with self._run_lock:
            while True:
                try:
                    if not self.in_flight:
                        self._wakeup.clear()
                        await self._wakeup.wait()
                        if not self.in_flight:
                            continue
                    self._wakeup.clear()
                    await self.poll_once()
                    if self.in_flight:
                        await self._pause()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("job tracker round failed; retrying in %.0fs", self.max_interval)
                    try:
                        await self._sleep(self.max_interval)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # a broken sleep must not turn into a busy loop
                        logger.exception("job tracker sleep failed")
                        await asyncio.sleep(self.max_interval)

    async def _pause(self) -> None:
        """Wait ``next_delay`` after the last round, cut short by wake()/track(), never before Retry-After."""
        while True:
            # wake()/track() lower _next_delay before setting the event: recomputing after a wake-up is exact
            self._wakeup.clear()
            deadline = max(self._round_end + self._next_delay, self._not_before)
            remaining = deadline - self._clock()
            if remaining <= 0:
                return
            if await self._sleep_or_wake(remaining):
                return

    async def _sleep_or_wake(self, delay: float) -> bool:
        """Sleep ``delay``; returns True if the sleep ran out, False if woken first."""
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waiter = asyncio.ensure_future(self._wakeup.wait())
        try:
            await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waiter):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sleeper, waiter, return_exceptions=True)
        if sleeper.done() and not sleeper.cancelled() and sleeper.exception() is not None:
            raise cast(BaseException, sleeper.exception())
        return sleeper.done() and not sleeper.cancelled()

    # ---- one round -----------------------------------------------------------------------------------------

    async def poll_once(self) -> None:
        """One round: poll every in-flight job's kind once, end what ended, time out what is late."""
        async with self._lock:
            self._round += 1
            ctx = _Round(number=self._round, changed=self._new_jobs)
            self._new_jobs = False
            running = self.in_flight[::-1]  # oldest first
            by_kind: dict[str, list[Job]] = {}
            for job in running:
                by_kind.setdefault(job.kind, []).append(job)

            detail: list[Job] = []
            for kind in ("snapshot", "iso", "image"):
                if kind in by_kind:
                    detail.extend(await self._poll_lists(kind, by_kind[kind], ctx))
            detail.extend(by_kind.get("instance", []))
            await self._poll_details([job for job in detail if job.running], ctx)

            now = self._clock()
            for job in running:
                if job.running and now - job.started_at >= job.timeout:
                    last = job.status if job.status is not None else "unknown"
                    took = format_duration(now - job.started_at)
                    message = f"{job.label}: gave up after {took} (last status {last})"
                    self._finish(job, "timed_out", message, now)
                    ctx.changed = True
            self._schedule_next(ctx, now)

    def _schedule_next(self, ctx: _Round, now: float) -> None:
        self._round_end = now
        if ctx.errors:
            self._error_streak += 1
            delay = min(self.max_backoff, self._interval * 2.0**self._error_streak)
            if ctx.retry_after is not None:
                delay = max(delay, ctx.retry_after)
                self._not_before = now + ctx.retry_after
        else:
            self._error_streak = 0
            if ctx.changed or self._new_jobs:
                self._interval = self.min_interval
            else:
                self._interval = min(self._interval * 1.5, self.max_interval)
            delay = self._interval
        self._next_delay = delay

    async def _poll_lists(self, kind: str, jobs: list[Job], ctx: _Round) -> list[Job]:
        """List the kind's transitional statuses and observe the tracked items found; return the jobs whose
        object was not listed (they need a ``get``). On a list error the unseen jobs record it instead."""
        wanted: dict[str, list[Job]] = {}
        for job in jobs:
            wanted.setdefault(job.target_id, []).append(job)
        seen: dict[str, Any] = {}
        error: BaseException | None = None
        try:
            for status in _LIST_STATUSES[kind]:
                if len(seen) == len(wanted):
                    break
                await self._scan(kind, status, wanted, seen)
        except Exception as exc:
            error = exc
        for target, item in seen.items():
            for job in wanted[target]:
                self._observe(job, item, ctx)
        unseen = [job for target, group in wanted.items() if target not in seen for job in group]
        if error is not None:
            self._poll_failed(unseen, error, ctx, f"listing {kind}s")
            return []
        return unseen

    async def _scan(self, kind: str, status: str, wanted: dict[str, list[Job]], seen: dict[str, Any]) -> None:
        resource = getattr(self.client, _RESOURCE[kind])
        if kind == "snapshot":
            pages = resource.pages(_snapshot_filters(status), page_size=self.page_size)
        else:
            pages = resource.pages(status=status, page_size=self.page_size)
        iterator = cast(AsyncIterator[Any], pages)
        count = 0
        try:
            async for page in iterator:
                count += 1
                for item in getattr(page, "items", None) or ():
                    item_id = getattr(item, "id", None)
                    if item_id is not None and str(item_id) in wanted:
                        seen[str(item_id)] = item
                if len(seen) == len(wanted):
                    break
                if count >= self.max_list_pages:
                    logger.debug("stopped listing %ss (%s) after %d pages", kind, status, count)
                    break
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()

    async def _poll_details(self, jobs: list[Job], ctx: _Round) -> None:
        """One ``get`` per object, at most ``max_detail_requests_per_tick``, least recently fetched first."""
        groups: dict[tuple[str, str], list[Job]] = {}
        for job in jobs:
            groups.setdefault((job.kind, job.target_id), []).append(job)
        # a queue: never fetched first, then least recently fetched (ties: oldest job first)
        order = sorted(groups.values(), key=lambda g: min((j._fetched, j.id) for j in g))
        for group in order[: self.max_detail_requests_per_tick]:
            self._fetch_seq += 1
            for job in group:
                job._fetched = self._fetch_seq
            kind, target = group[0].kind, group[0].target_id
            try:
                item = await getattr(self.client, _RESOURCE[kind]).get(target)
            except Exception as exc:
                if _is_not_found(exc):
                    for job in group:
                        self._gone(job, exc, ctx)
                else:
                    self._poll_failed(group, exc, ctx, f"fetching {kind} {target}")
                continue
            for job in group:
                if job.running:
                    self._observe(job, item, ctx)

    # ---- what an observation means -------------------------------------------------------------------------

    def _observe(self, job: Job, item: Any, ctx: _Round) -> None:
        if not job.running:
            return
        now = self._clock()
        status = status_of(item)
        changed = fold_status(status) != fold_status(job.status)
        # a download's percent (the models read it as a number already)
        advanced = getattr(item, "progress", None) != getattr(job.item, "progress", None)
        job.item = item
        job.status = status
        job.errors = 0
        job.last_error = None
        job._seen = True
        expect = job.expect
        ended: tuple[JobState, str] | None = None
        took = format_duration(now - job.started_at)
        if status is not None:
            if expect.is_failure(status):
                if status.isupper():
                    ended = ("failed", f"{job.label} {status} after {took}")
                else:
                    ended = ("failed", f"{job.label} failed ({status}) after {took}")
            elif expect.is_success(status):
                job._target_hits += 1
                if (
                    not expect.must_leave_first
                    or job._left
                    or (now - job.started_at >= expect.grace and job._target_hits >= 2)
                ):
                    ended = ("succeeded", f"{job.label} is {status} after {took}")
            else:
                job._left = True
        if ended is not None:
            self._finish(job, ended[0], ended[1], now, item)
            ctx.changed = True
        elif changed:
            job.message = f"{job.label} is {status}" if status is not None else f"{job.label}: status unknown"
            ctx.changed = True
            self._emit(job, "progress", item)
        elif advanced:
            # Only the percentage moved (a download): the row shows it, but polling keeps backing off as usual.
            self._emit(job, "progress", item)

    def _gone(self, job: Job, exc: BaseException, ctx: _Round) -> None:
        if not job.running:
            return
        now = self._clock()
        took = format_duration(now - job.started_at)
        if job.expect.gone_is_success:
            done = "deleted" if normalise_action(job.action) == "delete" else "gone"
            self._finish(job, "succeeded", f"{job.label} {done} after {took}", now)
            ctx.changed = True
        elif job._seen or now - job.started_at >= job.expect.grace:
            self._finish(job, "failed", f"{job.label} no longer exists ({took})", now)
            ctx.changed = True
        else:
            # Just started: the object may not be visible yet. A failed poll, but not a reason to back off.
            job.errors += 1
            job.last_error = _error_text(exc)

    def _poll_failed(self, jobs: list[Job], exc: BaseException, ctx: _Round, what: str) -> None:
        ctx.failed(exc)
        text = _error_text(exc)
        if "CloudzyError" in _class_names(exc):
            logger.warning("job tracker: %s failed: %s", what, text)
        else:
            logger.warning("job tracker: %s failed unexpectedly", what, exc_info=exc)
        for job in jobs:
            job.errors += 1
            job.last_error = text

    def _finish(self, job: Job, state: JobState, message: str, now: float, item: Any = None) -> None:
        job.state = state
        job.finished_at = now
        job.message = message
        self._prune_finished()
        self._emit(job, "finished", item if item is not None else job.item)
