"""The 41 endpoints of the Cloudzy API v1: each handler reads and checks its request (422 with the pydantic-v1
style error list) and calls the resource module that does the work (``cloudzy_tui.sim.resources``).

``ROUTES`` is the table (method, path template relative to ``/developers``, handler); ``resolve`` finds a
request's route. The pipeline around the handlers (faults, token, refresh, envelopes) is ``app.py``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cloudzy_tui.sim import catalog
from cloudzy_tui.sim.errors import ValidationFailed
from cloudzy_tui.sim.resources import backups, downloads, floating_ips, instances, snapshots, ssh_keys
from cloudzy_tui.sim.resources import catalog as offers
from cloudzy_tui.sim.resources.instances import CreateInstanceArgs, InstanceFilters, decode_bookmark
from cloudzy_tui.sim.sshkeys import parse_public_key
from cloudzy_tui.sim.store import Store
from cloudzy_tui.sim.validation import Loc, Reader, is_valid_hostname, parse_json_body

#: the API's base path; ``ROUTES`` are relative to it
PREFIX = "/developers"
Reply = tuple[str, Any]  # (detail, data), answered 200 with code OKAY


@dataclass
class Ctx:
    sim: Store
    params: dict[str, str]
    query: dict[str, str]
    raw: bytes

    def body(self, *, required: bool = True) -> Reader:
        return Reader(parse_json_body(self.raw, required=required))

    def q(self) -> Reader:
        return Reader(self.query, ("query",), coerce=True)


Handler = Callable[[Ctx], Reply]


# ---------------------------------------------------------------------------------------------------- helpers
def _opt_id(value: str | None) -> str | None:
    return value or None


def _paging(q: Reader) -> tuple[int, int]:
    page = q.integer("page", default=1, ge=1)
    limit = q.integer("limit", default=10, ge=1, le=100)
    return page or 1, limit or 10


def _page(items: list[Any], page: int, limit: int) -> list[Any]:
    start = (page - 1) * limit
    return items[start : start + limit]


def _extra(reader: Reader | None) -> dict[str, int] | None:
    if reader is None:
        return None
    limits = {"cpu": (1, 64), "ramInGB": (1, 1024), "diskInGB": (0, 10000), "bandwidthInTB": (0, 100)}
    out: dict[str, int] = {}
    for key, (low, high) in limits.items():
        value = reader.integer(key, ge=low, le=high)
        if value is not None:
            out[key] = value
    return out


def _hostname_item(reader: Reader) -> Callable[[Any, Loc], str | None]:
    def convert(value: Any, loc: Loc) -> str | None:
        if not isinstance(value, str):
            reader.error(loc, "str type expected", "type_error.str")
            return None
        if not is_valid_hostname(value):
            reader.error(
                loc,
                "invalid hostname: letters, digits and hyphens, labels of 1-63 characters "
                "separated by dots, not starting or ending with a hyphen",
                "value_error.hostname",
            )
            return None
        return value

    return convert


def _uuid4(reader: Reader, key: str) -> str | None:
    """An optional UUID (version 4) field, in its canonical lower-case form."""
    text = _opt_id(reader.text(key))
    if text is None:
        return None
    try:
        value = uuid.UUID(text)
    except ValueError:
        reader.error(key, "value is not a valid uuid", "type_error.uuid")
        return None
    if value.version != 4:
        reader.error(key, "uuid version 4 expected", "value_error.uuid.version")
        return None
    return str(value)


def _path_int(ctx: Ctx, name: str) -> int:
    try:
        return int(ctx.params[name])
    except ValueError:
        raise ValidationFailed(
            [{"loc": ["path", name], "msg": "value is not a valid integer", "type": "type_error.integer"}]
        ) from None


# ---------------------------------------------------------------------------------------------------- instances
def list_instances(ctx: Ctx) -> Reply:
    q = ctx.q()
    limit = q.integer("limit", default=10, ge=5, le=100) or 10
    bookmark = _opt_id(q.text("bookmark"))
    if bookmark is not None:
        try:
            decode_bookmark(bookmark)
        except ValueError:
            q.error("bookmark", "invalid bookmark", "value_error.bookmark")
    created_from = q.timestamp("createdFrom")
    created_to = q.timestamp("createdTo")
    filters = InstanceFilters(
        created_from=created_from.timestamp() if created_from else None,
        created_to=created_to.timestamp() if created_to else None,
        host=_opt_id(q.text("host")),
        hostname=_opt_id(q.text("hostName")),
        status=_opt_id(q.text("status")),
        region=_opt_id(q.text("region")),
        iso_id=_opt_id(q.text("isoId")),
        os_family=_opt_id(q.text("osFamily")),
        user_id=_opt_id(q.text("userId")),
        ipv4=_opt_id(q.text("ipv4")),
        ipv6=_opt_id(q.text("ipv6")),
        include_deleted=bool(q.boolean("includeDeleted", default=False)),
    )
    q.check()
    items, next_bookmark = instances.list_instances(ctx.sim, filters, limit, bookmark)
    return "Instances fetched", {"instances": items, "bookmark": next_bookmark}


def create_instances(ctx: Ctx) -> Reply:
    b = ctx.body()
    hostnames = b.array("hostnames", _hostname_item(b), required=True, min_items=1, max_items=10)
    if hostnames:
        seen: set[str] = set()
        for index, name in enumerate(hostnames):
            if name.lower() in seen:
                b.error(("hostnames", index), "duplicate hostname in this request", "value_error.duplicate")
            seen.add(name.lower())
    region = b.text("region", required=True, min_len=1)
    product_id = _opt_id(b.text("productId"))
    extra_reader = b.mapping("extraResource")
    extra = _extra(extra_reader)
    args = CreateInstanceArgs(
        hostnames=hostnames or [],
        region=region or "",
        product_id=product_id,
        customer_id=_opt_id(b.text("customerId")),
        app_id=_opt_id(b.text("appId")),
        assign_ipv4=bool(b.boolean("assignIpv4", default=False)),
        assign_ipv6=bool(b.boolean("assignIpv6", default=False)),
        ddos=bool(b.boolean("isDdosProtected", default=False)),
        billing_cycle=b.choice("billingCycle", catalog.BILLING_CYCLES, default="hourly") or "hourly",
        auto_renew=bool(b.boolean("isSubscriptionAutoRenewEnabled", default=True)),
        iso_id=_opt_id(b.text("isoId")),
        os_id=_opt_id(b.text("osId")),
        os_name=_opt_id(b.text("osName")),
        ssh_key_ids=b.array("sshKeyIds", b.int_item),
        feature_ids=b.array("featureIds", b.enum_item(catalog.FEATURES)),
        floating_ip_count=b.integer("floatingIPCount", default=0, ge=0, le=5) or 0,
        extra=extra,
        klass=b.choice("class", catalog.INSTANCE_CLASSES, default="default") or "default",
        from_snapshot=_opt_id(b.text("fromSnapshot")),
    )
    b.check()
    created = instances.create_instances(ctx.sim, args)
    noun = "instance" if len(created) == 1 else "instances"
    return f"Creating {len(created)} {noun}", {"instances": created}


def get_instance(ctx: Ctx) -> Reply:
    return "Instance fetched", ctx.sim.live_instance(ctx.params["instanceId"]).data


def delete_instance(ctx: Ctx) -> Reply:
    instances.delete_instance(ctx.sim, ctx.params["instanceId"])
    return "Instance deleted", None


def resize_instance(ctx: Ctx) -> Reply:
    b = ctx.body()
    plan_type = b.choice("type", ["FIXED", "CUSTOM"], required=True)
    b.text("instanceId")  # accepted, not required; the path names the instance
    product_id = _opt_id(b.text("productId"))
    region_id = _opt_id(b.text("regionId"))
    extra = _extra(b.mapping("extraResource"))
    if plan_type == "FIXED" and product_id is None:
        b.error("productId", "field required for a FIXED resize", "value_error.missing")
    if plan_type == "CUSTOM" and extra is None:
        b.error("extraResource", "field required for a CUSTOM resize", "value_error.missing")
    b.check()
    assert plan_type is not None
    data = instances.resize(ctx.sim, ctx.params["instanceId"], plan_type, product_id, region_id, extra)
    return "Resize started", data


def change_os(ctx: Ctx) -> Reply:
    b = ctx.body()
    os_id = b.text("osId", required=True, min_len=1)
    b.check()
    assert os_id is not None
    return "Operating system change started", instances.change_os(ctx.sim, ctx.params["instanceId"], os_id)


def power_off(ctx: Ctx) -> Reply:
    return "Power off started", instances.power_off(ctx.sim, ctx.params["instanceId"])


def power_on(ctx: Ctx) -> Reply:
    return "Power on started", instances.power_on(ctx.sim, ctx.params["instanceId"])


def reset_instance(ctx: Ctx) -> Reply:
    return "Reset started", instances.reset(ctx.sim, ctx.params["instanceId"])


def add_traffic(ctx: Ctx) -> Reply:
    b = ctx.body()
    amount = b.number("amount", required=True, gt=0, le=1000)
    b.check()
    assert amount is not None
    return "Traffic added", instances.add_traffic(ctx.sim, ctx.params["instanceId"], amount)


def change_pass(ctx: Ctx) -> Reply:
    return "Password changed", instances.change_password(ctx.sim, ctx.params["instanceId"])


# ---------------------------------------------------------------------------------------------------- catalog
def list_regions(ctx: Ctx) -> Reply:
    return "Regions fetched", list(ctx.sim.regions.values())


def list_products(ctx: Ctx) -> Reply:
    q = ctx.q()
    region_id = q.text("regionId", required=True, min_len=1)
    q.check()
    assert region_id is not None
    return "Products fetched", offers.products_in(ctx.sim, region_id)


def list_os(ctx: Ctx) -> Reply:
    return "Operating systems fetched", {"os": list(ctx.sim.oses.values())}


def list_applications(ctx: Ctx) -> Reply:
    return "Applications fetched", {"applications": list(ctx.sim.applications.values())}


# ---------------------------------------------------------------------------------------------------- SSH keys
def list_ssh_keys(ctx: Ctx) -> Reply:
    q = ctx.q()
    customer = _opt_id(q.text("customerId"))
    q.check()
    return "SSH keys fetched", ssh_keys.list_ssh_keys(ctx.sim, customer)


def create_ssh_key(ctx: Ctx) -> Reply:
    b = ctx.body()
    name = b.text("name", required=True, min_len=1, max_len=100)
    public_key = b.text("publicKey", required=True, min_len=1, max_len=16384)
    customer = _uuid4(b, "customerId")  # SSHKeyReadSchema: customerId is a uuid4
    if public_key:
        try:
            parse_public_key(public_key)
        except ValueError as exc:
            b.error("publicKey", f"invalid SSH public key: {exc}", "value_error.ssh_public_key")
    b.check()
    assert name is not None and public_key is not None
    return "SSH key created", ssh_keys.add_ssh_key(ctx.sim, name, public_key, customer).data


def get_ssh_key(ctx: Ctx) -> Reply:
    return "SSH key fetched", ssh_keys.get_ssh_key(ctx.sim, _path_int(ctx, "id")).data


def delete_ssh_key(ctx: Ctx) -> Reply:
    ssh_keys.delete_ssh_key(ctx.sim, _path_int(ctx, "id"))
    return "SSH key deleted", None


# ---------------------------------------------------------------------------------------------------- floating IPs
def list_floating_ips(ctx: Ctx) -> Reply:
    q = ctx.q()
    address = _opt_id(q.text("address"))
    region_id = _opt_id(q.text("region_id"))
    expires_after = q.number("expires_after")
    include_deleted = bool(q.boolean("include_deleted", default=False))
    page, limit = _paging(q)
    q.check()
    items = floating_ips.list_floating_ips(ctx.sim, address, region_id, expires_after, include_deleted)
    return "Floating IPs fetched", {"floatingIps": _page(items, page, limit), "total": len(items)}


def allocate_floating_ips(ctx: Ctx) -> Reply:
    b = ctx.body()
    region_id = b.text("regionId", required=True, min_len=1)
    count = b.integer("count", required=True, ge=1, le=5)
    b.check()
    assert region_id is not None and count is not None
    return "Floating IPs allocated", {"floatingIps": floating_ips.allocate_floating_ips(ctx.sim, region_id, count)}


def update_floating_ip(ctx: Ctx) -> Reply:
    b = ctx.body(required=False)
    auto_renew = b.boolean("autoRenew")
    note_set = "customerNote" in b.src
    note = b.text("customerNote", max_len=255)
    b.check()
    return "Floating IP updated", floating_ips.update_floating_ip(ctx.sim, ctx.params["id"], auto_renew, note, note_set)


def release_floating_ip(ctx: Ctx) -> Reply:
    return "Floating IP released", floating_ips.release_floating_ip(ctx.sim, ctx.params["id"])


# ---------------------------------------------------------------------------------------------------- ISO / images
def _list_downloads(kind: str, key: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        q = ctx.q()
        status = q.choice("status", catalog.DOWNLOAD_STATUSES)
        page, limit = _paging(q)
        q.check()
        items = downloads.list_downloads(ctx.sim, kind, status)
        return f"{label} fetched", {key: _page(items, page, limit), "total": len(items)}

    return handler


def _start_download(kind: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        b = ctx.body()
        fields: dict[str, Any] = {
            "name": b.text("name", required=True, min_len=1, max_len=100),
            "url": b.url("url", required=True),
            "regionId": b.text("regionId", required=True, min_len=1),
        }
        if kind == "iso":
            fields["useVirtio"] = b.boolean("useVirtio", default=True)
        else:
            fields["format"] = b.choice("format", catalog.IMAGE_FORMATS)
            fields["decompress"] = b.choice("decompress", catalog.DECOMPRESS)
        b.check()
        return f"{label} download started", downloads.download(ctx.sim, kind, fields)

    return handler


def _get_download(kind: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        record = downloads.get_download(ctx.sim, kind, ctx.params["id"])
        return f"{label} fetched", downloads.render_download(ctx.sim, record)

    return handler


def _delete_download(kind: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        downloads.delete_download(ctx.sim, kind, ctx.params["id"])
        return f"{label} deleted", None

    return handler


# ---------------------------------------------------------------------------------------------------- snapshots
def list_snapshots(ctx: Ctx) -> Reply:
    q = ctx.q()
    instance_id = _opt_id(q.text("instance_id"))
    automated = bool(q.boolean("is_automated_backup", default=False))
    status = q.choice("status", catalog.SNAPSHOT_STATUSES)
    page, limit = _paging(q)
    q.check()
    items = snapshots.list_snapshots(ctx.sim, instance_id, automated, status)
    return "Snapshots fetched", {"snapshots": _page(items, page, limit), "total": len(items)}


def create_snapshot(ctx: Ctx) -> Reply:
    b = ctx.body()
    instance_id = b.text("instanceId", required=True, min_len=1)
    b.check()
    assert instance_id is not None
    return "Snapshot started", snapshots.create_snapshot(ctx.sim, instance_id)


def get_snapshot(ctx: Ctx) -> Reply:
    return "Snapshot fetched", snapshots.get_snapshot(ctx.sim, ctx.params["id"]).data


def delete_snapshot(ctx: Ctx) -> Reply:
    snapshots.delete_snapshot(ctx.sim, ctx.params["id"])
    return "Snapshot deleted", None


def restore_snapshot(ctx: Ctx) -> Reply:
    return "Snapshot restore started", snapshots.restore_snapshot(ctx.sim, ctx.params["id"])


# ---------------------------------------------------------------------------------------------------- backups
def list_backups(ctx: Ctx) -> Reply:
    q = ctx.q()
    status = q.choice("status", catalog.BACKUP_STATUSES)
    q.check()
    return "Backup profiles fetched", {"backups": backups.list_backups(ctx.sim, status)}


def _backup_fields(ctx: Ctx) -> tuple[str, str, list[str] | None, int]:
    """The Create/UpdateBackupProfileRequestSchema fields; weekdays None when ``scheduleWeekDays`` was not sent
    (it is optional in the reference: the simulator then keeps or picks the days, see ``create_backup``)."""
    b = ctx.body()
    instance_id = b.text("instanceId", required=True, min_len=1)
    frequency = b.choice("scheduleFrequency", catalog.SCHEDULE_FREQUENCIES, required=True)
    weekdays = b.array("scheduleWeekDays", b.enum_item(catalog.WEEKDAYS))
    period = b.integer("periodId", required=True)
    if period is not None and period not in catalog.BACKUP_PERIODS:
        allowed = ", ".join(str(p) for p in catalog.BACKUP_PERIODS)
        b.error("periodId", f"unsupported retention period; permitted: {allowed}", "value_error.const")
    days = list(dict.fromkeys(weekdays)) if weekdays is not None else None
    flagged = {e["loc"][1] for e in b.errors if len(e["loc"]) > 1}
    if frequency == "weekly" and days == [] and "scheduleWeekDays" not in flagged:
        b.error("scheduleWeekDays", "a weekly schedule needs at least one weekday", "value_error.list.min_items")
    b.check()
    assert instance_id is not None and frequency is not None and period is not None
    return instance_id, frequency, days, period


def create_backup(ctx: Ctx) -> Reply:
    return "Backup profile created", backups.create_backup(ctx.sim, *_backup_fields(ctx))


def update_backup(ctx: Ctx) -> Reply:
    return "Backup profile updated", backups.update_backup(ctx.sim, *_backup_fields(ctx))


def get_backup(ctx: Ctx) -> Reply:
    record = backups.get_backup(ctx.sim, ctx.params["instanceId"])
    return "Backup profile fetched", backups.render_backup(ctx.sim, record)


def delete_backup(ctx: Ctx) -> Reply:
    backups.delete_backup(ctx.sim, ctx.params["instanceId"])
    return "Backup profile deleted", None


# ---------------------------------------------------------------------------------------------------- routing
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/v1/instances", list_instances),
    ("POST", "/v1/instances", create_instances),
    ("GET", "/v1/instances/{instanceId}", get_instance),
    ("DELETE", "/v1/instances/{instanceId}", delete_instance),
    ("POST", "/v1/instances/{instanceId}/resize", resize_instance),
    ("POST", "/v1/instances/{instanceId}/change-os", change_os),
    ("POST", "/v1/instances/{instanceId}/poweroff", power_off),
    ("POST", "/v1/instances/{instanceId}/poweron", power_on),
    ("POST", "/v1/instances/{instanceId}/reset", reset_instance),
    ("POST", "/v1/instances/{instanceId}/add-traffic", add_traffic),
    ("POST", "/v1/instances/{instanceId}/change-pass", change_pass),
    ("GET", "/v1/regions", list_regions),
    ("GET", "/v1/products", list_products),
    ("GET", "/v1/os", list_os),
    ("GET", "/v1/applications", list_applications),
    ("GET", "/v1/ssh-keys", list_ssh_keys),
    ("POST", "/v1/ssh-keys", create_ssh_key),
    ("GET", "/v1/ssh-keys/{id}", get_ssh_key),
    ("DELETE", "/v1/ssh-keys/{id}", delete_ssh_key),
    ("GET", "/v1/floating-ips", list_floating_ips),
    ("POST", "/v1/floating-ips", allocate_floating_ips),
    ("PATCH", "/v1/floating-ips/{id}", update_floating_ip),
    ("POST", "/v1/floating-ips/{id}/release", release_floating_ip),
    ("GET", "/v1/iso", _list_downloads("iso", "isos", "ISOs")),
    ("POST", "/v1/iso", _start_download("iso", "ISO")),
    ("GET", "/v1/iso/{id}", _get_download("iso", "ISO")),
    ("DELETE", "/v1/iso/{id}", _delete_download("iso", "ISO")),
    ("GET", "/v1/images", _list_downloads("image", "images", "Images")),
    ("POST", "/v1/images", _start_download("image", "Image")),
    ("GET", "/v1/images/{id}", _get_download("image", "Image")),
    ("DELETE", "/v1/images/{id}", _delete_download("image", "Image")),
    ("GET", "/v1/snapshots", list_snapshots),
    ("POST", "/v1/snapshots", create_snapshot),
    ("GET", "/v1/snapshots/{id}", get_snapshot),
    ("DELETE", "/v1/snapshots/{id}", delete_snapshot),
    ("POST", "/v1/snapshots/{id}/restore", restore_snapshot),
    ("GET", "/v1/backups", list_backups),
    ("POST", "/v1/backups", create_backup),
    ("PUT", "/v1/backups", update_backup),
    ("GET", "/v1/backups/{instanceId}", get_backup),
    ("DELETE", "/v1/backups/{instanceId}", delete_backup),
]


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{pattern}$")


_TABLE: list[tuple[str, str, re.Pattern[str], Handler]] = [(m, p, _compile(p), h) for m, p, h in ROUTES]


@dataclass
class Resolved:
    """Where a request lands: its route's ``template`` and ``handler`` (None when no route has this method and
    path), the path ``params``, and the methods ``allowed`` on the path (for a 405)."""

    template: str | None = None
    handler: Handler | None = None
    params: dict[str, str] = field(default_factory=dict)
    allowed: list[str] = field(default_factory=list)


def resolve(method: str, path: str) -> Resolved:
    """The route of ``method`` + ``path`` (relative to ``/developers``)."""
    allowed: list[str] = []
    for route_method, template, pattern, handler in _TABLE:
        match = pattern.match(path)
        if match is None:
            continue
        if route_method == method:
            return Resolved(template, handler, match.groupdict(), [route_method])
        allowed.append(route_method)
    return Resolved(allowed=allowed)
