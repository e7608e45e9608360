"""Instances (VPS): models, list filters, request bodies and the ``client.instances`` resource."""

from __future__ import annotations

import builtins
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from cloudzy_tui.api._base import (
    Resource,
    action_result,
    collect,
    extract_items,
    parse_list,
    parse_one,
)
from cloudzy_tui.api._transport import path_id
from cloudzy_tui.api._walks import WalkStats, partitioned_bookmark_pages
from cloudzy_tui.api.catalog import OperatingSystem
from cloudzy_tui.api.errors import MalformedResponseError
from cloudzy_tui.api.models import (
    BILLING_CYCLES,
    INSTANCE_CLASSES,
    INSTANCE_FEATURES,
    PLAN_TYPES,
    ActionResult,
    CloudzyModel,
    Page,
    RequestModel,
    choice_validator,
    cross_field_error,
    epoch_to_datetime,
    iso_to_datetime,
)
from cloudzy_tui.api.redact import register_secret

__all__ = [
    "AddTrafficRequest",
    "ChangeOsRequest",
    "CreateInstanceRequest",
    "ExtraResource",
    "ExtraResourceRequest",
    "Instance",
    "InstanceFilters",
    "Instances",
    "ResizeRequest",
    "validate_hostname",
]

Number = int | float

# ------------------------------------------------------------------------------------------------
# Response models


class ExtraResource(CloudzyModel):
    """Resources on top of (or, for custom plans, instead of) a plan: ``cpu``, ``ram_in_gb``, ``disk_in_gb``,
    ``bandwidth_in_tb``."""

    cpu: Number | None = None
    ram_in_gb: Number | None = Field(None, alias="ramInGB")
    disk_in_gb: Number | None = Field(None, alias="diskInGB")
    bandwidth_in_tb: Number | None = Field(None, alias="bandwidthInTB")


class Instance(CloudzyModel):
    """A VPS (the reference's InstanceDetailSchema). Only ``id`` is required; ``ram`` is MB, ``disk`` GB.

    ``status`` is an open string (``active``, ``shutdown``, ``preparing_disk``, ``initializing``, ...).
    ``inserted_at`` is kept as the ISO string the API sent; :attr:`inserted_at_dt` parses it.
    """

    id: str
    hostname: str | None = None
    vcpu_count: Number | None = None
    ram: Number | None = None
    disk: Number | None = None
    inserted_at: str | None = None
    os_id: str | None = None
    iso_id: str | None = None
    from_image: str | None = None
    os: OperatingSystem | None = None
    region: str | None = None
    user_id: str | None = None
    app_id: str | None = None
    status: str | None = None
    main_ip: str | None = None
    main_ipv6: str | None = None
    product_id: str | None = None
    network_status: str | None = None
    discount_percent: Number | None = None
    attach_iso: bool | None = None
    extra_resource: ExtraResource | None = None
    instance_class: str | None = Field(None, alias="class")
    oca_data: Any = None
    is_ddos_protected: bool | None = None
    customer_note: str | None = None
    admin_note: str | None = None
    features: list[str] = Field(default_factory=list)

    @property
    def inserted_at_dt(self) -> datetime | None:
        """``inserted_at`` as aware datetime (ISO string; epoch numbers tolerated); ``None`` if unparsable."""
        if self.inserted_at is None:
            return None
        return iso_to_datetime(self.inserted_at) or epoch_to_datetime(self.inserted_at)

    @property
    def label(self) -> str:
        return self.hostname or self.id


# ------------------------------------------------------------------------------------------------
# Validation helpers

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def validate_hostname(value: str) -> str:
    """An RFC-1123 host name: dot-separated labels of 1-63 letters, digits and hyphens, not starting or ending
    with a hyphen, 253 characters at most."""
    text = value.strip()
    if not text:
        raise ValueError("a hostname must not be empty")
    if len(text) > 253:
        raise ValueError("a hostname must be 253 characters or fewer")
    for label in text.split("."):
        if not label:
            raise ValueError(f"'{text}' has an empty label (two dots in a row, or a leading/trailing dot)")
        if len(label) > 63:
            raise ValueError(f"'{label[:20]}…' is longer than 63 characters")
        if not _LABEL.match(label):
            raise ValueError(
                f"'{text}' is not a valid hostname: use letters, digits and hyphens, "
                "not starting or ending with a hyphen"
            )
    return text


