"""Floating IPs: allocated per region (or with an instance), updated, released (a released one stays, listed only
with ``include_deleted``). Listed in allocation order; ``expiresAt`` is epoch seconds."""

from __future__ import annotations

import random
from typing import Any

from cloudzy_tui.sim.errors import Conflict, NotFound
from cloudzy_tui.sim.records import Record
from cloudzy_tui.sim.store import Store


def new_floating_ip(
    store: Store,
    region_id: str,
    now: float,
    *,
    instance_id: str | None = None,
    auto_renew: bool = True,
    note: str | None = None,
    expires: float | None = None,
    deleted: bool = False,
    rng: random.Random | None = None,
) -> Record:
    """Store a floating IP from the pool (expiring 30 days from ``now`` unless ``expires`` says otherwise)."""
    record = Record(
        data={
            "id": store.new_uuid(rng),
            "ipAddress": store.next_floating_ip(),
            "regionId": region_id,
            "instanceId": instance_id,
            "autoRenew": auto_renew,
            "customerNote": note,
            "expiresAt": int(expires if expires is not None else now + 30 * 86400),
            "isDeleted": deleted,
        }
    )
    store.floating_ips[record.id] = record
    return record


def list_floating_ips(
    store: Store, address: str | None, region_id: str | None, expires_after: float | None, include_deleted: bool
) -> list[dict[str, Any]]:
    if expires_after is not None and expires_after > 1e11:
        expires_after /= 1000  # milliseconds given
    out = []
    for record in store.floating_ips.values():
        data = record.data
        if data["isDeleted"] and not include_deleted:
            continue
        if address is not None and data["ipAddress"] != address.strip():
            continue
        if region_id is not None and data["regionId"] != region_id:
            continue
        if expires_after is not None and not data["expiresAt"] > expires_after:
            continue
        out.append(data)
    return out


def allocate_floating_ips(store: Store, region_id: str, count: int) -> list[dict[str, Any]]:
    store.usable_region(region_id)
    now = store.now()
    return [new_floating_ip(store, region_id, now).data for _ in range(count)]


def floating_ip(store: Store, fip_id: str) -> Record:
    """A floating IP that may be changed: 404 unknown, 409 released."""
    record = store.floating_ips.get(fip_id)
    if record is None:
        raise NotFound(f"Floating IP '{fip_id}' not found")
    if record["isDeleted"]:
        raise Conflict(f"Floating IP {record['ipAddress']} has been released")
    return record


def update_floating_ip(
    store: Store, fip_id: str, auto_renew: bool | None, note: str | None, note_set: bool
) -> dict[str, Any]:
    record = floating_ip(store, fip_id)
    if auto_renew is not None:
        record["autoRenew"] = auto_renew
    if note_set:
        record["customerNote"] = note
    return record.data


def release_floating_ip(store: Store, fip_id: str) -> dict[str, Any]:
    record = floating_ip(store, fip_id)
    record["isDeleted"] = True
    record["instanceId"] = None
    record["autoRenew"] = False
    return record.data
