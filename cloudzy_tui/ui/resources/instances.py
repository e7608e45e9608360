"""Instances: the list with the API's filters, a full detail pane, and every instance endpoint as an action."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shlex
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import (
    CloudzyError,
    Instance,
    InstanceFilters,
    SnapshotFilters,
)
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ui.format import gigabytes, money, percent, ram_mb, terabytes, timestamp, yes_no
from cloudzy_tui.ui.resources.backups import backup_profile_of, edit_backup_schedule_of_instance
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.resources.snapshots import take_snapshot_of_instance
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


def _hostname(i: Instance) -> str:
    return i.hostname or i.id


def _os_label(i: Instance, view: View) -> str:
    if i.os is not None and i.os.name:
        return i.os.name
    return view.catalog.os_name(i.os_id)


async def load_instances(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[Instance]]:
    query = InstanceFilters(**filters) if filters else None
    async for page in app.walk(lambda client: client.instances.pages(query, page_size=100)):
        app.catalog.remember_instances(page)
        yield page


async def fetch_instance(app: CloudzyApp, item: Instance) -> Instance:
    return await app.client.instances.get(item.id)


def product_label(app_or_view: View, product_id: str | None) -> Text:
    product = app_or_view.catalog.product(product_id)
    if product is None:
        return safe_text(product_id)
    text = safe_text(product.label)
    if product.monthly_price is not None:
        text.append(f"  {money(product.monthly_price, per='mo')}", style="bold")
    if product.hourly_price is not None:
        text.append(f"  {money(product.hourly_price, per='h')}", style="dim")
    return text


def instance_detail(i: Instance, view: View) -> list[Section]:
    region = view.catalog.region(i.region)
    region_label = safe_text(view.catalog.region_name(i.region))
    if region is not None:
        region_label.append(f"  ({clean(i.region)})", style="dim")
    os_text = safe_text(_os_label(i, view))
    if i.os is not None and i.os.family:
        os_text.append(f"  {clean(i.os.family)}", style="dim")
    extra = i.extra_resource
    extra_rows: list[tuple[str, Any]] = []
    if extra is not None:
        for label, value, fmt in (
            ("extra CPU", extra.cpu, str),
            ("extra RAM", extra.ram_in_gb, gigabytes),
            ("extra disk", extra.disk_in_gb, gigabytes),
            ("extra traffic", extra.bandwidth_in_tb, terabytes),
        ):
            if value:
                extra_rows.append((label, fmt(value)))
    app_row: list[tuple[str, Any]] = []
    if i.app_id:
        application = view.catalog.application(i.app_id)
        app_row = [("application", application.name if application and application.name else i.app_id)]
    sections = [
        Section(
            "Instance",
            rows=[
                ("id", i.id),
                ("hostname", i.hostname),
                ("status", status_text(i.status)),
                ("network", i.network_status),
                ("class", i.instance_class),
                ("region", region_label),
                ("OS", os_text),
                *app_row,
                ("created", timestamp(i.inserted_at) or i.inserted_at),
                ("user", i.user_id),
            ],
        ),
        Section(
            "Resources",
            rows=[
                ("vCPU", i.vcpu_count),
                ("RAM", ram_mb(i.ram)),
                ("disk", gigabytes(i.disk)),
                ("product", product_label(view, i.product_id)),
                *extra_rows,
                ("discount", percent(i.discount_percent) if i.discount_percent else None),
            ],
        ),
        Section(
            "Network",
            rows=[
                ("IPv4", i.main_ip),
                ("IPv6", i.main_ipv6),
                ("DDoS protection", yes_no(i.is_ddos_protected)),
                ("ISO attached", yes_no(i.attach_iso) if i.attach_iso else (i.iso_id or None)),
                ("from image", i.from_image),
            ],
        ),
    ]
    if i.features:
        sections.append(Section("Features", rows=[("enabled", ", ".join(clean(f) for f in i.features))]))
    if i.customer_note or i.admin_note:
        sections.append(Section("Notes", rows=[("customer", i.customer_note), ("admin", i.admin_note)]))
    return sections


async def instance_related(app: CloudzyApp, i: Instance, view: View) -> list[Section]:
    """Snapshots, backup profile and floating IPs of the instance (each failure shown in its own section)."""

    async def snapshots() -> Section:
        try:
            found = await app.client.snapshots.list_all(SnapshotFilters(instance_id=i.id))
        except CloudzyError as exc:
            return Section("Snapshots", rows=[("error", exc.message)])
        if not found:
            return Section("Snapshots", rows=[("", Text("none — S takes one", style="dim"))])
        return Section(
            "Snapshots",
            rows=[(clean(s.name or s.id, max_length=30), _snapshot_line(s)) for s in found[:10]],
        )

    async def backup() -> Section:
        try:
            profile = await backup_profile_of(app, i.id)
        except CloudzyError as exc:
            return Section("Backup profile", rows=[("error", exc.message)])
        if profile is None:
            return Section("Backup profile", rows=[("", Text("none — b sets a schedule", style="dim"))])
        days = ", ".join(clean(d) for d in profile.schedule_week_days or [])
        return Section(
            "Backup profile",
            rows=[
                ("status", status_text(profile.status)),
                ("schedule", f"{clean(profile.schedule_frequency)}{' — ' + days if days else ''}"),
                ("retention", f"{profile.period_id} days" if profile.period_id is not None else None),
                ("max files", profile.max_files),
                ("last backup", timestamp(profile.last_successful_backup_time) or None),
                ("files", len(profile.backup_files or [])),
            ],
        )

    async def floating_ips() -> Section:
        try:
            ips = await app.client.floating_ips.list_all()
        except CloudzyError as exc:
            return Section("Floating IPs", rows=[("error", exc.message)])
        mine = [f for f in ips if f.instance_id and str(f.instance_id) == str(i.id)]
        if not mine:
            return Section("Floating IPs", rows=[("", Text("none", style="dim"))])
        return Section("Floating IPs", rows=[(clean(f.ip_address), timestamp(f.expires_at)) for f in mine])

    async def product() -> None:
        if i.region:
            with contextlib.suppress(CloudzyError):
                await app.catalog.products_for(i.region)

    snapshot_section, backup_section, fip_section, _ = await asyncio.gather(
        snapshots(), backup(), floating_ips(), product()
    )
    return [snapshot_section, backup_section, fip_section]


def _snapshot_line(s: Any) -> Text:
    text = status_text(s.status)
    created = timestamp(s.created_at)
    if created:
        text.append(f"  {created}", style="dim")
    return text


# ------------------------------------------------------------------------------------------------ actions


def _transitional(i: Instance) -> str | None:
    status = (i.status or "").lower()
    if status in ("", "active", "shutdown"):
        return None
    return f"the instance is {clean(i.status)}; wait until it settles"


def _deleted(i: Instance) -> str | None:
    return "the instance is deleted" if (i.status or "").lower() == "deleted" else None


def _unavailable_unless(*allowed: str) -> Any:
    def check(i: Instance) -> str | None:
        reason = _deleted(i)
        if reason:
            return reason
        status = (i.status or "").lower()
        if status not in allowed:
            return f"only for {' or '.join(allowed)} instances (this one is {clean(i.status) or 'unknown'})"
        return None

    return check


def _settled(i: Instance) -> str | None:
    return _deleted(i) or _transitional(i)


def _describe(i: Instance) -> Text:
    text = safe_text(_hostname(i), style="bold")
    details = " · ".join(x for x in (clean(i.main_ip), clean(i.region), clean(i.status)) if x)
    if details:
        text.append(f"  ({details})", style="dim")
    return text


def _self_warning(call: ActionCall[Instance], i: Instance) -> Text:
    if not call.app.is_local_host(i.hostname):
        return Text()
    return Text(
        "\nThis looks like the machine this console runs on: your session will go with it.", style="bold red"
    )


def _self_require(call: ActionCall[Instance], i: Instance) -> dict[str, Any]:
    """The host the console runs on needs its hostname typed, like the irreversible actions."""
    if call.app.is_local_host(i.hostname):
        return {"require": _hostname(i), "require_label": "hostname"}
    return {}


async def _after(call: ActionCall[Instance], verb: str, expect: Expectation, detail: str) -> None:
    i = call.target
    call.app.toast(detail or f"{verb}: requested for {_hostname(i)}", title=_hostname(i))
    call.app.track("instance", i.id, _hostname(i), verb, expect)
    await call.screen.refresh_one(i)


async def power_on(call: ActionCall[Instance]) -> None:
    result = await call.app.client.instances.power_on(call.target.id)
    await _after(call, "power on", Expectation.instance_powered_on(), result.detail)


async def power_off(call: ActionCall[Instance]) -> None:
    i = call.target
    message = Text("Power off ")
    message.append_text(_describe(i))
    message.append("?\nThe instance shuts down; whatever runs on it stops until it is powered on again.")
    message.append_text(_self_warning(call, i))
    if not await call.app.confirm("Power off", message, confirm_label="Power off", **_self_require(call, i)):
        return
    result = await call.app.client.instances.power_off(i.id)
    await _after(call, "power off", Expectation.instance_powered_off(), result.detail)


async def reset(call: ActionCall[Instance]) -> None:
    i = call.target
    message = Text("Reset ")
    message.append_text(_describe(i))
    message.append("?\nA hard reset, like pulling the power cord: unsaved data in memory is lost.")
    message.append_text(_self_warning(call, i))
    if not await call.app.confirm("Reset", message, confirm_label="Reset", **_self_require(call, i)):
        return
    result = await call.app.client.instances.reset(i.id)
    await _after(call, "reset", Expectation.instance_reset(), result.detail)


async def delete(call: ActionCall[Instance]) -> None:
    i = call.target
    message = Text("Delete ")
    message.append_text(_describe(i))
    message.append(" permanently?\nIts disk and data are destroyed. This cannot be undone.", style="bold")
    if not await call.app.confirm(
        "Delete instance", message, confirm_label="Delete", require=_hostname(i), require_label="hostname"
    ):
        return
    result = await call.app.client.instances.delete(i.id)
    call.app.toast(result.detail or f"Deleting {_hostname(i)}", title=_hostname(i))
    call.app.track("instance", i.id, _hostname(i), "delete", Expectation.instance_deleted())
    await call.screen.refresh_one(i)


async def change_password(call: ActionCall[Instance]) -> None:
    from cloudzy_tui.ui.modals.text_view import TextViewModal

    i = call.target
    message = Text("Set a new root password on ")
    message.append_text(_describe(i))
    message.append("?\nThe old password stops working. The new one is shown once and never stored or logged.")
    if not await call.app.confirm("Change password", message, confirm_label="Change password"):
        return
    password = await call.app.client.instances.change_password(i.id)
    await call.app.ask(
        TextViewModal(
            f"New password for {clean(_hostname(i), max_length=40)} — shown once",
            password,
            copy_label="Copy password",
        )
    )
    del password


async def add_traffic(call: ActionCall[Instance]) -> None:
    from cloudzy_tui.ui.modals.form import FormField, FormModal

    i = call.target

    async def submit(values: dict[str, Any]) -> Any:
        return await call.app.client.instances.add_traffic(i.id, values["amount"])

    result = await call.app.ask(
        FormModal(
            f"Add traffic to {clean(_hostname(i), max_length=40)}",
            [FormField("amount", "Extra traffic (TB)", kind="number", required=True, placeholder="1")],
            submit,
            submit_label="Add traffic",
        )
    )
    if result is not None:
        call.app.toast(result.detail or "Traffic added", title=_hostname(i))
        await call.screen.refresh_one(i)


async def resize(call: ActionCall[Instance]) -> None:
    from cloudzy_tui.ui.modals.instance_forms import resize_instance

    if await resize_instance(call.app, call.target):
        await _after(call, "resize", Expectation.instance_resized(), "")


async def change_os(call: ActionCall[Instance]) -> None:
    from cloudzy_tui.ui.modals.instance_forms import change_os as change_os_form

    if await change_os_form(call.app, call.target):
        await _after(call, "change OS", Expectation.instance_os_changed(), "")


async def ssh(call: ActionCall[Instance]) -> None:
    i = call.target
    ip = i.main_ip or i.main_ipv6
    if not ip:
        call.app.toast(f"{_hostname(i)} has no IP address to connect to.", severity="warning")
        return
    try:
        # A server string goes onto a command line: only a real address may (never '-oProxyCommand=...').
        ip = str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        call.app.toast(f"{_hostname(i)}: {clean(ip, max_length=60)!r} is not an IP address; not connecting.",
                       severity="error")
        return
    template = call.app.ssh_command
    try:
        parts = shlex.split(template)
        argv = [part.format(ip=ip, hostname=i.hostname or "", id=i.id) for part in parts]
    except (KeyError, IndexError, ValueError) as exc:
        call.app.toast(f"The ssh command template is not usable: {exc}", severity="error")
        return
    if any(value.startswith("-") and not part.startswith("-") for part, value in zip(parts, argv, strict=True)):
        call.app.toast(f"{_hostname(i)}: a server value would become a command option; not connecting.",
                       severity="error")
        return
    code, error = await call.app.run_external(argv)
    if error:
        call.app.toast(f"Could not run {argv[0]}: {error}", severity="error")
    elif code:
        call.app.toast(f"{argv[0]} exited with status {code}", severity="warning")


async def create(call: ActionCall[Instance]) -> None:
    from cloudzy_tui.ui.modals.create_wizard import run_create_wizard

    await run_create_wizard(call.app, call.screen)


INSTANCE_ACTIONS: list[Action[Instance]] = [
    Action("create", "n", "New", create, "Create instances (wizard)", needs_item=False),
    Action("power_on", "u", "Power on", power_on, "Power the instance on", unavailable=_unavailable_unless("shutdown")),
    Action(
        "power_off", "p", "Power off", power_off, "Shut the instance down", unavailable=_unavailable_unless("active")
    ),
    Action("reset", "R", "Reset", reset, "Hard-reset the instance", unavailable=_unavailable_unless("active")),
    Action("ssh", "s", "SSH", ssh, "Open an ssh session to the main IP", mutating=False, unavailable=_deleted),
    Action("resize", "z", "Resize", resize, "Change the plan or resources", unavailable=_settled),
    Action("change_os", "C", "Change OS", change_os, "Reinstall with another OS (erases data)", unavailable=_settled),
    Action("add_traffic", "t", "Add traffic", add_traffic, "Buy extra traffic", unavailable=_deleted, show=False),
    Action(
        "change_password", "w", "New password", change_password, "Set a new root password", unavailable=_settled,
        show=False,
    ),
    Action("delete", "D", "Delete", delete, "Delete the instance permanently", unavailable=_deleted),
    Action("snapshot", "S", "Snapshot", take_snapshot_of_instance, "Take a snapshot of the instance now",
           unavailable=_settled, guard=False, show=False),
    Action("backups", "b", "Backups", edit_backup_schedule_of_instance, "Create or edit the backup schedule",
           unavailable=_deleted, show=False),
]


def _row_style(i: Instance) -> str:
    return "dim strike" if (i.status or "").lower() == "deleted" else ""


INSTANCES: ResourceSpec[Instance] = ResourceSpec(
    name="instances",
    title="Instances",
    singular="Instance",
    aliases=("in", "inst", "vm", "vms", "servers"),
    key_of=lambda i: i.id,
    label_of=_hostname,
    columns=[
        Column("hostname", "Hostname", lambda i, v: i.hostname, min_width=8, max_width=28),
        Column("status", "Status", lambda i, v: status_text(i.status), min_width=6, max_width=16),
        Column("region", "Region", lambda i, v: v.catalog.region_name(i.region), min_width=6, max_width=16),
        Column("ipv4", "IPv4", lambda i, v: i.main_ip, min_width=7, max_width=15),
        Column("os", "OS", _os_label, min_width=4, max_width=20),
        Column("cpu", "vCPU", lambda i, v: i.vcpu_count, sort=lambda i: i.vcpu_count, justify="right", max_width=4),
        Column("ram", "RAM", lambda i, v: ram_mb(i.ram), sort=lambda i: i.ram, justify="right", max_width=8),
        Column("disk", "Disk", lambda i, v: gigabytes(i.disk), sort=lambda i: i.disk, justify="right", max_width=8),
        Column("created", "Created", lambda i, v: when(i.inserted_at), max_width=20),
    ],
    load=load_instances,
    fetch_one=fetch_instance,
    detail=instance_detail,
    related=instance_related,
    actions=INSTANCE_ACTIONS,
    copy_value=lambda i: i.main_ip or i.id,
    row_style=_row_style,
    filters=[
        FilterField("hostname", "Hostname"),
        FilterField(
            "status",
            "Status",
            kind="choice",
            choices=[(s, s) for s in ("active", "shutdown", "preparing_disk", "initializing")],
        ),
        FilterField("region", "Region id"),
        FilterField("ipv4", "IPv4 address"),
        FilterField("ipv6", "IPv6 address"),
        FilterField("os_family", "OS family", placeholder="linux, windows…"),
        FilterField("created_from", "Created from (UTC, ISO-8601)", placeholder="2026-01-01T00:00:00Z"),
        FilterField("created_to", "Created to (UTC, ISO-8601)"),
        FilterField("include_deleted", "Include deleted instances", kind="bool"),
    ],
    empty_hint="No instances yet: press n to create one.",
    refresh_interval=15.0,
    job_kind="instance",
    instance_of=lambda i: (i.id, i.hostname),
)
