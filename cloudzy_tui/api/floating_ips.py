"""Floating IPs: model, filters, requests and ``client.floating_ips``."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime

from pydantic import Field, model_validator

from cloudzy_tui.api._base import (
    Resource,
    action_result,
    collect,
    extract_items,
    parse_list,
    parse_optional,
)
from cloudzy_tui.api._transport import path_id
from cloudzy_tui.api._walks import parallel_numbered_pages
from cloudzy_tui.api.errors import MalformedResponseError
from cloudzy_tui.api.models import (
    ActionResult,
    CloudzyModel,
    Page,
    RequestModel,
    cross_field_error,
    epoch_to_datetime,
)

__all__ = [
    "FloatingIp",
    "FloatingIpAllocateRequest",
    "FloatingIpFilters",
    "FloatingIpUpdate",
    "FloatingIps",
]


class FloatingIp(CloudzyModel):
    """A floating IP address. ``instance_id`` absent/``None`` means unattached."""

    id: str
    ip_address: str | None = None
    region_id: str | None = None
    instance_id: str | None = None
    auto_renew: bool | None = None
    customer_note: str | None = None
    #: epoch seconds or milliseconds
    expires_at: int | float | None = None
    is_deleted: bool | None = None

    @property
    def expires_at_dt(self) -> datetime | None:
        return epoch_to_datetime(self.expires_at)

    @property
    def attached(self) -> bool:
        return bool(self.instance_id)

    @property
    def label(self) -> str:
        return self.ip_address or self.id


class FloatingIpFilters(RequestModel):
    """Filters of ``GET /v1/floating-ips`` (sent under the reference's snake_case names)."""

    address: str | None = Field(None, alias="address")
    region_id: str | None = Field(None, alias="region_id")
    #: epoch seconds
    expires_after: float | None = Field(None, alias="expires_after", allow_inf_nan=False)
    include_deleted: bool | None = Field(None, alias="include_deleted")

    def to_query(self) -> dict[str, object]:
        return self.model_dump(by_alias=True, exclude_none=True)


class FloatingIpAllocateRequest(RequestModel):
    """``POST /v1/floating-ips``: ``count`` (1-5) new addresses in ``region_id``."""

    region_id: str = Field(min_length=1)
    count: int = Field(ge=1, le=5)


class FloatingIpUpdate(RequestModel):
    """``PATCH /v1/floating-ips/{id}``: at least one of ``auto_renew`` / ``customer_note`` (``""`` clears the
    note)."""

    auto_renew: bool | None = None
    customer_note: str | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def _something(self) -> FloatingIpUpdate:
        if self.auto_renew is None and self.customer_note is None:
            raise cross_field_error("autoRenew", "nothing to update: set autoRenew or customerNote")
        return self


class FloatingIps(Resource):
    """``client.floating_ips``."""

    async def pages(self, filters: FloatingIpFilters | None = None) -> AsyncIterator[Page[FloatingIp]]:
        """Walk ``GET /v1/floating-ips`` by ``page`` (the reference gives no ``limit`` for it)."""
        params = filters.to_query() if filters is not None else {}
        async for page in parallel_numbered_pages(
            self._t,
            "/v1/floating-ips",
            params,
            FloatingIp,
            key="floatingIps",
            what="floating IP",
            page_size=None,
        ):
            yield page

    async def list_all(self, filters: FloatingIpFilters | None = None) -> builtins.list[FloatingIp]:
        return await collect(self.pages(filters))

    async def allocate(self, region_id: str, count: int) -> builtins.list[FloatingIp]:
        """Allocate ``count`` (1-5, checked before sending) addresses; the new ones if returned."""
        body = FloatingIpAllocateRequest(region_id=region_id, count=count).to_wire()
        path = "/v1/floating-ips"
        env = await self._t.request("POST", path, json=body)
        data = env.data
        if isinstance(data, dict) and "floatingIps" not in data and "id" in data:
            data = [data]
        try:
            raw = extract_items(data, "floatingIps", path=path)
        except MalformedResponseError:
            return []
        return parse_list(FloatingIp, raw, what="allocated floating IP")

    async def update(self, ip_id: str, req: FloatingIpUpdate) -> FloatingIp | None:
        if not isinstance(req, FloatingIpUpdate):
            raise TypeError(f"expected a FloatingIpUpdate, got {type(req).__name__}")
        env = await self._t.request("PATCH", f"/v1/floating-ips/{path_id(ip_id)}", json=req.to_wire())
        return parse_optional(FloatingIp, env.data, what="floating IP")

    async def release(self, ip_id: str) -> ActionResult:
        return action_result(await self._t.request("POST", f"/v1/floating-ips/{path_id(ip_id)}/release"))
