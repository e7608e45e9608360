"""Snapshots: IN_PROGRESS -> ACTIVE after one step, or FAILED with probability ``snapshot_failure_rate`` (drawn at
creation from a seeded stream); restore (snapshot RESTORING and instance restoring -> ACTIVE / active, with
``lastRestoredAt``); delete. Automated backups are snapshots too (``SnapshotRecord.automated``), listed only with
``is_automated_backup=true``. Newest first; ``createdAt`` / ``lastRestoredAt`` are epoch milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cloudzy_tui.sim.errors import Conflict, NotFound
from cloudzy_tui.sim.records import InstanceRecord, SnapshotRecord, set_status
from cloudzy_tui.sim.store import Store


def millis(epoch: float) -> int:
    return round(epoch * 1000)


def metadata(instance: InstanceRecord) -> dict[str, Any]:
    """What a snapshot (and a backup profile) says of its instance."""
    return {
        "hostname": instance["hostname"],
        "osName": instance["os"]["name"],
        "vcpuCount": instance["vcpuCount"],
        "ram": instance["ram"],
        "disk": instance["disk"],
    }


def snapshot_data(
    *,
    snapshot_id: str,
    name: str,
    instance: InstanceRecord,
    status: str,
    created: float,
    size: int,
    restored: float | None = None,
) -> dict[str, Any]:
    """The wire object of a new snapshot of ``instance``."""
    return {
        "id": snapshot_id,
        "name": name,
        "size": size,
        "status": status,
        "lastRestoredAt": millis(restored) if restored is not None else None,
        "createdAt": millis(created),
        "isInstanceDeleted": instance.deleted,
        "productId": instance["productId"],
        "instanceId": instance["id"],
        "userId": instance["userId"],
        "regionId": instance["region"],
        "metadata": metadata(instance),
    }


def add_snapshot(
    store: Store, record: SnapshotRecord, settles_as: str | None = None, *, start: float | None = None
) -> SnapshotRecord:
    """Store a snapshot; with ``settles_as`` (ACTIVE / FAILED) it reaches that status one step after ``start``
    (default: now)."""
    store.snapshots[record.id] = record
    if settles_as is not None:
        start = store.now() if start is None else start
        store.scheduler.chain(record, start, store.step, [(settles_as, set_status(record, settles_as))])
    return record


def list_snapshots(store: Store, instance_id: str | None, automated: bool, status: str | None) -> list[dict[str, Any]]:
    out = []
    for record in reversed(store.snapshots.values()):
        if record.automated != automated:
            continue
        if instance_id is not None and record["instanceId"] != instance_id:
            continue
        if status is not None and record["status"] != status:
            continue
        out.append(record.data)
    return out


def get_snapshot(store: Store, snapshot_id: str) -> SnapshotRecord:
    record = store.snapshots.get(snapshot_id)
    if record is None:
        raise NotFound(f"Snapshot '{snapshot_id}' not found")
    return record


def create_snapshot(store: Store, instance_id: str) -> dict[str, Any]:
    instance = store.idle_instance(instance_id, "taking a snapshot")
    for snapshot in store.snapshots.values():
        if snapshot["instanceId"] == instance_id and snapshot["status"] == "IN_PROGRESS":
            raise Conflict(f"A snapshot of {instance['hostname']} is already in progress")
    now = store.now()
    fails = store.rng_outcomes.random() < store.config.snapshot_failure_rate
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d-%H%M%S")
    record = SnapshotRecord(
        data=snapshot_data(
            snapshot_id=store.new_uuid(),
            name=f"{instance['hostname']}-{stamp}",
            instance=instance,
            status="IN_PROGRESS",
            created=now,
            size=max(1, int(instance["disk"] * (0.15 + 0.5 * store.rng_outcomes.random()))),
        ),
        os_id=instance["osId"],
    )
    return add_snapshot(store, record, "FAILED" if fails else "ACTIVE", start=now).data


def delete_snapshot(store: Store, snapshot_id: str) -> None:
    record = get_snapshot(store, snapshot_id)
    if record["status"] in ("IN_PROGRESS", "RESTORING"):
        raise Conflict(f"Snapshot {record['name']} is {record['status']}; it cannot be deleted now")
    store.scheduler.cancel(record)
    del store.snapshots[snapshot_id]


def restore_snapshot(store: Store, snapshot_id: str) -> dict[str, Any]:
    record = get_snapshot(store, snapshot_id)
    if record["status"] != "ACTIVE":
        raise Conflict(f"Snapshot {record['name']} is {record['status']}; only ACTIVE snapshots can be restored")
    if record["isInstanceDeleted"]:
        raise Conflict(f"The instance of snapshot {record['name']} was deleted")
    instance = store.idle_instance(record["instanceId"], "restoring a snapshot")
    now = store.now()
    record["status"] = "RESTORING"
    instance["status"] = "restoring"
    os_id = record.os_id

    def snapshot_done(at: float) -> None:
        record.data["status"] = "ACTIVE"
        record.data["lastRestoredAt"] = millis(at)

    def instance_done(at: float) -> None:
        if os_id is not None and os_id in store.oses:
            instance.data["osId"] = os_id
            instance.data["os"] = store.oses[os_id]
        instance.data["status"] = "active"

    store.scheduler.chain(record, now, store.step, [("ACTIVE", snapshot_done)])
    store.scheduler.chain(instance, now, store.step, [("active", instance_done)])
    return record.data
