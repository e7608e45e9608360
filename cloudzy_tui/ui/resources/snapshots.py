"""Snapshots: list (instance, status, automated filters; paged), detail, take, delete and restore.

Taking a snapshot and restoring one are asynchronous: both start a job (kind ``snapshot``) that the app's tracker
follows to ACTIVE or FAILED, updating the row as it goes; a restore also follows the instance it overwrites.

The helpers at the top (instances and regions as form choices, putting a fresh object into another screen's list)
are shared by the other resource actions (backups, floating IPs, ISOs and images).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import pydantic
from rich.text import Text

from cloudzy_tui.api import SNAPSHOT_STATUSES, CloudzyError, Instance, Snapshot, SnapshotFilters
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ui.format import gigabytes, ram_mb, size_bytes, timestamp, yes_no
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import pages_of, status_text, when
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp
    from cloudzy_tui.ui.screens.resource import ResourceScreen

# ------------------------------------------------------------------------------------------ shared helpers

#: instance statuses in which the API accepts an action on the instance (the others are transitional)
SETTLED_INSTANCE = ("active", "shutdown")


def instance_label(i: Instance) -> Text:
    """An instance as a choice: hostname, then region and status, dimmed."""
    text = safe_text(i.hostname or i.id, max_length=60)
    details = " · ".join(x for x in (clean(i.region), clean(i.status), clean(i.main_ip)) if x)
    if details:
        text.append(f"  {details}", style="dim")
    return text


async def live_instances(app: CloudzyApp) -> list[Instance]:
    """Every instance that is not deleted, sorted by hostname (remembered in the catalog for other screens)."""
    found: list[Instance] = []
    async for page in app.walk(lambda client: client.instances.pages(None, page_size=100)):
        app.catalog.remember_instances(page)
        found.extend(i for i in page if (i.status or "").lower() != "deleted")
    return sorted(found, key=lambda i: ((i.hostname or "").lower(), i.id))


async def region_choices(app: CloudzyApp) -> list[tuple[Text, str]]:
    """Active, visible regions as form choices (out-of-stock ones flagged)."""
    regions = await app.catalog.ensure_regions()
    choices: list[tuple[Text, str]] = []
    for region in regions:
        if not region.offerable:
            continue
        label = safe_text(region.label, max_length=40)
        label.append(f"  {clean(region.id)}", style="dim")
        if region.is_out_of_stock:
            label.append("  out of stock", style="yellow")
        choices.append((label, region.id))
    return choices


def mounted_screen(app: CloudzyApp, screen_name: str) -> ResourceScreen[Any] | None:
    """The resource screen of that name if it was opened this session (else None: it loads when opened)."""
    from cloudzy_tui.ui.screens.resource import ResourceScreen

    if not app.is_screen_installed(screen_name):
        return None
    screen = app.get_screen(screen_name)
    return screen if isinstance(screen, ResourceScreen) and screen.is_mounted else None


def upsert_into(app: CloudzyApp, screen_name: str, items: Sequence[Any]) -> None:
    """Put fresh objects into another resource screen's list, if that screen exists."""
    screen = mounted_screen(app, screen_name)
    if screen is not None and items:
        screen.upsert_items(list(items))


# ------------------------------------------------------------------------------------------------ list, detail


async def load_snapshots(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[Snapshot]]:
    query = SnapshotFilters(**filters) if filters else None
    async for page in pages_of(app.client.snapshots.pages(query, page_size=100)):
        yield page


async def fetch_snapshot(app: CloudzyApp, item: Snapshot) -> Snapshot:
    return await app.client.snapshots.get(item.id)


def snapshot_hostname(s: Snapshot) -> str | None:
    meta = s.metadata
    return meta.hostname if meta is not None and meta.hostname else None


def snapshot_instance(s: Snapshot, view: View | None = None) -> str:
    name = snapshot_hostname(s)
    if name:
        return name
    if view is not None and s.instance_id:
        return view.catalog.instance_name(s.instance_id)
    return s.instance_id or ""


def _instance_cell(s: Snapshot, view: View) -> Text:
    text = safe_text(snapshot_instance(s, view), max_length=40)
    if s.is_instance_deleted:
        text.append(" (deleted)", style="dim red")
    return text


def _size(s: Snapshot) -> str:
    # The API gives GB (the simulator does); a value that large can only be bytes.
    return size_bytes(s.size) if s.size and s.size > 100_000 else gigabytes(s.size)


