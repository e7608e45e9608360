"""Instances: the list with the API's filters, a full detail pane, and every instance endpoint as an action."""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import CloudzyError, Instance, SnapshotFilters
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import backups as backup_ops
from cloudzy_tui.ops import instances as instance_ops
from cloudzy_tui.ops import snapshots as snapshot_ops
from cloudzy_tui.ops import ssh as ssh_ops
from cloudzy_tui.ops.backups import profile_of
from cloudzy_tui.ops.ssh import SshTarget
from cloudzy_tui.ui.modals.form import FormField, FormModal
from cloudzy_tui.ui.modals.instance_forms import change_os as change_os_form
from cloudzy_tui.ui.modals.instance_forms import resize_instance
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome
from cloudzy_tui.ui.resources.backups import edit_backup_schedule_of_instance
from cloudzy_tui.ui.resources.base import (
    Action,
    ActionCall,
    Column,
    ResourceSpec,
    Section,
    View,
    console_action,
    op_action,
)
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import gigabytes, money, percent, ram_mb, terabytes, timestamp, yes_no

if TYPE_CHECKING:
    from cloudzy_tui.ui.services import Console


def _hostname(i: Instance) -> str:
    return i.hostname or i.id


def _os_label(i: Instance, view: View) -> str:
    if i.os is not None and i.os.name:
        return i.os.name
    return view.catalog.os_name(i.os_id)


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
                ("ISO", _link(i.iso_id, "I")),
                ("ISO attached", yes_no(i.attach_iso) if i.attach_iso is not None and i.iso_id else None),
                ("from image", _link(i.from_image, "M")),
            ],
        ),
    ]
    if i.features:
        sections.append(Section("Features", rows=[("enabled", ", ".join(clean(f) for f in i.features))]))
    if i.customer_note or i.admin_note:
        sections.append(Section("Notes", rows=[("customer", i.customer_note), ("admin", i.admin_note)]))
    return sections


def _link(target_id: str | None, key: str) -> Text | None:
    """An id that leads somewhere: the id, and the key that opens it."""
    if not target_id:
        return None
    text = safe_text(target_id, max_length=60)
    text.append(f"  {key} opens it", style="dim")
    return text


