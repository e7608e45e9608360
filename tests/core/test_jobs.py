"""The job tracker, one round at a time: outcomes, messages, events, expectations."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from cloudzy_tui.api.errors import NotFoundError
from cloudzy_tui.core.jobs import Expectation, Job, JobEvent, JobTracker, format_duration

from .jobs_fakes import FakeClient, FakeClock, FakeSleep


@dataclass
class Env:
    clock: FakeClock
    sleep: FakeSleep
    client: FakeClient
    tracker: JobTracker
    events: list[JobEvent] = field(default_factory=list)


def make_env(**kwargs: float) -> Env:
    clock = FakeClock()
    sleep = FakeSleep(clock)
    client = FakeClient()
    tracker = JobTracker(client, clock=clock, sleep=sleep, **kwargs)  # type: ignore[arg-type]
    env = Env(clock, sleep, client, tracker)
    tracker.subscribe(env.events.append)
    return env


@pytest.fixture
def env() -> Env:
    return make_env()


# ---- snapshots ---------------------------------------------------------------------------------------------


async def test_snapshot_followed_to_active(env: Env) -> None:
    env.client.snapshots.add("snap-1", "IN_PROGRESS", "web-01-snap")
    job = env.tracker.track(
        kind="snapshot",
        target_id="snap-1",
        label="snapshot web-01-snap",
        action="create",
        expect=Expectation.snapshot_created(),
    )
    assert job.state == "running" and job.id == 1
    assert [e.kind for e in env.events] == ["started"]

    await env.tracker.poll_once()
    assert job.status == "IN_PROGRESS"
    assert [e.kind for e in env.events] == ["started", "progress"]
    assert env.events[1].item.id == "snap-1"

    env.clock.advance(20)
    await env.tracker.poll_once()  # nothing changed: no event
    assert len(env.events) == 2

    env.clock.advance(22)
    env.client.snapshots.set("snap-1", "ACTIVE")
    await env.tracker.poll_once()
    assert job.state == "succeeded"
    assert job.status == "ACTIVE"
    assert job.message == "snapshot web-01-snap is ACTIVE after 42s"
    assert job.finished_at == env.clock.now
    assert job.elapsed(env.clock.now + 100) == 42
    assert [e.kind for e in env.events] == ["started", "progress", "finished"]
    assert env.events[-1].item.status == "ACTIVE"
    assert env.tracker.in_flight == []

    # a finished job is never polled again
    env.client.take_calls()
    await env.tracker.poll_once()
    assert env.client.calls == []


async def test_snapshot_followed_to_failed(env: Env) -> None:
    env.client.snapshots.add("snap-2", "IN_PROGRESS")
    job = env.tracker.track(
        kind="snapshot", target_id="snap-2", label="snapshot db-snap", action="create",
        expect=Expectation.snapshot_created(),
    )  # fmt: skip
    await env.tracker.poll_once()
    env.clock.advance(65)
    env.client.snapshots.set("snap-2", "FAILED")
    await env.tracker.poll_once()
    assert job.state == "failed"
    assert job.message == "snapshot db-snap FAILED after 1m05s"
    assert [e.kind for e in env.events] == ["started", "progress", "finished"]


async def test_snapshot_restore_leaves_active_then_returns(env: Env) -> None:
    snaps = env.client.snapshots
    snaps.add("snap-3", "ACTIVE")
    job = env.tracker.track(kind="snapshot", target_id="snap-3", action="restore")  # default expectation
    assert job.expect == Expectation.snapshot_restored()
    assert job.label == "snapshot snap-3"
    await env.tracker.poll_once()
    assert job.running  # still ACTIVE: the restore has not shown yet
    snaps.set("snap-3", "RESTORING")
    env.clock.advance(1)
    await env.tracker.poll_once()
    assert job.running and job.status == "RESTORING"
    snaps.set("snap-3", "ACTIVE")
    env.clock.advance(1)
    await env.tracker.poll_once()
    assert job.state == "succeeded"
    assert [e.kind for e in env.events] == ["started", "progress", "progress", "finished"]
    assert [e.item.status for e in env.events[1:]] == ["ACTIVE", "RESTORING", "ACTIVE"]


@pytest.mark.parametrize("path", [["RESTORING", "FAILED"], ["FAILED"]], ids=["after-restoring", "at-once"])
async def test_snapshot_restore_that_fails_ends_its_job(env: Env, path: list[str]) -> None:
    """The failure path of a restore: FAILED ends the job as failed, whether or not the snapshot was seen to leave
    ACTIVE first (``must_leave_first`` only delays success), and it is never polled again."""
    snaps = env.client.snapshots
    snaps.add("snap-4", "ACTIVE", "web-01-nightly")
    job = env.tracker.track(kind="snapshot", target_id="snap-4", label="snapshot web-01-nightly", action="restore")
    await env.tracker.poll_once()
    assert job.running
    for status in path:
        env.clock.advance(5)
        snaps.set("snap-4", status)
        await env.tracker.poll_once()
    assert job.state == "failed"
    assert job.message.startswith("snapshot web-01-nightly FAILED after ")
    assert env.events[-1].kind == "finished" and env.tracker.in_flight == []
    env.client.take_calls()
    await env.tracker.poll_once()
    assert env.client.calls == []


async def test_snapshot_restore_whose_snapshot_vanishes_ends_failed(env: Env) -> None:
    snaps = env.client.snapshots
    snaps.add("snap-5", "ACTIVE")
    job = env.tracker.track(kind="snapshot", target_id="snap-5", action="restore")
    await env.tracker.poll_once()
    snaps.set("snap-5", "RESTORING")
    env.clock.advance(5)
    await env.tracker.poll_once()
    snaps.remove("snap-5")
    env.clock.advance(5)
    await env.tracker.poll_once()
    assert job.state == "failed" and "no longer exists" in job.message
    assert env.tracker.in_flight == []


async def test_snapshot_restore_that_never_changes_ends_by_timeout() -> None:
    env = make_env(timeout=120.0)
    env.client.snapshots.add("snap-6", "RESTORING")
    job = env.tracker.track(kind="snapshot", target_id="snap-6", action="restore")
    for _ in range(10):
        env.clock.advance(30)
        await env.tracker.poll_once()
        if not job.running:
            break
    assert job.state != "running" and job.state != "succeeded"
    assert env.tracker.in_flight == []


async def test_server_that_ignores_the_status_filter(env: Env) -> None:
    """Each listed item's own status counts: a finished snapshot in an unfiltered list ends its job."""
    snaps = env.client.snapshots
    snaps.ignore_filter = True
    snaps.add("snap-1", "ACTIVE")
    snaps.add("snap-2", "IN_PROGRESS")
    a = env.tracker.track(kind="snapshot", target_id="snap-1", action="create")
    b = env.tracker.track(kind="snapshot", target_id="snap-2", action="create")
    await env.tracker.poll_once()
    assert a.state == "succeeded"
    assert b.running and b.status == "IN_PROGRESS"
    assert env.client.calls == [("snapshot", "list", "IN_PROGRESS", 1)]


