"""The catalog: regions (with their capabilities), products per region, operating systems, applications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import Application, OperatingSystem, Product, Region
from cloudzy_tui.ops import catalog as catalog_ops
from cloudzy_tui.ui.present import region_flags
from cloudzy_tui.ui.resources.base import Column, ResourceSpec, Section, View
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import bit_rate_mbps, gigabytes, min_ram, money, percent, ram_mb, terabytes, yes_no

if TYPE_CHECKING:
    pass


# ------------------------------------------------------------------------------------------------ regions


def region_capabilities(r: Region) -> str:
    c = r.config
    caps = [
        name
        for name, on in (
            ("IPv6", c.support_ipv6),
            ("custom", c.support_custom_plan),
            ("GPU", c.support_gpu),
            ("high-freq", c.support_high_frequency_cpu),
            ("monitoring", c.support_monitoring),
            ("DDoS", c.support_ddos_ipv4),
        )
        if on
    ]
    return ", ".join(caps)


def region_detail(r: Region, view: View) -> list[Section]:
    c = r.config
    return [
        Section(
            "Region",
            rows=[
                ("name", r.name),
                ("id", r.id),
                ("abbreviation", r.abbr),
                ("active", yes_no(r.is_active)),
                ("hidden", yes_no(r.is_hidden)),
                ("out of stock", yes_no(r.is_out_of_stock)),
                ("premium", yes_no(r.is_premium)),
                ("max discount", percent(r.max_discount_percent) if r.max_discount_percent else None),
            ],
        ),
        Section(
            "Capabilities",
            rows=[
                ("IPv6", yes_no(c.support_ipv6)),
                ("regular CPU", yes_no(c.support_regular_cpu)),
                ("high-frequency CPU", yes_no(c.support_high_frequency_cpu)),
                ("GPU", yes_no(c.support_gpu)),
                ("custom plans", yes_no(c.support_custom_plan)),
                ("monitoring", yes_no(c.support_monitoring)),
                ("DDoS (IPv4)", yes_no(c.support_ddos_ipv4)),
                ("RAM threshold", gigabytes(c.ram_threshold_in_gb) or None),
                ("disk threshold", gigabytes(c.disk_threshold_in_gb) or None),
                ("IP threshold", c.ip_threshold),
            ],
        ),
    ]


REGIONS: ResourceSpec[Region] = ResourceSpec(
    resource=catalog_ops.REGIONS,
    columns=[
        Column("name", "Name", lambda r, v: r.name, max_width=24, priority=0, cut=True),
        Column("id", "Id", lambda r, v: r.id, max_width=16, priority=20),
        Column("abbr", "Abbr", lambda r, v: r.abbr, max_width=6, priority=40),
        Column(
            "flags",
            "State",
            lambda r, v: region_flags(r) if region_flags(r).plain else "available",
            max_width=28,
            priority=10,
            cut=True,
        ),
        Column(
            "caps", "Capabilities", lambda r, v: region_capabilities(r), max_width=40, flex=True, priority=50, cut=True
        ),
    ],
    detail=region_detail,
    empty_hint="The API lists no regions.",
    refresh_interval=300.0,
)


# ----------------------------------------------------------------------------------------------- products


def product_spec_rows(p: Product) -> list[tuple[str, Any]]:
    spec = p.plan.specification if p.plan and p.plan.specification else None
    if spec is None:
        return [("specification", None)]
    ram = ram_mb(spec.ram_in_mb) if spec.ram_in_mb else gigabytes(spec.ram)
    return [
        ("vCPU", spec.cpu),
        ("RAM", ram),
        ("disk", gigabytes(spec.storage)),
        ("traffic", terabytes(spec.bandwidth_in_tb)),
    ]


def product_detail(p: Product, view: View) -> list[Section]:
    plan = p.plan
    sections = [
        Section(
            "Product",
            rows=[
                ("id", p.id),
                ("region", view.catalog.region_name(p.region_id)),
                ("plan", plan.id if plan else p.plan_id),
                ("type", plan.type if plan else None),
                ("GPU", f"{plan.gpu_quantity or 1} x {clean(plan.gpu_name)}" if plan and plan.gpu_name else None),
                ("active", yes_no(p.is_active)),
                ("stock", p.remaining_actual_stock),
                ("pre-order capacity", p.remaining_preorder_capacity),
                ("network max rate", bit_rate_mbps(p.network_max_rate) or None),
                ("network rate (95th pct)", bit_rate_mbps(p.network_max_rate95) or None),
                ("discount", percent(p.discount_percent) if p.discount_percent else None),
            ],
        ),
        Section("Specification", rows=product_spec_rows(p)),
    ]
    if p.price_items:
        sections.append(
            Section(
                "Prices",
                rows=[
                    (
                        clean(item.name, max_length=30) or "price",
                        f"{money(item.monthly_price, per='mo')}  {money(item.hourly_price, per='h')}",
                    )
                    for item in p.price_items
                ],
            )
        )
    return sections


def _stock(p: Product) -> Text:
    if p.remaining_actual_stock is None:
        return safe_text(None)
    try:
        count = float(p.remaining_actual_stock)
    except (TypeError, ValueError):
        return safe_text(p.remaining_actual_stock)
    return Text("out", style="yellow") if count <= 0 else Text(clean(p.remaining_actual_stock))


def _spec_value(p: Product, attr: str) -> Any:
    spec = p.plan.specification if p.plan and p.plan.specification else None
    return getattr(spec, attr, None) if spec else None


def _ram_gb(p: Product) -> float | None:
    """RAM in GB from ``ram``, else from ``ramInMB`` (a server may send only one of them)."""
    spec = p.specification
    return spec.ram_gb if spec is not None else None


PRODUCTS: ResourceSpec[Product] = ResourceSpec(
    resource=catalog_ops.PRODUCTS,
    columns=[
        Column("region", "Region", lambda p, v: v.catalog.region_name(p.region_id), max_width=16, priority=0, cut=True),
        Column(
            "cpu",
            "vCPU",
            lambda p, v: _spec_value(p, "cpu"),
            sort=lambda p: _spec_value(p, "cpu"),
            justify="right",
            max_width=4,
            priority=10,
        ),
        Column(
            "ram", "RAM", lambda p, v: gigabytes(_ram_gb(p)), sort=_ram_gb, justify="right", max_width=8, priority=10
        ),
        Column(
            "disk",
            "Disk",
            lambda p, v: gigabytes(_spec_value(p, "storage")),
            sort=lambda p: _spec_value(p, "storage"),
            justify="right",
            max_width=8,
            priority=10,
        ),
        Column(
            "traffic",
            "Traffic",
            lambda p, v: terabytes(_spec_value(p, "bandwidth_in_tb")),
            sort=lambda p: _spec_value(p, "bandwidth_in_tb"),
            justify="right",
            max_width=9,
            priority=40,
        ),
        Column(
            "monthly",
            "Monthly",
            lambda p, v: money(p.monthly_price),
            sort=lambda p: p.monthly_price,
            justify="right",
            max_width=10,
            priority=20,
        ),
        Column(
            "hourly",
            "Hourly",
            lambda p, v: money(p.hourly_price),
            sort=lambda p: p.hourly_price,
            justify="right",
            max_width=9,
            priority=25,
        ),
        Column("stock", "Stock", lambda p, v: _stock(p), justify="right", max_width=6, priority=50),
        Column("type", "Type", lambda p, v: p.plan.type if p.plan else None, max_width=12, priority=35),
    ],
    detail=product_detail,
    copy_value=lambda p: p.id,
    empty_hint="No products in the listed regions.",
    refresh_interval=300.0,
)


# ------------------------------------------------------------------------------------------------------ OS


def os_detail(o: OperatingSystem, view: View) -> list[Section]:
    return [
        Section(
            "Operating system",
            rows=[
                ("name", o.name),
                ("id", o.id),
                ("family", o.family),
                ("architecture", o.arch),
                ("minimum RAM", min_ram(o.min_ram) or None),
                ("default", yes_no(o.is_default)),
                ("active", yes_no(o.is_active)),
            ],
        )
    ]


def _os_state(o: OperatingSystem) -> Text:
    text = Text()
    if o.is_default:
        text.append("default ", style="bold green")
    if not o.is_active:
        text.append("inactive", style="red")
    return text


OPERATING_SYSTEMS: ResourceSpec[OperatingSystem] = ResourceSpec(
    resource=catalog_ops.OPERATING_SYSTEMS,
    columns=[
        Column("name", "Name", lambda o, v: o.name, max_width=30, priority=0, cut=True),
        Column("id", "Id", lambda o, v: o.id, max_width=24, priority=30),
        Column("family", "Family", lambda o, v: o.family, max_width=12, priority=20),
        Column("arch", "Arch", lambda o, v: o.arch, max_width=8, priority=40),
        Column("minram", "Min RAM", lambda o, v: min_ram(o.min_ram), justify="right", max_width=8, priority=50),
        Column("state", "State", lambda o, v: _os_state(o), max_width=18, priority=10, cut=True),
    ],
    detail=os_detail,
    row_style=lambda o: "" if o.is_active else "dim",
    empty_hint="The API lists no operating systems.",
    refresh_interval=300.0,
)


# ---------------------------------------------------------------------------------------------- applications


def app_detail(a: Application, view: View) -> list[Section]:
    os_names = [view.catalog.os_name(o) for o in a.os_list]
    return [
        Section(
            "Application",
            rows=[
                ("name", a.name),
                ("id", a.id),
                ("tag", a.tag),
                ("price", catalog_ops.app_price(a) or None),
                ("pricing", a.pricing_type),
                ("experimental", yes_no(a.is_experimental)),
                ("active", yes_no(a.is_active)),
                ("OS family", a.os_family),
                ("runs on", ", ".join(clean(n) for n in os_names) or None),
            ],
        ),
        Section("Description", body=safe_text(a.description, single_line=False)),
    ]


APPLICATIONS: ResourceSpec[Application] = ResourceSpec(
    resource=catalog_ops.APPLICATIONS,
    columns=[
        Column("name", "Name", lambda a, v: a.name, max_width=24, priority=0, cut=True),
        Column("tag", "Tag", lambda a, v: a.tag, max_width=14, priority=30),
        Column(
            "price",
            "Price",
            lambda a, v: money(a.price),
            sort=lambda a: a.price,
            justify="right",
            max_width=9,
            priority=20,
        ),
        Column("family", "OS family", lambda a, v: a.os_family, max_width=10, priority=40),
        Column(
            "flags",
            "Flags",
            lambda a, v: Text("experimental", style="yellow") if a.is_experimental else "",
            max_width=12,
            priority=50,
        ),
        Column(
            "description", "Description", lambda a, v: a.description, max_width=60, flex=True, priority=60, cut=True
        ),
    ],
    detail=app_detail,
    row_style=lambda a: "" if a.is_active else "dim",
    empty_hint="The API lists no one-click applications.",
    refresh_interval=300.0,
)
