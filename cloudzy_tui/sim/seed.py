"""The seeded account: the same seed always gives the same world (ids, dates, addresses, stock).

Seed timestamps are laid out before ``SEED_BASE_EPOCH`` (2025-11-01T00:00:00Z), never from the wall clock.
A few objects start in a transitional state and settle one or two ``job_seconds`` after the simulator
was created (by its clock): instance ``dev-box`` (preparing_disk), ``k8s-node-2`` (initializing), a
snapshot of ``worker-01`` (IN_PROGRESS), an ISO and an image (DOWNLOADING), the backup profile of
``gitlab`` (pending).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from cloudzy_tui.sim import catalog
from cloudzy_tui.sim.config import SEED_BASE_EPOCH
from cloudzy_tui.sim.records import InstanceRecord, SnapshotRecord, set_status
from cloudzy_tui.sim.resources import backups, downloads, floating_ips, instances, snapshots, ssh_keys
from cloudzy_tui.sim.resources import catalog as offers
from cloudzy_tui.sim.sshkeys import make_ed25519, make_rsa
from cloudzy_tui.sim.store import Store

DAY = 86400.0

# hostname, region, plan (planId or "custom:cpu/ramGB/diskGB/bwTB"), os, status, options
SEED_INSTANCES: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
    (
        "web-01",
        "us-utah",
        "regular-2c-4g",
        "ubuntu-24.04",
        "active",
        {"ipv6": True, "features": ["monitoring"], "note": "Public website, behind the load balancer"},
    ),
    ("web-02", "us-utah", "regular-2c-4g", "ubuntu-24.04", "active", {"ipv6": True}),
    ("web-03", "nl-amsterdam", "regular-2c-4g", "ubuntu-22.04", "active", {}),
    (
        "db-primary",
        "us-newyork",
        "hf-8c-32g",
        "debian-12",
        "active",
        {"ipv6": True, "note": "PostgreSQL 16 primary", "extra": {"diskInGB": 200}},
    ),
    ("db-replica-1", "us-newyork", "hf-4c-8g", "debian-12", "active", {"ipv6": True}),
    ("cache-01", "de-frankfurt", "regular-1c-2g", "alpine-3.20", "active", {}),
    ("api-gateway", "us-utah", "custom:4/8/120/5", "ubuntu-24.04", "active", {"ddos": True, "ipv6": True}),
    ("worker-01", "nl-amsterdam", "regular-4c-8g", "ubuntu-22.04", "active", {}),
    ("worker-02", "nl-amsterdam", "regular-4c-8g", "ubuntu-22.04", "shutdown", {}),
    ("worker-03", "de-frankfurt", "regular-4c-8g", "rockylinux-9", "active", {}),
    ("ci-runner", "us-utah", "hf-4c-8g", "ubuntu-24.04", "active", {"features": ["nested"]}),
    (
        "vpn-gw",
        "nl-amsterdam",
        "regular-1c-1g",
        "debian-12",
        "active",
        {"app": "openvpn", "features": ["vpn-vless", "vpn-ss"]},
    ),
    ("mail", "de-frankfurt", "regular-1c-2g", "debian-12", "active", {}),
    ("monitoring", "us-utah", "regular-2c-4g", "ubuntu-22.04", "active", {"features": ["monitoring"]}),
    ("staging-web", "us-utah", "regular-1c-2g", "ubuntu-24.04", "shutdown", {}),
    ("dev-box", "us-newyork", "custom:2/4/60/2", "fedora-41", "preparing_disk", {}),
    ("gitlab", "us-utah", "regular-8c-16g", "almalinux-9", "active", {"app": "gitlab"}),
    ("k8s-master", "de-frankfurt", "regular-4c-8g", "ubuntu-22.04", "active", {"ipv6": True}),
    ("k8s-node-1", "de-frankfurt", "regular-8c-16g", "ubuntu-22.04", "active", {"ipv6": True}),
    ("k8s-node-2", "de-frankfurt", "regular-8c-16g", "ubuntu-22.04", "initializing", {"ipv6": True}),
    ("gpu-train-01", "de-frankfurt", "gpu-8c-32g-a100", "ubuntu-22.04", "active", {}),
    (
        "mt5-trader",
        "nl-amsterdam",
        "regular-2c-4g",
        "windows-server-2022",
        "active",
        {"app": "metatrader5", "features": ["metatrader5"]},
    ),
    ("wordpress-blog", "sg-singapore", "regular-1c-2g", "ubuntu-22.04", "active", {"app": "wordpress"}),
    (
        "nextcloud",
        "sg-singapore",
        "regular-2c-4g",
        "ubuntu-22.04",
        "active",
        {"network": "limited", "note": "Traffic quota used up this month"},
    ),
    (
        "legacy-crm",
        "jp-tokyo",
        "regular-2c-4g",
        "centos-7",
        "shutdown",
        {"admin": "Tokyo is being retired: migrate this instance before 2026-03-01"},
    ),
    ("rescue-box", "gb-london", "regular-1c-1g", "debian-11", "active", {"iso": "pfsense"}),
    ("win-rdp", "us-utah", "regular-4c-8g", "windows-server-2019", "shutdown", {}),
    ("backup-vault", "nl-amsterdam", "regular-2c-4g", "debian-12", "active", {"extra": {"diskInGB": 500}}),
    ("imported-app", "us-utah", "regular-2c-4g", "ubuntu-22.04", "active", {"image": "golden"}),
    ("old-test", "us-utah", "regular-1c-1g", "ubuntu-22.04", "deleted", {}),
    ("analytics", "us-newyork", "regular-4c-8g", "ubuntu-24.04", "active", {"team": True, "ipv6": True}),
    ("sandbox-team", "us-utah", "regular-1c-2g", "debian-12", "shutdown", {"team": True}),
]

GENERATED_REGIONS = ["us-utah", "nl-amsterdam", "de-frankfurt", "us-newyork"]


def populate(store: Store) -> None:
    """Fill an empty store with the account of ``store.config.seed`` (and ``config.instances`` generated ones),
    through the resource modules' public functions."""
    rng = random.Random(store.config.seed)
    base = SEED_BASE_EPOCH
    store.customer_id = store.new_uuid(rng)
    store.team_customer_id = store.new_uuid(rng)

    for region in catalog.REGIONS:
        store.regions[region["id"]] = _copy(region)
    for os_ in catalog.OPERATING_SYSTEMS:
        store.oses[os_["id"]] = dict(os_)
    for app in catalog.APPLICATIONS:
        store.applications[app["id"]] = _copy(app)
    plan_products: dict[tuple[str, str], dict[str, Any]] = {}
    for region in store.regions.values():
        for row in catalog.plans_for(region):
            product = _product(rng, store, region, row)
            store.products[product["id"]] = product
            plan_products[(region["id"], row[0])] = product

    _ssh_keys(store, rng)
    download_ids = _downloads(store, rng, base)
    _instances(store, rng, base, plan_products, download_ids)
    _floating_ips(store, rng, base)
    _snapshots_and_backups(store, rng, base)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _product(rng: random.Random, store: Store, region: dict[str, Any], row: catalog.PlanRow) -> dict[str, Any]:
    plan_id, plan_type, cpu, ram, storage, bandwidth, monthly, gpu_name, gpu_qty = row
    multiplier = catalog.REGION_PRICE[region["id"]]
    product_discount = 10 if region["isPremium"] else 0
    price_items = []
    for index, cycle in enumerate(catalog.BILLING_CYCLES, start=1):
        discount = catalog.CYCLE_DISCOUNT[cycle] + product_discount
        full_month = round(monthly * multiplier, 2)
        month = round(full_month * (1 - discount / 100), 2)
        price_items.append(
            {
                "id": index,
                "name": cycle,
                "hourlyPrice": round(month / catalog.HOURS_PER_MONTH, 4),
                "monthlyPrice": month,
                "hourlyPriceWithoutDiscount": round(full_month / catalog.HOURS_PER_MONTH, 4),
                "monthlyPriceWithoutDiscount": full_month,
                "discountPercent": discount,
            }
        )
    active = bool(region["isActive"])
    if region["isOutOfStock"]:
        stock: int | None = 0
    elif plan_type == "gpu":
        stock = rng.randint(1, 4)
    else:
        stock = rng.randint(8, 250)
    return {
        "id": store.new_uuid(rng),
        "regionId": region["id"],
        "planId": plan_id,
        "isActive": active,
        "networkMaxRate": 10000 if plan_type == "gpu" else 1000,
        "networkMaxRate95": 5000 if plan_type == "gpu" else 500,
        "discountPercent": product_discount,
        "remainingActualStock": stock,
        "remainingPreorderCapacity": 0 if region["isOutOfStock"] else rng.randint(0, 50),
        "overallActiveness": active and not region["isOutOfStock"],
        "ddosActiveness": bool(region["config"]["supportDdosIpv4"]),
        "plan": {
            "id": plan_id,
            "type": plan_type,
            "gpuName": gpu_name,
            "gpuQuantity": gpu_qty,
            "isActive": active,
            "specification": {
                "cpu": cpu,
                "ram": ram,
                "ramInMB": ram * 1024,
                "storage": storage,
                "bandwidthInTB": bandwidth,
            },
        },
        "priceItems": price_items,
    }


