"""Backup profiles, one per instance (keyed by its id): ``pending`` then ``active`` after one step; the rendered
profile computes ``maxFiles``, ``monthlyPrice`` (``feePercentage`` of the instance's price), the last successful
backup and ``backupFiles`` (the instance's automated snapshots). No new automated backups are taken over time."""

from __future__ import annotations

import math
from typing import Any

from cloudzy_tui.sim import catalog
from cloudzy_tui.sim.errors import Conflict, NotFound
from cloudzy_tui.sim.records import Record, set_status
from cloudzy_tui.sim.resources.snapshots import metadata, millis
from cloudzy_tui.sim.store import Store


def render_backup(store: Store, record: Record) -> dict[str, Any]:
    """The wire object of a profile (stored fields + the computed ones)."""
    instance = store.instances[record["instanceId"]]
    files = [s.data for s in reversed(store.snapshots.values()) if s.automated and s["instanceId"] == instance.id]
    done = [f["createdAt"] for f in files if f["status"] == "ACTIVE"]
    data = record.data
    per_run = 1 if data["scheduleFrequency"] == "daily" else max(1, len(data["scheduleWeekDays"]))
    runs = data["periodId"] if data["scheduleFrequency"] == "daily" else math.ceil(data["periodId"] / 7)
    return {
        "instanceId": instance.id,
        "instanceData": metadata(instance),
        "status": data["status"],
        "monthlyPrice": round(instance.monthly_price * data["feePercentage"] / 100, 2),
        "feePercentage": data["feePercentage"],
        "scheduleFrequency": data["scheduleFrequency"],
        "scheduleWeekDays": list(data["scheduleWeekDays"]),
        "maxFiles": runs * per_run,
        "periodId": data["periodId"],
        "lastSuccessfulBackupTime": max(done) if done else None,
        "backupFiles": files,
        "createdAt": data["createdAt"],
    }


def list_backups(store: Store, status: str | None) -> list[dict[str, Any]]:
    return [render_backup(store, r) for r in store.backups.values() if status is None or r["status"] == status]


def get_backup(store: Store, instance_id: str) -> Record:
    record = store.backups.get(instance_id)
    if record is None:
        raise NotFound(f"No backup profile for instance '{instance_id}'")
    return record


def backup_days(frequency: str, weekdays: list[str] | None, current: list[str] | None = None) -> list[str]:
    """The weekdays a profile gets. ``scheduleWeekDays`` is optional in the reference: when it is not sent
    (None) an update keeps the profile's days, and a weekly schedule that would have none runs on
    ``catalog.DEFAULT_WEEKLY_DAY``."""
    days = list(weekdays) if weekdays is not None else list(current or [])
    if frequency == "weekly" and not days:
        days = [catalog.DEFAULT_WEEKLY_DAY]
    return days


def create_backup(
    store: Store,
    instance_id: str,
    frequency: str,
    weekdays: list[str] | None,
    period: int,
    *,
    status: str = "pending",
    created: float | None = None,
) -> dict[str, Any]:
    """A new profile (409 if the instance has one). The seed passes ``status`` and ``created``; a ``pending``
    profile turns ``active`` one step from now."""
    instance = store.live_instance(instance_id)
    if instance_id in store.backups:
        raise Conflict(f"Instance {instance['hostname']} already has a backup profile; update it instead")
    now = store.now() if created is None else created
    record = Record(
        data={
            "instanceId": instance_id,
            "status": status,
            "feePercentage": catalog.BACKUP_FEE_PERCENT,
            "scheduleFrequency": frequency,
            "scheduleWeekDays": backup_days(frequency, weekdays),
            "periodId": period,
            "createdAt": millis(now),
        }
    )
    store.backups[instance_id] = record
    if status == "pending":
        store.scheduler.chain(record, store.now(), store.step, [("active", set_status(record, "active"))])
    return render_backup(store, record)


def update_backup(
    store: Store, instance_id: str, frequency: str, weekdays: list[str] | None, period: int
) -> dict[str, Any]:
    record = get_backup(store, instance_id)
    store.live_instance(instance_id)
    days = backup_days(frequency, weekdays, record.data["scheduleWeekDays"])
    record.data.update({"scheduleFrequency": frequency, "scheduleWeekDays": days, "periodId": period})
    return render_backup(store, record)


def delete_backup(store: Store, instance_id: str) -> None:
    record = get_backup(store, instance_id)
    store.scheduler.cancel(record)
    del store.backups[instance_id]