# ---- ISOs and images ---------------------------------------------------------------------------------------


async def test_iso_download_to_ready(env: Env) -> None:
    env.client.isos.add("iso-1", "DOWNLOADING")
    job = env.tracker.track(kind="iso", target_id="iso-1", label="ISO rescue", action="download")
    await env.tracker.poll_once()
    assert env.client.take_calls() == [("iso", "list", "DOWNLOADING", 1)]
    env.clock.advance(9.6)
    env.client.isos.set("iso-1", "READY")
    await env.tracker.poll_once()
    # gone from the DOWNLOADING list: one get finds it READY
    assert env.client.take_calls() == [("iso", "list", "DOWNLOADING", 1), ("iso", "get", "iso-1")]
    assert job.state == "succeeded"
    assert job.message == "ISO rescue is READY after 10s"


async def test_iso_download_to_failed(env: Env) -> None:
    env.client.isos.add("iso-2", "DOWNLOADING")
    job = env.tracker.track(
        kind="iso", target_id="iso-2", label="ISO rescue", action="download",
        expect=Expectation.media_downloaded(),
    )  # fmt: skip
    await env.tracker.poll_once()
    env.clock.advance(65)
    env.client.isos.set("iso-2", "FAILED")
    await env.tracker.poll_once()
    assert job.state == "failed"
    assert job.message == "ISO rescue FAILED after 1m05s"


