"""Backup profiles: list (status filter), detail with the profile's backup files; create, edit and delete.

A profile belongs to an instance (it is keyed by the instance id): ``b`` on an instance opens the schedule form
for it (create when the instance has none, see ``backup_profile_of``, else update); on this screen ``n`` creates
one for an instance without a profile, ``e`` edits the selected one and ``D`` deletes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import (
    BACKUP_STATUSES,
    BackupProfile,
    BackupProfileRequest,
    Instance,
    MalformedResponseError,
    NotFoundError,
)
from cloudzy_tui.ui.format import money, percent, timestamp
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.resources.snapshots import instance_label, live_instances, mounted_screen, upsert_into
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.core.catalog import Catalog
    from cloudzy_tui.ui.app import CloudzyApp


async def load_backups(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[BackupProfile]]:
    yield await app.client.backups.list(status=filters.get("status") or None)


async def fetch_backup(app: CloudzyApp, item: BackupProfile) -> BackupProfile:
    return await app.client.backups.get(item.instance_id)


async def backup_profile_of(app: CloudzyApp, instance_id: str) -> BackupProfile | None:
    """The instance's backup profile, ``None`` when it has none. The reference does not say how "none" is answered:
    a 404 is taken as none; a reply without a usable object (``data: null``) is checked against the list."""
    try:
        return await app.client.backups.get(instance_id)
    except NotFoundError:
        return None
    except MalformedResponseError:
        return next((p for p in await app.client.backups.list() if p.instance_id == str(instance_id)), None)


def backup_hostname(b: BackupProfile, catalog: Catalog | None = None) -> str:
    """The instance's hostname: from the profile's ``instanceData`` (optional in a reply), else as the instances list
    named it this session (``catalog``), else the instance id."""
    data = b.instance_data
    if data and data.hostname:
        return data.hostname
    return catalog.instance_name(b.instance_id) if catalog is not None else b.instance_id


def schedule(b: BackupProfile) -> str:
    days = ", ".join(clean(d)[:3] for d in (b.schedule_week_days or []))
    freq = clean(b.schedule_frequency)
    return f"{freq} ({days})" if days else freq


def backup_detail(b: BackupProfile, view: View) -> list[Section]:
    sections = [
        Section(
            "Backup profile",
            rows=[
                ("instance", backup_hostname(b, view.catalog)),
                ("instance id", b.instance_id),
                ("status", status_text(b.status)),
                ("frequency", b.schedule_frequency),
                ("weekdays", ", ".join(clean(d) for d in (b.schedule_week_days or [])) or None),
                ("retention", f"{b.period_id} days" if b.period_id is not None else None),
                ("max files", b.max_files),
                ("monthly price", money(b.monthly_price) if b.monthly_price is not None else None),
                ("fee", percent(b.fee_percentage) or None),
                ("last successful backup", timestamp(b.last_successful_backup_time) or "never"),
                ("created", timestamp(b.created_at) or None),
            ],
        )
    ]
    files = b.backup_files or []
    if files:
        rows: list[tuple[str, Any]] = []
        for f in files[:50]:
            line = status_text(f.status)
            created = timestamp(f.created_at)
            if created:
                line.append(f"  {created}", style="dim")
            rows.append((clean(f.name or f.id, max_length=30), line))
        sections.append(Section(f"Backup files ({len(files)})", rows=rows))
    else:
        sections.append(Section("Backup files", rows=[("", Text("none yet", style="dim"))]))
    return sections


# ------------------------------------------------------------------------------------------------------ actions


async def _schedule_form(
    app: CloudzyApp,
    *,
    profile: BackupProfile | None,
    instance_id: str | None,
    hostname: str,
    instance_choices: list[tuple[Text, str]] | None = None,
) -> tuple[bool, BackupProfile | None]:
    """Show the schedule form; (sent, what the API returned)."""
    from cloudzy_tui.ui.modals.backup_schedule import BackupScheduleModal

    async def send(request: BackupProfileRequest) -> BackupProfile | None:
        if profile is None:
            return await app.client.backups.create(request)
        return await app.client.backups.update(request)

    if profile is None:
        title = f"Backups of {clean(hostname, max_length=40)}: new schedule" if instance_id else "New backup profile"
        label = "Create"
    else:
        title = f"Backups of {clean(hostname, max_length=40)}: edit schedule"
        label = "Save"
    modal = BackupScheduleModal(
        send, title=title, instance_id=instance_id, instance_choices=instance_choices or [], profile=profile,
        submit_label=label,
    )
    result = await app.ask(modal)
    return modal.sent, result


def _saved(app: CloudzyApp, created: bool, hostname: str, profile: BackupProfile | None) -> None:
    verb = "created" if created else "updated"
    if profile is not None:
        app.toast(f"Backup profile of {hostname} {verb}: {schedule(profile)}, kept {profile.period_id} days.",
                  title=hostname)
        upsert_into(app, "backups", [profile])
    else:
        app.toast(f"Backup profile of {hostname} {verb}.", title=hostname)
        screen = mounted_screen(app, "backups")
        if screen is not None:
            screen.reload()


async def edit_backup_schedule_of_instance(call: ActionCall[Instance]) -> None:
    """``b`` on an instance: the schedule form, to create a profile (none yet) or update the one there is."""
    i = call.target
    hostname = i.hostname or i.id
    profile = await backup_profile_of(call.app, i.id)
    sent, result = await _schedule_form(call.app, profile=profile, instance_id=i.id, hostname=hostname)
    if sent:
        _saved(call.app, profile is None, hostname, result)


async def create_backup(call: ActionCall[BackupProfile]) -> None:
    """``n``: choose an instance without a profile, then its schedule."""
    app = call.app
    instances = await live_instances(app)
    have = {p.instance_id for p in await app.client.backups.list()}
    candidates: list[Instance] = [i for i in instances if i.id not in have]
    if not candidates:
        app.toast("Every instance already has a backup profile (e edits one).", severity="warning")
        return
    names = {i.id: i.hostname or i.id for i in candidates}
    sent, result = await _schedule_form(
        app, profile=None, instance_id=None, hostname="",
        instance_choices=[(instance_label(i), i.id) for i in candidates],
    )
    if sent:
        hostname = names.get(result.instance_id, result.instance_id) if result is not None else "the instance"
        _saved(app, True, hostname, result)


async def edit_backup(call: ActionCall[BackupProfile]) -> None:
    b = call.target
    hostname = backup_hostname(b, call.app.catalog)
    sent, result = await _schedule_form(call.app, profile=b, instance_id=b.instance_id, hostname=hostname)
    if sent:
        _saved(call.app, False, hostname, result)
        if result is None:
            await call.screen.refresh_one(b)


async def delete_backup(call: ActionCall[BackupProfile]) -> None:
    b = call.target
    hostname = backup_hostname(b, call.app.catalog)
    message = Text("Delete the backup profile of ")
    message.append_text(safe_text(hostname, style="bold"))
    message.append(f" ({schedule(b)}")
    if b.period_id is not None:
        message.append(f", kept {b.period_id} days")
    message.append(")?\nNo more automated backups are taken of this instance.")
    if not await call.app.confirm("Delete backup profile", message, confirm_label="Delete"):
        return
    result = await call.app.client.backups.delete(b.instance_id)
    call.app.toast(result.detail or f"Backup profile of {hostname} deleted", title=hostname)
    call.screen.remove_item(b.instance_id)


BACKUP_ACTIONS: list[Action[BackupProfile]] = [
    Action("create", "n", "New", create_backup, "Schedule backups of an instance", needs_item=False),
    Action("edit", "e", "Edit", edit_backup, "Change the schedule or retention", guard=False),
    Action("delete", "D", "Delete", delete_backup, "Stop automated backups of the instance"),
]


BACKUPS: ResourceSpec[BackupProfile] = ResourceSpec(
    name="backups",
    title="Backup profiles",
    singular="Backup profile",
    aliases=("backup", "bk", "bak"),
    key_of=lambda b: b.instance_id,
    label_of=backup_hostname,
    columns=[
        Column("instance", "Instance", lambda b, v: backup_hostname(b, v.catalog), max_width=24),
        Column("status", "Status", lambda b, v: status_text(b.status), max_width=10),
        Column("schedule", "Schedule", lambda b, v: schedule(b), max_width=30),
        Column("retention", "Retention", lambda b, v: f"{b.period_id}d" if b.period_id is not None else "",
               sort=lambda b: b.period_id, justify="right", max_width=9),
        Column("files", "Files", lambda b, v: len(b.backup_files or []), justify="right", max_width=5),
        Column("price", "Monthly", lambda b, v: money(b.monthly_price), sort=lambda b: b.monthly_price,
               justify="right", max_width=9),
        Column("last", "Last backup", lambda b, v: when(b.last_successful_backup_time),
               sort=lambda b: b.last_successful_backup_time, max_width=20),
    ],
    load=load_backups,
    fetch_one=fetch_backup,
    detail=backup_detail,
    actions=BACKUP_ACTIONS,
    filters=[FilterField("status", "Status", kind="choice", choices=[(x, x) for x in BACKUP_STATUSES])],
    empty_hint="No backup profiles yet: press n to schedule backups (or b on an instance).",
    refresh_interval=60.0,
    instance_of=lambda b: (b.instance_id, b.instance_data.hostname if b.instance_data else None),
)