def _ssh_keys(store: Store, rng: random.Random) -> None:
    keys = [
        ("alice@laptop", make_ed25519(rng, "alice@laptop"), store.customer_id),
        ("ci-deploy", make_ed25519(rng, "deploy@ci.example.com"), store.customer_id),
        ("bob-workstation", make_rsa(rng, "bob@workstation", 2048), store.customer_id),
        ("ops-team", make_rsa(rng, "ops@example.com", 3072), store.team_customer_id),
    ]
    for name, public_key, customer in keys:
        ssh_keys.add_ssh_key(store, name, public_key, customer)


def _downloads(store: Store, rng: random.Random, base: float) -> dict[str, str]:
    start = store.started
    isos = [
        (
            "ubuntu",
            "Ubuntu 24.04.1 live server",
            "https://releases.ubuntu.com/24.04/ubuntu-24.04.1-live-server-amd64.iso",
            "us-utah",
            "READY",
        ),
        (
            "pfsense",
            "pfSense CE 2.7.2",
            "https://mirror.example.com/pfsense/pfSense-CE-2.7.2-RELEASE-amd64.iso",
            "gb-london",
            "READY",
        ),
        (
            "winiso",
            "Windows Server 2025 evaluation",
            "https://downloads.example.com/eval/WS2025.iso",
            "us-utah",
            "DOWNLOADING",
        ),
        ("broken", "custom-rescue", "https://mirror.unreachable.example/rescue.iso", "nl-amsterdam", "FAILED"),
        ("old", "old-installer", "https://files.example.org/old-installer.iso", "nl-amsterdam", "DELETED"),
    ]
    ids: dict[str, str] = {}
    for key, name, url, region, status in isos:
        created = base - rng.uniform(5, 200) * DAY
        if status == "DOWNLOADING":
            created = base - 600
        when = start if status == "DOWNLOADING" else created
        record = downloads.start_download(
            store,
            "iso",
            {"name": name, "url": url, "regionId": region, "useVirtio": key != "winiso"},
            now=when,
            status=status,
            rng=rng,
            created=created,
        )
        ids[key] = record.id
    images = [
        (
            "golden",
            "golden-web-2025-10",
            "https://images.example.com/golden-web-2025-10.qcow2",
            "us-utah",
            "qcow2",
            "none",
            "READY",
        ),
        (
            "legacy",
            "legacy-app-raw",
            "https://images.example.com/legacy-app.raw.gz",
            "nl-amsterdam",
            "raw",
            "gzip",
            "READY",
        ),
        (
            "winimg",
            "win2022-base",
            "https://images.example.com/win2022-base.vhdx.xz",
            "de-frankfurt",
            "vhdx",
            "xz",
            "DOWNLOADING",
        ),
        ("brokenimg", "broken-export", "https://files.test/export.vmdk", "us-utah", "vmdk", "none", "FAILED"),
    ]
    for key, name, url, region, fmt, decompress, status in images:
        created = base - rng.uniform(5, 200) * DAY
        if status == "DOWNLOADING":
            created = base - 600
        when = start if status == "DOWNLOADING" else created
        record = downloads.start_download(
            store,
            "image",
            {"name": name, "url": url, "regionId": region, "format": fmt, "decompress": decompress},
            now=when,
            status=status,
            rng=rng,
            created=created,
        )
        ids[key] = record.id
    return ids


