"""Resize and change-OS: forms built on the generic FormModal, with the catalog's products and OS list."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import ExtraResourceRequest, Instance, ResizeRequest
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import instances as instance_ops
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome, typed_confirmation_field
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import gigabytes, money, money_delta, to_number

if TYPE_CHECKING:
    from cloudzy_tui.api import OperatingSystem, Product
    from cloudzy_tui.ui.services import Console


def product_disk_gb(p: Product) -> float | None:
    """The plan's disk (GB), ``None`` when the product does not say."""
    spec = p.plan.specification if p.plan is not None else None
    return to_number(spec.storage) if spec is not None else None


def product_choice_label(p: Product, current: str | None = None, *, now: float | None = None) -> Text:
    """A plan as a choice: name, disk, price, and (``now``: the current plan's monthly price) the difference."""
    text = safe_text(p.label)  # the label names the disk
    if p.monthly_price is not None:
        text.append(f"  {money(p.monthly_price, per='mo')}", style="bold")
        if now is not None:
            delta = float(p.monthly_price) - now
            text.append(f" ({money_delta(delta)})", style="green" if delta <= 0 else "yellow")
    if p.hourly_price is not None and now is None:
        text.append(f"  {money(p.hourly_price, per='h')}", style="dim")
    stock = p.remaining_actual_stock
    if stock is not None and str(stock) in ("0", "0.0"):
        text.append("  out of stock", style="yellow")
    if current is not None and str(p.id) == str(current):
        text.append("  (current)", style="italic")
    return text


def os_choice_label(o: OperatingSystem) -> Text:
    text = safe_text(o.name or o.id)
    if o.family:
        text.append(f"  {clean(o.family)}", style="dim")
    if o.is_default:
        text.append("  (default)", style="bold green")
    return text


def _hostname(i: Instance) -> str:
    return i.hostname or i.id


def _whole(value: Any) -> int | None:
    """A starting value for a whole-number field: ``4.0`` is 4; a fractional disk (25.5 GB) rounds up, since
    disks do not shrink; ``None`` when there is no positive number."""
    number = to_number(value)
    return math.ceil(number) if number is not None and number > 0 else None


