"""Backup profiles: the resource (keyed by instance id, status filter) and set a schedule, delete a profile."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field as ModelField

from cloudzy_tui.api import (
    BACKUP_STATUSES,
    BackupProfile,
    BackupProfileRequest,
    Instance,
    MalformedResponseError,
    NotFoundError,
    RequestModel,
)
from cloudzy_tui.ops.instances import describe_instance, hostname, instance_ref, status
from cloudzy_tui.ops.model import InstanceRef, Operation, Outcome
from cloudzy_tui.ops.resources import Field, Filter, Resource
from cloudzy_tui.text import clean
from cloudzy_tui.units import money, timestamp

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


def backup_hostname(b: BackupProfile, session: Context | None = None) -> str:
    """The instance's hostname: from the profile's ``instanceData`` (optional in a reply), else as this session saw
    it, else the instance id."""
    data = b.instance_data
    if data and data.hostname:
        return data.hostname
    if session is not None:
        return session.catalog.instance_name(b.instance_id)
    return b.instance_id


def schedule(b: BackupProfile | BackupProfileRequest) -> str:
    days = ", ".join(clean(d)[:3] for d in (b.schedule_week_days or []))
    freq = clean(b.schedule_frequency)
    return f"{freq} ({days})" if days and (freq or "").lower() != "daily" else freq


def backup_instance_ref(b: BackupProfile) -> InstanceRef:
    data = b.instance_data
    return InstanceRef(str(b.instance_id), data.hostname if data and data.hostname else None)


async def backup_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[BackupProfile]]:
    yield await session.client.backups.list(status=filters.get("status") or None)


async def profile_of(session: Context, instance_id: str) -> BackupProfile | None:
    """The instance's backup profile, ``None`` when it has none. The reference does not say how "none" is answered:
    a 404 is taken as none; a reply without a usable object (``data: null``) is checked against the list."""
    try:
        return await session.client.backups.get(instance_id)
    except NotFoundError:
        return None
    except MalformedResponseError:
        return next((p for p in await session.client.backups.list() if p.instance_id == str(instance_id)), None)


async def fetch_backup(session: Context, ref: str) -> BackupProfile:
    found = await profile_of(session, ref)
    if found is None:
        raise NotFoundError(f"no backup profile for instance {clean(ref, max_length=60)!r}")
    return found


BACKUPS: Resource[BackupProfile] = Resource(
    name="backups",
    title="Backup profiles",
    singular="Backup profile",
    aliases=("backup", "bk", "bak"),
    key_of=lambda b: str(b.instance_id),
    label=lambda b: backup_hostname(b),
    pages=backup_pages,
    fetch=fetch_backup,
    names_of=lambda b: [b.instance_data.hostname] if b.instance_data and b.instance_data.hostname else [],
    fields=[
        Field("instance_id", "INSTANCE ID", lambda b: b.instance_id),
        Field("instance", "INSTANCE", lambda b: backup_hostname(b)),
        Field("status", "STATUS", lambda b: b.status),
        Field("schedule", "SCHEDULE", schedule),
        Field("retention", "RETENTION", lambda b: f"{b.period_id} days" if b.period_id is not None else ""),
        Field("files", "FILES", lambda b: len(b.backup_files or [])),
        Field("price", "MONTHLY", lambda b: money(b.monthly_price, per="mo")),
        Field("last", "LAST BACKUP", lambda b: timestamp(b.last_successful_backup_time)),
    ],
    filters=[Filter("status", "Status", kind="choice", choices=[(x, x) for x in BACKUP_STATUSES])],
    instance_of=backup_instance_ref,
)


class ScheduleParams(RequestModel):
    """A backup schedule: ``daily``, or ``weekly`` on the days given; kept ``period_id`` days."""

    schedule_frequency: str = ModelField(description="daily or weekly")
    schedule_week_days: list[str] | None = ModelField(None, description="for weekly: Monday, Tuesday, ...")
    period_id: int = ModelField(ge=1, description="retention period (days)")

    def request(self, instance_id: str) -> BackupProfileRequest:
        days = self.schedule_week_days if self.schedule_frequency.lower() == "weekly" else None
        return BackupProfileRequest(
            instance_id=instance_id,
            schedule_frequency=self.schedule_frequency,
            schedule_week_days=days,
            period_id=self.period_id,
        )


def _not_deleted(i: Instance) -> str | None:
    return "the instance is deleted" if status(i) == "deleted" else None


async def set_schedule(session: Context, i: Instance, params: ScheduleParams) -> Outcome:
    """Create the instance's profile, or update the one it has."""
    request = params.request(str(i.id))
    existing = await profile_of(session, str(i.id))
    if existing is None:
        saved = await session.client.backups.create(request)
        verb = "created"
    else:
        saved = await session.client.backups.update(request)
        verb = "updated"
    name = clean(hostname(i), max_length=60)
    message = f"Backup profile of {name} {verb}: {schedule(request)}, kept {request.period_id} days"
    if saved is None:
        return Outcome(message=message, data=request.to_wire(), reload=["backups"])
    if saved.monthly_price is not None:
        message += f", {money(saved.monthly_price, per='mo')}"
    return Outcome(message=message, data=saved.model_dump(mode="json", by_alias=True), changed=[("backups", saved)])


def _describe_delete(b: BackupProfile, params: Any) -> str:
    kept = f", kept {b.period_id} days" if b.period_id is not None else ""
    return (
        f"Delete the backup profile of {clean(backup_hostname(b), max_length=60)} ({schedule(b)}{kept})?\n"
        "No more automated backups are taken of this instance."
    )


async def delete(session: Context, b: BackupProfile, params: None) -> Outcome:
    result = await session.client.backups.delete(str(b.instance_id))
    return Outcome(
        message=f"Backup profile of {clean(backup_hostname(b, session), max_length=60)} deleted",
        data={"instanceId": str(b.instance_id), "detail": result.detail},
        removed=[("backups", str(b.instance_id))],
    )


SET_SCHEDULE: Operation[Instance] = Operation(
    "backup-schedule",
    "instances",
    "Backup schedule",
    "Create or change the instance's backup schedule",
    set_schedule,
    params=ScheduleParams,
    unavailable=_not_deleted,
    instance_of=lambda i, p: instance_ref(i),
    describe=lambda i, p: f"Set the backup schedule of {describe_instance(i)}?",
)
DELETE: Operation[BackupProfile] = Operation(
    "backup-delete",
    "backups",
    "Delete backup profile",
    "Stop automated backups of the instance",
    delete,
    danger="confirm",
    instance_of=lambda b, p: backup_instance_ref(b),
    describe=_describe_delete,
    destroys=True,
)

OPERATIONS: list[Operation[Any]] = [SET_SCHEDULE, DELETE]
