"""The catalogue: regions, products (plans and prices), operating systems, one-click applications."""

from __future__ import annotations

import builtins
from typing import Any

from pydantic import Field

from cloudzy_tui.api._base import Resource, extract_items, parse_list
from cloudzy_tui.api.models import CloudzyModel

__all__ = [
    "Application",
    "Applications",
    "OperatingSystem",
    "OperatingSystems",
    "Plan",
    "PlanSpecification",
    "PriceItem",
    "Product",
    "Products",
    "Region",
    "RegionConfig",
    "Regions",
]

Number = int | float


def format_number(value: float) -> str:
    """``4`` for 4.0, ``1.5`` for 1.5, at most two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------------------------------------
# Models


class OperatingSystem(CloudzyModel):
    """An OS image (``GET /v1/os``; also embedded as ``instance.os``)."""

    id: str
    name: str | None = None
    family: str | None = None
    arch: str | None = None
    #: minimum RAM; some servers send it as a string, some as a number (unit not documented)
    min_ram: int | float | str | None = None
    is_default: bool = False
    is_active: bool = True

    @property
    def min_ram_value(self) -> float | None:
        """``min_ram`` as a number when it is one (``"1024"`` → 1024.0), else ``None``."""
        if self.min_ram is None:
            return None
        try:
            return float(self.min_ram)
        except ValueError:
            return None

    @property
    def label(self) -> str:
        return self.name or self.id


class Application(CloudzyModel):
    """A one-click application (OCA); its ``id`` is sent as ``appId``."""

    id: str
    name: str | None = None
    price: float | None = None
    pricing_type: str | None = None
    is_active: bool = True
    logo_url: str | None = None
    tag: str | None = None
    is_experimental: bool = False
    description: str | None = None
    os_family: str | None = None
    #: the OS ids it can be installed on
    os_list: list[str] = Field(default_factory=list)


class RegionConfig(CloudzyModel):
    """What a region supports. Every key defaults to "not supported" / unknown."""

    support_ipv6: bool = False
    support_regular_cpu: bool = False
    support_high_frequency_cpu: bool = False
    support_monitoring: bool = False
    support_gpu: bool = False
    support_custom_plan: bool = False
    ram_threshold_in_gb: Number | None = Field(None, alias="ramThresholdInGB")
    ip_threshold: Number | None = None
    disk_threshold_in_gb: Number | None = Field(None, alias="diskThresholdInGB")
    support_ddos_ipv4: bool = False
    ddos_ipv4_threshold: Number | None = None


class Region(CloudzyModel):
    """A region (data centre). Offer only ``is_active and not is_hidden`` ones (see :attr:`offerable`)."""

    id: str
    name: str | None = None
    abbr: str | None = None
    image: str | None = None
    is_active: bool = True
    is_out_of_stock: bool = False
    overall_activeness: Number | str | None = None
    ddos_activeness: Number | str | None = None
    is_premium: bool = False
    is_hidden: bool = False
    has_offset_price: bool = False
    max_discount_percent: Number | None = None
    position: dict[str, Any] = Field(default_factory=dict)
    config: RegionConfig = Field(default_factory=RegionConfig)

    @property
    def offerable(self) -> bool:
        """Active and not hidden: may be offered for new instances (it may still be out of stock)."""
        return self.is_active and not self.is_hidden

    @property
    def label(self) -> str:
        return self.name or self.abbr or self.id


class PlanSpecification(CloudzyModel):
    """``cpu`` (vCPUs), ``ram`` (GB), ``ram_in_mb``, ``storage`` (GB), ``bandwidth_in_tb``."""

    cpu: Number | None = None
    ram: Number | None = None
    ram_in_mb: Number | None = Field(None, alias="ramInMB")
    storage: Number | None = None
    bandwidth_in_tb: Number | None = Field(None, alias="bandwidthInTB")

    @property
    def ram_gb(self) -> float | None:
        if self.ram is not None:
            return float(self.ram)
        if self.ram_in_mb is not None:
            return float(self.ram_in_mb) / 1024
        return None


class Plan(CloudzyModel):
    id: str | None = None
    #: ``FIXED`` or ``CUSTOM`` (open)
    type: str | None = None
    gpu_name: str | None = None
    gpu_quantity: Number | None = None
    is_active: bool = True
    specification: PlanSpecification | None = None


class PriceItem(CloudzyModel):
    id: str | None = None
    name: str | None = None
    hourly_price: float | None = None
    monthly_price: float | None = None
    hourly_price_without_discount: float | None = None
    monthly_price_without_discount: float | None = None
    discount_percent: Number | None = None


class Product(CloudzyModel):
    """A plan on sale in one region; ``id`` is the ``productId``. Products have no name: use :attr:`label`."""

    id: str
    region_id: str | None = None
    plan_id: str | None = None
    is_active: bool = True
    network_max_rate: Number | None = None
    network_max_rate95: Number | None = None
    discount_percent: Number | None = None
    remaining_actual_stock: Number | None = None
    remaining_preorder_capacity: Number | None = None
    overall_activeness: Number | str | None = None
    ddos_activeness: Number | str | None = None
    plan: Plan | None = None
    price_items: list[PriceItem] = Field(default_factory=list)

    @property
    def specification(self) -> PlanSpecification | None:
        return self.plan.specification if self.plan is not None else None

    @property
    def label(self) -> str:
        """``2 vCPU · 4 GB RAM · 80 GB disk · 2 TB`` (parts the server did not send are left out; a GPU plan
        gets ``· 1x <gpu>``); the product id when nothing is known."""
        spec = self.specification
        parts: list[str] = []
        if spec is not None:
            if spec.cpu is not None:
                parts.append(f"{format_number(spec.cpu)} vCPU")
            ram_gb = spec.ram_gb
            if ram_gb is not None:
                if ram_gb < 1 and spec.ram_in_mb is not None:
                    parts.append(f"{format_number(spec.ram_in_mb)} MB RAM")
                else:
                    parts.append(f"{format_number(ram_gb)} GB RAM")
            if spec.storage is not None:
                parts.append(f"{format_number(spec.storage)} GB disk")
            if spec.bandwidth_in_tb is not None:
                parts.append(f"{format_number(spec.bandwidth_in_tb)} TB")
        if self.plan is not None and self.plan.gpu_name:
            quantity = format_number(self.plan.gpu_quantity) if self.plan.gpu_quantity is not None else "1"
            parts.append(f"{quantity}x {self.plan.gpu_name}")
        return " · ".join(parts) if parts else self.id

    @property
    def monthly_price(self) -> float | None:
        """The first price item's monthly price, ``None`` if there is none."""
        return self.price_items[0].monthly_price if self.price_items else None

    @property
    def hourly_price(self) -> float | None:
        """The first price item's hourly price, ``None`` if there is none."""
        return self.price_items[0].hourly_price if self.price_items else None