async def test_image_download_to_ready_and_iso_delete(env: Env) -> None:
    env.client.images.add("img-1", "DOWNLOADING")
    env.client.isos.add("iso-9", "READY")
    image = env.tracker.track(kind="image", target_id="img-1", action="download")
    iso = env.tracker.track(kind="iso", target_id="iso-9", label="ISO old", action="delete")
    await env.tracker.poll_once()
    assert image.running and iso.running  # the ISO is still there (READY)
    env.client.images.set("img-1", "READY")
    env.client.isos.remove("iso-9")
    env.clock.advance(3)
    await env.tracker.poll_once()
    assert image.state == "succeeded" and image.message == "image img-1 is READY after 3s"
    assert iso.state == "succeeded" and iso.message == "ISO old deleted after 3s"


# ---- instances ---------------------------------------------------------------------------------------------


async def test_instance_power_off_to_shutdown(env: Env) -> None:
    env.client.instances.add("i-1", "active", "web-01")
    job = env.tracker.track(
        kind="instance", target_id="i-1", label="instance web-01", action="poweroff",
        expect=Expectation.instance_status("shutdown"),
    )  # fmt: skip
    await env.tracker.poll_once()
    assert job.running and job.status == "active"
    env.client.instances.set("i-1", "stopping")
    env.clock.advance(2)
    await env.tracker.poll_once()
    env.client.instances.set("i-1", "SHUTDOWN")  # comparisons ignore case
    env.clock.advance(2)
    await env.tracker.poll_once()
    assert job.state == "succeeded"
    assert job.message == "instance web-01 is SHUTDOWN after 4s"
    assert [c[1] for c in env.client.calls] == ["get", "get", "get"]
    assert [e.kind for e in env.events] == ["started", "progress", "progress", "finished"]
    assert [e.item.status for e in env.events[1:]] == ["active", "stopping", "SHUTDOWN"]


async def test_reset_must_leave_active_first(env: Env) -> None:
    inst = env.client.instances
    inst.add("i-1", "active")
    job = env.tracker.track(
        kind="instance", target_id="i-1", label="instance web-01", action="reset",
        expect=Expectation.instance_reset(),
    )  # fmt: skip
    for _ in range(3):  # active, but before the grace period: not done
        await env.tracker.poll_once()
        env.clock.advance(1)
    assert job.running
    inst.set("i-1", "resetting")
    await env.tracker.poll_once()
    assert job.running and job.status == "resetting"
    env.clock.advance(1)
    inst.set("i-1", "active")
    await env.tracker.poll_once()
    assert job.state == "succeeded"
    assert job.message == "instance web-01 is active after 4s"


async def test_reset_grace_path_when_the_change_was_too_quick_to_see(env: Env) -> None:
    env.client.instances.add("i-1", "active")
    job = env.tracker.track(kind="instance", target_id="i-1", action="reset")
    assert job.expect.must_leave_first and job.expect.grace == 10.0
    await env.tracker.poll_once()  # t=0: 1st sighting of active
    env.clock.advance(5)
    await env.tracker.poll_once()  # t=5: 2nd, but within grace
    assert job.running
    env.clock.advance(5)
    await env.tracker.poll_once()  # t=10: grace over, seen >= 2 times
    assert job.state == "succeeded"
    assert job.message == "instance i-1 is active after 10s"


async def test_grace_needs_two_sightings(env: Env) -> None:
    env.client.instances.add("i-1", "active")
    job = env.tracker.track(kind="instance", target_id="i-1", action="reset")
    env.clock.advance(30)  # e.g. the first polls failed
    await env.tracker.poll_once()
    assert job.running  # only one sighting
    await env.tracker.poll_once()
    assert job.state == "succeeded"