Hostname = Annotated[str, AfterValidator(validate_hostname)]
InstanceClass = Annotated[str, AfterValidator(choice_validator(INSTANCE_CLASSES, "class"))]
BillingCycle = Annotated[str, AfterValidator(choice_validator(BILLING_CYCLES, "billingCycle"))]
Feature = Annotated[str, AfterValidator(choice_validator(INSTANCE_FEATURES, "each feature"))]
PlanType = Annotated[str, AfterValidator(choice_validator(PLAN_TYPES, "type"))]


class ExtraResourceRequest(RequestModel):
    """``extraResource`` of a create/resize request: whole numbers; cpu, RAM and disk at least 1.
    An :class:`ExtraResource` (e.g. from an instance) is accepted wherever this is expected."""

    cpu: int | None = Field(None, ge=1)
    ram_in_gb: int | None = Field(None, ge=1, alias="ramInGB")
    disk_in_gb: int | None = Field(None, ge=1, alias="diskInGB")
    bandwidth_in_tb: int | None = Field(None, ge=0, alias="bandwidthInTB")


def _coerce_extra_resource(value: Any) -> Any:
    if isinstance(value, ExtraResource):
        return {
            "cpu": value.cpu,
            "ramInGB": value.ram_in_gb,
            "diskInGB": value.disk_in_gb,
            "bandwidthInTB": value.bandwidth_in_tb,
        }
    return value


def _has(value: str | None) -> bool:
    return value is not None and value != ""


# ------------------------------------------------------------------------------------------------
# Request models


class CreateInstanceRequest(RequestModel):
    """``POST /v1/instances``.

    Rules checked on construction: 1-10 valid, distinct hostnames; ``region`` given; either a fixed plan
    (``product_id``; ``extra_resource`` may add only disk/bandwidth) or a custom plan (no ``product_id``;
    ``extra_resource`` with ``cpu`` and ``ram_in_gb``); something to install (``os_id``, ``os_name``,
    ``app_id``, ``iso_id`` or ``from_snapshot``); ``floating_ip_count`` 0-5; ``instance_class``,
    ``billing_cycle`` and ``feature_ids`` from the reference's lists. Optional fields left ``None`` are not
    sent, so the API's defaults apply (class ``default``, billing ``hourly``, ...).
    """

    hostnames: list[Hostname]
    region: str = Field(min_length=1)
    product_id: str | None = None
    customer_id: str | None = None
    app_id: str | None = None
    assign_ipv4: bool | None = None
    assign_ipv6: bool | None = None
    is_ddos_protected: bool | None = None
    billing_cycle: BillingCycle | None = None
    is_subscription_auto_renew_enabled: bool | None = None
    iso_id: str | None = None
    os_id: str | None = None
    os_name: str | None = None
    ssh_key_ids: list[int] | None = None
    feature_ids: list[Feature] | None = None
    floating_ip_count: int | None = Field(None, ge=0, le=5, alias="floatingIPCount")
    extra_resource: ExtraResourceRequest | None = None
    instance_class: InstanceClass | None = Field(None, alias="class")
    from_snapshot: str | None = None

    _extra = field_validator("extra_resource", mode="before")(_coerce_extra_resource)

    @field_validator("hostnames")
    @classmethod
    def _hostnames_count_and_unique(cls, value: list[str]) -> list[str]:
        if not 1 <= len(value) <= 10:
            raise ValueError("give between 1 and 10 hostnames")
        seen: set[str] = set()
        for name in value:
            key = name.lower()
            if key in seen:
                raise ValueError(f"hostname '{name}' is given twice")
            seen.add(key)
        return value

    @field_validator("feature_ids")
    @classmethod
    def _features_unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None

    @model_validator(mode="after")
    def _plan_and_source(self) -> CreateInstanceRequest:
        extra = self.extra_resource
        custom = extra is not None and (extra.cpu is not None or extra.ram_in_gb is not None)
        if _has(self.product_id):
            if custom:
                raise cross_field_error(
                    "extraResource",
                    "a fixed plan (productId) takes only diskInGB/bandwidthInTB extras: "
                    "remove cpu/ramInGB, or remove productId for a custom plan",
                )
        elif extra is None or extra.cpu is None or extra.ram_in_gb is None or extra.disk_in_gb is None:
            raise cross_field_error(
                "productId",
                "choose a product, or give cpu, ramInGB and diskInGB (extraResource) for a custom plan",
            )
        # No OS, application, ISO or snapshot is allowed: the reference makes them all optional (the server
        # then installs its default OS).
        return self