def snapshot_detail(s: Snapshot, view: View) -> list[Section]:
    meta = s.metadata
    instance = safe_text(snapshot_instance(s, view))
    if s.instance_id and snapshot_instance(s, view) != s.instance_id:
        instance.append(f"  ({clean(s.instance_id)})", style="dim")
    sections = [
        Section(
            "Snapshot",
            rows=[
                ("name", s.name),
                ("id", s.id),
                ("status", status_text(s.status)),
                ("size", _size(s)),
                ("created", timestamp(s.created_at) or None),
                ("last restored", timestamp(s.last_restored_at) or "never"),
                *([("automated backup", yes_no(s.is_automated_backup))] if s.is_automated_backup is not None else []),
            ],
        ),
        Section(
            "Instance",
            rows=[
                ("instance", instance),
                ("instance deleted", yes_no(s.is_instance_deleted)),
                ("region", view.catalog.region_name(s.region_id)),
                ("product", _product(s, view)),
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


async def snapshot_related(app: CloudzyApp, s: Snapshot, view: View) -> list[Section]:
    """Nothing extra to show, but the region's products are fetched (once) so the product row gets a name."""
    if s.region_id and s.product_id and app.catalog.product(s.product_id) is None:
        with contextlib.suppress(CloudzyError):
            await app.catalog.products_for(s.region_id)
    return []


def _product(s: Snapshot, view: View) -> str | None:
    product = view.catalog.product(s.product_id)
    return product.label if product is not None else s.product_id


# ------------------------------------------------------------------------------------------------------ actions


def _snapshot_label(s: Snapshot) -> str:
    return s.name or s.id


def _parse_snapshot(data: Any) -> Snapshot | None:
    if not isinstance(data, dict):
        return None
    try:
        return Snapshot.model_validate(data)
    except pydantic.ValidationError:
        return None


def _started(app: CloudzyApp, snapshot: Snapshot | None, hostname: str) -> None:
    """A snapshot was requested: show its row at once and follow it to ACTIVE or FAILED."""
    if snapshot is None:
        app.toast(f"Snapshot of {hostname} requested; it appears when the list refreshes.", title=hostname)
        screen = mounted_screen(app, "snapshots")
        if screen is not None:
            screen.reload()
        return
    label = f"snapshot {_snapshot_label(snapshot)}"
    app.toast(f"Snapshot {_snapshot_label(snapshot)} of {hostname} started ({snapshot.status or 'requested'}).",
              title=hostname)
    upsert_into(app, "snapshots", [snapshot])
    app.track("snapshot", snapshot.id, label, "create", Expectation.snapshot_created())


async def take_snapshot_of_instance(call: ActionCall[Instance]) -> None:
    """``S`` on an instance: take a snapshot now (nothing is overwritten, so no question is asked)."""
    i = call.target
    hostname = i.hostname or i.id
    snapshot = await call.app.client.snapshots.create(i.id)
    _started(call.app, snapshot, hostname)


async def create_snapshot(call: ActionCall[Snapshot]) -> None:
    """``n`` on the snapshots screen: choose the instance (by hostname), then take the snapshot."""
    from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal

    app = call.app
    instances = await live_instances(app)
    if not instances:
        app.toast("There is no instance to take a snapshot of.", severity="warning")
        return
    by_id = {i.id: i for i in instances}
    selected = call.screen.server_filters.get("instance_id")

    async def submit(values: dict[str, Any]) -> tuple[Snapshot | None, Instance]:
        instance = by_id.get(values["instance"])
        if instance is None:
            raise FormError({"instance": "choose an instance"})
        if (instance.status or "").lower() not in SETTLED_INSTANCE:
            raise FormError({"instance": f"{clean(instance.hostname)} is {clean(instance.status)}; wait until "
                                         "it settles"})
        return await app.client.snapshots.create(instance.id), instance

    result = await app.ask(
        FormModal(
            "Take a snapshot",
            [
                FormField(
                    "instance", "Instance", kind="choice", required=True,
                    value=selected if selected in by_id else None,
                    choices=[(instance_label(i), i.id) for i in instances],
                    aliases=("instanceId",),
                    help="The snapshot holds the instance's disk as it is now; it stays when the instance goes.",
                ),
            ],
            submit,
            submit_label="Take snapshot",
        )
    )
    if result is None:
        return
    snapshot, instance = result
    _started(app, snapshot, instance.hostname or instance.id)


async def delete_snapshot(call: ActionCall[Snapshot]) -> None:
    s = call.target
    message = Text("Delete the snapshot ")
    message.append_text(safe_text(_snapshot_label(s), style="bold"))
    message.append(" of ")
    message.append_text(safe_text(snapshot_instance(s) or "an unknown instance"))
    created = timestamp(s.created_at)
    if created:
        message.append(f" (taken {created})")
    message.append("?\nIt can no longer be restored or used to create instances. This cannot be undone.")
    if not await call.app.confirm("Delete snapshot", message, confirm_label="Delete"):
        return
    result = await call.app.client.snapshots.delete(s.id)
    call.app.toast(result.detail or f"Snapshot {_snapshot_label(s)} deleted")
    call.screen.remove_item(s.id)


def _restore_target(s: Snapshot, app: CloudzyApp) -> str:
    """What must be typed to confirm a restore: the instance's hostname, else the snapshot's name."""
    hostname = snapshot_hostname(s)
    if not hostname and s.instance_id:
        known = app.catalog.instance_name(s.instance_id)
        hostname = known if known != s.instance_id else None
    return clean(hostname) if hostname else clean(_snapshot_label(s))


async def restore_snapshot(call: ActionCall[Snapshot]) -> None:
    s = call.target
    app = call.app
    hostname = snapshot_hostname(s) or app.catalog.instance_name(s.instance_id) or s.instance_id or "?"
    require = _restore_target(s, app)
    message = Text("Restore the snapshot ")
    message.append_text(safe_text(_snapshot_label(s), style="bold"))
    created = timestamp(s.created_at)
    if created:
        message.append(f" (taken {created})")
    message.append(" onto ")
    message.append_text(safe_text(hostname, style="bold"))
    message.append(
        "?\nThis overwrites all of the instance's data with the snapshot's: everything written since the snapshot "
        "was taken is lost. The instance is unavailable while it is restored. This cannot be undone.",
        style="bold",
    )
    label = "instance hostname" if require != clean(_snapshot_label(s)) else "snapshot name"
    if not await app.confirm(
        "Restore snapshot", message, confirm_label="Restore", require=require, require_label=label
    ):
        return
    result = await app.client.snapshots.restore(s.id)
    app.toast(result.detail or f"Restoring {_snapshot_label(s)} onto {hostname}", title=clean(hostname))
    fresh = _parse_snapshot(result.data)
    if fresh is not None:
        call.screen.upsert_items([fresh])
    else:
        await call.screen.refresh_one(s)
    app.track("snapshot", s.id, f"snapshot {_snapshot_label(s)}", "restore", Expectation.snapshot_restored())
    if s.instance_id:
        app.track("instance", s.instance_id, clean(hostname), "restore", Expectation.instance_restored())


def _restore_unavailable(s: Snapshot) -> str | None:
    status = (s.status or "").upper()
    if status != "ACTIVE":
        return f"only ACTIVE snapshots can be restored (this one is {clean(s.status) or 'unknown'})"
    if s.is_instance_deleted:
        return "its instance was deleted; create a new instance from it instead"
    return None


def _delete_unavailable(s: Snapshot) -> str | None:
    status = (s.status or "").upper()
    if status in ("IN_PROGRESS", "RESTORING"):
        return f"the snapshot is {clean(s.status)}; wait until it settles"
    return None


SNAPSHOT_ACTIONS: list[Action[Snapshot]] = [
    Action("create", "n", "New", create_snapshot, "Take a snapshot of an instance", needs_item=False),
    Action("restore", "R", "Restore", restore_snapshot, "Overwrite the instance with this snapshot",
           unavailable=_restore_unavailable),
    Action("delete", "D", "Delete", delete_snapshot, "Delete the snapshot", unavailable=_delete_unavailable,
           guard=False),
]


SNAPSHOTS: ResourceSpec[Snapshot] = ResourceSpec(
    name="snapshots",
    title="Snapshots",
    singular="Snapshot",
    aliases=("snap", "snaps", "snapshot"),
    key_of=lambda s: s.id,
    label_of=_snapshot_label,
    columns=[
        Column("name", "Name", lambda s, v: s.name, max_width=30),
        Column("status", "Status", lambda s, v: status_text(s.status), max_width=12),
        Column("instance", "Instance", _instance_cell, sort=lambda s: snapshot_instance(s).lower(), max_width=24),
        Column("region", "Region", lambda s, v: v.catalog.region_name(s.region_id), max_width=14),
        Column("size", "Size", lambda s, v: _size(s), sort=lambda s: s.size or 0, justify="right", max_width=8),
        Column("created", "Created", lambda s, v: when(s.created_at), sort=lambda s: s.created_at or 0,
               max_width=20),
        Column("restored", "Restored", lambda s, v: when(s.last_restored_at),
               sort=lambda s: s.last_restored_at or 0, max_width=20),
    ],
    load=load_snapshots,
    fetch_one=fetch_snapshot,
    detail=snapshot_detail,
    related=snapshot_related,
    actions=SNAPSHOT_ACTIONS,
    row_style=lambda s: "dim" if s.is_instance_deleted else "",
    filters=[
        FilterField("instance_id", "Instance id"),
        FilterField("status", "Status", kind="choice", choices=[(x, x) for x in SNAPSHOT_STATUSES]),
        FilterField("is_automated_backup", "Automated backups only", kind="bool"),
    ],
    empty_hint="No snapshots yet: press n to take one (or S on an instance).",
    refresh_interval=20.0,
    job_kind="snapshot",
    instance_of=lambda s: (s.instance_id, snapshot_hostname(s)) if s.instance_id else None,
)
