"""Instances: the listing (newest first, opaque bookmarks, filters), create, the power and plan actions, delete.

Statuses: ``active``, ``shutdown``, ``deleted`` and the transitional ``preparing_disk``, ``initializing``,
``stopping``, ``starting``, ``resetting``, ``resizing``, ``restoring``; each step takes ``store.step`` seconds
(see the package docstring of ``cloudzy_tui.sim`` for each action's chain). Delete is immediate and also marks the
instance's snapshots, detaches its floating IPs and drops its backup profile.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudzy_tui.sim.errors import BadRequest, Conflict, NotFound
from cloudzy_tui.sim.records import InstanceRecord, set_status
from cloudzy_tui.sim.resources import catalog
from cloudzy_tui.sim.resources.floating_ips import new_floating_ip
from cloudzy_tui.sim.store import Store


def iso8601(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


# ---------------------------------------------------------------------------------------------------- listing
def list_instances(
    store: Store, filters: InstanceFilters, limit: int, bookmark: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first. ``bookmark`` is the position after the last item of the previous page; the
    bookmark returned points after this page's last item (or echoes the given one on an empty page)."""
    keep = filters.predicate()
    page: list[InstanceRecord] = []
    for record in store.instances_newest_first(None if bookmark is None else decode_bookmark(bookmark)):
        if len(page) >= limit:
            break
        if keep(record):
            page.append(record)
    next_bookmark = encode_bookmark(page[-1].seq) if page else bookmark
    return [r.data for r in page], next_bookmark