class ResizeRequest(RequestModel):
    """``POST /v1/instances/{id}/resize``. ``FIXED`` needs ``product_id``; ``CUSTOM`` needs ``extra_resource``
    with ``cpu``, ``ram_in_gb`` and ``disk_in_gb``. ``instance_id`` is filled in by ``resize()`` if left
    out."""

    type: PlanType
    instance_id: str | None = None
    product_id: str | None = None
    region_id: str | None = None
    extra_resource: ExtraResourceRequest | None = None

    _extra = field_validator("extra_resource", mode="before")(_coerce_extra_resource)

    @model_validator(mode="after")
    def _by_type(self) -> ResizeRequest:
        if self.type == "FIXED":
            if not _has(self.product_id):
                raise cross_field_error("productId", "a FIXED resize needs a product (productId)")
            extra = self.extra_resource
            if extra is not None and (extra.cpu is not None or extra.ram_in_gb is not None):
                raise cross_field_error("extraResource", "a FIXED resize takes only diskInGB/bandwidthInTB extras")
        else:
            if _has(self.product_id):
                raise cross_field_error("productId", "a CUSTOM resize takes no productId")
            extra = self.extra_resource
            for attr, name in (("cpu", "cpu"), ("ram_in_gb", "ramInGB"), ("disk_in_gb", "diskInGB")):
                if extra is None or getattr(extra, attr) is None:
                    raise cross_field_error(f"extraResource.{name}", f"a CUSTOM resize needs {name}")
        return self


class ChangeOsRequest(RequestModel):
    """``POST /v1/instances/{id}/change-os``."""

    os_id: str = Field(min_length=1)


class AddTrafficRequest(RequestModel):
    """``POST /v1/instances/{id}/add-traffic``: ``amount`` of extra traffic (TB), more than 0."""

    amount: float = Field(gt=0, allow_inf_nan=False)


class InstanceFilters(RequestModel):
    """Filters of ``GET /v1/instances``. Datetimes may be given as ``datetime`` (naive = UTC) or ISO strings;
    they are sent as UTC ISO-8601 (``2024-01-31T12:00:00Z``)."""

    created_from: datetime | None = None
    created_to: datetime | None = None
    host: str | None = None
    hostname: str | None = Field(None, alias="hostName")
    status: str | None = None
    region: str | None = None
    iso_id: str | None = None
    os_family: str | None = None
    user_id: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    include_deleted: bool | None = None

    @model_validator(mode="after")
    def _range(self) -> InstanceFilters:
        if self.created_from and self.created_to and _utc(self.created_from) > _utc(self.created_to):
            raise cross_field_error("createdTo", "createdTo is before createdFrom")
        return self

    def to_query(self) -> dict[str, object]:
        """The query parameters (reference names; ``None`` left out)."""
        out: dict[str, object] = {}
        for key, value in self.model_dump(by_alias=True, exclude_none=True).items():
            out[key] = _iso(value) if isinstance(value, datetime) else value
        return out


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return _utc(value).isoformat(timespec="seconds").replace("+00:00", "Z")


# ------------------------------------------------------------------------------------------------
# Resource


def _validated(model: type[BaseModel], req: Any) -> Any:
    if not isinstance(req, model):
        raise TypeError(f"expected a {model.__name__}, got {type(req).__name__}")
    return req