def _instances(
    store: Store,
    rng: random.Random,
    base: float,
    plan_products: dict[tuple[str, str], dict[str, Any]],
    download_ids: dict[str, str],
) -> None:
    staged: list[InstanceRecord] = []
    for hostname, region_id, plan, os_id, status, opts in SEED_INSTANCES:
        product: dict[str, Any] | None
        if plan.startswith("custom:"):
            cpu, ram, disk, bw = (int(v) for v in plan[len("custom:") :].split("/"))
            product, extra = None, {"cpu": cpu, "ramInGB": ram, "diskInGB": disk, "bandwidthInTB": bw}
        else:
            product, extra = plan_products[(region_id, plan)], dict(opts.get("extra", {}))
        created = base - rng.uniform(3, 400) * DAY
        region = store.regions[region_id]
        data = instances.instance_data(
            store,
            instance_id=store.new_uuid(rng),
            hostname=hostname,
            region_id=region_id,
            product=product,
            extra=extra,
            os_id=os_id,
            status=status,
            created=created,
            user_id=store.team_customer_id if opts.get("team") else store.customer_id,
            klass=offers.plan_class(product) if product else "default",
            main_ip=None,
            main_ipv6=None,
            app_id=opts.get("app"),
            iso_id=download_ids[opts["iso"]] if "iso" in opts else None,
            from_image=download_ids[opts["image"]] if "image" in opts else None,
            ddos=bool(opts.get("ddos")),
            features=opts.get("features"),
            customer_note=opts.get("note"),
            admin_note=opts.get("admin"),
            network_status=opts.get("network", "active"),
        )
        if opts.get("ipv6") and region["config"]["supportIpv6"]:
            data["mainIpv6"] = "ipv6"  # placeholder, assigned below in listing order
        staged.append(
            InstanceRecord(
                data=data,
                host=store.pick_host(region_id, rng),
                monthly_price=offers.monthly_price(region_id, product, extra, "monthly"),
                billing_cycle="monthly",
                created=created,
            )
        )

    _generated(store, rng, base, plan_products, staged)
    staged.sort(key=lambda r: (r.created, r.data["id"]))
    now = store.started
    for record in staged:
        data = record.data
        data["mainIp"] = store.next_main_ip()
        if data["mainIpv6"] == "ipv6":
            data["mainIpv6"] = store.next_ipv6(data["region"])
        if data["ocaData"] is not None:
            data["ocaData"]["accessUrl"] = f"https://{data['mainIp']}/"
        store.add_instance(record)
        if data["status"] == "preparing_disk":
            instances.provision(store, record, now)
        elif data["status"] == "initializing":
            store.scheduler.chain(record, now, store.step, [("active", set_status(record, "active"))])


