"""Snapshots from the keyboard: take (from an instance and from the list), follow to ACTIVE or FAILED, restore,
delete, the detail pane's times; and the job poller's request budget with many snapshots in flight.

(``tests/ui/test_snapshots.py`` is the screenshot suite, hence this file's name.)
"""

from __future__ import annotations

import re
from typing import Any

from textual.widgets import Button, Input, Select

from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal

from .helpers import instance_record, loaded, select_instance, settle, toasts, wait_for, writes


def _snapshot(simulator: Any, name: str) -> Any:
    return next(r for r in simulator.snapshots.values() if r["name"] == name)


async def _goto(pilot: Any, name: str) -> Any:
    await pilot.press("colon", *name, "enter")
    return await loaded(pilot, name)


async def _select_snapshot(pilot: Any, simulator: Any, name: str) -> Any:
    screen = await loaded(pilot, "snapshots")
    record = _snapshot(simulator, name)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    return record


async def test_snapshot_from_an_instance_appears_at_once_and_is_followed_to_active(
    make_app: Any, simulator: Any, sim_clock: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        snapshots = await _goto(pilot, "snapshots")
        await pilot.press("escape")  # back to the instances
        instance = await select_instance(pilot, simulator, "web-02")
        before = set(simulator.snapshots)

        await pilot.press("S")
        await wait_for(pilot, lambda: len(simulator.snapshots) > len(before))
        await settle(pilot)
        (new_id,) = set(simulator.snapshots) - before
        record = simulator.snapshots[new_id]
        assert record["status"] == "IN_PROGRESS" and record["instanceId"] == instance.id
        assert len(writes(simulator, suffix="/v1/snapshots")) == 1
        # The row is in the snapshots list at once, before any refresh.
        assert snapshots.model.items[new_id].status == "IN_PROGRESS"

        job = next(j for j in app.jobs.jobs if j.target_id == new_id)
        assert job.kind == "snapshot" and job.running
        sim_clock.advance(3)
        await wait_for(pilot, lambda: job.finished)
        assert job.state == "succeeded" and record["status"] == "ACTIVE"
        await wait_for(pilot, lambda: any("ACTIVE" in t for t in toasts(app)))
        assert snapshots.model.items[new_id].status == "ACTIVE"  # the tracker updated the row


async def test_snapshot_from_the_list_followed_to_failed(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    simulator.config.snapshot_failure_rate = 1.0
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "snapshots")
        target = instance_record(simulator, "cache-01")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        form = pilot.app.screen
        select = form.query_one("#field-instance", Select)
        labels = {str(value): str(label) for label, value in select._options if value is not Select.NULL}
        assert labels[target.id].startswith("cache-01")  # choices are labelled by hostname
        assert instance_record(simulator, "old-test").id not in labels  # deleted instances are not offered
        await pilot.click("#submit")  # nothing chosen: the field says so, nothing is sent
        await wait_for(pilot, lambda: "required" in str(form.query_one("#error-instance").render()))
        assert not writes(simulator)
        select.value = target.id
        await pilot.pause(0.25)  # a Button ignores a second click during its 0.2 s press effect
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(writes(simulator, suffix="/v1/snapshots")))
        await settle(pilot)
        assert writes(simulator, suffix="/v1/snapshots")[0].body == {"instanceId": target.id}
        new_id = next(s.id for s in simulator.snapshots.values() if s["instanceId"] == target.id)
        assert screen.model.items[new_id].status == "IN_PROGRESS"
        job = next(j for j in app.jobs.jobs if j.target_id == new_id)
        sim_clock.advance(3)
        await wait_for(pilot, lambda: job.finished)
        assert job.state == "failed" and simulator.snapshots[new_id]["status"] == "FAILED"
        await wait_for(pilot, lambda: any("FAILED" in t for t in toasts(app)))
        await wait_for(pilot, lambda: screen.model.items[new_id].status == "FAILED")


async def test_a_refused_snapshot_keeps_the_form(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "snapshots")
        busy = instance_record(simulator, "worker-01")  # its snapshot is still IN_PROGRESS: the API says 409
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        form = pilot.app.screen
        form.query_one("#field-instance", Select).value = busy.id
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "in progress" in str(form.query_one("#form-error").render()))
        assert pilot.app.screen is form and not form.busy
        assert form.query_one("#field-instance", Select).value == busy.id


async def test_restore_is_not_offered_unless_active(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "snapshots")
        failed = await _select_snapshot(pilot, simulator, "api-gateway-nightly")
        assert failed["status"] == "FAILED"
        assert screen.action_availability("restore") is None
        await pilot.press("R")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConfirmModal)
        assert not writes(simulator, suffix="/restore")
        # Through the command palette (or a rebound key) the dispatcher says why.
        screen.dispatch_action(screen.spec.action("restore"), screen.current_item)
        await settle(pilot)
        assert any("only ACTIVE" in t for t in toasts(app))
        assert not writes(simulator, suffix="/restore")

        await _select_snapshot(pilot, simulator, "worker-01-pre-deploy")  # IN_PROGRESS: neither restore nor delete
        assert screen.action_availability("restore") is None
        assert screen.action_availability("delete") is None