async def test_delete_ends_on_404(env: Env) -> None:
    env.client.instances.add("i-1", "active")
    job = env.tracker.track(
        kind="instance", target_id="i-1", label="instance web-01", action="delete",
        expect=Expectation.instance_deleted(),
    )  # fmt: skip
    await env.tracker.poll_once()
    assert job.running
    env.client.instances.remove("i-1")
    env.clock.advance(12)
    await env.tracker.poll_once()
    assert job.state == "succeeded"
    assert job.message == "instance web-01 deleted after 12s"
    assert env.events[-1].kind == "finished"


async def test_snapshot_delete_404_after_leaving_lists(env: Env) -> None:
    env.client.snapshots.add("snap-1", "ACTIVE")
    job = env.tracker.track(kind="snapshot", target_id="snap-1", action="delete")
    await env.tracker.poll_once()
    assert job.running
    env.client.snapshots.remove("snap-1")
    await env.tracker.poll_once()
    assert job.state == "succeeded"


async def test_404_without_gone_is_success(env: Env) -> None:
    """Right after the action the object may not be visible yet (a failed poll); once it was seen, or after
    the grace period, its disappearance ends the job as failed."""
    job = env.tracker.track(kind="instance", target_id="i-404", action="poweron")
    await env.tracker.poll_once()
    assert job.running and job.errors == 1 and job.last_error == "instance i-404 not found"
    assert env.tracker.next_delay == 1.0  # not a reason to back off
    env.client.instances.add("i-404", "shutdown")
    await env.tracker.poll_once()
    assert job.running and job.errors == 0 and job.last_error is None
    env.client.instances.remove("i-404")
    env.clock.advance(3)
    await env.tracker.poll_once()
    assert job.state == "failed"
    assert job.message == "instance i-404 no longer exists (3s)"

    late = env.tracker.track(kind="instance", target_id="i-never", action="poweron")
    env.clock.advance(11)
    await env.tracker.poll_once()
    assert late.state == "failed"


async def test_failure_status_of_an_instance_uses_lower_case_wording(env: Env) -> None:
    env.client.instances.add("i-1", "error")
    job = env.tracker.track(
        kind="instance", target_id="i-1", action="create",
        expect=Expectation.instance_status("active", failure={"error"}),
    )  # fmt: skip
    await env.tracker.poll_once()
    assert job.state == "failed"
    assert job.message == "instance i-1 failed (error) after 0s"


# ---- bookkeeping -------------------------------------------------------------------------------------------


async def test_duplicate_track_returns_the_running_job(env: Env) -> None:
    env.client.snapshots.add("snap-1", "IN_PROGRESS")
    a = env.tracker.track(kind="snapshot", target_id="snap-1", action="create")
    b = env.tracker.track(kind="snapshot", target_id="snap-1", action="create", label="other")
    assert a is b
    assert len(env.tracker.jobs) == 1
    assert [e.kind for e in env.events] == ["started"]
    c = env.tracker.track(kind="snapshot", target_id="snap-1", action="delete")  # another action: another job
    assert c is not a
    env.client.snapshots.set("snap-1", "ACTIVE")
    await env.tracker.poll_once()
    assert a.state == "succeeded"
    d = env.tracker.track(kind="snapshot", target_id="snap-1", action="create")  # a new run after the end
    assert d is not a and d.running
    assert [j.id for j in env.tracker.jobs] == [3, 2, 1]  # newest first
    assert [j.id for j in env.tracker.in_flight] == [3, 2]
    env.tracker.forget_finished()
    assert [j.id for j in env.tracker.jobs] == [3, 2]


async def test_jobs_on_one_object_share_one_get(env: Env) -> None:
    env.client.instances.add("i-1", "active")
    off = env.tracker.track(kind="instance", target_id="i-1", action="poweroff")
    dele = env.tracker.track(kind="instance", target_id="i-1", action="delete")
    await env.tracker.poll_once()
    assert env.client.calls == [("instance", "get", "i-1")]
    assert off.status == dele.status == "active"


