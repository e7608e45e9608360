"""Custom ISOs and images: one spec builder for both (list with status filter, detail)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import MEDIA_STATUSES, Image, Iso
from cloudzy_tui.ui.format import timestamp, yes_no
from cloudzy_tui.ui.resources.base import Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import pages_of, status_text, when

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


def media_detail(m: Iso | Image, view: View) -> list[Section]:
    rows: list[tuple[str, Any]] = [
        ("name", m.name),
        ("id", m.id),
        ("status", status_text(m.status)),
        ("progress", f"{m.progress}%" if getattr(m, "progress", None) is not None else None),
        ("region", view.catalog.region_name(m.region_id)),
        ("URL", m.url),
        ("created", timestamp(m.created_at) or None),
    ]
    if isinstance(m, Iso):
        rows.append(("virtio", yes_no(m.use_virtio)))
    else:
        rows.append(("format", m.format))
        rows.append(("decompress", m.decompress))
    return [Section("ISO" if isinstance(m, Iso) else "Image", rows=rows)]


def _loader(kind: str) -> Any:
    async def load(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[Any]]:
        resource = app.client.isos if kind == "iso" else app.client.images
        async for page in pages_of(resource.pages(status=filters.get("status") or None, page_size=100)):
            yield page

    return load


def _fetcher(kind: str) -> Any:
    async def fetch(app: CloudzyApp, item: Any) -> Any:
        resource = app.client.isos if kind == "iso" else app.client.images
        return await resource.get(item.id)

    return fetch


def media_spec(kind: str) -> ResourceSpec[Any]:
    is_iso = kind == "iso"
    columns: list[Column[Any]] = [
        Column("name", "Name", lambda m, v: m.name, max_width=30),
        Column("status", "Status", lambda m, v: status_text(m.status), max_width=12),
        Column("region", "Region", lambda m, v: v.catalog.region_name(m.region_id), max_width=14),
        Column("created", "Created", lambda m, v: when(m.created_at), sort=lambda m: m.created_at, max_width=20),
    ]
    if not is_iso:
        columns.append(Column("format", "Format", lambda m, v: m.format, max_width=8))
    columns.append(Column("url", "URL", lambda m, v: m.url, max_width=60, flex=True))
    return ResourceSpec(
        name="isos" if is_iso else "images",
        title="Custom ISOs" if is_iso else "Custom images",
        singular="ISO" if is_iso else "Image",
        aliases=("iso", "isos") if is_iso else ("image", "img"),
        key_of=lambda m: str(m.id),
        label_of=lambda m: m.name or str(m.id),
        columns=columns,
        load=_loader(kind),
        fetch_one=_fetcher(kind),
        detail=media_detail,
        copy_value=lambda m: str(m.id),
        row_style=lambda m: "dim strike" if (m.status or "").upper() == "DELETED" else "",
        filters=[FilterField("status", "Status", kind="choice", choices=[(x, x) for x in MEDIA_STATUSES])],
        empty_hint=f"No custom {'ISOs' if is_iso else 'images'} yet.",
        refresh_interval=30.0,
        job_kind=kind,
    )


ISOS = media_spec("iso")
IMAGES = media_spec("image")
