"""The job tracker's scheduler: request budget, round-robin, interval, backoff, timeout, the run() runner."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from cloudzy_tui.api.errors import NetworkError, RateLimitedError, ServerError
from cloudzy_tui.core.jobs import Expectation, JobEvent, JobTracker

from .jobs_fakes import FakeClient, FakeClock, FakeSleep, ManualSleep, settle


def tracker_for(client: FakeClient, clock: FakeClock, sleep: object = None, **kwargs: float) -> JobTracker:
    return JobTracker(client, clock=clock, sleep=sleep or FakeSleep(clock), **kwargs)  # type: ignore[arg-type]


def lists(calls: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [c for c in calls if c[1] == "list"]


def gets(calls: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [c for c in calls if c[1] == "get"]


# ---- request budget ----------------------------------------------------------------------------------------


async def test_one_hundred_snapshots_cost_two_or_three_list_calls_per_round() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock)
    snaps = client.snapshots
    for n in range(30):  # someone else's snapshots, in progress too
        snaps.add(f"other-{n:02d}", "IN_PROGRESS")
    for n in range(3):
        snaps.add(f"restoring-{n}", "RESTORING")
    jobs = {}
    for n in range(100):
        sid = f"snap-{n:03d}"
        snaps.add(sid, "IN_PROGRESS")
        jobs[sid] = tracker.track(kind="snapshot", target_id=sid, action="create")

    # every tracked id is on the first two IN_PROGRESS pages: nothing else is asked
    await tracker.poll_once()
    assert client.take_calls() == [
        ("snapshot", "list", "IN_PROGRESS", 1),
        ("snapshot", "list", "IN_PROGRESS", 2),
    ]
    assert all(j.status == "IN_PROGRESS" for j in jobs.values())

    # 7 finish: both lists read to the end (IN_PROGRESS 2 pages, RESTORING 1), one get per finished job
    done = [f"snap-{n:03d}" for n in range(0, 70, 10)]
    for sid in done:
        snaps.set(sid, "ACTIVE")
    await tracker.poll_once()
    calls = client.take_calls()
    assert calls == [
        ("snapshot", "list", "IN_PROGRESS", 1),
        ("snapshot", "list", "IN_PROGRESS", 2),
        ("snapshot", "list", "RESTORING", 1),
        *[("snapshot", "get", sid) for sid in done],
    ]
    assert all(jobs[sid].state == "succeeded" for sid in done)
    assert len(tracker.in_flight) == 93

    # quiet round: back to two list calls
    await tracker.poll_once()
    assert len(client.take_calls()) == 2

    # 25 finish at once: the gets are spread over rounds by the detail budget (10 per round)
    burst = [sid for sid in jobs if jobs[sid].running][:25]
    for sid in burst:
        snaps.set(sid, "ACTIVE")
    per_round = []
    while any(jobs[sid].running for sid in burst):
        await tracker.poll_once()
        calls = client.take_calls()
        assert len(lists(calls)) <= 3
        per_round.append(len(gets(calls)))
    assert per_round == [10, 10, 5]
    assert len(tracker.in_flight) == 68


async def test_list_paging_is_capped_then_unseen_jobs_are_fetched() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, max_list_pages=3, page_size=10)
    for n in range(100):
        client.isos.add(f"other-{n}", "DOWNLOADING")
    client.isos.add("iso-late", "DOWNLOADING")  # on page 11, beyond the cap
    job = tracker.track(kind="iso", target_id="iso-late", action="download")
    await tracker.poll_once()
    assert client.calls == [
        ("iso", "list", "DOWNLOADING", 1),
        ("iso", "list", "DOWNLOADING", 2),
        ("iso", "list", "DOWNLOADING", 3),
        ("iso", "get", "iso-late"),
    ]
    assert job.status == "DOWNLOADING"


async def test_instance_gets_are_capped_per_round_and_round_robin() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, max_detail_requests_per_tick=10)
    ids = [f"i-{n:02d}" for n in range(25)]
    for iid in ids:
        client.instances.add(iid, "active")
        tracker.track(kind="instance", target_id=iid, action="poweroff")
    rounds = []
    for _ in range(5):
        await tracker.poll_once()
        rounds.append([c[2] for c in client.take_calls()])
    assert all(c for c in rounds)
    assert [len(r) for r in rounds] == [10, 10, 10, 10, 10]
    assert rounds[0] == ids[0:10]
    assert rounds[1] == ids[10:20]
    assert rounds[2] == ids[20:25] + ids[0:5]
    assert rounds[3] == ids[5:15]
    # over 5 rounds every instance was fetched exactly twice
    assert Counter(i for r in rounds for i in r) == {iid: 2 for iid in ids}


async def test_detail_budget_is_shared_fairly_between_kinds() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, max_detail_requests_per_tick=2)
    for n in range(3):
        client.instances.add(f"i-{n}", "active")
        tracker.track(kind="instance", target_id=f"i-{n}", action="poweroff")
    client.snapshots.add("snap-1", "ACTIVE")  # finished before the first look: not in any list
    snap = tracker.track(kind="snapshot", target_id="snap-1", action="create")
    await tracker.poll_once()
    await tracker.poll_once()
    assert snap.state == "succeeded"  # reached within two rounds despite three instances ahead of it
    assert max(Counter(c[2] for c in gets(client.calls)).values()) == 1


# ---- interval ----------------------------------------------------------------------------------------------


async def test_interval_grows_when_quiet_and_resets_on_change_or_new_job() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, min_interval=1.0, max_interval=10.0)
    client.snapshots.add("snap-1", "IN_PROGRESS")
    tracker.track(kind="snapshot", target_id="snap-1", action="create")
    delays = []
    for _ in range(8):
        await tracker.poll_once()
        delays.append(round(tracker.next_delay, 3))
    assert delays == [1.0, 1.5, 2.25, 3.375, 5.062, 7.594, 10.0, 10.0]
    client.snapshots.set("snap-1", "RESTORING")  # a change (odd, but a change)
    await tracker.poll_once()
    assert tracker.next_delay == 1.0
    await tracker.poll_once()
    assert tracker.next_delay == 1.5
    tracker.track(kind="iso", target_id="iso-1", action="download")
    assert tracker.next_delay == 1.0


async def test_a_download_percent_is_told_without_resetting_the_backoff() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, min_interval=1.0, max_interval=10.0)
    events: list[JobEvent] = []
    tracker.subscribe(events.append)
    iso = client.isos.add("iso-1", "DOWNLOADING")
    job = tracker.track(kind="iso", target_id="iso-1", action="download")
    await tracker.poll_once()  # DOWNLOADING, no percent yet
    await tracker.poll_once()  # nothing moved
    assert [e.kind for e in events] == ["started", "progress"] and tracker.next_delay == 1.5
    iso.progress = 40
    await tracker.poll_once()
    assert [e.kind for e in events] == ["started", "progress", "progress"]
    assert events[-1].item.progress == 40 and job.running and job.status == "DOWNLOADING"
    assert tracker.next_delay == 2.25  # only the percent moved: polling keeps backing off
    await tracker.poll_once()  # the same percent again: nothing to tell
    assert len(events) == 3


# ---- errors ------------------------------------------------------------------------------------------------


async def test_errors_keep_the_job_back_off_honour_retry_after_and_recover() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, min_interval=1.0, max_interval=10.0, max_backoff=60.0)
    client.snapshots.add("snap-1", "IN_PROGRESS")
    job = tracker.track(kind="snapshot", target_id="snap-1", action="create")
    await tracker.poll_once()
    assert tracker.next_delay == 1.0

    client.fail_next = [ServerError("The API failed (502).", status=502)]
    await tracker.poll_once()
    assert job.running and job.errors == 1 and job.last_error == "The API failed (502)."
    assert tracker.next_delay == 2.0

    client.fail_next = [NetworkError("Could not reach the API.")]
    await tracker.poll_once()
    assert job.errors == 2 and job.last_error == "Could not reach the API."
    assert tracker.next_delay == 4.0

    client.fail_next = [RateLimitedError("Too many requests.", status=429, retry_after=30)]
    await tracker.poll_once()
    assert job.errors == 3
    assert tracker.next_delay == 30.0  # retry_after beats the exponential 8

    for _ in range(10):
        client.fail_next = [ServerError("down", status=503)]
        await tracker.poll_once()
    assert tracker.next_delay == 60.0  # capped
    assert job.running and job.errors == 13

    await tracker.poll_once()  # recovery
    assert job.errors == 0 and job.last_error is None
    assert tracker.next_delay == 1.5  # quiet round after recovery: the normal interval resumes

    client.snapshots.set("snap-1", "ACTIVE")
    await tracker.poll_once()
    assert job.state == "succeeded"


async def test_a_failing_get_only_affects_its_own_job() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock)
    for iid in ("i-1", "i-2", "i-3"):
        client.instances.add(iid, "shutdown")
    jobs = [tracker.track(kind="instance", target_id=iid, action="poweroff") for iid in ("i-1", "i-2", "i-3")]
    client.fail_next = [ServerError("boom", status=500)]
    client.fail_when = lambda call: call[2] == "i-2"
    await tracker.poll_once()
    assert [j.state for j in jobs] == ["succeeded", "running", "succeeded"]
    assert jobs[1].errors == 1
    await tracker.poll_once()
    assert jobs[1].state == "succeeded"


async def test_list_error_records_on_unseen_jobs_and_skips_their_gets() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock)
    client.snapshots.add("snap-1", "ACTIVE")
    job = tracker.track(kind="snapshot", target_id="snap-1", action="create")
    client.fail_next = [ServerError("boom", status=500)]
    await tracker.poll_once()
    assert client.calls == [("snapshot", "list", "IN_PROGRESS", 1)]  # no get storm while the API fails
    assert job.running and job.errors == 1


async def test_timeout_ends_the_job_with_a_clear_message() -> None:
    clock, client = FakeClock(), FakeClient()
    tracker = tracker_for(client, clock, timeout=1800.0)
    client.instances.add("i-1", "resizing")
    job = tracker.track(
        kind="instance", target_id="i-1", label="instance web-01", action="resize",
        expect=Expectation.instance_resized(),
    )  # fmt: skip
    short = tracker.track(kind="iso", target_id="iso-1", label="ISO x", action="download", timeout=60)
    client.isos.add("iso-1", "DOWNLOADING")
    await tracker.poll_once()
    clock.advance(59)
    await tracker.poll_once()
    assert short.running
    clock.advance(1)
    await tracker.poll_once()
    assert short.state == "timed_out"
    assert short.message == "ISO x: gave up after 1m00s (last status DOWNLOADING)"
    assert job.running
    client.fail_next = [ServerError("down", status=503)] * 100  # polls failing do not end it early...
    clock.advance(1700)
    await tracker.poll_once()
    assert job.running and job.errors == 1
    clock.advance(40)
    await tracker.poll_once()  # ...but the timeout does
    assert job.state == "timed_out"
    assert job.message == "instance web-01: gave up after 30m00s (last status resizing)"
    client.fail_next = []
    client.take_calls()
    await tracker.poll_once()
    assert client.calls == []


# ---- the run() loop ----------------------------------------------------------------------------------------


@dataclass
class Runner:
    clock: FakeClock
    sleep: ManualSleep
    client: FakeClient
    tracker: JobTracker
    task: asyncio.Task[None]


@pytest.fixture
async def runner() -> AsyncIterator[Runner]:
    clock, client = FakeClock(), FakeClient()
    sleep = ManualSleep(clock)
    tracker = tracker_for(client, clock, sleep, min_interval=1.0, max_interval=10.0)
    task = asyncio.create_task(tracker.run())
    await settle()
    yield Runner(clock, sleep, client, tracker, task)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_run_idles_without_jobs_and_wakes_on_track(runner: Runner) -> None:
    await settle(100)
    assert runner.sleep.calls == [] and runner.client.calls == []  # no timer, no polling
    runner.tracker.wake()  # a refresh with nothing in flight costs nothing
    await settle()
    assert runner.sleep.calls == [] and runner.client.calls == []

    runner.client.snapshots.add("snap-1", "IN_PROGRESS")
    job = runner.tracker.track(kind="snapshot", target_id="snap-1", action="create")
    await settle()
    assert runner.client.take_calls() == [("snapshot", "list", "IN_PROGRESS", 1)]  # polled at once
    assert runner.sleep.calls == [1.0]  # then waits min_interval
    runner.sleep.advance(1.0)
    await settle()
    assert len(runner.client.take_calls()) == 1
    assert runner.sleep.calls == [1.0, 1.5]

    runner.client.snapshots.set("snap-1", "ACTIVE")
    runner.sleep.advance(1.5)
    await settle()
    assert job.state == "succeeded"
    calls_after = len(runner.sleep.calls)
    await settle(100)
    assert len(runner.sleep.calls) == calls_after and runner.client.calls == [
        ("snapshot", "list", "IN_PROGRESS", 1),
        ("snapshot", "list", "RESTORING", 1),
        ("snapshot", "get", "snap-1"),
    ]
    assert not runner.task.done()


async def test_wake_shortens_the_wait_but_not_a_retry_after(runner: Runner) -> None:
    runner.client.instances.add("i-1", "active")
    runner.tracker.track(kind="instance", target_id="i-1", action="poweroff")
    await settle()
    for delay in (1.0, 1.5, 2.25, 3.375):
        assert runner.sleep.calls[-1] == delay
        runner.sleep.advance(delay)
        await settle()
    polls = len(runner.client.calls)
    assert polls == 5 and runner.sleep.calls[-1] == pytest.approx(5.0625)
    runner.sleep.advance(2)  # part of the way
    await settle()
    assert len(runner.client.calls) == polls
    runner.tracker.wake()  # more than min_interval since the last round: poll now
    await settle()
    assert len(runner.client.calls) == polls + 1

    assert runner.sleep.calls[-1] == 1.5  # wake() reset the interval; that round was quiet: x1.5
    runner.client.fail_next = [RateLimitedError("slow down", status=429, retry_after=30)]
    runner.sleep.advance(1.5)
    await settle()
    assert len(runner.client.calls) == polls + 2
    assert runner.sleep.calls[-1] == 30.0
    runner.sleep.advance(5)
    runner.tracker.wake()  # the server asked for 30 s: wake() does not cut through
    await settle()
    assert len(runner.client.calls) == polls + 2
    assert runner.sleep.calls[-1] == 25.0
    runner.sleep.advance(25)
    await settle()
    assert len(runner.client.calls) == polls + 3


async def test_no_round_overlaps_another(runner: Runner) -> None:
    gate = asyncio.Event()
    runner.client.gate = gate
    for n in range(3):
        runner.client.instances.add(f"i-{n}", "active")
        runner.tracker.track(kind="instance", target_id=f"i-{n}", action="poweroff")
    runner.client.snapshots.add("snap-1", "IN_PROGRESS")
    runner.tracker.track(kind="snapshot", target_id="snap-1", action="create")
    await settle()
    extra = [asyncio.create_task(runner.tracker.poll_once()) for _ in range(3)]  # e.g. refresh pressed
    second_loop = asyncio.create_task(runner.tracker.run())
    for _ in range(5):
        runner.tracker.wake()
        runner.sleep.advance(10)
        await settle()
        assert runner.client.active == 1
    assert runner.client.max_active == 1
    gate.set()
    await asyncio.gather(*extra)
    await settle()
    assert runner.client.max_active == 1
    assert len(runner.client.calls) == 4 * 4  # four rounds (the loop's and three extra), four requests each
    second_loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second_loop


async def test_subscriber_exception_does_not_kill_the_loop(runner: Runner, caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: JobEvent) -> None:
        raise ValueError("subscriber bug")

    got: list[str] = []
    runner.tracker.subscribe(broken)
    runner.tracker.subscribe(lambda e: got.append(e.kind))
    runner.client.isos.add("iso-1", "DOWNLOADING")
    job = runner.tracker.track(kind="iso", target_id="iso-1", action="download")
    await settle()
    runner.client.isos.set("iso-1", "READY")
    runner.sleep.advance(1)
    await settle()
    assert job.state == "succeeded"
    assert got == ["started", "progress", "finished"]
    assert not runner.task.done()
    assert sum("subscriber" in r.message for r in caplog.records if r.levelno == logging.ERROR) == 3
    # and it still follows new jobs
    runner.client.isos.add("iso-2", "READY")
    second = runner.tracker.track(kind="iso", target_id="iso-2", action="download")
    await settle()
    assert second.state == "succeeded"


async def test_unexpected_error_in_a_round_is_logged_and_the_loop_goes_on(
    runner: Runner, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = runner.tracker.poll_once
    failures = [RuntimeError("bug in a round")]

    async def flaky() -> None:
        if failures:
            raise failures.pop()
        await real()

    monkeypatch.setattr(runner.tracker, "poll_once", flaky)
    runner.client.snapshots.add("snap-1", "ACTIVE")
    job = runner.tracker.track(kind="snapshot", target_id="snap-1", action="create")
    await settle()
    assert any("round failed" in r.message for r in caplog.records)
    assert runner.sleep.calls == [10.0]  # waits max_interval instead of spinning
    runner.sleep.advance(10)
    await settle()
    assert job.state == "succeeded"
    assert not runner.task.done()


async def test_poll_errors_in_the_loop_back_off() -> None:
    clock, client = FakeClock(), FakeClient()
    sleep = ManualSleep(clock)
    tracker = tracker_for(client, clock, sleep, min_interval=1.0, max_interval=10.0, max_backoff=60.0)
    client.snapshots.add("snap-1", "IN_PROGRESS")
    job = tracker.track(kind="snapshot", target_id="snap-1", action="create")
    client.fail_next = [ServerError("down", status=503) for _ in range(4)]
    task = asyncio.create_task(tracker.run())
    await settle()
    for _ in range(4):
        sleep.advance(sleep.calls[-1])
        await settle()
    assert sleep.calls == [2.0, 4.0, 8.0, 16.0, 1.0]  # first round was a change: min_interval afterwards
    assert job.running and job.errors == 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("where", ["idle", "pausing", "polling"])
async def test_cancelling_run_is_clean(where: str) -> None:
    clock, client = FakeClock(), FakeClient()
    sleep = ManualSleep(clock)
    tracker = tracker_for(client, clock, sleep)
    client.instances.add("i-1", "active")
    if where != "idle":
        tracker.track(kind="instance", target_id="i-1", action="poweroff")
    if where == "polling":
        client.gate = asyncio.Event()
    task = asyncio.create_task(tracker.run())
    await settle()
    if where == "pausing":
        assert len(sleep.pending) == 1
    if where == "polling":
        assert client.active == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await settle()
    assert task.cancelled()
    assert sleep.pending == []
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert others == []
    # nothing left locked: the tracker can be driven again
    client.gate = None
    await asyncio.wait_for(tracker.poll_once(), timeout=5)
    again = asyncio.create_task(tracker.run())
    await settle()
    assert not again.done()
    again.cancel()
    with pytest.raises(asyncio.CancelledError):
        await again
