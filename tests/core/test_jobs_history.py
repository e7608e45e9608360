"""The tracker's history is bounded: finished jobs are kept up to a count and for a time, running ones always."""

from __future__ import annotations

import pytest

from cloudzy_tui.core.jobs import Expectation, JobEvent, JobTracker

from .jobs_fakes import FakeClient, FakeClock, FakeSleep


def tracker(clock: FakeClock, client: FakeClient, **kwargs: float) -> JobTracker:
    return JobTracker(client, clock=clock, sleep=FakeSleep(clock), **kwargs)  # type: ignore[arg-type]


async def finish_snapshots(clock: FakeClock, client: FakeClient, jobs: JobTracker, ids: list[str]) -> None:
    started = []
    for snap in ids:
        client.snapshots.add(snap, "IN_PROGRESS", snap)
        started.append(
            jobs.track(kind="snapshot", target_id=snap, action="create", expect=Expectation.snapshot_created())
        )
    for snap in ids:
        client.snapshots.set(snap, "ACTIVE")
    for _ in range(10):  # a few rounds: at most max_detail_requests_per_tick gets each
        clock.advance(1)
        await jobs.poll_once()
        if not any(job.running for job in started):
            return
    raise AssertionError("the snapshots did not finish")


async def test_finished_jobs_are_kept_up_to_max_finished_the_newest() -> None:
    clock, client = FakeClock(), FakeClient()
    jobs = tracker(clock, client, max_finished=5)
    events: list[JobEvent] = []
    jobs.subscribe(events.append)
    for batch in range(10):  # 30 jobs over time, 3 at a time
        await finish_snapshots(clock, client, jobs, [f"snap-{batch}-{n}" for n in range(3)])
        assert len(jobs.jobs) <= 5
    assert [j.target_id for j in jobs.jobs] == ["snap-9-2", "snap-9-1", "snap-9-0", "snap-8-2", "snap-8-1"]
    # Every job still told its end (the event carries the job even if it is no longer listed).
    assert sum(1 for e in events if e.kind == "finished") == 30


async def test_running_jobs_are_never_dropped_and_old_finished_ones_expire() -> None:
    clock, client = FakeClock(), FakeClient()
    jobs = tracker(clock, client, max_finished=100, keep_finished=3600, timeout=7200)
    await finish_snapshots(clock, client, jobs, ["old-1", "old-2"])
    client.instances.add("i-1", "active")
    running = jobs.track(kind="instance", target_id="i-1", action="poweroff")
    clock.advance(3601)
    # Pruned when something starts or finishes: a job started an hour later sees the old ones gone.
    await finish_snapshots(clock, client, jobs, ["new-1"])
    assert [j.target_id for j in jobs.jobs] == ["new-1", "i-1"]
    assert running in jobs.in_flight


async def test_a_console_open_for_weeks_holds_a_bounded_history() -> None:
    clock, client = FakeClock(), FakeClient()
    jobs = tracker(clock, client)  # the defaults the console uses
    for day in range(30):
        await finish_snapshots(clock, client, jobs, [f"snap-{day}-{n}" for n in range(20)])
        clock.advance(3600 * 2)
    assert len(jobs.jobs) <= jobs.max_finished == 100
    assert jobs.keep_finished == 24 * 3600


def test_bounds_are_checked() -> None:
    with pytest.raises(ValueError):
        JobTracker(FakeClient(), max_finished=-1)
    with pytest.raises(ValueError):
        JobTracker(FakeClient(), keep_finished=-1)