# ------------------------------------------------------------------------------------------------
# Resources


class Regions(Resource):
    async def list(self) -> builtins.list[Region]:
        """``GET /v1/regions`` — every region, including inactive/hidden ones (filter with ``offerable``)."""
        path = "/v1/regions"
        env = await self._t.request("GET", path)
        return parse_list(Region, extract_items(env.data, "regions", path=path), what="region")


class Products(Resource):
    async def list(self, region_id: str) -> builtins.list[Product]:
        """``GET /v1/products?regionId=`` — the products on sale in one region."""
        if not str(region_id):
            raise ValueError("region_id is required")
        path = "/v1/products"
        env = await self._t.request("GET", path, params={"regionId": region_id})
        return parse_list(Product, extract_items(env.data, "products", path=path), what="product")


class OperatingSystems(Resource):
    async def list(self) -> builtins.list[OperatingSystem]:
        """``GET /v1/os``."""
        path = "/v1/os"
        env = await self._t.request("GET", path)
        return parse_list(OperatingSystem, extract_items(env.data, "os", path=path), what="operating system")


class Applications(Resource):
    async def list(self) -> builtins.list[Application]:
        """``GET /v1/applications``."""
        path = "/v1/applications"
        env = await self._t.request("GET", path)
        return parse_list(Application, extract_items(env.data, "applications", path=path), what="application")
