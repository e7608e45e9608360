"""The simulator's state and every operation the API offers on it.

``Simulator`` methods take already-validated arguments (the HTTP layer in ``app.py`` checks shapes and
answers 422) and either return the wire objects to send or raise an ``ApiError`` (400/404/409/460).
Tests may call them directly too.

Inspectable state (plain dicts, id -> record; ``record.data`` / ``record["field"]`` is the wire object):

- ``instances``     str -> InstanceRecord (deleted ones stay, with status ``deleted``)
- ``snapshots``     str -> SnapshotRecord (``.automated`` marks automated backups)
- ``floating_ips``  str -> Record (released ones stay, ``isDeleted: true``)
- ``isos``, ``images``  str -> DownloadRecord (deleted ones stay, status ``DELETED``)
- ``backups``       instanceId -> Record (profile fields; ``render_backup`` adds the computed ones)
- ``ssh_keys``      int -> Record
- ``regions``, ``products``, ``oses``, ``applications``: id -> wire dict (read-only catalog)
- ``balance`` (float), ``customer_id``, ``requests``, ``faults``, ``scheduler``

Call ``sim.refresh()`` after moving a FakeClock to apply due transitions without a request.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import ipaddress
import math
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cloudzy_tui.sim import catalog
from cloudzy_tui.sim.config import SimConfig
from cloudzy_tui.sim.errors import BadRequest, Conflict, LowBalance, NotFound, ValidationFailed, error_item
from cloudzy_tui.sim.faults import FaultQueue, RateLimiter, RequestRecord
from cloudzy_tui.sim.records import DownloadRecord, InstanceRecord, Record, Scheduler, SnapshotRecord
from cloudzy_tui.sim.sshkeys import fingerprint as ssh_fingerprint
from cloudzy_tui.sim.sshkeys import parse_public_key

#: instance statuses shown while a transition is pending
TRANSITIONAL = {"preparing_disk", "initializing", "stopping", "starting", "resetting", "resizing", "restoring"}
#: URLs that "cannot be downloaded": the host is ``localhost`` or ends in ``.invalid``, ``.test`` or
#: ``.localhost``, or the URL contains ``unreachable`` or ``fail`` (case-insensitive)
UNREACHABLE_SUFFIXES = (".invalid", ".test", ".localhost")
UNREACHABLE_WORDS = ("unreachable", "fail")


def iso8601(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def millis(epoch: float) -> int:
    return round(epoch * 1000)


def is_unreachable(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(UNREACHABLE_SUFFIXES):
        return True
    low = url.lower()
    return any(word in low for word in UNREACHABLE_WORDS)


#: compression suffix of an image URL -> ``decompress``; disk-image suffix -> ``format``
_COMPRESSION_SUFFIX = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd",
                       ".zstd": "zstd", ".zip": "zip"}
_FORMAT_SUFFIX = {".qcow2": "qcow2", ".raw": "raw", ".img": "raw", ".vmdk": "vmdk", ".vdi": "vdi", ".vhd": "vhd",
                  ".vhdx": "vhdx"}


def image_defaults(url: str) -> tuple[str, str]:
    """(format, decompress) of an image download that did not name them, read from the URL's file name
    (``a.raw.gz`` -> ``("raw", "gzip")``); ``qcow2`` and ``none`` when the name says nothing. The image object
    always carries both as strings (the notes list them without ``?``)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    decompress = "none"
    for suffix, method in _COMPRESSION_SUFFIX.items():
        if name.endswith(suffix):
            decompress, name = method, name[: -len(suffix)]
            break
    fmt = next((f for suffix, f in _FORMAT_SUFFIX.items() if name.endswith(suffix)), "qcow2")
    return fmt, decompress