class Instances(Resource):
    """``client.instances``."""

    async def pages(
        self,
        filters: InstanceFilters | None = None,
        *,
        page_size: int = 100,
        partitions: int = 1,
        stats: WalkStats | None = None,
    ) -> AsyncIterator[Page[Instance]]:
        """Walk ``GET /v1/instances`` (``limit`` clamped to the API's 5-100, ``bookmark``). By default the plain
        sequential walk (newest first, one bookmark chain); with ``partitions`` > 1 (e.g. ``DEFAULT_PARTITIONS``)
        up to that many creation-time chains at once when the server allows it (see
        :mod:`cloudzy_tui.api._walks`): the same instances, not in one order, each page holding only instances not
        given before."""
        params = filters.to_query() if filters is not None else {}
        size = max(5, min(100, int(page_size)))
        async for page in partitioned_bookmark_pages(
            self._t,
            "/v1/instances",
            params,
            Instance,
            key="instances",
            what="instance",
            page_size=size,
            partitions=partitions,
            stats=stats,
        ):
            yield page

    async def list_all(self, filters: InstanceFilters | None = None) -> builtins.list[Instance]:
        """Every instance matching ``filters`` (duplicates across pages dropped)."""
        return await collect(self.pages(filters))

    async def get(self, instance_id: str) -> Instance:
        path = f"/v1/instances/{path_id(instance_id)}"
        env = await self._t.request("GET", path)
        return parse_one(Instance, env.data, what="an instance", path=path)

    async def create(self, req: CreateInstanceRequest) -> builtins.list[Instance]:
        """``POST /v1/instances``; the created instances (``[]`` if the API does not return them)."""
        _validated(CreateInstanceRequest, req)
        path = "/v1/instances"
        env = await self._t.request("POST", path, json=req.to_wire())
        data = env.data
        if isinstance(data, dict) and "instances" not in data and "id" in data:
            data = [data]
        try:
            raw = extract_items(data, "instances", path=path)
        except MalformedResponseError:
            return []
        return parse_list(Instance, raw, what="created instance")

    async def delete(self, instance_id: str) -> ActionResult:
        return action_result(await self._t.request("DELETE", f"/v1/instances/{path_id(instance_id)}"))

    async def power_on(self, instance_id: str) -> ActionResult:
        return await self._action(instance_id, "poweron")

    async def power_off(self, instance_id: str) -> ActionResult:
        return await self._action(instance_id, "poweroff")

    async def reset(self, instance_id: str) -> ActionResult:
        return await self._action(instance_id, "reset")

    async def resize(self, instance_id: str, req: ResizeRequest) -> ActionResult:
        _validated(ResizeRequest, req)
        body = req.to_wire()
        body.setdefault("instanceId", str(instance_id))
        return await self._action(instance_id, "resize", body)

    async def change_os(self, instance_id: str, os_id: str) -> ActionResult:
        body = ChangeOsRequest(os_id=os_id).to_wire()
        return await self._action(instance_id, "change-os", body)

    async def add_traffic(self, instance_id: str, amount: float) -> ActionResult:
        body = AddTrafficRequest(amount=amount).to_wire()
        return await self._action(instance_id, "add-traffic", body)

    async def change_password(self, instance_id: str) -> str:
        """``POST /v1/instances/{id}/change-pass``: the new password (``data.password``). Never logged."""
        path = f"/v1/instances/{path_id(instance_id)}/change-pass"
        env = await self._t.request("POST", path)
        data = env.data
        password = data.get("password") if isinstance(data, dict) else data
        if isinstance(password, int | float) and not isinstance(password, bool):
            password = str(password)
        if not isinstance(password, str) or not password:
            raise MalformedResponseError(
                "The password was changed but the API did not return the new one; change it again to see it.",
                status=env.status,
                method="POST",
                path=path,
            )
        register_secret(password, "password")  # shown once by the caller; scrubbed from everything else
        return password

    async def _action(self, instance_id: str, action: str, body: dict[str, Any] | None = None) -> ActionResult:
        path = f"/v1/instances/{path_id(instance_id)}/{action}"
        return action_result(await self._t.request("POST", path, json=body))
