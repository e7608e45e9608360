"""Backup profiles: list (status filter) and detail with the profile's backup files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import BACKUP_STATUSES, BackupProfile
from cloudzy_tui.ui.format import money, timestamp
from cloudzy_tui.ui.resources.base import Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


async def load_backups(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[BackupProfile]]:
    yield await app.client.backups.list(status=filters.get("status") or None)


async def fetch_backup(app: CloudzyApp, item: BackupProfile) -> BackupProfile:
    return await app.client.backups.get(item.instance_id)


def backup_hostname(b: BackupProfile) -> str:
    data = b.instance_data
    return (data.hostname if data and data.hostname else None) or b.instance_id


def schedule(b: BackupProfile) -> str:
    days = ", ".join(clean(d)[:3] for d in (b.schedule_week_days or []))
    freq = clean(b.schedule_frequency)
    return f"{freq} ({days})" if days else freq


def backup_detail(b: BackupProfile, view: View) -> list[Section]:
    sections = [
        Section(
            "Backup profile",
            rows=[
                ("instance", backup_hostname(b)),
                ("instance id", b.instance_id),
                ("status", status_text(b.status)),
                ("frequency", b.schedule_frequency),
                ("weekdays", ", ".join(clean(d) for d in (b.schedule_week_days or [])) or None),
                ("retention", f"{b.period_id} days" if b.period_id is not None else None),
                ("max files", b.max_files),
                ("monthly price", money(b.monthly_price) if b.monthly_price is not None else None),
                ("fee", f"{b.fee_percentage}%" if b.fee_percentage is not None else None),
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


BACKUPS: ResourceSpec[BackupProfile] = ResourceSpec(
    name="backups",
    title="Backup profiles",
    singular="Backup profile",
    aliases=("backup", "bk", "bak"),
    key_of=lambda b: b.instance_id,
    label_of=backup_hostname,
    columns=[
        Column("instance", "Instance", lambda b, v: backup_hostname(b), max_width=24),
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
    filters=[FilterField("status", "Status", kind="choice", choices=[(x, x) for x in BACKUP_STATUSES])],
    empty_hint="No backup profiles yet.",
    refresh_interval=60.0,
)