# ---------------------------------------------------------------------------------------------------- building
def instance_data(
    store: Store,
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
    """The wire object of a new instance."""
    cpu, ram_mb, disk, resources = catalog.specs(product, extra)
    app = store.applications.get(app_id) if app_id else None
    oca = None
    if app is not None:
        oca = {
            "appId": app["id"],
            "appName": app["name"],
            "accessUrl": f"https://{main_ip}/" if main_ip else None,
            "username": "admin",
        }
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
        "os": store.oses[os_id],
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


def provision(store: Store, record: InstanceRecord, start: float) -> None:
    """Schedule a new (or reinstalled) instance's chain from preparing_disk: -> initializing -> active."""
    store.scheduler.chain(
        record,
        start,
        store.step,
        [
            ("initializing", set_status(record, "initializing")),
            ("active", set_status(record, "active")),
        ],
    )


# ---------------------------------------------------------------------------------------------------- create
def create_instances(store: Store, args: CreateInstanceArgs) -> list[dict[str, Any]]:
    count = len(args.hostnames)
    region = store.usable_region(args.region)
    if region["isOutOfStock"]:
        raise BadRequest(f"Region {region['name']} is out of stock")
    config = region["config"]
    product: dict[str, Any] | None = None
    klass = args.klass
    if args.product_id is not None:
        product = catalog.offered_product(store, args.product_id, region)
        stock = product["remainingActualStock"]
        if stock is not None and stock < count:
            raise BadRequest(f"Product '{args.product_id}' is out of stock ({stock} left)")
        plan_class = catalog.plan_class(product)
        if klass == "default":
            klass = plan_class
        elif klass != plan_class:
            raise BadRequest(
                f"Product '{args.product_id}' is a {product['plan']['type']} plan: class must be '{plan_class}'"
            )
    else:
        if not config["supportCustomPlan"]:
            raise BadRequest(f"Region {region['name']} does not offer custom plans: choose a productId")
        catalog.check_custom_resources(region, args.extra or {}, ("body", "extraResource"))
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

    os_id, app_id, iso_id = resolve_os(store, args, region)
    _, ram_mb, _, _ = catalog.specs(product, args.extra)
    catalog.check_min_ram(store, os_id, ram_mb)
    for key_id in args.ssh_key_ids or []:
        if key_id not in store.ssh_keys:
            raise NotFound(f"SSH key {key_id} not found")

    price = catalog.monthly_price(region["id"], product, args.extra, args.billing_cycle)
    if app_id is not None:
        price += float(store.applications[app_id]["price"])
    store.ensure_balance(price * count)

    now = store.now()
    created: list[dict[str, Any]] = []
    if product is not None and product["remainingActualStock"] is not None:
        product["remainingActualStock"] -= count
    for hostname in args.hostnames:
        main_ip = store.next_main_ip() if args.assign_ipv4 else None
        data = instance_data(
            store,
            instance_id=store.new_uuid(),
            hostname=hostname,
            region_id=region["id"],
            product=product,
            extra=args.extra,
            os_id=os_id,
            status="preparing_disk",
            created=now,
            user_id=args.customer_id or store.customer_id,
            klass=klass,
            main_ip=main_ip,
            main_ipv6=store.next_ipv6(region["id"]) if args.assign_ipv6 else None,
            app_id=app_id,
            iso_id=iso_id,
            ddos=args.ddos,
            features=args.feature_ids,
        )
        record = store.add_instance(
            InstanceRecord(
                data=data,
                host=store.pick_host(region["id"], store.rng_ids),
                monthly_price=price,
                reserved=price,
                billing_cycle=args.billing_cycle,
                ssh_key_ids=list(args.ssh_key_ids or []),
                created=now,
            )
        )
        for _ in range(args.floating_ip_count):
            new_floating_ip(store, region["id"], now, instance_id=data["id"])
        provision(store, record, now)
        created.append(data)
    return created


def resolve_os(store: Store, args: CreateInstanceArgs, region: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(osId, appId, isoId) for a create request."""
    os_id: str | None = None
    if args.from_snapshot is not None:
        snapshot = store.snapshots.get(args.from_snapshot)
        if snapshot is None:
            raise NotFound(f"Snapshot '{args.from_snapshot}' not found")
        if snapshot["status"] != "ACTIVE":
            raise BadRequest(f"Snapshot '{args.from_snapshot}' is {snapshot['status']}, not ACTIVE")
        os_id = snapshot.os_id
    if args.os_id is not None:
        os_id = catalog.usable_os(store, args.os_id)["id"]
    elif args.os_name is not None:
        match = [o for o in store.oses.values() if o["name"].lower() == args.os_name.lower()]
        if not match:
            raise NotFound(f"Operating system '{args.os_name}' not found")
        os_id = catalog.usable_os(store, match[0]["id"])["id"]
    app_id = None
    if args.app_id is not None:
        app = store.applications.get(args.app_id)
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
        iso = store.isos.get(args.iso_id)
        if iso is None or iso["status"] == "DELETED":
            raise NotFound(f"ISO '{args.iso_id}' not found")
        if iso["status"] != "READY":
            raise BadRequest(f"ISO '{iso['name']}' is {iso['status']}, not READY")
        if iso["regionId"] != region["id"]:
            raise BadRequest(f"ISO '{iso['name']}' is stored in region {iso['regionId']}")
        iso_id = iso["id"]
    if os_id is None:
        os_id = next(o["id"] for o in store.oses.values() if o["isDefault"])
    return os_id, app_id, iso_id


# ---------------------------------------------------------------------------------------------------- actions
def power_off(store: Store, instance_id: str) -> dict[str, Any]:
    record = store.idle_instance(instance_id, "powering it off")
    if record["status"] != "active":
        raise Conflict(f"Instance {record['hostname']} is already {record['status']}")
    record["status"] = "stopping"
    store.scheduler.chain(record, store.now(), store.step, [("shutdown", set_status(record, "shutdown"))])
    return record.data


def power_on(store: Store, instance_id: str) -> dict[str, Any]:
    record = store.idle_instance(instance_id, "powering it on")
    if record["status"] != "shutdown":
        raise Conflict(f"Instance {record['hostname']} is already {record['status']}")
    record["status"] = "starting"
    store.scheduler.chain(record, store.now(), store.step, [("active", set_status(record, "active"))])
    return record.data


def reset(store: Store, instance_id: str) -> dict[str, Any]:
    record = store.idle_instance(instance_id, "resetting it")
    record["status"] = "resetting"
    store.scheduler.chain(record, store.now(), store.step, [("active", set_status(record, "active"))])
    return record.data


def change_os(store: Store, instance_id: str, os_id: str) -> dict[str, Any]:
    record = store.idle_instance(instance_id, "changing its OS")
    os_ = catalog.usable_os(store, os_id)
    catalog.check_min_ram(store, os_["id"], record["ram"])
    record["osId"] = os_["id"]
    record["os"] = os_
    record["appId"] = None
    record["ocaData"] = None
    record["status"] = "preparing_disk"
    provision(store, record, store.now())
    return record.data


def resize(
    store: Store,
    instance_id: str,
    plan_type: str,
    product_id: str | None,
    region_id: str | None,
    extra: dict[str, int] | None,
) -> dict[str, Any]:
    record = store.idle_instance(instance_id, "resizing it")
    region = store.regions[record["region"]]
    if region_id is not None and region_id != region["id"]:
        store.region(region_id)
        raise BadRequest("Resize cannot move an instance to another region")
    product: dict[str, Any] | None = None
    if plan_type == "FIXED":
        assert product_id is not None
        product = catalog.offered_product(store, product_id, region)
    else:
        if not region["config"]["supportCustomPlan"]:
            raise BadRequest(f"Region {region['name']} does not offer custom plans")
        catalog.check_custom_resources(region, extra or {}, ("body", "extraResource"))
    cpu, ram_mb, disk, resources = catalog.specs(product, extra)
    if disk < record["disk"]:
        raise BadRequest(f"Disks cannot shrink: {record['hostname']} has {record['disk']} GB, the new plan {disk} GB")
    price = catalog.monthly_price(region["id"], product, extra, record.billing_cycle)
    delta = round(price - record.monthly_price, 2)
    if delta > 0:
        store.ensure_balance(delta)
        record.reserved += delta
    record.monthly_price = price
    previous = record["status"]
    record["status"] = "resizing"

    def finish(at: float) -> None:
        record.data.update(
            {
                "vcpuCount": cpu,
                "ram": ram_mb,
                "disk": disk,
                "extraResource": resources,
                "productId": product["id"] if product else None,
                "discountPercent": product["discountPercent"] if product else 0,
                "status": previous,
            }
        )
        if product is not None:
            record.data["class"] = catalog.plan_class(product)

    store.scheduler.chain(record, store.now(), store.step, [(previous, finish)])
    return record.data


def add_traffic(store: Store, instance_id: str, amount: float) -> dict[str, Any]:
    """``amount`` TB more traffic. ``extraResource.bandwidthInTB`` stays an integer (the reference's
    ExtraResourceDetailSchema): whole TB are credited at once, a fraction is kept until fractions
    add up to a whole TB (0.5 + 0.5 -> +1)."""
    record = store.live_instance(instance_id)
    resources = dict(record["extraResource"])
    pending = round(record.traffic_fraction + amount, 6)
    whole = math.floor(pending)
    record.traffic_fraction = round(pending - whole, 6)
    resources["bandwidthInTB"] = int(resources.get("bandwidthInTB") or 0) + int(whole)
    record["extraResource"] = resources
    record["networkStatus"] = "active"
    return record.data


def change_password(store: Store, instance_id: str) -> dict[str, Any]:
    store.idle_instance(instance_id, "changing its password")
    return {"password": store.new_password()}


def delete_instance(store: Store, instance_id: str) -> None:
    record = store.live_instance(instance_id)
    store.scheduler.cancel(record)
    record["status"] = "deleted"
    for snapshot in store.snapshots.values():
        if snapshot["instanceId"] == instance_id:
            snapshot["isInstanceDeleted"] = True
    for fip in store.floating_ips.values():
        if fip["instanceId"] == instance_id:
            fip["instanceId"] = None
    store.backups.pop(instance_id, None)