def _generated(
    store: Store,
    rng: random.Random,
    base: float,
    plan_products: dict[tuple[str, str], dict[str, Any]],
    staged: list[InstanceRecord],
) -> None:
    """``config.instances`` extra instances ``fleet-00001``..., cheap to build (10,000 in well under a second)."""
    count = max(0, int(store.config.instances))
    if not count:
        return
    plans = [row[0] for row in catalog.REGULAR_PLANS[:4]]
    oses = catalog.LINUX_OS
    width = max(5, len(str(count)))
    for number in range(1, count + 1):
        region_id = GENERATED_REGIONS[rng.randrange(len(GENERATED_REGIONS))]
        product = plan_products[(region_id, plans[rng.randrange(len(plans))])]
        created = base - rng.uniform(1, 720) * DAY
        data = instances.instance_data(
            store,
            instance_id=store.new_uuid(rng),
            hostname=f"fleet-{number:0{width}d}",
            region_id=region_id,
            product=product,
            extra=None,
            os_id=oses[rng.randrange(len(oses))],
            status="active" if rng.random() < 0.85 else "shutdown",
            created=created,
            user_id=store.customer_id,
            klass="default",
            main_ip=None,
            main_ipv6=None,
        )
        if store.regions[region_id]["config"]["supportIpv6"] and rng.random() < 0.5:
            data["mainIpv6"] = "ipv6"
        staged.append(
            InstanceRecord(
                data=data,
                host=f"{catalog.REGION_HOST[region_id]}-hv{rng.randint(1, 24):02d}",
                monthly_price=product["priceItems"][1]["monthlyPrice"],
                billing_cycle="monthly",
                created=created,
            )
        )