def encode_bookmark(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_bookmark(text: str) -> int:
    """Raises ValueError for anything that is not one of our bookmarks."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("invalid bookmark") from None
    prefix, _, number = raw.partition(":")
    if prefix != "seq" or not number.isdigit():
        raise ValueError("invalid bookmark")
    return int(number)


@dataclass
class InstanceFilters:
    created_from: float | None = None
    created_to: float | None = None
    host: str | None = None
    hostname: str | None = None
    status: str | None = None
    region: str | None = None
    iso_id: str | None = None
    os_family: str | None = None
    user_id: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    include_deleted: bool = False

    def predicate(self) -> Callable[[InstanceRecord], bool]:
        checks: list[Callable[[InstanceRecord], bool]] = []
        if not self.include_deleted:
            checks.append(lambda r: r.data["status"] != "deleted")
        if self.created_from is not None:
            start = self.created_from
            checks.append(lambda r: int(r.created) >= start)  # as insertedAt shows it
        if self.created_to is not None:
            end = self.created_to
            checks.append(lambda r: int(r.created) <= end)
        if self.host:
            host = self.host.lower()
            checks.append(lambda r: r.host.lower() == host)
        if self.hostname:
            needle = self.hostname.lower()
            checks.append(lambda r: needle in r.data["hostname"].lower())
        if self.status:
            status = self.status.lower()
            checks.append(lambda r: r.data["status"].lower() == status)
        if self.region:
            region = self.region
            checks.append(lambda r: r.data["region"] == region)
        if self.iso_id:
            iso_id = self.iso_id
            checks.append(lambda r: r.data["isoId"] == iso_id)
        if self.os_family:
            family = self.os_family.lower()
            checks.append(lambda r: str((r.data["os"] or {}).get("family", "")).lower() == family)
        if self.user_id:
            user = self.user_id
            checks.append(lambda r: r.data["userId"] == user)
        if self.ipv4:
            ipv4 = self.ipv4.strip()
            checks.append(lambda r: r.data["mainIp"] == ipv4)
        if self.ipv6:
            ipv6 = _normal_ip(self.ipv6)
            checks.append(lambda r: r.data["mainIpv6"] is not None and _normal_ip(r.data["mainIpv6"]) == ipv6)
        return lambda r: all(check(r) for check in checks)


def _normal_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


@dataclass
class CreateInstanceArgs:
    hostnames: list[str]
    region: str
    product_id: str | None = None
    customer_id: str | None = None
    app_id: str | None = None
    assign_ipv4: bool = False
    assign_ipv6: bool = False
    ddos: bool = False
    billing_cycle: str = "hourly"
    auto_renew: bool = True
    iso_id: str | None = None
    os_id: str | None = None
    os_name: str | None = None
    ssh_key_ids: list[int] | None = None
    feature_ids: list[str] | None = None
    floating_ip_count: int = 0
    extra: dict[str, int] | None = None
    klass: str = "default"
    from_snapshot: str | None = None


def _ip_iter(*networks: str) -> Iterator[str]:
    for net in networks:
        for address in ipaddress.ip_network(net).hosts():
            text = str(address)
            if text.endswith((".0", ".1", ".255")):
                continue
            yield text


class Simulator:
    """The simulated Cloudzy account. See the module docstring for what it holds."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        seed = self.config.seed
        # Independent streams, so that (say) fault draws never change the ids of created objects.
        self.rng_ids = random.Random(f"{seed}:ids")
        self.rng_faults = random.Random(f"{seed}:faults")
        self.rng_outcomes = random.Random(f"{seed}:outcomes")
        self.scheduler = Scheduler()
        self.requests: list[RequestRecord] = []
        self.faults = FaultQueue()
        self.rate_limiter = RateLimiter()
        self.balance: float = float(self.config.balance)
        self.customer_id = ""
        self.team_customer_id = ""
        self.regions: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.oses: dict[str, dict[str, Any]] = {}
        self.applications: dict[str, dict[str, Any]] = {}
        self.ssh_keys: dict[int, Record] = {}
        self.instances: dict[str, InstanceRecord] = {}
        self.snapshots: dict[str, SnapshotRecord] = {}
        self.floating_ips: dict[str, Record] = {}
        self.isos: dict[str, DownloadRecord] = {}
        self.images: dict[str, DownloadRecord] = {}
        self.backups: dict[str, Record] = {}
        # instance listing index: records in ascending ``seq`` (served newest first)
        self._order: list[InstanceRecord] = []
        self._seqs: list[int] = []
        self._next_seq = 1
        self._next_key_id = 101
        self._used_ips: set[str] = set()
        self._main_ips = _ip_iter("203.0.113.0/24", "198.51.100.0/24", "198.18.0.0/16")
        self._floating_pool = _ip_iter("192.0.2.0/24", "198.19.0.0/16")
        self._ipv6_counter = 0x100
        self.started = self.now()

        from cloudzy_tui.sim.seed import populate

        populate(self)

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        return self.config.now()

    def refresh(self, now: float | None = None) -> int:
        """Apply every transition due by ``now`` (default: the clock). Returns how many ran."""
        return self.scheduler.run_due(self.now() if now is None else now)

    @property
    def step(self) -> float:
        return max(0.0, float(self.config.job_seconds))

    # ------------------------------------------------------------------ ids and addresses
    def new_uuid(self, rng: random.Random | None = None) -> str:
        return str(uuid.UUID(int=(rng or self.rng_ids).getrandbits(128), version=4))

    def new_password(self) -> str:
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#%^*-_"
        return "".join(self.rng_ids.choice(alphabet) for _ in range(20))

    def next_main_ip(self) -> str:
        for address in self._main_ips:
            if address not in self._used_ips:
                self._used_ips.add(address)
                return address
        raise BadRequest("No IPv4 addresses left in the simulator's pools")

    def next_floating_ip(self) -> str:
        for address in self._floating_pool:
            if address not in self._used_ips:
                self._used_ips.add(address)
                return address
        raise BadRequest("No floating IPv4 addresses left in the simulator's pools")

    def next_ipv6(self, region_id: str) -> str:
        self._ipv6_counter += 1
        index = list(self.regions).index(region_id) + 1 if region_id in self.regions else 0
        return f"2001:db8:{index:x}::{self._ipv6_counter:x}"

    # ------------------------------------------------------------------ lookups
    def region(self, region_id: str, what: str = "Region") -> dict[str, Any]:
        region = self.regions.get(region_id)
        if region is None:
            raise NotFound(f"{what} '{region_id}' not found")
        return region

    def usable_region(self, region_id: str) -> dict[str, Any]:
        region = self.region(region_id)
        if not region["isActive"]:
            raise BadRequest(f"Region {region['name']} is not active")
        return region

    def live_instance(self, instance_id: str) -> InstanceRecord:
        record = self.instances.get(instance_id)
        if record is None or record.deleted:
            raise NotFound(f"Instance '{instance_id}' not found")
        return record

    def idle_instance(self, instance_id: str, action: str) -> InstanceRecord:
        record = self.live_instance(instance_id)
        if record.busy:
            raise Conflict(
                f"Instance {record['hostname']} is {record['status']}; wait until it settles before {action}"
            )
        return record

    def active_instance_count(self) -> int:
        return sum(1 for r in self.instances.values() if not r.deleted and r.data["userId"] == self.customer_id)

    def available_balance(self) -> float:
        """The balance minus what is held for instances created or upgraded through the API."""
        held = sum(r.reserved for r in self.instances.values() if not r.deleted)
        return round(self.balance - held, 2)

    def ensure_balance(self, required: float) -> None:
        available = self.available_balance()
        if required > available + 1e-9:
            raise LowBalance(required, available, self.active_instance_count())

    # ------------------------------------------------------------------ pricing
    def price_item(self, product: dict[str, Any], cycle: str) -> dict[str, Any]:
        for item in product["priceItems"]:
            if item["name"] == cycle:
                return dict(item)
        return dict(product["priceItems"][0])

    def monthly_price(
        self, region_id: str, product: dict[str, Any] | None, extra: dict[str, int] | None, cycle: str
    ) -> float:
        multiplier = catalog.REGION_PRICE.get(region_id, 1.0)
        discount = catalog.CYCLE_DISCOUNT.get(cycle, 0) / 100
        extra = extra or {}
        if product is not None:
            base = float(self.price_item(product, cycle)["monthlyPrice"])
            addons = (extra.get("diskInGB") or 0) * catalog.CUSTOM_RATES["diskInGB"] + (
                extra.get("bandwidthInTB") or 0
            ) * catalog.CUSTOM_RATES["bandwidthInTB"]
            return round(base + addons * multiplier * (1 - discount), 2)
        total = sum((extra.get(key) or 0) * rate for key, rate in catalog.CUSTOM_RATES.items())
        return round(total * multiplier * (1 - discount), 2)

    # ------------------------------------------------------------------ instances: storage
    def add_instance(self, record: InstanceRecord) -> InstanceRecord:
        """Store a new instance at the head of the listing."""
        record.seq = self._next_seq
        self._next_seq += 1
        self.instances[record.data["id"]] = record
        self._order.append(record)
        self._seqs.append(record.seq)
        return record

    def list_instances(
        self, filters: InstanceFilters, limit: int, bookmark: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first. ``bookmark`` is the position after the last item of the previous page; the
        bookmark returned points after this page's last item (or echoes the given one on an empty page)."""
        if bookmark is None:
            index = len(self._order) - 1
        else:
            index = bisect.bisect_left(self._seqs, decode_bookmark(bookmark)) - 1
        keep = filters.predicate()
        page: list[InstanceRecord] = []
        while index >= 0 and len(page) < limit:
            record = self._order[index]
            if keep(record):
                page.append(record)
            index -= 1
        next_bookmark = encode_bookmark(page[-1].seq) if page else bookmark
        return [r.data for r in page], next_bookmark

    def instance_data(
        self,
        *,
        instance_id: str,
        hostname: str,
        region_id: str,
        product: dict[str, Any] | None,
        extra: dict[str, int] | None,
        os_id: str,
        status: str,
        created: float,
        user_id: str,
        klass: str,
        main_ip: str | None,
        main_ipv6: str | None,
        app_id: str | None = None,
        iso_id: str | None = None,
        from_image: str | None = None,
        ddos: bool = False,
        features: list[str] | None = None,
        customer_note: str | None = None,
        admin_note: str | None = None,
        network_status: str = "active",
    ) -> dict[str, Any]:
        cpu, ram_mb, disk, resources = self.specs(product, extra)
        app = self.applications.get(app_id) if app_id else None
        oca = None
        if app is not None:
            oca = {"appId": app["id"], "appName": app["name"],
                   "accessUrl": f"https://{main_ip}/" if main_ip else None, "username": "admin"}
        return {
            "id": instance_id,
            "hostname": hostname,
            "vcpuCount": cpu,
            "ram": ram_mb,
            "disk": disk,
            "insertedAt": iso8601(created),
            "osId": os_id,
            "isoId": iso_id,
            "fromImage": from_image,
            "os": self.oses[os_id],
            "region": region_id,
            "userId": user_id,
            "appId": app_id,
            "status": status,
            "mainIp": main_ip,
            "mainIpv6": main_ipv6,
            "productId": product["id"] if product else None,
            "networkStatus": network_status,
            "discountPercent": product["discountPercent"] if product else 0,
            "attachIso": iso_id is not None,
            "extraResource": resources,
            "class": klass,
            "ocaData": oca,
            "isDdosProtected": ddos,
            "customerNote": customer_note,
            "adminNote": admin_note,
            "features": list(features or []),
        }

    @staticmethod
    def specs(product: dict[str, Any] | None, extra: dict[str, int] | None) -> tuple[int, int, int, dict[str, Any]]:
        """(vcpuCount, ram MB, disk GB, extraResource) of a fixed plan + extras, or of a custom plan."""
        extra = extra or {}
        if product is not None:
            spec = product["plan"]["specification"]
            resources = {"cpu": 0, "ramInGB": 0, "diskInGB": extra.get("diskInGB") or 0,
                         "bandwidthInTB": extra.get("bandwidthInTB") or 0}
            return spec["cpu"], spec["ramInMB"], spec["storage"] + resources["diskInGB"], resources
        resources = {"cpu": extra.get("cpu") or 1, "ramInGB": extra.get("ramInGB") or 1,
                     "diskInGB": extra.get("diskInGB") or 10, "bandwidthInTB": extra.get("bandwidthInTB") or 1}
        return resources["cpu"], resources["ramInGB"] * 1024, resources["diskInGB"], resources

    # ------------------------------------------------------------------ instances: create
    def create_instances(self, args: CreateInstanceArgs) -> list[dict[str, Any]]:
        count = len(args.hostnames)
        region = self.usable_region(args.region)
        if region["isOutOfStock"]:
            raise BadRequest(f"Region {region['name']} is out of stock")
        config = region["config"]
        product: dict[str, Any] | None = None
        klass = args.klass
        if args.product_id is not None:
            product = self.products.get(args.product_id)
            if product is None:
                raise NotFound(f"Product '{args.product_id}' not found")
            if product["regionId"] != region["id"]:
                raise BadRequest(f"Product '{args.product_id}' is not offered in region {region['name']}")
            if not product["isActive"]:
                raise BadRequest(f"Product '{args.product_id}' is not available")
            stock = product["remainingActualStock"]
            if stock is not None and stock < count:
                raise BadRequest(f"Product '{args.product_id}' is out of stock ({stock} left)")
            plan_class = {"regular": "default", "high-frequency": "cpu-optimized", "gpu": "gpu-provided"}[
                product["plan"]["type"]
            ]
            if klass == "default":
                klass = plan_class
            elif klass != plan_class:
                raise BadRequest(f"Product '{args.product_id}' is a {product['plan']['type']} plan: class must be "
                                 f"'{plan_class}'")
        else:
            if not config["supportCustomPlan"]:
                raise BadRequest(f"Region {region['name']} does not offer custom plans: choose a productId")
            self.check_custom_resources(region, args.extra or {}, ("body", "extraResource"))
        if klass == "gpu-provided" and not config["supportGpu"]:
            raise BadRequest(f"Region {region['name']} has no GPU servers")
        if klass == "cpu-optimized" and not config["supportHighFrequencyCpu"]:
            raise BadRequest(f"Region {region['name']} has no high-frequency (cpu-optimized) servers")
        if args.assign_ipv6 and not config["supportIpv6"]:
            raise BadRequest(f"Region {region['name']} does not support IPv6")
        if args.ddos and not config["supportDdosIpv4"]:
            raise BadRequest(f"Region {region['name']} does not offer DDoS protection")
        if args.floating_ip_count > config["ipThreshold"]:
            raise BadRequest(f"Region {region['name']} allows at most {config['ipThreshold']} floating IPs")
        if "monitoring" in (args.feature_ids or []) and not config["supportMonitoring"]:
            raise BadRequest(f"Region {region['name']} does not support monitoring")

        os_id, app_id, iso_id = self.resolve_os(args, region)
        _, ram_mb, _, _ = self.specs(product, args.extra)
        self.check_min_ram(os_id, ram_mb)
        for key_id in args.ssh_key_ids or []:
            if key_id not in self.ssh_keys:
                raise NotFound(f"SSH key {key_id} not found")

        price = self.monthly_price(region["id"], product, args.extra, args.billing_cycle)
        if app_id is not None:
            price += float(self.applications[app_id]["price"])
        self.ensure_balance(price * count)

        now = self.now()
        created: list[dict[str, Any]] = []
        if product is not None and product["remainingActualStock"] is not None:
            product["remainingActualStock"] -= count
        for hostname in args.hostnames:
            main_ip = self.next_main_ip() if args.assign_ipv4 else None
            data = self.instance_data(
                instance_id=self.new_uuid(),
                hostname=hostname,
                region_id=region["id"],
                product=product,
                extra=args.extra,
                os_id=os_id,
                status="preparing_disk",
                created=now,
                user_id=args.customer_id or self.customer_id,
                klass=klass,
                main_ip=main_ip,
                main_ipv6=self.next_ipv6(region["id"]) if args.assign_ipv6 else None,
                app_id=app_id,
                iso_id=iso_id,
                ddos=args.ddos,
                features=args.feature_ids,
            )
            record = self.add_instance(InstanceRecord(
                data=data, host=self.pick_host(region["id"], self.rng_ids), monthly_price=price,
                reserved=price, billing_cycle=args.billing_cycle, ssh_key_ids=list(args.ssh_key_ids or []),
                created=now,
            ))
            for _ in range(args.floating_ip_count):
                self.new_floating_ip(region["id"], now, instance_id=data["id"])
            self.scheduler.chain(record, now, self.step, [
                ("initializing", self._set_status(record, "initializing")),
                ("active", self._set_status(record, "active")),
            ])
            created.append(data)
        return created

    def check_custom_resources(self, region: dict[str, Any], extra: dict[str, int], loc: tuple[str, ...]) -> None:
        errors = []
        for key in ("cpu", "ramInGB", "diskInGB"):
            if not extra.get(key):
                errors.append(error_item([*loc, key], "field required for a custom plan", "value_error.missing"))
        config = region["config"]
        if (extra.get("ramInGB") or 0) > config["ramThresholdInGB"]:
            errors.append(error_item([*loc, "ramInGB"],
                                     f"ensure this value is less than or equal to {config['ramThresholdInGB']}"
                                     f" (region {region['name']})", "value_error.number.not_le"))
        if (extra.get("diskInGB") or 0) > config["diskThresholdInGB"]:
            errors.append(error_item([*loc, "diskInGB"],
                                     f"ensure this value is less than or equal to {config['diskThresholdInGB']}"
                                     f" (region {region['name']})", "value_error.number.not_le"))
        if errors:
            raise ValidationFailed(errors)

    def resolve_os(self, args: CreateInstanceArgs, region: dict[str, Any]) -> tuple[str, str | None, str | None]:
        """(osId, appId, isoId) for a create request."""
        os_id: str | None = None
        if args.from_snapshot is not None:
            snapshot = self.snapshots.get(args.from_snapshot)
            if snapshot is None:
                raise NotFound(f"Snapshot '{args.from_snapshot}' not found")
            if snapshot["status"] != "ACTIVE":
                raise BadRequest(f"Snapshot '{args.from_snapshot}' is {snapshot['status']}, not ACTIVE")
            os_id = snapshot.os_id
        if args.os_id is not None:
            os_id = self.usable_os(args.os_id)["id"]
        elif args.os_name is not None:
            match = [o for o in self.oses.values() if o["name"].lower() == args.os_name.lower()]
            if not match:
                raise NotFound(f"Operating system '{args.os_name}' not found")
            os_id = self.usable_os(match[0]["id"])["id"]
        app_id = None
        if args.app_id is not None:
            app = self.applications.get(args.app_id)
            if app is None:
                raise NotFound(f"Application '{args.app_id}' not found")
            if not app["isActive"]:
                raise BadRequest(f"Application {app['name']} is not available")
            if os_id is None:
                os_id = app["osList"][0]
            elif os_id not in app["osList"]:
                raise BadRequest(f"Application {app['name']} does not support OS '{os_id}'")
            app_id = app["id"]
        iso_id = None
        if args.iso_id is not None:
            iso = self.isos.get(args.iso_id)
            if iso is None or iso["status"] == "DELETED":
                raise NotFound(f"ISO '{args.iso_id}' not found")
            if iso["status"] != "READY":
                raise BadRequest(f"ISO '{iso['name']}' is {iso['status']}, not READY")
            if iso["regionId"] != region["id"]:
                raise BadRequest(f"ISO '{iso['name']}' is stored in region {iso['regionId']}")
            iso_id = iso["id"]
        if os_id is None:
            os_id = next(o["id"] for o in self.oses.values() if o["isDefault"])
        return os_id, app_id, iso_id

    def usable_os(self, os_id: str) -> dict[str, Any]:
        os_ = self.oses.get(os_id)
        if os_ is None:
            raise NotFound(f"Operating system '{os_id}' not found")
        if not os_["isActive"]:
            raise BadRequest(f"Operating system {os_['name']} is no longer offered")
        return os_

    def check_min_ram(self, os_id: str, ram_mb: int) -> None:
        os_ = self.oses[os_id]
        try:
            minimum = int(os_["minRam"])
        except (TypeError, ValueError):
            return
        if ram_mb < minimum:
            raise BadRequest(f"{os_['name']} needs at least {minimum} MB of RAM; the plan has {ram_mb} MB")

    def pick_host(self, region_id: str, rng: random.Random) -> str:
        return f"{catalog.REGION_HOST.get(region_id, 'node')}-hv{rng.randint(1, 24):02d}"

    def _set_status(self, record: Record, status: str) -> Callable[[float], None]:
        def apply(at: float) -> None:
            record.data["status"] = status

        return apply

    # ------------------------------------------------------------------ instances: actions
    def power_off(self, instance_id: str) -> dict[str, Any]:
        record = self.idle_instance(instance_id, "powering it off")
        if record["status"] != "active":
            raise Conflict(f"Instance {record['hostname']} is already {record['status']}")
        record["status"] = "stopping"
        self.scheduler.chain(record, self.now(), self.step, [("shutdown", self._set_status(record, "shutdown"))])
        return record.data

    def power_on(self, instance_id: str) -> dict[str, Any]:
        record = self.idle_instance(instance_id, "powering it on")
        if record["status"] != "shutdown":
            raise Conflict(f"Instance {record['hostname']} is already {record['status']}")
        record["status"] = "starting"
        self.scheduler.chain(record, self.now(), self.step, [("active", self._set_status(record, "active"))])
        return record.data

    def reset(self, instance_id: str) -> dict[str, Any]:
        record = self.idle_instance(instance_id, "resetting it")
        record["status"] = "resetting"
        self.scheduler.chain(record, self.now(), self.step, [("active", self._set_status(record, "active"))])
        return record.data

    def change_os(self, instance_id: str, os_id: str) -> dict[str, Any]:
        record = self.idle_instance(instance_id, "changing its OS")
        os_ = self.usable_os(os_id)
        self.check_min_ram(os_["id"], record["ram"])
        record["osId"] = os_["id"]
        record["os"] = os_
        record["appId"] = None
        record["ocaData"] = None
        record["status"] = "preparing_disk"
        self.scheduler.chain(record, self.now(), self.step, [
            ("initializing", self._set_status(record, "initializing")),
            ("active", self._set_status(record, "active")),
        ])
        return record.data

    def resize(
        self,
        instance_id: str,
        plan_type: str,
        product_id: str | None,
        region_id: str | None,
        extra: dict[str, int] | None,
    ) -> dict[str, Any]:
        record = self.idle_instance(instance_id, "resizing it")
        region = self.regions[record["region"]]
        if region_id is not None and region_id != region["id"]:
            self.region(region_id)
            raise BadRequest("Resize cannot move an instance to another region")
        product: dict[str, Any] | None = None
        if plan_type == "FIXED":
            assert product_id is not None
            product = self.products.get(product_id)
            if product is None:
                raise NotFound(f"Product '{product_id}' not found")
            if product["regionId"] != region["id"]:
                raise BadRequest(f"Product '{product_id}' is not offered in region {region['name']}")
            if not product["isActive"]:
                raise BadRequest(f"Product '{product_id}' is not available")
        else:
            if not region["config"]["supportCustomPlan"]:
                raise BadRequest(f"Region {region['name']} does not offer custom plans")
            self.check_custom_resources(region, extra or {}, ("body", "extraResource"))
        cpu, ram_mb, disk, resources = self.specs(product, extra)
        if disk < record["disk"]:
            raise BadRequest(f"Disks cannot shrink: {record['hostname']} has {record['disk']} GB, the new plan "
                             f"{disk} GB")
        price = self.monthly_price(region["id"], product, extra, record.billing_cycle)
        delta = round(price - record.monthly_price, 2)
        if delta > 0:
            self.ensure_balance(delta)
            record.reserved += delta
        record.monthly_price = price
        previous = record["status"]
        record["status"] = "resizing"

        def finish(at: float) -> None:
            record.data.update({
                "vcpuCount": cpu, "ram": ram_mb, "disk": disk, "extraResource": resources,
                "productId": product["id"] if product else None,
                "discountPercent": product["discountPercent"] if product else 0,
                "status": previous,
            })
            if product is not None:
                plan_class = {"regular": "default", "high-frequency": "cpu-optimized", "gpu": "gpu-provided"}
                record.data["class"] = plan_class[product["plan"]["type"]]

        self.scheduler.chain(record, self.now(), self.step, [(previous, finish)])
        return record.data

    def add_traffic(self, instance_id: str, amount: float) -> dict[str, Any]:
        """``amount`` TB more traffic. ``extraResource.bandwidthInTB`` stays an integer (the reference's
        ExtraResourceDetailSchema): whole TB are credited at once, a fraction is kept until fractions
        add up to a whole TB (0.5 + 0.5 -> +1)."""
        record = self.live_instance(instance_id)
        resources = dict(record["extraResource"])
        pending = round(record.traffic_fraction + amount, 6)
        whole = math.floor(pending)
        record.traffic_fraction = round(pending - whole, 6)
        resources["bandwidthInTB"] = int(resources.get("bandwidthInTB") or 0) + int(whole)
        record["extraResource"] = resources
        record["networkStatus"] = "active"
        return record.data

    def change_password(self, instance_id: str) -> dict[str, Any]:
        self.idle_instance(instance_id, "changing its password")
        return {"password": self.new_password()}

    def delete_instance(self, instance_id: str) -> None:
        record = self.live_instance(instance_id)
        self.scheduler.cancel(record)
        record["status"] = "deleted"
        for snapshot in self.snapshots.values():
            if snapshot["instanceId"] == instance_id:
                snapshot["isInstanceDeleted"] = True
        for fip in self.floating_ips.values():
            if fip["instanceId"] == instance_id:
                fip["instanceId"] = None
        self.backups.pop(instance_id, None)

    # ------------------------------------------------------------------ snapshots
    def snapshot_data(
        self, *, snapshot_id: str, name: str, instance: InstanceRecord, status: str, created: float,
        size: int, restored: float | None = None,
    ) -> dict[str, Any]:
        return {
            "id": snapshot_id,
            "name": name,
            "size": size,
            "status": status,
            "lastRestoredAt": millis(restored) if restored is not None else None,
            "createdAt": millis(created),
            "isInstanceDeleted": instance.deleted,
            "productId": instance["productId"],
            "instanceId": instance["id"],
            "userId": instance["userId"],
            "regionId": instance["region"],
            "metadata": self.metadata(instance),
        }

    @staticmethod
    def metadata(instance: InstanceRecord) -> dict[str, Any]:
        return {"hostname": instance["hostname"], "osName": instance["os"]["name"],
                "vcpuCount": instance["vcpuCount"], "ram": instance["ram"], "disk": instance["disk"]}

    def list_snapshots(
        self, instance_id: str | None, automated: bool, status: str | None
    ) -> list[dict[str, Any]]:
        out = []
        for record in reversed(self.snapshots.values()):
            if record.automated != automated:
                continue
            if instance_id is not None and record["instanceId"] != instance_id:
                continue
            if status is not None and record["status"] != status:
                continue
            out.append(record.data)
        return out

    def get_snapshot(self, snapshot_id: str) -> SnapshotRecord:
        record = self.snapshots.get(snapshot_id)
        if record is None:
            raise NotFound(f"Snapshot '{snapshot_id}' not found")
        return record

    def create_snapshot(self, instance_id: str) -> dict[str, Any]:
        instance = self.idle_instance(instance_id, "taking a snapshot")
        for snapshot in self.snapshots.values():
            if snapshot["instanceId"] == instance_id and snapshot["status"] == "IN_PROGRESS":
                raise Conflict(f"A snapshot of {instance['hostname']} is already in progress")
        now = self.now()
        fails = self.rng_outcomes.random() < self.config.snapshot_failure_rate
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d-%H%M%S")
        record = SnapshotRecord(
            data=self.snapshot_data(
                snapshot_id=self.new_uuid(), name=f"{instance['hostname']}-{stamp}", instance=instance,
                status="IN_PROGRESS", created=now,
                size=max(1, int(instance["disk"] * (0.15 + 0.5 * self.rng_outcomes.random()))),
            ),
            os_id=instance["osId"],
        )
        self.snapshots[record.id] = record
        final = "FAILED" if fails else "ACTIVE"
        self.scheduler.chain(record, now, self.step, [(final, self._set_status(record, final))])
        return record.data

    def delete_snapshot(self, snapshot_id: str) -> None:
        record = self.get_snapshot(snapshot_id)
        if record["status"] in ("IN_PROGRESS", "RESTORING"):
            raise Conflict(f"Snapshot {record['name']} is {record['status']}; it cannot be deleted now")
        self.scheduler.cancel(record)
        del self.snapshots[snapshot_id]

    def restore_snapshot(self, snapshot_id: str) -> dict[str, Any]:
        record = self.get_snapshot(snapshot_id)
        if record["status"] != "ACTIVE":
            raise Conflict(f"Snapshot {record['name']} is {record['status']}; only ACTIVE snapshots can be restored")
        if record["isInstanceDeleted"]:
            raise Conflict(f"The instance of snapshot {record['name']} was deleted")
        instance = self.idle_instance(record["instanceId"], "restoring a snapshot")
        now = self.now()
        record["status"] = "RESTORING"
        instance["status"] = "restoring"
        os_id = record.os_id

        def snapshot_done(at: float) -> None:
            record.data["status"] = "ACTIVE"
            record.data["lastRestoredAt"] = millis(at)

        def instance_done(at: float) -> None:
            if os_id is not None and os_id in self.oses:
                instance.data["osId"] = os_id
                instance.data["os"] = self.oses[os_id]
            instance.data["status"] = "active"

        self.scheduler.chain(record, now, self.step, [("ACTIVE", snapshot_done)])
        self.scheduler.chain(instance, now, self.step, [("active", instance_done)])
        return record.data

    # ------------------------------------------------------------------ floating IPs
    def new_floating_ip(
        self, region_id: str, now: float, *, instance_id: str | None = None, auto_renew: bool = True,
        note: str | None = None, expires: float | None = None, deleted: bool = False, rng: random.Random | None = None,
    ) -> Record:
        record = Record(data={
            "id": self.new_uuid(rng),
            "ipAddress": self.next_floating_ip(),
            "regionId": region_id,
            "instanceId": instance_id,
            "autoRenew": auto_renew,
            "customerNote": note,
            "expiresAt": int(expires if expires is not None else now + 30 * 86400),
            "isDeleted": deleted,
        })
        self.floating_ips[record.id] = record
        return record

    def list_floating_ips(
        self, address: str | None, region_id: str | None, expires_after: float | None, include_deleted: bool
    ) -> list[dict[str, Any]]:
        if expires_after is not None and expires_after > 1e11:
            expires_after /= 1000  # milliseconds given
        out = []
        for record in self.floating_ips.values():
            data = record.data
            if data["isDeleted"] and not include_deleted:
                continue
            if address is not None and data["ipAddress"] != address.strip():
                continue
            if region_id is not None and data["regionId"] != region_id:
                continue
            if expires_after is not None and not data["expiresAt"] > expires_after:
                continue
            out.append(data)
        return out

    def allocate_floating_ips(self, region_id: str, count: int) -> list[dict[str, Any]]:
        self.usable_region(region_id)
        now = self.now()
        return [self.new_floating_ip(region_id, now).data for _ in range(count)]

    def floating_ip(self, fip_id: str) -> Record:
        record = self.floating_ips.get(fip_id)
        if record is None:
            raise NotFound(f"Floating IP '{fip_id}' not found")
        if record["isDeleted"]:
            raise Conflict(f"Floating IP {record['ipAddress']} has been released")
        return record

    def update_floating_ip(
        self, fip_id: str, auto_renew: bool | None, note: str | None, note_set: bool
    ) -> dict[str, Any]:
        record = self.floating_ip(fip_id)
        if auto_renew is not None:
            record["autoRenew"] = auto_renew
        if note_set:
            record["customerNote"] = note
        return record.data

    def release_floating_ip(self, fip_id: str) -> dict[str, Any]:
        record = self.floating_ip(fip_id)
        record["isDeleted"] = True
        record["instanceId"] = None
        record["autoRenew"] = False
        return record.data

    # ------------------------------------------------------------------ ISOs and images
    def downloads(self, kind: str) -> dict[str, DownloadRecord]:
        return self.isos if kind == "iso" else self.images

    def render_download(self, record: DownloadRecord, now: float | None = None) -> dict[str, Any]:
        data = dict(record.data)
        if data["status"] == "DOWNLOADING":
            now = self.now() if now is None else now
            span = max(record.finishes - record.started, 1e-9)
            data["progress"] = max(0, min(99, int(100 * (now - record.started) / span)))
        return data

    def list_downloads(self, kind: str, status: str | None) -> list[dict[str, Any]]:
        now = self.now()
        out = []
        for record in reversed(self.downloads(kind).values()):
            if status is None and record["status"] == "DELETED":
                continue
            if status is not None and record["status"] != status:
                continue
            out.append(self.render_download(record, now))
        return out

    def get_download(self, kind: str, item_id: str) -> DownloadRecord:
        record = self.downloads(kind).get(item_id)
        if record is None:
            raise NotFound(f"{'ISO' if kind == 'iso' else 'Image'} '{item_id}' not found")
        return record

    def start_download(self, kind: str, fields: dict[str, Any], *, now: float | None = None,
                       status: str = "DOWNLOADING", rng: random.Random | None = None,
                       created: float | None = None) -> DownloadRecord:
        """Store a new ISO/image; DOWNLOADING ones become READY after two steps (FAILED after one for an
        unreachable URL)."""
        now = self.now() if now is None else now
        data: dict[str, Any] = {"id": self.new_uuid(rng), "name": fields["name"], "url": fields["url"],
                                "status": status, "regionId": fields["regionId"]}
        if kind == "iso":
            data["useVirtio"] = fields.get("useVirtio", True)
        else:
            fmt, decompress = image_defaults(fields["url"])
            data["format"] = fields.get("format") or fmt
            data["decompress"] = fields.get("decompress") or decompress
        data["createdAt"] = int(created if created is not None else now)
        data["progress"] = 100 if status == "READY" else 0
        record = DownloadRecord(data=data, started=now, finishes=now + 2 * self.step)
        self.downloads(kind)[record.id] = record
        if status == "DOWNLOADING":
            if is_unreachable(fields["url"]):
                record.finishes = now + self.step

                def failed(at: float) -> None:
                    record.data["status"] = "FAILED"
                    record.data["progress"] = 0

                self.scheduler.chain(record, now, self.step, [("FAILED", failed)])
            else:
                def ready(at: float) -> None:
                    record.data["status"] = "READY"
                    record.data["progress"] = 100

                self.scheduler.schedule(record, record.finishes, "READY", ready)
        return record

    def download(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        self.usable_region(fields["regionId"])
        return self.render_download(self.start_download(kind, fields))

    def delete_download(self, kind: str, item_id: str) -> None:
        record = self.get_download(kind, item_id)
        if record["status"] == "DELETED":
            raise Conflict(f"{record['name']} is already deleted")
        if kind == "iso":
            users = [i for i in self.instances.values() if not i.deleted and i["isoId"] == item_id]
            if users:
                raise Conflict(f"ISO {record['name']} is attached to instance {users[0]['hostname']}")
        self.scheduler.cancel(record)
        record["status"] = "DELETED"

    # ------------------------------------------------------------------ backups
    def render_backup(self, record: Record) -> dict[str, Any]:
        instance = self.instances[record["instanceId"]]
        files = [s.data for s in reversed(self.snapshots.values())
                 if s.automated and s["instanceId"] == instance.id]
        done = [f["createdAt"] for f in files if f["status"] == "ACTIVE"]
        data = record.data
        per_run = 1 if data["scheduleFrequency"] == "daily" else max(1, len(data["scheduleWeekDays"]))
        runs = data["periodId"] if data["scheduleFrequency"] == "daily" else math.ceil(data["periodId"] / 7)
        return {
            "instanceId": instance.id,
            "instanceData": self.metadata(instance),
            "status": data["status"],
            "monthlyPrice": round(instance.monthly_price * data["feePercentage"] / 100, 2),
            "feePercentage": data["feePercentage"],
            "scheduleFrequency": data["scheduleFrequency"],
            "scheduleWeekDays": list(data["scheduleWeekDays"]),
            "maxFiles": runs * per_run,
            "periodId": data["periodId"],
            "lastSuccessfulBackupTime": max(done) if done else None,
            "backupFiles": files,
            "createdAt": data["createdAt"],
        }

    def list_backups(self, status: str | None) -> list[dict[str, Any]]:
        return [self.render_backup(r) for r in self.backups.values() if status is None or r["status"] == status]

    def get_backup(self, instance_id: str) -> Record:
        record = self.backups.get(instance_id)
        if record is None:
            raise NotFound(f"No backup profile for instance '{instance_id}'")
        return record

    @staticmethod
    def backup_days(frequency: str, weekdays: list[str] | None, current: list[str] | None = None) -> list[str]:
        """The weekdays a profile gets. ``scheduleWeekDays`` is optional in the reference: when it is not sent
        (None) an update keeps the profile's days, and a weekly schedule that would have none runs on
        ``catalog.DEFAULT_WEEKLY_DAY``."""
        days = list(weekdays) if weekdays is not None else list(current or [])
        if frequency == "weekly" and not days:
            days = [catalog.DEFAULT_WEEKLY_DAY]
        return days

    def create_backup(
        self, instance_id: str, frequency: str, weekdays: list[str] | None, period: int, *,
        status: str = "pending", created: float | None = None,
    ) -> dict[str, Any]:
        instance = self.live_instance(instance_id)
        if instance_id in self.backups:
            raise Conflict(f"Instance {instance['hostname']} already has a backup profile; update it instead")
        now = self.now() if created is None else created
        record = Record(data={"instanceId": instance_id, "status": status, "feePercentage": catalog.BACKUP_FEE_PERCENT,
                              "scheduleFrequency": frequency,
                              "scheduleWeekDays": self.backup_days(frequency, weekdays),
                              "periodId": period, "createdAt": millis(now)})
        self.backups[instance_id] = record
        if status == "pending":
            self.scheduler.chain(record, self.now(), self.step, [("active", self._set_status(record, "active"))])
        return self.render_backup(record)

    def update_backup(
        self, instance_id: str, frequency: str, weekdays: list[str] | None, period: int
    ) -> dict[str, Any]:
        record = self.get_backup(instance_id)
        self.live_instance(instance_id)
        days = self.backup_days(frequency, weekdays, record.data["scheduleWeekDays"])
        record.data.update({"scheduleFrequency": frequency, "scheduleWeekDays": days, "periodId": period})
        return self.render_backup(record)

    def delete_backup(self, instance_id: str) -> None:
        record = self.get_backup(instance_id)
        self.scheduler.cancel(record)
        del self.backups[instance_id]

    # ------------------------------------------------------------------ SSH keys
    def add_ssh_key(self, name: str, public_key: str, customer_id: str | None, *, key_id: int | None = None) -> Record:
        _, blob, _ = parse_public_key(public_key)
        fp = ssh_fingerprint(blob)
        for existing in self.ssh_keys.values():
            if existing["fingerprint"] == fp:
                raise Conflict(f"This public key is already stored as '{existing['name']}' (id {existing['id']})")
        if key_id is None:
            key_id = self._next_key_id
        self._next_key_id = max(self._next_key_id, key_id + 1)
        record = Record(data={"id": key_id, "name": name, "publicKey": " ".join(public_key.split()),
                              "customerId": customer_id or self.customer_id, "fingerprint": fp})
        self.ssh_keys[key_id] = record
        return record

    def get_ssh_key(self, key_id: int) -> Record:
        record = self.ssh_keys.get(key_id)
        if record is None:
            raise NotFound(f"SSH key {key_id} not found")
        return record

    def delete_ssh_key(self, key_id: int) -> None:
        self.get_ssh_key(key_id)
        del self.ssh_keys[key_id]
