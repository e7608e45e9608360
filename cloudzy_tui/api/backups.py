"""Backup profiles: model, request and ``client.backups``."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from cloudzy_tui.api._base import (
    Resource,
    action_result,
    extract_items,
    parse_list,
    parse_one,
    parse_optional,
)
from cloudzy_tui.api._transport import path_id
from cloudzy_tui.api.models import (
    SCHEDULE_FREQUENCIES,
    WEEKDAYS,
    ActionResult,
    CloudzyModel,
    RequestModel,
    choice_validator,
    cross_field_error,
    epoch_to_datetime,
)
from cloudzy_tui.api.snapshots import Snapshot, SnapshotMetadata

__all__ = ["BackupProfile", "BackupProfileRequest", "Backups"]

Number = int | float


class BackupProfile(CloudzyModel):
    """An instance's automated backup profile (the reference's BackupProfileSchema). ``period_id`` is the
    retention period (days, as far as is known); ``backup_files`` are snapshots."""

    instance_id: str
    instance_data: SnapshotMetadata | None = None
    #: active, inactive, pending (open)
    status: str | None = None
    monthly_price: float | None = None
    fee_percentage: Number | None = None
    #: daily, weekly (open)
    schedule_frequency: str | None = None
    schedule_week_days: list[str] = Field(default_factory=list)
    max_files: int | None = None
    period_id: int | None = None
    last_successful_backup_time: int | float | None = None
    backup_files: list[Snapshot] = Field(default_factory=list)
    created_at: int | float | None = None

    @property
    def id(self) -> str:
        """Backup profiles are keyed by their instance."""
        return self.instance_id

    @property
    def created_at_dt(self) -> datetime | None:
        return epoch_to_datetime(self.created_at)

    @property
    def last_successful_backup_time_dt(self) -> datetime | None:
        return epoch_to_datetime(self.last_successful_backup_time)


Frequency = Annotated[str, AfterValidator(choice_validator(SCHEDULE_FREQUENCIES, "scheduleFrequency"))]
Weekday = Annotated[str, AfterValidator(choice_validator(WEEKDAYS, "each day"))]


class BackupProfileRequest(RequestModel):
    """``POST``/``PUT /v1/backups``. ``weekly`` needs at least one day; days are normalised to the reference's
    spelling (``monday`` → ``Monday``) and de-duplicated; ``period_id`` is a positive integer."""

    instance_id: str = Field(min_length=1)
    schedule_frequency: Frequency
    schedule_week_days: list[Weekday] | None = None
    period_id: int = Field(ge=1)

    @model_validator(mode="after")
    def _days(self) -> BackupProfileRequest:
        if self.schedule_week_days is not None:
            self.schedule_week_days = list(dict.fromkeys(self.schedule_week_days))
        if self.schedule_frequency == "weekly" and not self.schedule_week_days:
            raise cross_field_error("scheduleWeekDays", "a weekly schedule needs at least one day")
        return self


class Backups(Resource):
    """``client.backups``."""

    async def list(self, status: str | None = None) -> builtins.list[BackupProfile]:
        path = "/v1/backups"
        env = await self._t.request("GET", path, params={"status": status})
        return parse_list(BackupProfile, extract_items(env.data, "backups", path=path), what="backup profile")

    async def get(self, instance_id: str) -> BackupProfile:
        path = f"/v1/backups/{path_id(instance_id)}"
        env = await self._t.request("GET", path)
        return parse_one(BackupProfile, env.data, what="a backup profile", path=path)

    async def create(self, req: BackupProfileRequest) -> BackupProfile | None:
        return await self._write("POST", req)

    async def update(self, req: BackupProfileRequest) -> BackupProfile | None:
        return await self._write("PUT", req)

    async def delete(self, instance_id: str) -> ActionResult:
        return action_result(await self._t.request("DELETE", f"/v1/backups/{path_id(instance_id)}"))

    async def _write(self, method: str, req: BackupProfileRequest) -> BackupProfile | None:
        if not isinstance(req, BackupProfileRequest):
            raise TypeError(f"expected a BackupProfileRequest, got {type(req).__name__}")
        env = await self._t.request(method, "/v1/backups", json=req.to_wire())
        return parse_optional(BackupProfile, env.data, what="backup profile")