def _by_host(store: Store) -> dict[str, InstanceRecord]:
    return {r.data["hostname"]: r for r in store.instances.values() if not r.data["hostname"].startswith("fleet-")}


def _floating_ips(store: Store, rng: random.Random, base: float) -> None:
    hosts = _by_host(store)
    plan: list[tuple[str, str | None, bool, str | None, bool]] = [
        ("us-utah", "web-01", True, None, False),
        ("us-newyork", "db-primary", True, "Database failover address", False),
        ("nl-amsterdam", "vpn-gw", False, None, False),
        ("de-frankfurt", "k8s-master", True, "Kubernetes API", False),
        ("us-utah", None, True, "Reserved for the blue/green switch", False),
        ("us-utah", None, False, None, False),
        ("de-frankfurt", None, True, None, False),
        ("us-utah", None, False, "Old office VPN", True),
    ]
    for region_id, hostname, auto_renew, note, deleted in plan:
        floating_ips.new_floating_ip(
            store,
            region_id,
            base,
            instance_id=hosts[hostname].id if hostname else None,
            auto_renew=auto_renew,
            note=note,
            deleted=deleted,
            expires=base + rng.uniform(390, 720) * DAY,
            rng=rng,
        )


def _snapshots_and_backups(store: Store, rng: random.Random, base: float) -> None:
    hosts = _by_host(store)

    def snap(
        hostname: str,
        name: str | None,
        status: str,
        days_ago: float,
        *,
        automated: bool = False,
        restored_days_ago: float | None = None,
    ) -> SnapshotRecord:
        instance = hosts[hostname]
        created = base - days_ago * DAY
        record = SnapshotRecord(
            data=snapshots.snapshot_data(
                snapshot_id=store.new_uuid(rng),
                name=name or f"auto-{hostname}-{_date(created)}",
                instance=instance,
                status=status,
                created=created,
                size=max(1, int(instance["disk"] * rng.uniform(0.1, 0.6))),
                restored=base - restored_days_ago * DAY if restored_days_ago is not None else None,
            ),
            automated=automated,
            os_id=instance["osId"],
        )
        return snapshots.add_snapshot(store, record)

    snap("old-test", "old-test-final", "ACTIVE", 60)
    snap("gitlab", "gitlab-before-16.11-upgrade", "ACTIVE", 45)
    snap("db-primary", "db-primary-pre-migration", "ACTIVE", 30, restored_days_ago=28)
    snap("api-gateway", "api-gateway-nightly", "FAILED", 20)
    snap("web-01", "web-01-before-upgrade", "ACTIVE", 12)
    for days in (21, 14, 7):
        snap("db-primary", None, "ACTIVE", days, automated=True)
    snap("staging-web", None, "ACTIVE", 40, automated=True)
    for days in (3, 2, 1):
        snap("web-01", None, "ACTIVE", days, automated=True)
    in_progress = snap("worker-01", "worker-01-pre-deploy", "IN_PROGRESS", 0.01)
    store.scheduler.chain(in_progress, store.started, store.step, [("ACTIVE", set_status(in_progress, "ACTIVE"))])

    profiles = [
        ("web-01", "daily", [], 7, "active", 90),
        ("db-primary", "weekly", ["Sunday"], 30, "active", 200),
        ("staging-web", "daily", ["Monday", "Wednesday", "Friday"], 14, "inactive", 120),
        ("gitlab", "weekly", ["Monday", "Thursday"], 14, "pending", 0.02),
    ]
    for hostname, frequency, weekdays, period, status, days_ago in profiles:
        backups.create_backup(
            store, hosts[hostname].id, frequency, weekdays, period, status=status, created=base - days_ago * DAY
        )


def _date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%d")
