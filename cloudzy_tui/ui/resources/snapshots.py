"""Snapshots: list (instance, status, automated filters; paged) and detail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import SNAPSHOT_STATUSES, Snapshot, SnapshotFilters
from cloudzy_tui.ui.format import gigabytes, ram_mb, size_bytes, timestamp, yes_no
from cloudzy_tui.ui.resources.base import Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import pages_of, status_text, when

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


async def load_snapshots(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[Snapshot]]:
    query = SnapshotFilters(**filters) if filters else None
    async for page in pages_of(app.client.snapshots.pages(query, page_size=100)):
        yield page


async def fetch_snapshot(app: CloudzyApp, item: Snapshot) -> Snapshot:
    return await app.client.snapshots.get(item.id)


def snapshot_instance(s: Snapshot) -> str:
    meta = s.metadata
    return (meta.hostname if meta and meta.hostname else None) or s.instance_id or ""


def snapshot_detail(s: Snapshot, view: View) -> list[Section]:
    meta = s.metadata
    sections = [
        Section(
            "Snapshot",
            rows=[
                ("name", s.name),
                ("id", s.id),
                ("status", status_text(s.status)),
                ("size", size_bytes(s.size) if s.size and s.size > 10_000 else gigabytes(s.size)),
                ("created", timestamp(s.created_at) or None),
                ("last restored", timestamp(s.last_restored_at) or "never"),
            ],
        ),
        Section(
            "Instance",
            rows=[
                ("instance", s.instance_id),
                ("instance deleted", yes_no(s.is_instance_deleted)),
                ("region", view.catalog.region_name(s.region_id)),
                ("product", s.product_id),
                ("user", s.user_id),
            ],
        ),
    ]
    if meta is not None:
        sections.append(
            Section(
                "At the time of the snapshot",
                rows=[
                    ("hostname", meta.hostname),
                    ("OS", meta.os_name),
                    ("vCPU", meta.vcpu_count),
                    ("RAM", ram_mb(meta.ram)),
                    ("disk", gigabytes(meta.disk)),
                ],
            )
        )
    return sections


SNAPSHOTS: ResourceSpec[Snapshot] = ResourceSpec(
    name="snapshots",
    title="Snapshots",
    singular="Snapshot",
    aliases=("snap", "snaps", "snapshot"),
    key_of=lambda s: s.id,
    label_of=lambda s: s.name or s.id,
    columns=[
        Column("name", "Name", lambda s, v: s.name, max_width=30),
        Column("status", "Status", lambda s, v: status_text(s.status), max_width=12),
        Column("instance", "Instance", lambda s, v: snapshot_instance(s), max_width=20),
        Column("region", "Region", lambda s, v: v.catalog.region_name(s.region_id), max_width=14),
        Column("size", "Size", lambda s, v: gigabytes(s.size), sort=lambda s: s.size, justify="right", max_width=8),
        Column("created", "Created", lambda s, v: when(s.created_at), sort=lambda s: s.created_at, max_width=20),
        Column("restored", "Restored", lambda s, v: when(s.last_restored_at), sort=lambda s: s.last_restored_at,
               max_width=20),
    ],
    load=load_snapshots,
    fetch_one=fetch_snapshot,
    detail=snapshot_detail,
    row_style=lambda s: "dim" if s.is_instance_deleted else "",
    filters=[
        FilterField("instance_id", "Instance id"),
        FilterField("status", "Status", kind="choice", choices=[(x, x) for x in SNAPSHOT_STATUSES]),
        FilterField("is_automated_backup", "Automated backups only", kind="bool"),
    ],
    empty_hint="No snapshots yet.",
    refresh_interval=20.0,
    job_kind="snapshot",
)
