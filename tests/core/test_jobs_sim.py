"""The job tracker against the real client over the in-process simulator (fixtures from tests/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from cloudzy_tui.api import CloudzyClient, RequestEvent, SnapshotFilters
from cloudzy_tui.core.jobs import Expectation, JobEvent, JobTracker
from cloudzy_tui.sim import FakeClock, Simulator, create_app


async def _never_sleep(_: float) -> None:
    raise AssertionError("poll_once() is driven by hand here")


async def test_snapshot_created_on_the_simulator_is_followed_to_active(
    client: CloudzyClient, sim_clock: FakeClock
) -> None:
    instances = await client.instances.list_all()
    busy = {s.instance_id for s in await client.snapshots.list_all(SnapshotFilters(status="IN_PROGRESS"))}
    target = next(i for i in instances if (i.status or "").lower() == "active" and i.id not in busy)

    created = await client.snapshots.create(target.id)
    if created is None:  # the API need not return the new snapshot: find it
        listed = await client.snapshots.list_all(SnapshotFilters(instance_id=target.id, status="IN_PROGRESS"))
        created = listed[0]
    assert (created.status or "").upper() == "IN_PROGRESS"

    tracker = JobTracker(client, clock=sim_clock, sleep=_never_sleep, min_interval=1.0)
    events: list[JobEvent] = []
    tracker.subscribe(events.append)
    job = tracker.track(
        kind="snapshot",
        target_id=created.id,
        label=f"snapshot {created.name or created.id}",
        action="create",
        expect=Expectation.snapshot_created(),
        item=created,
    )
    await tracker.poll_once()
    assert job.running and job.status == "IN_PROGRESS"

    rounds = 0
    while job.running and rounds < 30:
        sim_clock.advance(tracker.next_delay)
        await tracker.poll_once()
        rounds += 1
    assert job.state == "succeeded", job
    assert job.status == "ACTIVE"
    assert re.fullmatch(r"snapshot .+ is ACTIVE after \d+s", job.message)
    assert [e.kind for e in events] == ["started", "progress", "finished"]
    item: Any = events[-1].item
    assert item.id == created.id


async def test_several_snapshots_are_followed_with_list_calls_not_gets(
    simulator: Simulator, sim_clock: FakeClock
) -> None:
    events: list[RequestEvent] = []
    transport = httpx.ASGITransport(app=create_app(simulator))
    client = CloudzyClient("http://sim/developers", simulator.config.token, transport=transport, on_event=events.append)
    try:
        busy = {s.instance_id for s in await client.snapshots.list_all(SnapshotFilters(status="IN_PROGRESS"))}
        active = [i for i in await client.instances.list_all() if (i.status or "").lower() == "active"]
        targets = [i for i in active if i.id not in busy][:3]
        assert len(targets) >= 2
        tracker = JobTracker(client, clock=sim_clock, sleep=_never_sleep, min_interval=1.0)
        jobs = []
        for instance in targets:
            created = await client.snapshots.create(instance.id)
            assert created is not None
            jobs.append(tracker.track(kind="snapshot", target_id=created.id, action="create"))

        events.clear()
        await tracker.poll_once()
        assert all(j.status == "IN_PROGRESS" for j in jobs)
        assert {(e.method, e.path) for e in events} == {("GET", "/v1/snapshots")}  # no per-snapshot GET

        events.clear()
        for _ in range(30):
            if not tracker.in_flight:
                break
            sim_clock.advance(tracker.next_delay)
            await tracker.poll_once()
        assert [j.state for j in jobs] == ["succeeded"] * len(jobs)
        detail = [e for e in events if e.path.startswith("/v1/snapshots/")]
        assert len(detail) <= len(jobs)  # at most one GET per job, when it left the in-progress list
    finally:
        await client.aclose()
