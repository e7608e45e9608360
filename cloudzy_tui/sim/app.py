"""The HTTP face of the simulator: a Starlette app serving ``/developers/v1/...``.

Every request goes through, in order: recorded in ``sim.requests`` -> ``latency_ms`` -> rate limit (429) ->
programmable fault (``sim.faults``) -> random ``error_rate`` fault -> token check (401) -> route lookup
(404 / 405) -> due transitions applied -> handler. Faults therefore never let a request take effect,
except a programmable fault with ``after=True``, which replaces the reply of a request that was applied.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cloudzy_tui.sim import catalog
from cloudzy_tui.sim.config import SimConfig
from cloudzy_tui.sim.errors import ApiError, ValidationFailed
from cloudzy_tui.sim.faults import FaultRule, RequestRecord
from cloudzy_tui.sim.sshkeys import parse_public_key
from cloudzy_tui.sim.state import CreateInstanceArgs, InstanceFilters, Simulator, decode_bookmark
from cloudzy_tui.sim.validation import Loc, Reader, is_valid_hostname, parse_json_body

PREFIX = "/developers"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
Reply = tuple[str, Any]  # (detail, data), answered 200 with code OKAY


@dataclass
class Ctx:
    sim: Simulator
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
            reader.error(loc, "invalid hostname: letters, digits and hyphens, labels of 1-63 characters "
                              "separated by dots, not starting or ending with a hyphen", "value_error.hostname")
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
        raise ValidationFailed([{"loc": ["path", name], "msg": "value is not a valid integer",
                                 "type": "type_error.integer"}]) from None


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
    items, next_bookmark = ctx.sim.list_instances(filters, limit, bookmark)
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
    created = ctx.sim.create_instances(args)
    noun = "instance" if len(created) == 1 else "instances"
    return f"Creating {len(created)} {noun}", {"instances": created}


def get_instance(ctx: Ctx) -> Reply:
    return "Instance fetched", ctx.sim.live_instance(ctx.params["instanceId"]).data


def delete_instance(ctx: Ctx) -> Reply:
    ctx.sim.delete_instance(ctx.params["instanceId"])
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
    data = ctx.sim.resize(ctx.params["instanceId"], plan_type, product_id, region_id, extra)
    return "Resize started", data


def change_os(ctx: Ctx) -> Reply:
    b = ctx.body()
    os_id = b.text("osId", required=True, min_len=1)
    b.check()
    assert os_id is not None
    return "Operating system change started", ctx.sim.change_os(ctx.params["instanceId"], os_id)


def power_off(ctx: Ctx) -> Reply:
    return "Power off started", ctx.sim.power_off(ctx.params["instanceId"])


def power_on(ctx: Ctx) -> Reply:
    return "Power on started", ctx.sim.power_on(ctx.params["instanceId"])


def reset_instance(ctx: Ctx) -> Reply:
    return "Reset started", ctx.sim.reset(ctx.params["instanceId"])


def add_traffic(ctx: Ctx) -> Reply:
    b = ctx.body()
    amount = b.number("amount", required=True, gt=0, le=1000)
    b.check()
    assert amount is not None
    return "Traffic added", ctx.sim.add_traffic(ctx.params["instanceId"], amount)


def change_pass(ctx: Ctx) -> Reply:
    return "Password changed", ctx.sim.change_password(ctx.params["instanceId"])


# ---------------------------------------------------------------------------------------------------- catalog
def list_regions(ctx: Ctx) -> Reply:
    return "Regions fetched", list(ctx.sim.regions.values())


def list_products(ctx: Ctx) -> Reply:
    q = ctx.q()
    region_id = q.text("regionId", required=True, min_len=1)
    q.check()
    assert region_id is not None
    ctx.sim.region(region_id)
    return "Products fetched", [p for p in ctx.sim.products.values() if p["regionId"] == region_id]


def list_os(ctx: Ctx) -> Reply:
    return "Operating systems fetched", {"os": list(ctx.sim.oses.values())}


def list_applications(ctx: Ctx) -> Reply:
    return "Applications fetched", {"applications": list(ctx.sim.applications.values())}


# ---------------------------------------------------------------------------------------------------- SSH keys
def list_ssh_keys(ctx: Ctx) -> Reply:
    q = ctx.q()
    customer = _opt_id(q.text("customerId"))
    q.check()
    keys = [k.data for k in ctx.sim.ssh_keys.values() if customer is None or k["customerId"] == customer]
    return "SSH keys fetched", keys


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
    return "SSH key created", ctx.sim.add_ssh_key(name, public_key, customer).data


def get_ssh_key(ctx: Ctx) -> Reply:
    return "SSH key fetched", ctx.sim.get_ssh_key(_path_int(ctx, "id")).data


def delete_ssh_key(ctx: Ctx) -> Reply:
    ctx.sim.delete_ssh_key(_path_int(ctx, "id"))
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
    items = ctx.sim.list_floating_ips(address, region_id, expires_after, include_deleted)
    return "Floating IPs fetched", {"floatingIps": _page(items, page, limit), "total": len(items)}


def allocate_floating_ips(ctx: Ctx) -> Reply:
    b = ctx.body()
    region_id = b.text("regionId", required=True, min_len=1)
    count = b.integer("count", required=True, ge=1, le=5)
    b.check()
    assert region_id is not None and count is not None
    return "Floating IPs allocated", {"floatingIps": ctx.sim.allocate_floating_ips(region_id, count)}


def update_floating_ip(ctx: Ctx) -> Reply:
    b = ctx.body(required=False)
    auto_renew = b.boolean("autoRenew")
    note_set = "customerNote" in b.src
    note = b.text("customerNote", max_len=255)
    b.check()
    return "Floating IP updated", ctx.sim.update_floating_ip(ctx.params["id"], auto_renew, note, note_set)


def release_floating_ip(ctx: Ctx) -> Reply:
    return "Floating IP released", ctx.sim.release_floating_ip(ctx.params["id"])


# ---------------------------------------------------------------------------------------------------- ISO / images
def _list_downloads(kind: str, key: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        q = ctx.q()
        status = q.choice("status", catalog.DOWNLOAD_STATUSES)
        page, limit = _paging(q)
        q.check()
        items = ctx.sim.list_downloads(kind, status)
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
        return f"{label} download started", ctx.sim.download(kind, fields)

    return handler


def _get_download(kind: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        sim = ctx.sim
        return f"{label} fetched", sim.render_download(sim.get_download(kind, ctx.params["id"]))

    return handler


def _delete_download(kind: str, label: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        ctx.sim.delete_download(kind, ctx.params["id"])
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
    items = ctx.sim.list_snapshots(instance_id, automated, status)
    return "Snapshots fetched", {"snapshots": _page(items, page, limit), "total": len(items)}


def create_snapshot(ctx: Ctx) -> Reply:
    b = ctx.body()
    instance_id = b.text("instanceId", required=True, min_len=1)
    b.check()
    assert instance_id is not None
    return "Snapshot started", ctx.sim.create_snapshot(instance_id)


def get_snapshot(ctx: Ctx) -> Reply:
    return "Snapshot fetched", ctx.sim.get_snapshot(ctx.params["id"]).data


def delete_snapshot(ctx: Ctx) -> Reply:
    ctx.sim.delete_snapshot(ctx.params["id"])
    return "Snapshot deleted", None


def restore_snapshot(ctx: Ctx) -> Reply:
    return "Snapshot restore started", ctx.sim.restore_snapshot(ctx.params["id"])


# ---------------------------------------------------------------------------------------------------- backups
def list_backups(ctx: Ctx) -> Reply:
    q = ctx.q()
    status = q.choice("status", catalog.BACKUP_STATUSES)
    q.check()
    return "Backup profiles fetched", {"backups": ctx.sim.list_backups(status)}


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
    return "Backup profile created", ctx.sim.create_backup(*_backup_fields(ctx))


def update_backup(ctx: Ctx) -> Reply:
    return "Backup profile updated", ctx.sim.update_backup(*_backup_fields(ctx))


def get_backup(ctx: Ctx) -> Reply:
    sim = ctx.sim
    return "Backup profile fetched", sim.render_backup(sim.get_backup(ctx.params["instanceId"]))


def delete_backup(ctx: Ctx) -> Reply:
    ctx.sim.delete_backup(ctx.params["instanceId"])
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


_TABLE: list[tuple[str, re.Pattern[str], Handler]] = [(m, _compile(p), h) for m, p, h in ROUTES]


def resolve(method: str, path: str) -> tuple[Handler | None, dict[str, str], list[str]]:
    """(handler, path params, methods allowed on this path)."""
    allowed: list[str] = []
    for route_method, pattern, handler in _TABLE:
        match = pattern.match(path)
        if match is None:
            continue
        if route_method == method:
            return handler, match.groupdict(), [route_method]
        allowed.append(route_method)
    return None, {}, allowed


# ---------------------------------------------------------------------------------------------------- responses
def envelope_error(status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    text = detail or HTTPStatus(status).phrase
    return JSONResponse({"detail": text, "code": "FAILED", "data": {"statusCode": status, "detail": text}},
                        status_code=status, headers=headers)


_HTML_ERROR = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n<center><h1>{status} {phrase}</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def html_error(status: int) -> Response:
    phrase = HTTPStatus(status).phrase
    return Response(_HTML_ERROR.format(status=status, phrase=phrase), status_code=status, media_type="text/html")


def random_server_error(sim: Simulator) -> Response:
    choice = sim.rng_faults.randrange(4)
    if choice == 0:
        return envelope_error(500, "Internal server error (simulated)")
    if choice == 1:
        return envelope_error(503, "Service temporarily unavailable (simulated)", {"Retry-After": "1"})
    return html_error(502 if choice == 2 else 503)


class ConnectionDropped(Response):
    """Starts a reply, sends a few bytes, then drops the connection."""

    def __init__(self, on_socket: bool) -> None:
        super().__init__(status_code=200)
        self.on_socket = on_socket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"detail": "', "more_body": True})
        if self.on_socket:
            return  # the server closes a connection whose reply never completed
        import httpx  # in-process: what httpx raises when a peer hangs up mid-reply

        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body "
                                        "(simulated by sim.faults)")


def fault_response(rule: FaultRule, on_socket: bool) -> Response:
    if rule.reset:
        return ConnectionDropped(on_socket)
    status = rule.status or 503
    headers = {"Retry-After": f"{rule.retry_after:g}"} if rule.retry_after is not None else {}
    if rule.body is not None:
        media = "text/html" if rule.body.lstrip()[:1] == b"<" else "application/json"
        return Response(rule.body, status_code=status, media_type=media, headers=headers)
    return envelope_error(status, f"{HTTPStatus(status).phrase} (simulated fault)", headers)


# ---------------------------------------------------------------------------------------------------- dispatch
class SimDispatcher:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        #: set by the socket server: a dropped connection then closes the socket instead of raising
        self.on_socket = False

    async def handle(self, request: Request) -> Response:
        sim = self.sim
        full_path = request.url.path
        if full_path == PREFIX or full_path.startswith(PREFIX + "/"):
            path = full_path[len(PREFIX) :]
            under_api = True
        else:
            path, under_api = full_path, False
        path = path.rstrip("/") or "/"
        method = request.method.upper()
        query = dict(request.query_params)
        raw = await request.body()
        record = RequestRecord(method, path, query, 0, _json_or_none(raw))
        sim.requests.append(record)
        try:
            response = await self._answer(request, method, path, query, raw, under_api)
        except Exception:
            record.status = 500
            raise
        record.status = 0 if isinstance(response, ConnectionDropped) else response.status_code
        return response

    async def _answer(
        self, request: Request, method: str, path: str, query: dict[str, str], raw: bytes, under_api: bool
    ) -> Response:
        sim = self.sim
        config = sim.config
        if config.latency_ms and config.latency_ms > 0:
            await asyncio.sleep(config.latency_ms / 1000)
        if not sim.rate_limiter.allow(sim.now(), int(config.rate_limit or 0)):
            return JSONResponse(
                {"detail": "Too many requests: slow down", "code": "TOO_MANY_REQUESTS",
                 "data": {"statusCode": 429, "detail": f"more than {config.rate_limit} requests per second",
                          "retryAfter": 1}},
                status_code=429, headers={"Retry-After": "1"},
            )
        rule = sim.faults.take(method, path)
        if rule is not None and rule.delay_ms > 0:
            await asyncio.sleep(rule.delay_ms / 1000)
        if rule is not None and not rule.after and (rule.status is not None or rule.reset):
            return fault_response(rule, self.on_socket)
        if config.error_rate > 0 and sim.rng_faults.random() < config.error_rate:
            return random_server_error(sim)
        response = self._route(request, method, path, query, raw, under_api)
        if rule is not None and rule.after and (rule.status is not None or rule.reset):
            return fault_response(rule, self.on_socket)
        return response

    def _route(
        self, request: Request, method: str, path: str, query: dict[str, str], raw: bytes, under_api: bool
    ) -> Response:
        sim = self.sim
        if not under_api:
            return envelope_error(404, f"Not Found: {request.url.path} (the API lives under {PREFIX}/v1)")
        token = request.headers.get("api-token")
        if not token:
            return envelope_error(401, "Missing API-Token header")
        if token != sim.config.token:
            return envelope_error(401, "Invalid API token")
        handler, params, allowed = resolve(method, path)
        if handler is None:
            if allowed:
                return envelope_error(405, f"Method {method} not allowed on {path}", {"Allow": ", ".join(allowed)})
            return envelope_error(404, f"Not Found: {path}")
        sim.refresh()
        try:
            detail, data = handler(Ctx(sim, params, query, raw))
        except ValidationFailed as exc:
            return JSONResponse(exc.body(), status_code=422)
        except ApiError as exc:
            return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers or None)
        return JSONResponse({"detail": detail, "code": "OKAY", "data": data})


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def create_app(sim: Simulator | SimConfig | None = None) -> Starlette:
    """The ASGI app. Pass a ``Simulator`` (or a ``SimConfig`` to build one); the simulator is at
    ``app.state.sim`` either way."""
    if sim is None or isinstance(sim, SimConfig):
        sim = Simulator(sim)
    dispatcher = SimDispatcher(sim)
    app = Starlette(routes=[Route("/{path:path}", dispatcher.handle, methods=ALL_METHODS)])
    app.state.sim = sim
    app.state.dispatcher = dispatcher
    return app