async def instance_related(app: Console, i: Instance, view: View) -> list[Section]:
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
            profile = await profile_of(app.ops, i.id)
        except CloudzyError as exc:
            return Section("Backup profile", rows=[("error", exc.message)])
        if profile is None:
            return Section("Backup profile", rows=[("", Text("none — b sets a schedule", style="dim"))])
        return Section(
            "Backup profile",
            rows=[
                ("status", status_text(profile.status)),
                ("schedule", backup_ops.schedule(profile)),
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

    async def media() -> Section | None:
        """The ISO and image the instance started from, by name (their ids are links: I and M)."""
        rows: list[tuple[str, Any]] = []
        for what, media_id, fetch, key in (
            ("ISO", i.iso_id, app.client.isos.get, "I"),
            ("image", i.from_image, app.client.images.get, "M"),
        ):
            if not media_id:
                continue
            try:
                found = await fetch(media_id)
            except CloudzyError as exc:
                rows.append((what, Text(clean(exc.message, max_length=120), style="dim")))
                continue
            line = safe_text(found.name or found.id, max_length=60)
            line.append(f"  {clean(found.status)}  {key} opens it", style="dim")
            rows.append((what, line))
        return Section("Started from", rows=rows) if rows else None

    async def product() -> None:
        if i.region:
            with contextlib.suppress(CloudzyError):
                await app.catalog.products_for(i.region)

    async def ssh_sessions() -> Section | None:
        """The ssh sessions open to this instance (tmux panes the console tagged), when there are any."""
        if not ssh_ops.in_tmux():
            return None
        try:
            found = await asyncio.to_thread(ssh_ops.sessions)
        except ssh_ops.SshError:
            return None
        mine = [s for s in found if s.instance_id == str(i.id)]
        if not mine:
            return None
        rows = [(s.where, Text(f"{s.address}  since {timestamp(s.since)}  (:sessions)")) for s in mine]
        return Section(f"SSH sessions open ({len(mine)})", rows=rows)

    snapshot_section, backup_section, fip_section, media_section, _, ssh_section = await asyncio.gather(
        snapshots(), backup(), floating_ips(), media(), product(), ssh_sessions()
    )
    sections = (ssh_section, media_section, snapshot_section, backup_section, fip_section)
    return [s for s in sections if s is not None]


def _snapshot_line(s: Any) -> Text:
    text = status_text(s.status)
    created = timestamp(s.created_at)
    if created:
        text.append(f"  {created}", style="dim")
    return text


# ------------------------------------------------------------------------------------------------ actions


async def _traffic_note(app: Console, i: Instance) -> Text:
    """What the instance has now, and the price: the API quotes none for extra traffic (it is billed)."""
    text = Text()
    if i.region and i.product_id and app.ops.catalog.product(i.product_id) is None:
        with contextlib.suppress(CloudzyError):
            await app.ops.catalog.products_for(i.region)
    product = app.ops.catalog.product(i.product_id)
    spec = product.plan.specification if product is not None and product.plan is not None else None
    if spec is not None and spec.bandwidth_in_tb is not None:
        text.append("Plan traffic ", style="bold")
        text.append(terabytes(spec.bandwidth_in_tb))
    extra = i.extra_resource.bandwidth_in_tb if i.extra_resource is not None else None
    if extra:
        text.append(("  ·  " if text else "") + "extra so far ", style="bold")
        text.append(terabytes(extra))
    if text:
        text.append("\n")
    text.append("Price  ", style="bold")
    text.append("the API quotes none for extra traffic; Cloudzy bills it to the account.")
    return text


async def add_traffic(call: ActionCall[Instance]) -> None:
    i = call.target
    op = instance_ops.ADD_TRAFFIC
    if not await check(call.app, op, i):
        return

    async def submit(values: dict[str, Any]) -> Outcome:
        return await execute_in_form(call.app, op, i, {"amount": values["amount"]}, values)

    outcome = await call.app.ask(
        FormModal(
            f"Add traffic to {clean(_hostname(i), max_length=40)}",
            [FormField("amount", "Extra traffic (TB)", kind="number", required=True, placeholder="1")],
            submit,
            submit_label="Add traffic",
            description=await _traffic_note(call.app, i),
        )
    )
    if outcome is not None:
        await show_outcome(call.app, op, outcome)


async def resize(call: ActionCall[Instance]) -> None:
    await resize_instance(call.app, call.target)


async def change_os(call: ActionCall[Instance]) -> None:
    await change_os_form(call.app, call.target)


async def _ssh_targets(call: ActionCall[Instance]) -> list[tuple[SshTarget, list[str]]] | None:
    """The instances to open ssh to (the marked rows, else the row under the cursor), checked, with their command
    lines. None (and a toast saying why) when one cannot be reached."""
    app = call.app
    settings = app.ssh_settings
    items = list(call.items) if call.items else [call.target]
    floating: list[Any] = []
    if any(not (i.main_ip or i.main_ipv6) for i in items):
        with contextlib.suppress(CloudzyError):  # no floating IPs known: the refusal below says "no address"
            floating = await app.client.floating_ips.list_all()
    found: list[tuple[SshTarget, list[str]]] = []
    for i in items:
        try:
            target = ssh_ops.target_of(i, floating)
            argv = ssh_ops.build_command(settings.command, target, user=settings.user, port=settings.port)
        except ssh_ops.SshError as exc:
            app.toast(f"SSH: {exc}", severity="warning", timeout=8)
            return None
        found.append((target, argv))
    return found


async def open_ssh(call: ActionCall[Instance], mode: ssh_ops.OpenMode | None = None, *, tiled: bool = False) -> None:
    """``s``: ssh to the instance, in a tmux window or pane (inside tmux) or here with the console suspended."""
    app = call.app
    if app.is_web:  # cloudzy-tui serve: no terminal to hand over, and the server's tmux is not the user's
        app.toast(
            "ssh is not available in the browser (cloudzy-tui serve); use the console in a terminal", severity="warning"
        )
        return
    targets = await _ssh_targets(call)
    if not targets:
        return
    chosen = mode or app.ssh_settings.open_mode()
    if chosen != "suspend" and not ssh_ops.in_tmux():
        app.toast(f"Not inside tmux: ssh opens here instead. {ssh_ops.MULTI_SESSION_HINT}", timeout=8)
        chosen = "suspend"
    if chosen == "suspend":
        for target, argv in targets:
            code, error = await app.run_external(argv, banner=ssh_ops.banner(target, argv))
            if error:
                app.toast(f"Could not run {argv[0]}: {error}", severity="error")
            elif code:
                app.toast(f"{argv[0]} to {target.name} exited with status {code}", severity="warning")
        return
    try:
        opened = await asyncio.to_thread(
            ssh_ops.open_in_tmux,
            targets,
            chosen,
            tiled=tiled,
            synchronize=tiled,
            profile=app.ssh_settings.profile,
        )
    except ssh_ops.SshError as exc:
        app.toast(f"SSH: {exc}", severity="error", timeout=8)
        return
    where = "a split" if chosen == "split" and not tiled else "tiled panes" if tiled else "a tmux window"
    names = ", ".join(o.target.name for o in opened)
    app.toast(f"ssh to {names} opened in {where} (:sessions lists them)", timeout=5)


async def ssh(call: ActionCall[Instance]) -> None:
    await open_ssh(call)


async def ssh_window(call: ActionCall[Instance]) -> None:
    await open_ssh(call, "window")


async def ssh_split(call: ActionCall[Instance]) -> None:
    await open_ssh(call, "split")


async def ssh_here(call: ActionCall[Instance]) -> None:
    await open_ssh(call, "suspend")


async def ssh_tiled(call: ActionCall[Instance]) -> None:
    await open_ssh(call, "window", tiled=True)


async def go_to_iso(call: ActionCall[Instance]) -> None:
    """``I``: the ISOs screen, cursor on the ISO the instance was created from (``isoId``)."""
    call.app.show_resource("isos", select=str(call.target.iso_id))


async def go_to_image(call: ActionCall[Instance]) -> None:
    """``M``: the images screen, cursor on the image the instance was created from (``fromImage``)."""
    call.app.show_resource("images", select=str(call.target.from_image))


async def create(call: ActionCall[Instance]) -> None:
    from cloudzy_tui.ui.modals.create_wizard import run_create_wizard  # on first use: ~44 ms of import at start-up

    if await check(call.app, instance_ops.CREATE, None):
        await run_create_wizard(call.app, call.screen)


INSTANCE_ACTIONS: list[Action[Instance]] = [
    op_action(instance_ops.CREATE, "n", title="New", run=create),
    op_action(instance_ops.POWER_ON, "u"),
    op_action(instance_ops.POWER_OFF, "p"),
    op_action(instance_ops.RESET, "R"),
    console_action(
        "ssh",
        "s",
        "SSH",
        ssh,
        "Open an ssh session (a tmux window inside tmux, else here)",
        unavailable=ssh_ops.refusal,
        bulk=True,
    ),
    # Palette-only (no key): where to open it, whatever ssh_open says.
    console_action(
        "ssh_window",
        "",
        "ssh in a new window",
        ssh_window,
        "A new tmux window named after the host",
        unavailable=ssh_ops.refusal,
        bulk=True,
        show=False,
    ),
    console_action(
        "ssh_split",
        "",
        "ssh in a split",
        ssh_split,
        "A tmux pane beside the console",
        unavailable=ssh_ops.refusal,
        bulk=True,
        show=False,
    ),
    console_action(
        "ssh_here",
        "",
        "ssh here (suspend)",
        ssh_here,
        "In place of the console; back when ssh ends",
        unavailable=ssh_ops.refusal,
        bulk=True,
        show=False,
    ),
    console_action(
        "ssh_tiled",
        "",
        "ssh tiled, input synchronized",
        ssh_tiled,
        "One tmux window, a tiled pane per instance, typing goes to all",
        unavailable=ssh_ops.refusal,
        bulk=True,
        show=False,
    ),
    op_action(instance_ops.RESIZE, "z", run=resize),
    op_action(instance_ops.CHANGE_OS, "C", run=change_os),
    op_action(instance_ops.ADD_TRAFFIC, "t", run=add_traffic, show=False),
    op_action(instance_ops.CHANGE_PASSWORD, "w", show=False),
    op_action(instance_ops.DELETE, "D"),
    op_action(snapshot_ops.TAKE, "S", show=False),
    op_action(
        backup_ops.SET_SCHEDULE, "b", id="backups", title="Backups", run=edit_backup_schedule_of_instance, show=False
    ),
    console_action(
        "iso",
        "I",
        "Go to ISO",
        go_to_iso,
        "The ISO the instance was created from",
        show=False,
        unavailable=lambda i: None if i.iso_id else "the instance has no ISO",
    ),
    console_action(
        "image",
        "M",
        "Go to image",
        go_to_image,
        "The image the instance was created from",
        show=False,
        unavailable=lambda i: None if i.from_image else "the instance was not created from an image",
    ),
]


def copy_choices(i: Instance, app: Console) -> list[tuple[str, str]]:
    """What ``c`` offers on an instance: the IPs, the id, the ssh command (when one can be built safely)."""
    choices = [("IPv4", i.main_ip or ""), ("IPv6", i.main_ipv6 or ""), ("id", i.id)]
    settings = app.ssh_settings
    try:
        target = ssh_ops.SshTarget(str(i.id), ssh_ops.safe_name(i.hostname), ssh_ops.choose_address(i))
        command = ssh_ops.build_command(settings.command, target, user=settings.user, port=settings.port)
    except ssh_ops.SshError:
        pass
    else:
        choices.append(("ssh command", shlex.join(command)))
    return [(label, value) for label, value in choices if value]


def _created(i: Instance) -> float | None:
    """When the instance was created (epoch seconds), for sorting; ``None`` sorts last either way."""
    created = i.inserted_at_dt
    return created.timestamp() if created is not None else None


def _row_style(i: Instance) -> str:
    return "dim strike" if (i.status or "").lower() == "deleted" else ""


INSTANCES: ResourceSpec[Instance] = ResourceSpec(
    resource=instance_ops.INSTANCES,
    columns=[
        Column("hostname", "Hostname", lambda i, v: i.hostname, min_width=8, max_width=28, priority=0, cut=True),
        Column("status", "Status", lambda i, v: status_text(i.status), min_width=6, max_width=16, priority=10),
        Column(
            "region",
            "Region",
            lambda i, v: v.catalog.region_name(i.region),
            min_width=6,
            max_width=16,
            priority=30,
            cut=True,
        ),
        Column("ipv4", "IPv4", lambda i, v: i.main_ip, min_width=7, max_width=15, priority=20),
        Column("os", "OS", _os_label, min_width=4, max_width=20, priority=40, cut=True),
        Column(
            "cpu",
            "vCPU",
            lambda i, v: i.vcpu_count,
            sort=lambda i: i.vcpu_count,
            justify="right",
            max_width=4,
            priority=50,
        ),
        Column(
            "ram", "RAM", lambda i, v: ram_mb(i.ram), sort=lambda i: i.ram, justify="right", max_width=8, priority=45
        ),
        Column(
            "disk",
            "Disk",
            lambda i, v: gigabytes(i.disk),
            sort=lambda i: i.disk,
            justify="right",
            max_width=8,
            priority=55,
        ),
        Column("created", "Created", lambda i, v: when(i.inserted_at), max_width=20, priority=60, sort=_created),
    ],
    detail=instance_detail,
    related=instance_related,
    actions=INSTANCE_ACTIONS,
    copy_value=lambda i: i.main_ip or i.id,
    row_style=_row_style,
    empty_hint="No instances yet: press n to create one.",
    default_sort="created",
    default_sort_reverse=True,
    refresh_interval=15.0,
    extra={"copy_choices": copy_choices},
)
