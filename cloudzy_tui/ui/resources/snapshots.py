"""Snapshots: list (instance, status, automated filters; paged), detail, take, delete and restore.

Taking a snapshot and restoring one are asynchronous: both start a job (kind ``snapshot``) that the app's tracker
follows to ACTIVE or FAILED, updating the row as it goes; a restore also follows the instance it overwrites.

The helpers at the top (instances and regions as form choices, putting a fresh object into another screen's list)
are shared by the other resource actions (backups, floating IPs, ISOs and images).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import CloudzyError, Instance, Snapshot
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import snapshots as snapshot_ops
from cloudzy_tui.ops.instances import INSTANCES as INSTANCE_RESOURCE
from cloudzy_tui.ops.snapshots import snapshot_hostname, snapshot_size
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.operations import execute_in_form, show_outcome
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, ResourceSpec, Section, View, op_action
from cloudzy_tui.ui.resources.common import status_text, when
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import gigabytes, ram_mb, timestamp, yes_no

if TYPE_CHECKING:
    from cloudzy_tui.ui.services import Console

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


async def live_instances(app: Console) -> list[Instance]:
    """Every instance that is not deleted, sorted by hostname (remembered in the catalog for other screens)."""
    found: list[Instance] = []
    async for page in INSTANCE_RESOURCE.pages(app.ops, {}):
        found.extend(i for i in page if (i.status or "").lower() != "deleted")
    return sorted(found, key=lambda i: ((i.hostname or "").lower(), i.id))


async def region_choices(app: Console) -> list[tuple[Text, str]]:
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


# ------------------------------------------------------------------------------------------------ list, detail


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


_size = snapshot_size


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


async def snapshot_related(app: Console, s: Snapshot, view: View) -> list[Section]:
    """Nothing extra to show, but the region's products are fetched (once) so the product row gets a name."""
    if s.region_id and s.product_id and app.catalog.product(s.product_id) is None:
        with contextlib.suppress(CloudzyError):
            await app.catalog.products_for(s.region_id)
    return []


def _product(s: Snapshot, view: View) -> str | None:
    product = view.catalog.product(s.product_id)
    return product.label if product is not None else s.product_id


# ------------------------------------------------------------------------------------------------------ actions


async def create_snapshot(call: ActionCall[Snapshot]) -> None:
    """``n`` on the snapshots screen: choose the instance (by hostname), then take the snapshot."""
    app = call.app
    op = snapshot_ops.TAKE
    instances = await live_instances(app)
    if not instances:
        app.toast("There is no instance to take a snapshot of.", severity="warning")
        return
    by_id = {i.id: i for i in instances}
    selected = call.screen.server_filters.get("instance_id")

    async def submit(values: dict[str, Any]) -> Outcome:
        instance = by_id.get(values["instance"])
        if instance is None:
            raise FormError({"instance": "choose an instance"})
        reason = op.unavailable(instance) if op.unavailable is not None else None
        if reason is not None:
            raise FormError({"instance": f"{clean(instance.hostname)}: {reason}"})
        return await execute_in_form(app, op, instance, None, values)

    outcome = await app.ask(
        FormModal(
            "Take a snapshot",
            [
                FormField(
                    "instance",
                    "Instance",
                    kind="choice",
                    required=True,
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
    if outcome is not None:
        await show_outcome(app, op, outcome)


SNAPSHOT_ACTIONS: list[Action[Snapshot]] = [
    op_action(snapshot_ops.TAKE, "n", id="create", title="New", run=create_snapshot, needs_item=False),
    op_action(snapshot_ops.RESTORE, "R", id="restore", title="Restore"),
    op_action(snapshot_ops.DELETE, "D", id="delete", title="Delete"),
]


SNAPSHOTS: ResourceSpec[Snapshot] = ResourceSpec(
    resource=snapshot_ops.SNAPSHOTS,
    columns=[
        Column("name", "Name", lambda s, v: s.name, max_width=30, priority=0, cut=True),
        Column("status", "Status", lambda s, v: status_text(s.status), max_width=12, priority=10),
        Column(
            "instance",
            "Instance",
            _instance_cell,
            sort=lambda s: snapshot_instance(s).lower(),
            max_width=24,
            priority=20,
            cut=True,
        ),
        Column(
            "region", "Region", lambda s, v: v.catalog.region_name(s.region_id), max_width=14, priority=40, cut=True
        ),
        Column(
            "size", "Size", lambda s, v: _size(s), sort=lambda s: s.size or 0, justify="right", max_width=8, priority=30
        ),
        Column(
            "created",
            "Created",
            lambda s, v: when(s.created_at),
            sort=lambda s: s.created_at or 0,
            max_width=20,
            priority=50,
        ),
        Column(
            "restored",
            "Restored",
            lambda s, v: when(s.last_restored_at),
            sort=lambda s: s.last_restored_at or 0,
            max_width=20,
            priority=60,
        ),
    ],
    detail=snapshot_detail,
    related=snapshot_related,
    actions=SNAPSHOT_ACTIONS,
    row_style=lambda s: "dim" if s.is_instance_deleted else "",
    empty_hint="No snapshots yet: press n to take one (or S on an instance).",
    default_sort="created",
    default_sort_reverse=True,
    refresh_interval=20.0,
)
