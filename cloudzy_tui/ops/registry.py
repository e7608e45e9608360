"""Every resource and every operation, in the order the faces list them."""

from __future__ import annotations

from typing import Any

from cloudzy_tui.ops import backups, floating_ips, instances, media, snapshots, ssh_keys
from cloudzy_tui.ops.catalog import APPLICATIONS, OPERATING_SYSTEMS, PRODUCTS, REGIONS
from cloudzy_tui.ops.model import Operation
from cloudzy_tui.ops.resources import Resource

RESOURCES: list[Resource[Any]] = [
    instances.INSTANCES,
    snapshots.SNAPSHOTS,
    backups.BACKUPS,
    floating_ips.FLOATING_IPS,
    media.ISOS,
    media.IMAGES,
    ssh_keys.SSH_KEYS,
    REGIONS,
    PRODUCTS,
    OPERATING_SYSTEMS,
    APPLICATIONS,
]

OPERATIONS: list[Operation[Any]] = [
    *instances.OPERATIONS,
    *snapshots.OPERATIONS,
    *backups.OPERATIONS,
    *floating_ips.OPERATIONS,
    *media.ISO_OPERATIONS,
    *media.IMAGE_OPERATIONS,
    *ssh_keys.OPERATIONS,
]

_BY_NAME = {r.name: r for r in RESOURCES}
_OPS = {o.name: o for o in OPERATIONS}
assert len(_OPS) == len(OPERATIONS), "two operations share a name"


def resource_named(name: str) -> Resource[Any]:
    """A resource by its exact name (``instances``); ``KeyError`` if there is none."""
    return _BY_NAME[name]


def resolve_resource(name: str) -> Resource[Any] | None:
    """A resource by name or alias (case-insensitive, a leading ``:`` allowed), or by a unique prefix."""
    wanted = name.strip().lstrip(":").lower()
    if not wanted:
        return None
    for resource in RESOURCES:
        if wanted == resource.name or wanted in resource.aliases:
            return resource
    matches = [r for r in RESOURCES if r.name.startswith(wanted) or any(a.startswith(wanted) for a in r.aliases)]
    return matches[0] if len(matches) == 1 else None


def operation(name: str) -> Operation[Any]:
    """An operation by its name (``power-off``); ``KeyError`` if there is none."""
    return _OPS[name]


def operations_on(resource: str) -> list[Operation[Any]]:
    """The operations whose target (or, for target-less ones, whose result) is a ``resource``."""
    return [o for o in OPERATIONS if o.resource == resource]
