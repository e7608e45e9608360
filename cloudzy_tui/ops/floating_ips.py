"""Floating IPs: the resource (paged; address, region, include released) and allocate, update, release."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import pydantic

from cloudzy_tui.api import FloatingIp, FloatingIpAllocateRequest, FloatingIpFilters, FloatingIpUpdate
from cloudzy_tui.ops.model import InstanceRef, Operation, Outcome
from cloudzy_tui.ops.resources import Field, Filter, Resource
from cloudzy_tui.text import clean
from cloudzy_tui.units import timestamp, yes_no

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


def fip_label(f: FloatingIp) -> str:
    return f.ip_address or str(f.id)


def fip_instance_ref(f: FloatingIp) -> InstanceRef | None:
    return InstanceRef(str(f.instance_id)) if f.instance_id else None


async def fip_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[FloatingIp]]:
    query = FloatingIpFilters(**filters) if filters else None
    async for page in session.walk(lambda client: client.floating_ips.pages(query)):
        yield page


FLOATING_IPS: Resource[FloatingIp] = Resource(
    name="floating-ips",
    title="Floating IPs",
    singular="Floating IP",
    aliases=("fip", "fips", "ips", "floating"),
    key_of=lambda f: str(f.id),
    label=fip_label,
    pages=fip_pages,
    names_of=lambda f: [f.ip_address] if f.ip_address else [],
    fields=[
        Field("id", "ID", lambda f: f.id),
        Field("address", "ADDRESS", lambda f: f.ip_address),
        Field("region", "REGION", lambda f: f.region_id),
        Field("instance", "INSTANCE", lambda f: f.instance_id),
        Field("renew", "AUTO-RENEW", lambda f: yes_no(f.auto_renew)),
        Field("expires", "EXPIRES", lambda f: timestamp(f.expires_at)),
        Field("note", "NOTE", lambda f: f.customer_note),
    ],
    filters=[
        Filter("address", "Address"),
        Filter("region_id", "Region id"),
        Filter("include_deleted", "Include released IPs", kind="bool"),
    ],
    instance_of=fip_instance_ref,
)


def _released(f: FloatingIp) -> str | None:
    return "this address was released" if f.is_deleted else None


async def allocate(session: Context, target: None, params: FloatingIpAllocateRequest) -> Outcome:
    allocated = await session.client.floating_ips.allocate(params.region_id, params.count)
    region = clean(session.catalog.region_name(params.region_id), max_length=40)
    if not allocated:
        return Outcome(
            message=f"{params.count} floating IP(s) allocated in {region}; they appear when the list refreshes",
            data=[],
            reload=["floating-ips"],
        )
    addresses = ", ".join(clean(fip_label(f), max_length=40) for f in allocated)
    plural = "es" if len(allocated) > 1 else ""
    return Outcome(
        message=f"Allocated {len(allocated)} address{plural} in {region}: {addresses}",
        data=[f.model_dump(mode="json", by_alias=True) for f in allocated],
        changed=[("floating-ips", f) for f in allocated],
    )


async def update(session: Context, f: FloatingIp, params: FloatingIpUpdate) -> Outcome:
    fresh = await session.client.floating_ips.update(str(f.id), params)
    what = []
    if params.auto_renew is not None:
        what.append(f"auto-renew {'on' if params.auto_renew else 'off'}")
    if params.customer_note is not None:
        what.append("note cleared" if not params.customer_note else "note saved")
    message = f"Floating IP {clean(fip_label(f), max_length=40)} updated: {', '.join(what)}"
    if fresh is None:
        return Outcome(message=message, data=params.to_wire(), reload=["floating-ips"])
    return Outcome(
        message=message, data=fresh.model_dump(mode="json", by_alias=True), changed=[("floating-ips", fresh)]
    )


def _describe_release(f: FloatingIp, params: Any) -> str:
    attached = f" (attached to instance {clean(f.instance_id, max_length=40)})" if f.instance_id else ""
    return (
        f"Release {clean(fip_label(f), max_length=40)}{attached}?\nThe address goes back to the pool: it stops "
        "routing to the instance and may be given to someone else. This cannot be undone."
    )


async def release(session: Context, f: FloatingIp, params: None) -> Outcome:
    result = await session.client.floating_ips.release(str(f.id))
    fresh = None
    if isinstance(result.data, dict):
        try:
            fresh = FloatingIp.model_validate(result.data)
        except pydantic.ValidationError:
            fresh = None
    return Outcome(
        message=f"Floating IP {clean(fip_label(f), max_length=40)} released",
        data=fresh.model_dump(mode="json", by_alias=True) if fresh is not None else {"id": str(f.id)},
        removed=[("floating-ips", str(f.id))],
    )


ALLOCATE: Operation[FloatingIp] = Operation(
    "fip-allocate",
    "floating-ips",
    "Allocate floating IPs",
    "Allocate new floating IP addresses (billed)",
    allocate,
    params=FloatingIpAllocateRequest,
    needs_target=False,
    danger="confirm",
    describe=lambda t, p: (
        f"Allocate {p.count} floating IP(s) in {clean(p.region_id)}?\nAddresses are billed until they are released."
        if p is not None
        else "Allocate floating IPs?"
    ),
)
UPDATE: Operation[FloatingIp] = Operation(
    "fip-update",
    "floating-ips",
    "Edit floating IP",
    "Auto-renew and note",
    update,
    params=FloatingIpUpdate,
    unavailable=_released,
    instance_of=lambda f, p: fip_instance_ref(f),
)
RELEASE: Operation[FloatingIp] = Operation(
    "fip-release",
    "floating-ips",
    "Release floating IP",
    "Give the address back",
    release,
    danger="confirm",
    unavailable=_released,
    instance_of=lambda f, p: fip_instance_ref(f),
    describe=_describe_release,
    destroys=True,
)

OPERATIONS: list[Operation[Any]] = [ALLOCATE, UPDATE, RELEASE]
