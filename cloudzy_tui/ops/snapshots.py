"""Snapshots: the resource (paged, filtered by instance/status/automated) and take, delete, restore."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import pydantic

from cloudzy_tui.api import SNAPSHOT_STATUSES, Instance, Snapshot, SnapshotFilters
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ops.instances import SETTLED, describe_instance, hostname, instance_ref, status
from cloudzy_tui.ops.model import InstanceRef, JobRef, Operation, Outcome
from cloudzy_tui.ops.resources import Field, Filter, Resource
from cloudzy_tui.text import clean
from cloudzy_tui.units import gigabytes, size_bytes, timestamp

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


def snapshot_label(s: Snapshot) -> str:
    return s.name or s.id


def snapshot_hostname(s: Snapshot) -> str | None:
    meta = s.metadata
    return meta.hostname if meta is not None and meta.hostname else None


def snapshot_size(s: Snapshot) -> str:
    # The API gives GB (the simulator does); a value that large can only be bytes.
    return size_bytes(s.size) if s.size and s.size > 100_000 else gigabytes(s.size)


def snapshot_instance_ref(s: Snapshot) -> InstanceRef | None:
    return InstanceRef(str(s.instance_id), snapshot_hostname(s)) if s.instance_id else None


async def snapshot_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[Snapshot]]:
    query = SnapshotFilters(**filters) if filters else None
    async for page in session.walk(lambda client: client.snapshots.pages(query, page_size=100)):
        yield page


async def fetch_snapshot(session: Context, snapshot_id: str) -> Snapshot:
    return await session.client.snapshots.get(snapshot_id)


SNAPSHOTS: Resource[Snapshot] = Resource(
    name="snapshots",
    title="Snapshots",
    singular="Snapshot",
    aliases=("snap", "snaps", "snapshot"),
    key_of=lambda s: str(s.id),
    label=snapshot_label,
    pages=snapshot_pages,
    fetch=fetch_snapshot,
    names_of=lambda s: [s.name] if s.name else [],
    fields=[
        Field("id", "ID", lambda s: s.id),
        Field("name", "NAME", lambda s: s.name),
        Field("status", "STATUS", lambda s: s.status),
        Field("instance", "INSTANCE", lambda s: snapshot_hostname(s) or s.instance_id),
        Field("region", "REGION", lambda s: s.region_id),
        Field("size", "SIZE", snapshot_size),
        Field("created", "CREATED", lambda s: timestamp(s.created_at)),
        Field("restored", "RESTORED", lambda s: timestamp(s.last_restored_at)),
    ],
    filters=[
        Filter("instance_id", "Instance id"),
        Filter("status", "Status", kind="choice", choices=[(x, x) for x in SNAPSHOT_STATUSES]),
        Filter("is_automated_backup", "Automated backups only", kind="bool"),
    ],
    job_kind="snapshot",
    instance_of=snapshot_instance_ref,
)


def _parse_snapshot(data: Any) -> Snapshot | None:
    if not isinstance(data, dict):
        return None
    try:
        return Snapshot.model_validate(data)
    except pydantic.ValidationError:
        return None


# ------------------------------------------------------------------------------------------------ take


def _instance_settled(i: Instance) -> str | None:
    if status(i) == "deleted":
        return "the instance is deleted"
    if status(i) not in ("", *SETTLED):
        return f"the instance is {clean(i.status)}; wait until it settles"
    return None


async def take(session: Context, i: Instance, params: None) -> Outcome:
    snapshot = await session.client.snapshots.create(str(i.id))
    name = clean(hostname(i), max_length=60)
    if snapshot is None:
        return Outcome(
            message=f"Snapshot of {name} requested; it appears when the list refreshes",
            data={"instance": str(i.id)},
            reload=["snapshots"],
        )
    return Outcome(
        message=f"Snapshot {clean(snapshot_label(snapshot), max_length=60)} of {name} started "
        f"({clean(snapshot.status) or 'requested'})",
        data=snapshot.model_dump(mode="json", by_alias=True),
        changed=[("snapshots", snapshot)],
        jobs=[
            JobRef(
                "snapshot",
                str(snapshot.id),
                f"snapshot {snapshot_label(snapshot)}",
                "create",
                Expectation.snapshot_created(),
            )
        ],
    )


# ------------------------------------------------------------------------------------------------ delete


def _delete_unavailable(s: Snapshot) -> str | None:
    state = (s.status or "").upper()
    if state in ("IN_PROGRESS", "RESTORING"):
        return f"the snapshot is {clean(s.status)}; wait until it settles"
    return None


def _describe_delete(s: Snapshot, params: Any) -> str:
    created = timestamp(s.created_at)
    taken = f" (taken {created})" if created else ""
    owner = clean(snapshot_hostname(s) or s.instance_id or "an unknown instance", max_length=60)
    return (
        f"Delete the snapshot {clean(snapshot_label(s), max_length=60)} of {owner}{taken}?\n"
        "It can no longer be restored or used to create instances. This cannot be undone."
    )


async def delete(session: Context, s: Snapshot, params: None) -> Outcome:
    result = await session.client.snapshots.delete(str(s.id))
    return Outcome(
        message=f"Snapshot {clean(snapshot_label(s), max_length=60)} deleted",
        data={"id": str(s.id), "detail": result.detail},
        removed=[("snapshots", str(s.id))],
    )


# ------------------------------------------------------------------------------------------------ restore


def _restore_unavailable(s: Snapshot) -> str | None:
    state = (s.status or "").upper()
    if state != "ACTIVE":
        return f"only ACTIVE snapshots can be restored (this one is {clean(s.status) or 'unknown'})"
    if s.is_instance_deleted:
        return "its instance was deleted; create a new instance from it instead"
    return None


def restore_target(s: Snapshot) -> tuple[str, str]:
    """What must be typed to confirm a restore: the instance's hostname, else the snapshot's name."""
    name = snapshot_hostname(s)
    if name:
        return clean(name), "instance hostname"
    return clean(snapshot_label(s)), "snapshot name"


def _describe_restore(s: Snapshot, params: Any) -> str:
    created = timestamp(s.created_at)
    taken = f" (taken {created})" if created else ""
    onto = clean(snapshot_hostname(s) or s.instance_id or "?", max_length=60)
    return (
        f"Restore the snapshot {clean(snapshot_label(s), max_length=60)}{taken} onto {onto}?\n"
        "This overwrites all of the instance's data with the snapshot's: everything written since the "
        "snapshot was taken is lost. The instance is unavailable while it is restored. This cannot be undone."
    )


async def restore(session: Context, s: Snapshot, params: None) -> Outcome:
    result = await session.client.snapshots.restore(str(s.id))
    fresh = _parse_snapshot(result.data)
    onto = snapshot_hostname(s) or session.catalog.known_hostname(s.instance_id) or s.instance_id or "?"
    jobs = [JobRef("snapshot", str(s.id), f"snapshot {snapshot_label(s)}", "restore", Expectation.snapshot_restored())]
    if s.instance_id:
        jobs.append(JobRef("instance", str(s.instance_id), onto, "restore", Expectation.instance_restored()))
    return Outcome(
        message=f"Restoring {clean(snapshot_label(s), max_length=60)} onto {clean(onto, max_length=60)}",
        data=(fresh or s).model_dump(mode="json", by_alias=True),
        changed=[("snapshots", fresh)] if fresh is not None else [],
        jobs=jobs,
    )


TAKE: Operation[Instance] = Operation(
    "snapshot",
    "instances",
    "Snapshot",
    "Take a snapshot of the instance now",
    take,
    unavailable=_instance_settled,
    instance_of=lambda i, p: instance_ref(i),
    starts_job=True,
    describe=lambda i, p: f"Take a snapshot of {describe_instance(i)}?",
)
DELETE: Operation[Snapshot] = Operation(
    "snapshot-delete",
    "snapshots",
    "Delete snapshot",
    "Delete the snapshot",
    delete,
    danger="confirm",
    unavailable=_delete_unavailable,
    instance_of=lambda s, p: snapshot_instance_ref(s),
    describe=_describe_delete,
    destroys=True,
)
RESTORE: Operation[Snapshot] = Operation(
    "snapshot-restore",
    "snapshots",
    "Restore snapshot",
    "Overwrite the instance with this snapshot",
    restore,
    danger="type",
    disruptive=True,
    unavailable=_restore_unavailable,
    instance_of=lambda s, p: snapshot_instance_ref(s),
    starts_job=True,
    describe=_describe_restore,
    require_of=restore_target,
    one_at_a_time="a restore overwrites its instance: one snapshot at a time",
)

OPERATIONS: list[Operation[Any]] = [TAKE, DELETE, RESTORE]
