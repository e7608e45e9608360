"""Floating IPs: list (address, region, include deleted; paged) with the instance each is attached to and its
expiry; allocate (``n``), update auto-renew and note (``e``), release (``D``), go to the instance (``i``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import FloatingIp
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import floating_ips as fip_ops
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome
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
from cloudzy_tui.ui.resources.common import when
from cloudzy_tui.ui.resources.snapshots import region_choices
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import age, yes_no

if TYPE_CHECKING:
    pass


def attached(f: FloatingIp, view: View | None = None) -> Text:
    """The instance the address is attached to: its hostname when this session has seen it, else its id."""
    if f.instance_id:
        name = view.catalog.instance_name(f.instance_id) if view is not None else str(f.instance_id)
        return safe_text(name, max_length=60)
    return Text("unattached", style="dim")


def _expires(f: FloatingIp, view: View) -> Text:
    text = when(f.expires_at)
    left = age(f.expires_at, view.now)
    if left.startswith("in "):
        text.append(f" ({left})", style="dim")
    elif left:
        text.append(" (expired)", style="red")
    return text


def fip_detail(f: FloatingIp, view: View) -> list[Section]:
    return [
        Section(
            "Floating IP",
            rows=[
                ("address", f.ip_address),
                ("id", f.id),
                ("region", view.catalog.region_name(f.region_id)),
                ("instance", _instance_row(f, view)),
                ("auto-renew", yes_no(f.auto_renew)),
                ("expires", _expires(f, view) if f.expires_at else None),
                ("note", f.customer_note),
                ("deleted", yes_no(f.is_deleted) if f.is_deleted else None),
            ],
        )
    ]


def _instance_row(f: FloatingIp, view: View) -> Text:
    text = attached(f, view)
    if f.instance_id:
        if view.catalog.instance_name(f.instance_id) != str(f.instance_id):
            text.append(f"  ({clean(f.instance_id)})", style="dim")
        text.append("  i goes to it", style="dim italic")
    return text


# ------------------------------------------------------------------------------------------------------ actions

MAX_ALLOCATE = 5


def _label(f: FloatingIp) -> str:
    return f.ip_address or str(f.id)


async def allocate(call: ActionCall[FloatingIp]) -> None:
    """``n``: a region (active ones) and how many addresses (1-5); the toast names the new addresses."""
    app = call.app
    op = fip_ops.ALLOCATE
    if not await check(app, op, None):
        return
    regions = await region_choices(app)
    if not regions:
        app.toast("No active region to allocate floating IPs in.", severity="warning")
        return

    async def submit(values: dict[str, Any]) -> Outcome:
        count = values["count"]
        if count is None or not 1 <= count <= MAX_ALLOCATE:
            raise FormError({"count": f"between 1 and {MAX_ALLOCATE}"})
        params = {"region_id": values["region"], "count": count}
        return await execute_in_form(app, op, None, params, values)

    outcome = await app.ask(
        FormModal(
            "Allocate floating IPs",
            [
                FormField(
                    "region", "Region", kind="choice", required=True, choices=regions, aliases=("regionId", "region_id")
                ),
                FormField(
                    "count",
                    f"How many (1-{MAX_ALLOCATE})",
                    kind="int",
                    required=True,
                    value=1,
                    help="Price: the API quotes none; Cloudzy bills each address until it is released.",
                    aliases=("count",),
                ),
            ],
            submit,
            submit_label="Allocate",
        )
    )
    if outcome is not None:
        await show_outcome(app, op, outcome)


async def update(call: ActionCall[FloatingIp]) -> None:
    """``e``: auto-renew and the customer note (an empty note clears it)."""
    f = call.target
    op = fip_ops.UPDATE
    if not await check(call.app, op, f):
        return

    async def submit(values: dict[str, Any]) -> Outcome:
        params = {"auto_renew": bool(values["auto_renew"]), "customer_note": values["note"] or ""}
        return await execute_in_form(call.app, op, f, params, values)

    outcome = await call.app.ask(
        FormModal(
            f"Floating IP {clean(_label(f), max_length=40)}",
            [
                FormField(
                    "auto_renew",
                    "Renew automatically before it expires",
                    kind="bool",
                    value=bool(f.auto_renew),
                    aliases=("autoRenew",),
                ),
                FormField(
                    "note",
                    "Note",
                    value=clean(f.customer_note, max_length=1000),
                    placeholder="what it is for",
                    aliases=("customerNote",),
                ),
            ],
            submit,
            submit_label="Save",
        )
    )
    if outcome is not None:
        await show_outcome(call.app, op, outcome)


async def go_to_instance(call: ActionCall[FloatingIp]) -> None:
    """``i``: the instances screen, cursor on the instance this address is attached to."""
    call.app.show_resource("instances", select=str(call.target.instance_id))


def _unattached(f: FloatingIp) -> str | None:
    return None if f.instance_id else "this address is not attached to an instance"


FLOATING_IP_ACTIONS: list[Action[FloatingIp]] = [
    op_action(fip_ops.ALLOCATE, "n", id="allocate", title="Allocate", run=allocate),
    op_action(fip_ops.UPDATE, "e", id="update", title="Edit", run=update),
    op_action(fip_ops.RELEASE, "D", id="release", title="Release"),
    console_action(
        "instance",
        "i",
        "Go to instance",
        go_to_instance,
        "Show the instance it is attached to",
        unavailable=_unattached,
    ),
]


FLOATING_IPS: ResourceSpec[FloatingIp] = ResourceSpec(
    resource=fip_ops.FLOATING_IPS,
    columns=[
        Column("address", "Address", lambda f, v: f.ip_address, max_width=39, priority=0),
        Column(
            "region", "Region", lambda f, v: v.catalog.region_name(f.region_id), max_width=16, priority=30, cut=True
        ),
        Column("instance", "Instance", lambda f, v: attached(f, v), max_width=36, priority=10, cut=True),
        Column("renew", "Auto-renew", lambda f, v: yes_no(f.auto_renew), max_width=10, priority=50),
        Column(
            "expires",
            "Expires",
            lambda f, v: when(f.expires_at),
            sort=lambda f: f.expires_at or 0,
            max_width=20,
            priority=40,
        ),
        Column("note", "Note", lambda f, v: f.customer_note, max_width=40, flex=True, priority=60, cut=True),
    ],
    detail=fip_detail,
    actions=FLOATING_IP_ACTIONS,
    copy_value=lambda f: f.ip_address or str(f.id),
    row_style=lambda f: "dim strike" if f.is_deleted else "",
    empty_hint="No floating IPs yet: press n to allocate some.",
    refresh_interval=60.0,
)