async def resize_instance(app: Console, instance: Instance) -> bool:
    """Ask how to resize (FIXED product or CUSTOM resources, where the region allows) and send it."""
    op = instance_ops.RESIZE
    if not await check(app, op, instance):
        return False
    region_id = instance.region or ""
    region = app.catalog.region(region_id) or next(
        (r for r in await app.catalog.ensure_regions() if r.id == region_id), None
    )
    products = [p for p in await app.catalog.products_for(region_id) if p.is_active] if region_id else []
    custom_allowed = bool(region and region.config.support_custom_plan)
    mode = "FIXED"
    if custom_allowed:
        chosen = await app.ask(
            FormModal(
                f"Resize {clean(_hostname(instance), max_length=40)}",
                [
                    FormField(
                        "type",
                        "How",
                        kind="choice",
                        required=True,
                        value="FIXED",
                        choices=[("A fixed plan (product)", "FIXED"), ("Custom resources", "CUSTOM")],
                    )
                ],
                _identity,
                submit_label="Next",
            )
        )
        if chosen is None:
            return False
        mode = chosen["type"]
    current_disk = to_number(instance.disk)
    current_product = app.catalog.product(instance.product_id) or next(
        (p for p in products if str(p.id) == str(instance.product_id)), None
    )
    now = to_number(current_product.monthly_price) if current_product is not None else None
    others = [p for p in products if str(p.id) != str(instance.product_id)]
    # Disks cannot shrink: a plan whose disk is smaller than the instance's is refused by the API (400).
    legal = [p for p in others if current_disk is None or (disk := product_disk_gb(p)) is None or disk >= current_disk]
    if mode == "FIXED" and not legal:
        reason = "no products to resize to" if not others else "no plan with a disk at least as large"
        app.toast(f"This region offers {reason}.", severity="warning")
        return False

    async def submit(values: dict[str, Any]) -> Outcome:
        extra: ExtraResourceRequest | None = None
        disk_asked = values.get("disk")
        if mode == "CUSTOM" and current_disk is not None and disk_asked is not None and disk_asked < current_disk:
            raise FormError({"disk": f"disks cannot shrink: at least {gigabytes(current_disk)}"})
        if mode == "FIXED":
            if values.get("disk") or values.get("bandwidth"):
                extra = ExtraResourceRequest(disk_in_gb=values.get("disk"), bandwidth_in_tb=values.get("bandwidth"))
            request = ResizeRequest(type="FIXED", product_id=values["product"], extra_resource=extra)
        else:
            request = ResizeRequest(
                type="CUSTOM",
                region_id=region_id or None,
                extra_resource=ExtraResourceRequest(
                    cpu=values["cpu"],
                    ram_in_gb=values["ram"],
                    disk_in_gb=values["disk"],
                    bandwidth_in_tb=values.get("bandwidth"),
                ),
            )
        return await execute_in_form(app, op, instance, request, values)

    if mode == "FIXED":
        fields = [
            FormField(
                "product",
                "Product",
                kind="choice",
                required=True,
                value=None,
                choices=[(product_choice_label(p, instance.product_id, now=now), p.id) for p in legal],
                aliases=("productId",),
            ),
            FormField("disk", "Extra disk (GB, optional)", kind="int", aliases=("extraResource.diskInGB",)),
            FormField(
                "bandwidth", "Extra traffic (TB, optional)", kind="int", aliases=("extraResource.bandwidthInTB",)
            ),
        ]
    else:
        fields = [
            FormField(
                "cpu",
                "vCPU",
                kind="int",
                required=True,
                value=_whole(instance.vcpu_count),
                aliases=("extraResource.cpu",),
            ),
            FormField(
                "ram",
                "RAM (GB)",
                kind="int",
                required=True,
                value=int(ram_mb // 1024) if (ram_mb := to_number(instance.ram)) else None,
                aliases=("extraResource.ramInGB",),
            ),
            FormField(
                "disk",
                "Disk (GB)",
                kind="int",
                required=True,
                value=_whole(instance.disk),
                aliases=("extraResource.diskInGB",),
            ),
            FormField("bandwidth", "Traffic (TB)", kind="int", aliases=("extraResource.bandwidthInTB",)),
        ]
    confirm_field = typed_confirmation_field(app.ops.confirmation(op, instance))
    if confirm_field is not None:
        fields.append(confirm_field)
    description = Text("Now: ", style="bold")
    if current_product is not None:
        description.append_text(safe_text(current_product.label))
        if now is not None:
            description.append(f"  {money(now, per='mo')}", style="bold")
    else:
        description.append(clean(instance.product_id) or "a custom plan")
        description.append(f"  ({gigabytes(current_disk)} disk)" if current_disk is not None else "", style="dim")
    description.append("\nResizing restarts ")
    description.append_text(safe_text(_hostname(instance), style="bold"))
    description.append(". Disks can grow but not shrink", style="")
    left_out = len(others) - len(legal)
    if mode == "FIXED" and left_out:
        description.append(f": {left_out} plan{'s' if left_out != 1 else ''} with a smaller disk not offered")
    description.append(".")
    if mode == "FIXED" and now is not None:
        description.append(" Price differences are per month, against the current plan.", style="dim")
    result = await app.ask(
        FormModal(
            f"Resize {clean(_hostname(instance), max_length=40)} ({'fixed plan' if mode == 'FIXED' else 'custom'})",
            fields,
            submit,
            submit_label="Resize",
            description=description,
        )
    )
    if result is None:
        return False
    await show_outcome(app, op, result)
    return True


async def _identity(values: dict[str, Any]) -> dict[str, Any]:
    return values


async def change_os(app: Console, instance: Instance) -> bool:
    """Pick an active OS (default marked) and type the hostname: the disk is erased."""
    op = instance_ops.CHANGE_OS
    if not await check(app, op, instance):
        return False
    systems = [o for o in await app.catalog.ensure_os() if o.is_active]
    if not systems:
        app.toast("The API lists no active operating systems.", severity="warning")
        return False
    systems.sort(key=lambda o: (not o.is_default, (o.name or o.id).lower()))
    hostname = _hostname(instance)

    async def submit(values: dict[str, Any]) -> Outcome:
        return await execute_in_form(app, op, instance, {"os_id": values["os"]}, values)

    description = Text("Reinstalls ")
    description.append_text(safe_text(hostname, style="bold"))
    description.append(" with the chosen OS. ", style="bold")
    description.append("Everything on its disk is erased. This cannot be undone.", style="bold red")
    current = instance.os.id if instance.os is not None else instance.os_id
    offered = [o for o in systems if o.id != current] or systems
    default = next((o.id for o in offered if o.is_default), None)
    result = await app.ask(
        FormModal(
            f"Change OS of {clean(hostname, max_length=40)}",
            [
                FormField(
                    "os",
                    "Operating system",
                    kind="choice",
                    required=True,
                    value=default,
                    choices=[(os_choice_label(o), o.id) for o in offered],
                    aliases=("osId",),
                ),
                *(
                    [confirm_field]
                    if (confirm_field := typed_confirmation_field(app.ops.confirmation(op, instance)))
                    else []
                ),
            ],
            submit,
            submit_label="Change OS",
            description=description,
            danger=True,
        )
    )
    if result is None:
        return False
    await show_outcome(app, op, result)
    return True
