"""Instances: the resource (list with the API's filters, find by id or exact hostname) and every instance operation."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field

from cloudzy_tui.api import (
    DEFAULT_PARTITIONS,
    AddTrafficRequest,
    ChangeOsRequest,
    CloudzyError,
    CreateInstanceRequest,
    Instance,
    InstanceFilters,
    NotFoundError,
    ResizeRequest,
)
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ops.model import InstanceRef, JobRef, Operation, Outcome, Refused
from cloudzy_tui.ops.resources import Field as PlainField
from cloudzy_tui.ops.resources import Filter, Resource
from cloudzy_tui.text import clean
from cloudzy_tui.units import gigabytes, money, money_delta, ram_mb, terabytes, timestamp, to_number

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context

#: statuses in which the API accepts an action on an instance (the others are transitional)
SETTLED = ("active", "shutdown")


def hostname(i: Instance) -> str:
    return i.hostname or i.id


def status(i: Instance) -> str:
    return (i.status or "").strip().lower()


def instance_ref(i: Instance) -> InstanceRef:
    return InstanceRef(str(i.id), i.hostname)


def describe_instance(i: Instance) -> str:
    """``web-01 (203.0.113.10 · fra1 · active)``: enough to be sure which instance it is."""
    parts = (clean(i.main_ip, max_length=45), clean(i.region, max_length=30), clean(i.status, max_length=30))
    details = " · ".join(x for x in parts if x)
    name = clean(hostname(i), max_length=60)
    return f"{name} ({details})" if details else name


# ------------------------------------------------------------------------------------------------ the resource


async def instance_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[Instance]]:
    query = InstanceFilters(**filters) if filters else None
    # several creation-time bookmark chains at once: the same instances, sooner (cloudzy_tui.api._walks)
    async for page in session.walk(
        lambda client: client.instances.pages(query, page_size=100, partitions=DEFAULT_PARTITIONS)
    ):
        session.catalog.remember_instances(page)
        yield page


async def _by_hostname(session: Context, name: str) -> AsyncIterator[Sequence[Instance]]:
    """Candidates for a hostname: the API's hostname filter first; every page if that filter finds nothing (a
    server may treat it as a prefix or ignore it: the exact match is made by ``Resource.find``)."""
    found = False
    async for page in instance_pages(session, {"hostname": name}):
        found = found or any(i.hostname == name for i in page)
        yield page
    if not found:
        async for page in instance_pages(session, {}):
            yield page


async def fetch_instance(session: Context, instance_id: str) -> Instance:
    instance = await session.client.instances.get(instance_id)
    session.catalog.remember_instances([instance])
    return instance


INSTANCES: Resource[Instance] = Resource(
    name="instances",
    title="Instances",
    singular="Instance",
    aliases=("in", "inst", "vm", "vms", "servers", "instance"),
    key_of=lambda i: str(i.id),
    label=hostname,
    pages=instance_pages,
    fetch=fetch_instance,
    names_of=lambda i: [i.hostname] if i.hostname else [],
    search=_by_hostname,
    fields=[
        PlainField("id", "ID", lambda i: i.id),
        PlainField("hostname", "HOSTNAME", lambda i: i.hostname),
        PlainField("status", "STATUS", lambda i: i.status),
        PlainField("region", "REGION", lambda i: i.region),
        PlainField("ipv4", "IPV4", lambda i: i.main_ip),
        PlainField("os", "OS", lambda i: i.os.name if i.os is not None and i.os.name else i.os_id),
        PlainField("vcpu", "VCPU", lambda i: i.vcpu_count),
        PlainField("ram", "RAM", lambda i: ram_mb(i.ram)),
        PlainField("disk", "DISK", lambda i: gigabytes(i.disk)),
        PlainField("created", "CREATED", lambda i: timestamp(i.inserted_at) or i.inserted_at),
    ],
    filters=[
        Filter("hostname", "Hostname"),
        Filter(
            "status",
            "Status",
            kind="choice",
            choices=[(s, s) for s in ("active", "shutdown", "preparing_disk", "initializing")],
        ),
        Filter("region", "Region id"),
        Filter("ipv4", "IPv4 address"),
        Filter("ipv6", "IPv6 address"),
        Filter("os_family", "OS family", placeholder="linux, windows…"),
        Filter("created_from", "Created from (UTC, ISO-8601)", placeholder="2026-01-01T00:00:00Z"),
        Filter("created_to", "Created to (UTC, ISO-8601)"),
        Filter("include_deleted", "Include deleted instances", kind="bool"),
    ],
    job_kind="instance",
    instance_of=instance_ref,
)


# ------------------------------------------------------------------------------------------------ availability


def deleted(i: Instance) -> str | None:
    return "the instance is deleted" if status(i) == "deleted" else None


def transitional(i: Instance) -> str | None:
    if status(i) in ("", *SETTLED):
        return None
    return f"the instance is {clean(i.status)}; wait until it settles"


def settled(i: Instance) -> str | None:
    return deleted(i) or transitional(i)


def only_when(*allowed: str) -> Any:
    def check(i: Instance) -> str | None:
        reason = deleted(i)
        if reason:
            return reason
        if status(i) not in allowed:
            return f"only for {' or '.join(allowed)} instances (this one is {clean(i.status) or 'unknown'})"
        return None

    return check


# ------------------------------------------------------------------------------------------------ bodies


async def _fresh(session: Context, i: Instance) -> Instance | None:
    """The instance as the API shows it now (for lists on display and ``-o json``); ``None`` if it cannot say.
    Raises ``NotFoundError`` when it is gone."""
    try:
        return await fetch_instance(session, str(i.id))
    except NotFoundError:
        raise
    except CloudzyError:
        return None


async def _after(session: Context, i: Instance, message: str, detail: str, jobs: list[JobRef]) -> Outcome:
    """What an instance action leaves: the instance as it is now in the lists (or out of them, once gone)."""
    try:
        fresh = await _fresh(session, i)
    except NotFoundError:
        return Outcome(
            message=message,
            data={"instance": i.model_dump(mode="json", by_alias=True), "detail": detail, "gone": True},
            removed=[("instances", str(i.id))],
            jobs=jobs,
        )
    return Outcome(
        message=message,
        data={"instance": (fresh or i).model_dump(mode="json", by_alias=True), "detail": detail},
        changed=[("instances", fresh)] if fresh is not None else [],
        jobs=jobs,
    )


def _target(i: Any, params: Any) -> InstanceRef | None:
    return instance_ref(i) if isinstance(i, Instance) else None


async def _simple(session: Context, i: Instance, verb: str, sent: str, call: Any, expect: Expectation) -> Outcome:
    result = await call(str(i.id))
    return await _after(
        session,
        i,
        f"{sent} {clean(hostname(i), max_length=60)}",
        result.detail,
        [JobRef("instance", str(i.id), hostname(i), verb, expect)],
    )


async def power_on(session: Context, i: Instance, params: None) -> Outcome:
    return await _simple(
        session, i, "power on", "Powering on", session.client.instances.power_on, Expectation.instance_powered_on()
    )


async def power_off(session: Context, i: Instance, params: None) -> Outcome:
    return await _simple(
        session, i, "power off", "Powering off", session.client.instances.power_off, Expectation.instance_powered_off()
    )


async def reset(session: Context, i: Instance, params: None) -> Outcome:
    return await _simple(session, i, "reset", "Resetting", session.client.instances.reset, Expectation.instance_reset())


async def delete(session: Context, i: Instance, params: None) -> Outcome:
    return await _simple(
        session, i, "delete", "Deleting", session.client.instances.delete, Expectation.instance_deleted()
    )


async def resize(session: Context, i: Instance, params: ResizeRequest) -> Outcome:
    if params.instance_id is not None and str(params.instance_id) != str(i.id):
        # The body names the instance too: another one there would step around the rules checked on the target.
        raise Refused(
            "target",
            f"Resize: instanceId {clean(params.instance_id, max_length=40)!r} is not "
            f"{clean(hostname(i), max_length=60)} ({clean(str(i.id), max_length=40)}): "
            "leave it out, the target is the instance resized.",
        )
    result = await session.client.instances.resize(str(i.id), params)
    if params.type == "FIXED":
        product = session.catalog.product(params.product_id)
        what = f"to {product.label}" if product is not None else f"to product {clean(params.product_id)}"
        price = to_number(product.monthly_price) if product is not None else None
        if price is not None:
            before = session.catalog.product(i.product_id)
            was = to_number(before.monthly_price) if before is not None else None
            change = f", {money_delta(price - was, per='mo')}" if was is not None else ""
            what += f" ({money(price, per='mo')}{change})"
    else:
        extra = params.extra_resource
        parts = []
        if extra is not None:
            if extra.cpu is not None:
                parts.append(f"{extra.cpu:g} vCPU")
            if extra.ram_in_gb is not None:
                parts.append(f"{extra.ram_in_gb:g} GB RAM")
            if extra.disk_in_gb is not None:
                parts.append(f"{extra.disk_in_gb:g} GB disk")
        what = "to " + ", ".join(parts) if parts else "(custom)"
    return await _after(
        session,
        i,
        f"Resizing {clean(hostname(i), max_length=60)} {what}",
        result.detail,
        [JobRef("instance", str(i.id), hostname(i), "resize", Expectation.instance_resized())],
    )


async def change_os(session: Context, i: Instance, params: ChangeOsRequest) -> Outcome:
    result = await session.client.instances.change_os(str(i.id), params.os_id)
    os_name = session.catalog.os_name(params.os_id)
    return await _after(
        session,
        i,
        f"Reinstalling {clean(hostname(i), max_length=60)} with {clean(os_name, max_length=60)}",
        result.detail,
        [JobRef("instance", str(i.id), hostname(i), "change OS", Expectation.instance_os_changed())],
    )


async def add_traffic(session: Context, i: Instance, params: AddTrafficRequest) -> Outcome:
    result = await session.client.instances.add_traffic(str(i.id), params.amount)
    return await _after(
        session,
        i,
        f"Added {terabytes(params.amount)} of traffic to {clean(hostname(i), max_length=60)}",
        result.detail,
        [],
    )


async def change_password(session: Context, i: Instance, params: None) -> Outcome:
    password = await session.client.instances.change_password(str(i.id))
    return Outcome(
        message=f"New root password set on {clean(hostname(i), max_length=60)} (shown once, never stored)",
        data={"instance": str(i.id), "hostname": i.hostname, "password": password},
        secret=password,
    )


async def _create_what(session: Context, params: CreateInstanceRequest) -> str:
    """``in Utah, 2 vCPU · 4 GB RAM · 80 GB disk, from snapshot web-01-snap``: where, which plan, from what (names
    looked up where they are not known yet; an id when the lookup fails)."""
    with contextlib.suppress(CloudzyError):
        await session.catalog.ensure_regions()
    parts = [f"in {clean(session.catalog.region_name(params.region), max_length=40)}"]
    product = session.catalog.product(params.product_id)
    if product is not None:
        parts.append(clean(product.label, max_length=60))
    if params.from_snapshot:
        name = params.from_snapshot
        with contextlib.suppress(CloudzyError):
            name = (await session.client.snapshots.get(params.from_snapshot)).name or name
        parts.append(f"from snapshot {clean(name, max_length=40)}")
    elif params.iso_id:
        name = params.iso_id
        with contextlib.suppress(CloudzyError):
            name = (await session.client.isos.get(params.iso_id)).name or name
        parts.append(f"from ISO {clean(name, max_length=40)}")
    elif params.os_id:
        parts.append(clean(session.catalog.os_name(params.os_id), max_length=40))
    return ", ".join(parts)


async def create(session: Context, target: None, params: CreateInstanceRequest) -> Outcome:
    created = await session.client.instances.create(params)
    names = ", ".join(clean(n, max_length=40) for n in params.hostnames)
    plural = "s" if len(params.hostnames) > 1 else ""
    if not created:
        return Outcome(
            message=f"Creating instance{plural} {names}; they appear when the list refreshes",
            data={"instances": [], "hostnames": list(params.hostnames)},
            reload=["instances"],
        )
    session.catalog.remember_instances(created)
    return Outcome(
        message=f"Creating instance{plural} {names} {await _create_what(session, params)}",
        data={"instances": [c.model_dump(mode="json", by_alias=True) for c in created]},
        changed=[("instances", c) for c in created],
        jobs=[JobRef("instance", str(c.id), hostname(c), "create", Expectation.instance_created()) for c in created],
    )


# ------------------------------------------------------------------------------------------------ describe


def _describe(lead: str, tail: str) -> Any:
    def text(i: Instance, params: Any) -> str:
        return f"{lead} {describe_instance(i)}?\n{tail}"

    return text


def _describe_resize(i: Instance, params: Any) -> str:
    return (
        f"Resize {describe_instance(i)}?\nThe instance restarts. Disks can grow but not shrink; "
        "the new plan is billed from now."
    )


def _describe_change_os(i: Instance, params: Any) -> str:
    return (
        f"Reinstall {describe_instance(i)} with another operating system?\n"
        "Everything on its disk is erased. This cannot be undone."
    )


def _describe_traffic(i: Instance, params: Any) -> str:
    amount = f" {terabytes(params.amount)} of" if params is not None else ""
    return f"Buy{amount} extra traffic for {describe_instance(i)}?\nIt is billed to the account."


def _hostname_required(i: Instance) -> tuple[str, str]:
    return hostname(i), "hostname"


class AddTrafficParams(AddTrafficRequest):
    amount: float = Field(gt=0, allow_inf_nan=False, description="extra traffic to buy, in TB")


POWER_ON: Operation[Instance] = Operation(
    "power-on",
    "instances",
    "Power on",
    "Power the instance on",
    power_on,
    unavailable=only_when("shutdown"),
    instance_of=_target,
    starts_job=True,
    describe=_describe("Power on", "The instance boots."),
)
POWER_OFF: Operation[Instance] = Operation(
    "power-off",
    "instances",
    "Power off",
    "Shut the instance down",
    power_off,
    danger="confirm",
    disruptive=True,
    unavailable=only_when("active"),
    instance_of=_target,
    starts_job=True,
    describe=_describe("Power off", "The instance shuts down; whatever runs on it stops until it is powered on again."),
)
RESET: Operation[Instance] = Operation(
    "reset",
    "instances",
    "Reset",
    "Hard-reset the instance",
    reset,
    danger="confirm",
    disruptive=True,
    unavailable=only_when("active"),
    instance_of=_target,
    starts_job=True,
    describe=_describe("Reset", "A hard reset, like pulling the power cord: unsaved data in memory is lost."),
)
DELETE: Operation[Instance] = Operation(
    "delete",
    "instances",
    "Delete",
    "Delete the instance permanently",
    delete,
    danger="type",
    disruptive=True,
    unavailable=deleted,
    instance_of=_target,
    starts_job=True,
    describe=_describe("Delete", "Its disk and data are destroyed permanently. This cannot be undone."),
    require_of=_hostname_required,
    destroys=True,
)
RESIZE: Operation[Instance] = Operation(
    "resize",
    "instances",
    "Resize",
    "Change the plan or resources",
    resize,
    params=ResizeRequest,
    danger="confirm",
    disruptive=True,
    unavailable=settled,
    instance_of=_target,
    starts_job=True,
    describe=_describe_resize,
)
CHANGE_OS: Operation[Instance] = Operation(
    "change-os",
    "instances",
    "Change OS",
    "Reinstall with another OS (erases the disk)",
    change_os,
    params=ChangeOsRequest,
    danger="type",
    disruptive=True,
    unavailable=settled,
    instance_of=_target,
    starts_job=True,
    describe=_describe_change_os,
    require_of=_hostname_required,
)
ADD_TRAFFIC: Operation[Instance] = Operation(
    "add-traffic",
    "instances",
    "Add traffic",
    "Buy extra traffic",
    add_traffic,
    params=AddTrafficParams,
    danger="confirm",
    unavailable=deleted,
    instance_of=_target,
    describe=_describe_traffic,
)
CHANGE_PASSWORD: Operation[Instance] = Operation(
    "change-password",
    "instances",
    "New password",
    "Set a new root password",
    change_password,
    danger="confirm",
    unavailable=settled,
    instance_of=_target,
    one_at_a_time="a new password is shown once per instance: one instance at a time",
    describe=_describe(
        "Set a new root password on",
        "The old password stops working. The new one is shown once and never stored or logged.",
    ),
)
CREATE: Operation[Instance] = Operation(
    "create",
    "instances",
    "Create instances",
    "Create instances (region, plan, OS, hostnames...)",
    create,
    params=CreateInstanceRequest,
    needs_target=False,
    danger="confirm",
    starts_job=True,
    describe=lambda target, params: (
        f"Create {len(params.hostnames)} instance(s) ({', '.join(clean(h) for h in params.hostnames)}) "
        f"in {clean(params.region)}?\nThey are billed from now."
        if params is not None
        else "Create instances?"
    ),
)

OPERATIONS: list[Operation[Any]] = [
    CREATE,
    POWER_ON,
    POWER_OFF,
    RESET,
    RESIZE,
    CHANGE_OS,
    ADD_TRAFFIC,
    CHANGE_PASSWORD,
    DELETE,
]
