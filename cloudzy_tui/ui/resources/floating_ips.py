"""Floating IPs: list (address, region, include deleted; paged) with the instance each is attached to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import FloatingIp, FloatingIpFilters
from cloudzy_tui.ui.format import timestamp, yes_no
from cloudzy_tui.ui.resources.base import Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import pages_of, when

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


async def load_fips(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[FloatingIp]]:
    query = FloatingIpFilters(**filters) if filters else None
    async for page in pages_of(app.client.floating_ips.pages(query)):
        yield page


def attached(f: FloatingIp) -> Text:
    if f.instance_id:
        return Text(str(f.instance_id))
    return Text("unattached", style="dim")


def fip_detail(f: FloatingIp, view: View) -> list[Section]:
    return [
        Section(
            "Floating IP",
            rows=[
                ("address", f.ip_address),
                ("id", f.id),
                ("region", view.catalog.region_name(f.region_id)),
                ("instance", attached(f)),
                ("auto-renew", yes_no(f.auto_renew)),
                ("expires", timestamp(f.expires_at) or None),
                ("note", f.customer_note),
                ("deleted", yes_no(f.is_deleted) if f.is_deleted else None),
            ],
        )
    ]


FLOATING_IPS: ResourceSpec[FloatingIp] = ResourceSpec(
    name="floating-ips",
    title="Floating IPs",
    singular="Floating IP",
    aliases=("fip", "fips", "ips", "floating"),
    key_of=lambda f: str(f.id),
    label_of=lambda f: f.ip_address or str(f.id),
    columns=[
        Column("address", "Address", lambda f, v: f.ip_address, max_width=39),
        Column("region", "Region", lambda f, v: v.catalog.region_name(f.region_id), max_width=16),
        Column("instance", "Instance", lambda f, v: attached(f), max_width=36),
        Column("renew", "Auto-renew", lambda f, v: yes_no(f.auto_renew), max_width=10),
        Column("expires", "Expires", lambda f, v: when(f.expires_at), sort=lambda f: f.expires_at, max_width=20),
        Column("note", "Note", lambda f, v: f.customer_note, max_width=40, flex=True),
    ],
    load=load_fips,
    detail=fip_detail,
    copy_value=lambda f: f.ip_address or str(f.id),
    row_style=lambda f: "dim strike" if f.is_deleted else "",
    filters=[
        FilterField("address", "Address"),
        FilterField("region_id", "Region id"),
        FilterField("include_deleted", "Include released IPs", kind="bool"),
    ],
    empty_hint="No floating IPs yet.",
    refresh_interval=60.0,
)
