"""Floating IPs: list (address, region, include deleted; paged) with the instance each is attached to and its
expiry; allocate (``n``), update auto-renew and note (``e``), release (``D``), go to the instance (``i``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import pydantic
from rich.text import Text

from cloudzy_tui.api import FloatingIp, FloatingIpFilters, FloatingIpUpdate
from cloudzy_tui.ui.format import age, yes_no
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.resources.common import pages_of, when
from cloudzy_tui.ui.resources.snapshots import region_choices
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp


async def load_fips(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[FloatingIp]]:
    query = FloatingIpFilters(**filters) if filters else None
    async for page in pages_of(app.client.floating_ips.pages(query)):
        yield page


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
    from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal

    app = call.app
    regions = await region_choices(app)
    if not regions:
        app.toast("No active region to allocate floating IPs in.", severity="warning")
        return

    async def submit(values: dict[str, Any]) -> list[FloatingIp]:
        count = values["count"]
        if count is None or not 1 <= count <= MAX_ALLOCATE:
            raise FormError({"count": f"between 1 and {MAX_ALLOCATE}"})
        return await app.client.floating_ips.allocate(values["region"], count)

    allocated = await app.ask(
        FormModal(
            "Allocate floating IPs",
            [
                FormField("region", "Region", kind="choice", required=True, choices=regions, aliases=("regionId",)),
                FormField("count", f"How many (1-{MAX_ALLOCATE})", kind="int", required=True, value=1,
                          help="Addresses are billed until they are released."),
            ],
            submit,
            submit_label="Allocate",
        )
    )
    if allocated is None:
        return
    if allocated:
        addresses = ", ".join(clean(f.ip_address or f.id) for f in allocated)
        plural = "es" if len(allocated) > 1 else ""
        app.toast(f"Allocated {len(allocated)} address{plural}: {addresses}")
        call.screen.upsert_items(allocated)
    else:
        app.toast("Floating IPs allocated; they appear when the list refreshes.")
        call.screen.reload()


async def update(call: ActionCall[FloatingIp]) -> None:
    """``e``: auto-renew and the customer note (an empty note clears it)."""
    from cloudzy_tui.ui.modals.form import FormField, FormModal

    f = call.target
    sent = False

    async def submit(values: dict[str, Any]) -> FloatingIp | None:
        nonlocal sent
        request = FloatingIpUpdate(auto_renew=bool(values["auto_renew"]), customer_note=values["note"] or "")
        result = await call.app.client.floating_ips.update(f.id, request)
        sent = True
        return result

    fresh = await call.app.ask(
        FormModal(
            f"Floating IP {clean(_label(f), max_length=40)}",
            [
                FormField("auto_renew", "Renew automatically before it expires", kind="bool",
                          value=bool(f.auto_renew), aliases=("autoRenew",)),
                FormField("note", "Note", value=clean(f.customer_note, max_length=1000),
                          placeholder="what it is for", aliases=("customerNote",)),
            ],
            submit,
            submit_label="Save",
        )
    )
    if not sent:
        return
    call.app.toast(f"Floating IP {_label(f)} updated")
    if fresh is not None:
        call.screen.upsert_items([fresh])
    else:
        call.screen.reload()


async def release(call: ActionCall[FloatingIp]) -> None:
    f = call.target
    message = Text("Release ")
    message.append_text(safe_text(_label(f), style="bold"))
    if f.instance_id:
        message.append(" (attached to ")
        message.append_text(attached(f, call.screen.view()))
        message.append(")")
    message.append("?\nThe address goes back to the pool: it stops routing to the instance and may be given to "
                   "someone else. This cannot be undone.")
    if not await call.app.confirm("Release floating IP", message, confirm_label="Release"):
        return
    result = await call.app.client.floating_ips.release(f.id)
    call.app.toast(result.detail or f"Floating IP {_label(f)} released")
    fresh = None
    if isinstance(result.data, dict):
        try:
            fresh = FloatingIp.model_validate(result.data)
        except pydantic.ValidationError:
            fresh = None
    if fresh is not None and call.screen.server_filters.get("include_deleted"):
        call.screen.upsert_items([fresh])
    else:
        call.screen.remove_item(str(f.id))


async def go_to_instance(call: ActionCall[FloatingIp]) -> None:
    """``i``: the instances screen, cursor on the instance this address is attached to."""
    f = call.target
    instance_id = str(f.instance_id)
    app = call.app
    app.show_resource("instances", select=instance_id)


def _unattached(f: FloatingIp) -> str | None:
    return None if f.instance_id else "this address is not attached to an instance"


def _released(f: FloatingIp) -> str | None:
    return "this address was released" if f.is_deleted else None


FLOATING_IP_ACTIONS: list[Action[FloatingIp]] = [
    Action("allocate", "n", "Allocate", allocate, "Allocate new floating IP addresses", needs_item=False),
    Action("update", "e", "Edit", update, "Auto-renew and note", unavailable=_released, guard=False),
    Action("release", "D", "Release", release, "Give the address back", unavailable=_released),
    Action("instance", "i", "Go to instance", go_to_instance, "Show the instance it is attached to",
           mutating=False, unavailable=_unattached),
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
        Column("instance", "Instance", lambda f, v: attached(f, v), max_width=36),
        Column("renew", "Auto-renew", lambda f, v: yes_no(f.auto_renew), max_width=10),
        Column("expires", "Expires", lambda f, v: when(f.expires_at), sort=lambda f: f.expires_at or 0,
               max_width=20),
        Column("note", "Note", lambda f, v: f.customer_note, max_width=40, flex=True),
    ],
    load=load_fips,
    detail=fip_detail,
    actions=FLOATING_IP_ACTIONS,
    copy_value=lambda f: f.ip_address or str(f.id),
    row_style=lambda f: "dim strike" if f.is_deleted else "",
    filters=[
        FilterField("address", "Address"),
        FilterField("region_id", "Region id"),
        FilterField("include_deleted", "Include released IPs", kind="bool"),
    ],
    empty_hint="No floating IPs yet: press n to allocate some.",
    refresh_interval=60.0,
    instance_of=lambda f: (str(f.instance_id), None) if f.instance_id else None,
)
