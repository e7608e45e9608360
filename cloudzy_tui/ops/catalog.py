"""The catalog as resources: regions, products (per region), operating systems, applications. Read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import Application, CloudzyError, NotFoundError, OperatingSystem, Product, Region
from cloudzy_tui.ops.resources import Field, Filter, Resource
from cloudzy_tui.units import min_ram, money, yes_no

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


async def region_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[Region]]:
    regions = await session.client.regions.list()
    session.catalog.regions = regions
    yield regions


REGIONS: Resource[Region] = Resource(
    name="regions",
    title="Regions",
    singular="Region",
    aliases=("region", "reg"),
    key_of=lambda r: str(r.id),
    label=lambda r: r.name or r.id,
    pages=region_pages,
    names_of=lambda r: [n for n in (r.name, r.abbr) if n],
    fields=[
        Field("id", "ID", lambda r: r.id),
        Field("name", "NAME", lambda r: r.name),
        Field("abbr", "ABBR", lambda r: r.abbr),
        Field("active", "ACTIVE", lambda r: yes_no(r.is_active)),
        Field("out_of_stock", "OUT OF STOCK", lambda r: yes_no(r.is_out_of_stock)),
        Field("custom", "CUSTOM PLANS", lambda r: yes_no(r.config.support_custom_plan)),
        Field("ipv6", "IPV6", lambda r: yes_no(r.config.support_ipv6)),
    ],
)


def product_key(p: Product) -> str:
    return f"{p.region_id}/{p.id}"


async def product_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[Product]]:
    """The products of the region asked for, or of every active, visible region (a region that fails is named in
    the error raised after the others were given)."""
    wanted = filters.get("region_id")
    regions = await session.catalog.ensure_regions()
    ids = [wanted] if wanted else [r.id for r in regions if r.is_active and not r.is_hidden]
    failures: list[str] = []
    for region_id in ids:
        try:
            products = await session.catalog.products_for(region_id, force=True)
        except CloudzyError as exc:
            failures.append(f"{session.catalog.region_name(region_id)}: {exc.message}")
            continue
        # ``regionId`` is optional in a reply: these are the products of the region asked for.
        yield [p if p.region_id else p.model_copy(update={"region_id": region_id}) for p in products]
    if failures:
        raise CloudzyError(f"products of {len(failures)} region(s) not loaded: " + "; ".join(failures[:2]))


async def _search_product(session: Context, ref: str) -> AsyncIterator[Sequence[Product]]:
    region, _, _ = ref.partition("/")
    filters = {"region_id": region} if "/" in ref else {}
    async for page in product_pages(session, filters):
        yield page


PRODUCTS: Resource[Product] = Resource(
    name="products",
    title="Products",
    singular="Product",
    aliases=("product", "plans", "prod"),
    key_of=product_key,
    label=lambda p: p.label,
    pages=product_pages,
    names_of=lambda p: [str(p.id)],
    search=_search_product,
    fields=[
        Field("id", "ID", lambda p: p.id),
        Field("region", "REGION", lambda p: p.region_id),
        Field("plan", "PLAN", lambda p: p.label),
        Field("type", "TYPE", lambda p: p.plan.type if p.plan is not None else None),
        Field("monthly", "MONTHLY", lambda p: money(p.monthly_price, per="mo")),
        Field("hourly", "HOURLY", lambda p: money(p.hourly_price, per="h")),
    ],
    filters=[Filter("region_id", "Region id")],
)


async def os_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[OperatingSystem]]:
    found = await session.client.os.list()
    session.catalog.os = found
    yield found


OPERATING_SYSTEMS: Resource[OperatingSystem] = Resource(
    name="os",
    title="Operating systems",
    singular="Operating system",
    aliases=("oses", "images-os", "distros"),
    key_of=lambda o: str(o.id),
    label=lambda o: o.name or o.id,
    pages=os_pages,
    names_of=lambda o: [o.name] if o.name else [],
    fields=[
        Field("id", "ID", lambda o: o.id),
        Field("name", "NAME", lambda o: o.name),
        Field("family", "FAMILY", lambda o: o.family),
        Field("arch", "ARCH", lambda o: o.arch),
        Field("minram", "MIN RAM", lambda o: min_ram(o.min_ram)),
        Field("default", "DEFAULT", lambda o: yes_no(o.is_default)),
        Field("active", "ACTIVE", lambda o: yes_no(o.is_active)),
    ],
)


def app_price(a: Application) -> str:
    """An application's price with its period: ``free``, ``$5.00/mo``."""
    if not a.price:
        return "free" if a.price is not None or (a.pricing_type or "").lower() == "free" else ""
    return money(a.price, per="mo" if (a.pricing_type or "monthly").lower() == "monthly" else "")


async def app_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[Application]]:
    found = await session.client.applications.list()
    session.catalog.applications = found
    yield found


APPLICATIONS: Resource[Application] = Resource(
    name="applications",
    title="Applications",
    singular="Application",
    aliases=("apps", "app", "oca"),
    key_of=lambda a: str(a.id),
    label=lambda a: a.name or str(a.id),
    pages=app_pages,
    names_of=lambda a: [a.name] if a.name else [],
    fields=[
        Field("id", "ID", lambda a: a.id),
        Field("name", "NAME", lambda a: a.name),
        Field("price", "PRICE", lambda a: app_price(a)),
        Field("pricing", "PRICING", lambda a: a.pricing_type),
        Field("family", "OS FAMILY", lambda a: a.os_family),
    ],
)

__all__ = ["APPLICATIONS", "OPERATING_SYSTEMS", "PRODUCTS", "REGIONS", "NotFoundError", "app_price"]
