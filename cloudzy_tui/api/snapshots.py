"""Snapshots: model, filters and ``client.snapshots``."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from datetime import datetime

from pydantic import Field

from cloudzy_tui.api._base import (
    Resource,
    action_result,
    collect,
    parse_one,
    parse_optional,
)
from cloudzy_tui.api._transport import path_id
from cloudzy_tui.api._walks import parallel_numbered_pages
from cloudzy_tui.api.models import (
    TERMINAL_SNAPSHOT_STATUSES,
    ActionResult,
    CloudzyModel,
    Page,
    RequestModel,
    epoch_to_datetime,
)

__all__ = ["Snapshot", "SnapshotFilters", "SnapshotMetadata", "Snapshots", "TakeSnapshotRequest"]

Number = int | float


class SnapshotMetadata(CloudzyModel):
    """What a snapshot (or a backup profile's ``instanceData``) records of its instance. Shape not documented:
    these are the fields known; anything else is kept as extra."""

    hostname: str | None = None
    os_name: str | None = None
    vcpu_count: Number | None = None
    ram: Number | None = None
    disk: Number | None = None


class Snapshot(CloudzyModel):
    """A snapshot (the reference's SnapshotDetailSchema). ``status``: ACTIVE, IN_PROGRESS, FAILED, RESTORING
    (open). Epoch fields accept seconds or milliseconds; the ``*_dt`` properties give aware datetimes."""

    id: str
    name: str | None = None
    size: Number | None = None
    status: str | None = None
    last_restored_at: int | float | None = None
    created_at: int | float | None = None
    is_instance_deleted: bool | None = None
    product_id: str | None = None
    instance_id: str | None = None
    user_id: str | None = None
    region_id: str | None = None
    metadata: SnapshotMetadata | None = None
    #: not in the reference schema (the list filter exists); kept when a server sends it
    is_automated_backup: bool | None = None

    @property
    def created_at_dt(self) -> datetime | None:
        return epoch_to_datetime(self.created_at)

    @property
    def last_restored_at_dt(self) -> datetime | None:
        return epoch_to_datetime(self.last_restored_at)

    @property
    def is_settled(self) -> bool:
        """True once the status no longer changes by itself (ACTIVE, FAILED)."""
        return (self.status or "").upper() in TERMINAL_SNAPSHOT_STATUSES

    @property
    def label(self) -> str:
        return self.name or self.id


class SnapshotFilters(RequestModel):
    """Filters of ``GET /v1/snapshots`` (sent under the reference's snake_case names)."""

    instance_id: str | None = Field(None, alias="instance_id")
    is_automated_backup: bool | None = Field(None, alias="is_automated_backup")
    status: str | None = None

    def to_query(self) -> dict[str, object]:
        return self.model_dump(by_alias=True, exclude_none=True)


class TakeSnapshotRequest(RequestModel):
    """``POST /v1/snapshots``."""

    instance_id: str = Field(min_length=1)


class Snapshots(Resource):
    """``client.snapshots``."""

    async def pages(
        self, filters: SnapshotFilters | None = None, *, page_size: int = 100
    ) -> AsyncIterator[Page[Snapshot]]:
        params = filters.to_query() if filters is not None else {}
        async for page in parallel_numbered_pages(
            self._t,
            "/v1/snapshots",
            params,
            Snapshot,
            key="snapshots",
            what="snapshot",
            page_size=max(1, min(100, int(page_size))),
        ):
            yield page

    async def list_all(self, filters: SnapshotFilters | None = None) -> builtins.list[Snapshot]:
        return await collect(self.pages(filters))

    async def get(self, snapshot_id: str) -> Snapshot:
        path = f"/v1/snapshots/{path_id(snapshot_id)}"
        env = await self._t.request("GET", path)
        return parse_one(Snapshot, env.data, what="a snapshot", path=path)

    async def create(self, instance_id: str) -> Snapshot | None:
        """Take a snapshot of ``instance_id``; the new snapshot (``IN_PROGRESS``) if the API returns it."""
        body = TakeSnapshotRequest(instance_id=instance_id).to_wire()
        env = await self._t.request("POST", "/v1/snapshots", json=body)
        return parse_optional(Snapshot, env.data, what="snapshot")

    async def delete(self, snapshot_id: str) -> ActionResult:
        return action_result(await self._t.request("DELETE", f"/v1/snapshots/{path_id(snapshot_id)}"))

    async def restore(self, snapshot_id: str) -> ActionResult:
        return action_result(await self._t.request("POST", f"/v1/snapshots/{path_id(snapshot_id)}/restore"))
