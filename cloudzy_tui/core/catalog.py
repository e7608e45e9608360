"""The session's catalog: regions, operating systems, applications and products, fetched once and shared.

Rows and detail panes show names where the API gives ids (an instance's region, OS and product); the create wizard
and the resize and change-OS forms offer these lists. They change rarely, so they are loaded once per session (and
again on an explicit refresh), never per row or per screen. No Textual here.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cloudzy_tui.api import Application, CloudzyClient, Instance, OperatingSystem, Product, Region


class Catalog:
    def __init__(self, client: CloudzyClient) -> None:
        self.client = client
        self.regions: list[Region] | None = None
        self.os: list[OperatingSystem] | None = None
        self.applications: list[Application] | None = None
        self._products: dict[str, list[Product]] = {}
        # Hostnames of the instances seen in lists, so other screens can name an instance, not show its id.
        self._instance_names: dict[str, str] = {}
        self._product_index: dict[str, Product] = {}
        self._lock = asyncio.Lock()

    async def ensure_regions(self) -> list[Region]:
        if self.regions is None:
            self.regions = await self.client.regions.list()
        return self.regions

    async def ensure_os(self) -> list[OperatingSystem]:
        if self.os is None:
            self.os = await self.client.os.list()
        return self.os

    async def ensure_applications(self) -> list[Application]:
        if self.applications is None:
            self.applications = await self.client.applications.list()
        return self.applications

    async def products_for(self, region_id: str, *, force: bool = False) -> list[Product]:
        if force or region_id not in self._products:
            products = await self.client.products.list(region_id)
            self._products[region_id] = products
            for product in products:
                self._product_index[str(product.id)] = product
        return self._products[region_id]

    # ------------------------------------------------------------- lookups

    def region(self, region_id: str | None) -> Region | None:
        if not region_id or not self.regions:
            return None
        return next((r for r in self.regions if r.id == region_id), None)

    def region_name(self, region_id: str | None) -> str:
        region = self.region(region_id)
        return (region.name or region_id or "") if region else (region_id or "")

    def operating_system(self, os_id: str | None) -> OperatingSystem | None:
        if not os_id or not self.os:
            return None
        return next((o for o in self.os if o.id == os_id), None)

    def os_name(self, os_id: str | None) -> str:
        found = self.operating_system(os_id)
        return (found.name or os_id or "") if found else (os_id or "")

    def application(self, app_id: str | None) -> Application | None:
        if not app_id or not self.applications:
            return None
        return next((a for a in self.applications if str(a.id) == str(app_id)), None)

    def remember_instances(self, instances: Iterable[Instance]) -> None:
        for instance in instances:
            if instance.hostname:
                self._instance_names[str(instance.id)] = instance.hostname

    def known_hostname(self, instance_id: str | None) -> str | None:
        """The hostname of an instance seen this session, else ``None``."""
        return self._instance_names.get(str(instance_id)) if instance_id else None

    def instance_name(self, instance_id: str | None) -> str:
        """The hostname of an instance seen this session, else its id."""
        if not instance_id:
            return ""
        return self._instance_names.get(str(instance_id), str(instance_id))

    def product(self, product_id: str | None) -> Product | None:
        if not product_id:
            return None
        return self._product_index.get(str(product_id))