async def test_restore_an_active_snapshot_after_typing_the_name(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "snapshots")
        snap = await _select_snapshot(pilot, simulator, "web-01-before-upgrade")
        instance = instance_record(simulator, "web-01")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        modal = pilot.app.screen
        assert "overwrites" in str(modal.query_one("#dialog-message").render())
        assert modal.query_one("#confirm", Button).disabled
        modal.query_one("#require-input", Input).focus()
        await pilot.press(*"web-0")
        assert modal.query_one("#confirm", Button).disabled
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: bool(writes(simulator, suffix="/restore")))
        await settle(pilot)
        assert writes(simulator, suffix="/restore")[0].path == f"/v1/snapshots/{snap.id}/restore"
        assert snap["status"] == "RESTORING" and instance["status"] == "restoring"
        assert screen.model.items[snap.id].status == "RESTORING"
        snap_job = next(j for j in app.jobs.jobs if j.kind == "snapshot" and j.target_id == snap.id)
        instance_job = next(j for j in app.jobs.jobs if j.kind == "instance" and j.target_id == instance.id)
        await wait_for(pilot, lambda: snap_job.status == "RESTORING" and instance_job.status == "restoring")
        sim_clock.advance(3)
        await wait_for(pilot, lambda: snap_job.finished and instance_job.finished)
        assert snap_job.state == "succeeded" and instance_job.state == "succeeded"
        assert snap["status"] == "ACTIVE" and snap["lastRestoredAt"] is not None
        assert instance["status"] == "active"
        await wait_for(pilot, lambda: screen.model.items[snap.id].last_restored_at is not None)


async def test_restore_cancelled_sends_nothing(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40)) as pilot:
        await _select_snapshot(pilot, simulator, "web-01-before-upgrade")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        # A typed-name confirmation opens on its field; Enter with nothing typed confirms nothing.
        assert pilot.app.focused is not None and pilot.app.focused.id == "require-input"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert not writes(simulator)


async def test_delete_a_snapshot_with_confirmation(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "snapshots")
        snap = await _select_snapshot(pilot, simulator, "gitlab-before-16.11-upgrade")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: snap.id not in simulator.snapshots)
        await settle(pilot)
        assert snap.id not in screen.model.items
        assert [r.path for r in writes(simulator)] == [f"/v1/snapshots/{snap.id}"]


async def test_detail_shows_epoch_seconds_and_milliseconds_alike(make_app: Any, simulator: Any) -> None:
    snap = _snapshot(simulator, "db-primary-pre-migration")
    millis = snap["createdAt"]
    assert millis > 10**11  # the simulator sends milliseconds
    other = _snapshot(simulator, "old-test-final")
    other.data["createdAt"] = millis // 1000  # and this one seconds
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await loaded(pilot, "snapshots")
        from cloudzy_tui.units import timestamp

        expected = timestamp(millis / 1000)
        assert expected.startswith("2025-")
        await _select_snapshot(pilot, simulator, "db-primary-pre-migration")
        await settle(pilot)
        text = screen.detail.plain_text(width=200)
        assert re.search(rf"created\s+{expected}", text)
        assert re.search(r"last restored\s+2025-10-04 00:00 UTC", text)  # restored two days after it was taken
        assert re.search(r"instance deleted\s+no", text) and re.search(r"instance\s+db-primary", text)
        # The product is named once the region's products are in (fetched for the detail pane).
        await wait_for(pilot, lambda: bool(re.search(r"product\s+\d+ vCPU", screen.detail.plain_text(width=200))))
        await _select_snapshot(pilot, simulator, "old-test-final")
        await settle(pilot)
        text = screen.detail.plain_text(width=200)
        assert re.search(rf"created\s+{expected}", text)
        assert re.search(r"instance deleted\s+yes", text)  # old-test was deleted


async def test_poller_lists_instead_of_fetching_each_snapshot(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    # A slow poller: rounds are run by hand below (the app's loop polls when jobs start, then sleeps 10 s).
    app = make_app(job_interval=10.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        idle = [
            r
            for r in simulator.instances.values()
            if r["status"] in ("active", "shutdown") and r["hostname"] != "worker-01"
        ][:20]
        assert len(idle) == 20
        ids = []
        for record in idle:
            snapshot = await app.client.snapshots.create(record.id)
            assert snapshot is not None
            ids.append(snapshot.id)
            app.track("snapshot", snapshot.id, snapshot.name or snapshot.id, "create", Expectation.snapshot_created())
        await settle(pilot)
        await app.jobs.poll_once()  # waits for a round the app's loop may be running

        def snapshot_gets() -> int:
            return sum(1 for r in simulator.requests if r.method == "GET" and r.path.startswith("/v1/snapshots"))

        per_round = []
        for _ in range(3):
            before = snapshot_gets()
            await app.jobs.poll_once()
            per_round.append(snapshot_gets() - before)
        assert all(1 <= n <= 2 for n in per_round), per_round  # one list call covers all 20
        assert not any(r.path.startswith("/v1/snapshots/") for r in simulator.requests if r.method == "GET")

        sim_clock.advance(3)  # all become ACTIVE: gone from the IN_PROGRESS list, each needs one get
        rounds = 0
        while any(j.running for j in app.jobs.jobs) and rounds < 10:
            before = snapshot_gets()
            await app.jobs.poll_once()
            spent = snapshot_gets() - before
            assert spent <= 2 + app.jobs.max_detail_requests_per_tick < 20, spent
            rounds += 1
        assert all(j.state == "succeeded" for j in app.jobs.jobs if j.target_id in ids)


async def test_snapshot_key_pressed_twice_sends_one_request(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        instance = await select_instance(pilot, simulator, "web-03")
        screen = await loaded(pilot, "instances")
        action = screen.spec.action("snapshot")
        assert action is not None
        screen.dispatch_action(action, screen.current_item)
        screen.dispatch_action(action, screen.current_item)  # while the first is in flight
        await settle(pilot)
        assert len(writes(simulator, suffix="/v1/snapshots")) == 1
        assert any("already running" in t for t in toasts(app))
        assert sum(1 for s in simulator.snapshots.values() if s["instanceId"] == instance.id) == 1