async def test_subscriber_errors_are_logged_and_others_still_called(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    def broken(event: JobEvent) -> None:
        raise RuntimeError("boom")

    seen: list[str] = []
    env.tracker.subscribe(broken)
    env.tracker.subscribe(lambda e: seen.append(e.kind))
    env.client.snapshots.add("snap-1", "ACTIVE")
    job = env.tracker.track(kind="snapshot", target_id="snap-1", action="create")
    await env.tracker.poll_once()
    assert job.state == "succeeded"
    assert seen == ["started", "finished"]
    assert any("subscriber" in r.message and r.name == "cloudzy_tui.jobs" for r in caplog.records)


def test_unsubscribe(env: Env) -> None:
    got: list[JobEvent] = []
    unsubscribe = env.tracker.subscribe(got.append)
    env.tracker.track(kind="iso", target_id="iso-1", action="download")
    unsubscribe()
    unsubscribe()  # idempotent
    env.tracker.track(kind="iso", target_id="iso-2", action="download")
    assert len(got) == 1


def test_track_validates(env: Env) -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        env.tracker.track(kind="backup", target_id="b-1", action="create")
    with pytest.raises(ValueError, match="no default expectation"):
        env.tracker.track(kind="instance", target_id="i-1", action="add-traffic")
    with pytest.raises(ValueError):
        JobTracker(object(), min_interval=5, max_interval=1)


# ---- expectations and formatting ---------------------------------------------------------------------------


def test_expectations() -> None:
    e = Expectation(success={"active"}, failure=["Failed"])  # type: ignore[arg-type]
    assert isinstance(e.success, frozenset) and isinstance(e.failure, frozenset)
    assert e.is_success("ACTIVE") and e.is_success(" Active ") and not e.is_success(None)
    assert e.is_failure("FAILED") and not e.is_failure("active")
    assert hash(e) == hash(Expectation(success=frozenset({"active"}), failure=frozenset({"Failed"})))
    assert Expectation.instance_status("shutdown").success == frozenset({"shutdown"})
    assert Expectation.for_action("instance", "power-off") == Expectation.instance_powered_off()
    assert Expectation.for_action("instance", "poweron") == Expectation.instance_powered_on()
    assert Expectation.for_action("instance", "change-os").must_leave_first
    assert Expectation.for_action("instance", "resize") == Expectation.instance_resized()
    assert Expectation.for_action("instance", "delete").gone_is_success
    assert Expectation.for_action("iso", "download") == Expectation.media_downloaded()
    assert Expectation.for_action("image", "delete").gone_is_success
    assert Expectation.for_action("snapshot", "restore") == Expectation.snapshot_restored()
    assert Expectation.instance_restored().must_leave_first
    with pytest.raises(ValueError):
        Expectation(success=frozenset({"x"}), grace=-1)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (41.6, "42s"),
        (59.4, "59s"),
        (65, "1m05s"),
        (1800, "30m00s"),
        (7387, "2h03m"),
        (3 * 86400 + 7200, "3d2h"),
        (-3, "0s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_job_elapsed() -> None:
    job = Job(
        id=1, kind="iso", target_id="x", label="ISO x", action="download",
        expect=Expectation.media_downloaded(), started_at=100.0, timeout=60.0,
    )  # fmt: skip
    assert job.elapsed(130.0) == 30.0
    job.finished_at = 110.0
    assert job.elapsed(500.0) == 10.0


def test_tracker_module_knows_nothing_of_textual() -> None:
    code = "import json, sys; import cloudzy_tui.core.jobs; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    mods = set(json.loads(out))
    assert "textual" not in mods and "rich" not in mods
    assert not any(m.startswith(("cloudzy_tui.ui", "cloudzy_tui.sim", "cloudzy_tui.api")) for m in mods)


async def test_not_found_is_recognised_by_class(env: Env) -> None:
    class OtherNotFound(NotFoundError):
        pass

    env.client.fail_next = [OtherNotFound("gone", status=404)]
    job = env.tracker.track(kind="instance", target_id="i-1", action="delete")
    await env.tracker.poll_once()
    assert job.state == "succeeded"
