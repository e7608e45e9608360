"""Every endpoint's happy path, with the envelope and object shapes of the reference + notes."""

from __future__ import annotations

import base64
import hashlib
import random
import uuid

import httpx
import reference_fields

from cloudzy_tui.sim import FakeClock, Simulator
from cloudzy_tui.sim.app import ROUTES
from cloudzy_tui.sim.sshkeys import make_ed25519, make_rsa

from ._helpers import by_hostname, failed, ok, product_id

INSTANCE_FIELDS = {"id", *reference_fields.INSTANCE_FIELDS}
OS_FIELDS = {"id", *reference_fields.OS_FIELDS}
SNAPSHOT_FIELDS = {"id", *reference_fields.SNAPSHOT_FIELDS}
METADATA_FIELDS = {"hostname", "osName", "vcpuCount", "ram", "disk"}
REGION_FIELDS = {"id", *reference_fields.REGION_FIELDS}
REGION_CONFIG = {
    "supportIpv6",
    "supportRegularCpu",
    "supportHighFrequencyCpu",
    "supportMonitoring",
    "supportGpu",
    "supportCustomPlan",
    "ramThresholdInGB",
    "ipThreshold",
    "diskThresholdInGB",
    "supportDdosIpv4",
    "ddosIpv4Threshold",
}
PRODUCT_FIELDS = {"id", *reference_fields.PRODUCT_FIELDS}
PRICE_FIELDS = {
    "id",
    "name",
    "hourlyPrice",
    "monthlyPrice",
    "hourlyPriceWithoutDiscount",
    "monthlyPriceWithoutDiscount",
    "discountPercent",
}
APP_FIELDS = {"id", *reference_fields.APPLICATION_FIELDS}
FIP_FIELDS = {"id", *reference_fields.FLOATING_IP_FIELDS}
ISO_FIELDS = {"id", *reference_fields.ISO_FIELDS}
IMAGE_FIELDS = {"id", *reference_fields.IMAGE_FIELDS}
BACKUP_FIELDS = {"instanceId", *reference_fields.BACKUP_PROFILE_FIELDS}


def test_the_route_table_has_all_41_endpoints() -> None:
    assert len(ROUTES) == 41
    assert len({(m, p) for m, p, _ in ROUTES}) == 41


# ------------------------------------------------------------------------------------------------ instances
async def test_list_and_get_instance(api: httpx.AsyncClient, sim: Simulator) -> None:
    data = ok(await api.get("/v1/instances"))
    assert set(data) == {"instances", "bookmark"}
    assert len(data["instances"]) == 10
    assert isinstance(data["bookmark"], str)
    for item in data["instances"]:
        assert set(item) == INSTANCE_FIELDS
        assert set(item["os"]) == OS_FIELDS
        assert set(item["extraResource"]) == {"cpu", "ramInGB", "diskInGB", "bandwidthInTB"}
        assert item["status"] != "deleted"
    first = data["instances"][0]
    detail = ok(await api.get(f"/v1/instances/{first['id']}"))
    assert detail == first


async def test_create_instance_fixed_plan(api: httpx.AsyncClient, sim: Simulator) -> None:
    product = product_id(sim, "us-utah", "regular-2c-4g")
    body = {
        "hostnames": ["app-1", "app-2"],
        "region": "us-utah",
        "productId": product,
        "osId": "debian-12",
        "assignIpv4": True,
        "assignIpv6": True,
        "sshKeyIds": [101, 102],
        "floatingIPCount": 1,
        "extraResource": {"diskInGB": 20, "bandwidthInTB": 2},
        "featureIds": ["monitoring"],
    }
    data = ok(await api.post("/v1/instances", json=body))
    assert set(data) == {"instances"}
    created = data["instances"]
    assert [c["hostname"] for c in created] == ["app-1", "app-2"]
    for item in created:
        assert set(item) == INSTANCE_FIELDS
        assert item["status"] == "preparing_disk"
        assert item["productId"] == product
        assert (item["vcpuCount"], item["ram"], item["disk"]) == (2, 4096, 100)
        assert item["mainIp"] and item["mainIpv6"].startswith("2001:db8:")
        assert item["os"]["id"] == "debian-12"
        assert item["features"] == ["monitoring"]
        assert sim.instances[item["id"]].ssh_key_ids == [101, 102]
    # one attached floating IP per instance
    fips = [f for f in sim.floating_ips.values() if f["instanceId"] in {c["id"] for c in created}]
    assert len(fips) == 2
    # the new instances head the listing
    listing = ok(await api.get("/v1/instances", params={"limit": 5}))["instances"]
    assert {listing[0]["hostname"], listing[1]["hostname"]} == {"app-1", "app-2"}


async def test_create_instance_custom_plan(api: httpx.AsyncClient) -> None:
    body = {
        "hostnames": ["custom-instance"],
        "region": "us-utah",
        "class": "cpu-optimized",
        "extraResource": {"cpu": 4, "ramInGB": 8, "diskInGB": 100, "bandwidthInTB": 5},
        "osId": "ubuntu-22.04",
        "assignIpv4": True,
    }
    item = ok(await api.post("/v1/instances", json=body))["instances"][0]
    assert (item["vcpuCount"], item["ram"], item["disk"]) == (4, 8192, 100)
    assert item["productId"] is None
    assert item["class"] == "cpu-optimized"
    assert item["extraResource"] == {"cpu": 4, "ramInGB": 8, "diskInGB": 100, "bandwidthInTB": 5}


async def test_create_instance_with_application_and_defaults(api: httpx.AsyncClient, sim: Simulator) -> None:
    product = product_id(sim, "us-utah", "regular-1c-2g")
    item = ok(
        await api.post(
            "/v1/instances",
            json={"hostnames": ["blog"], "region": "us-utah", "productId": product, "appId": "wordpress"},
        )
    )["instances"][0]
    assert item["appId"] == "wordpress" and item["osId"] == "ubuntu-24.04"
    assert item["ocaData"]["appId"] == "wordpress"
    assert item["mainIp"] is None  # assignIpv4 defaults to false
    plain = ok(
        await api.post("/v1/instances", json={"hostnames": ["plain"], "region": "us-utah", "productId": product})
    )["instances"][0]
    default_os = next(o for o in sim.oses.values() if o["isDefault"])
    assert plain["osId"] == default_os["id"]


async def test_instance_actions_return_the_instance(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    web = by_hostname(sim, "web-01")
    stopped = by_hostname(sim, "worker-02")
    assert ok(await api.post(f"/v1/instances/{web}/poweroff"))["status"] == "stopping"
    assert ok(await api.post(f"/v1/instances/{stopped}/poweron"))["status"] == "starting"
    clock.advance(3)
    assert ok(await api.post(f"/v1/instances/{web}/reset"))["status"] == "resetting"
    clock.advance(3)
    assert ok(await api.post(f"/v1/instances/{web}/change-os", json={"osId": "debian-12"}))["osId"] == "debian-12"
    clock.advance(6)
    bigger = product_id(sim, "us-utah", "regular-4c-8g")
    assert (
        ok(await api.post(f"/v1/instances/{web}/resize", json={"type": "FIXED", "productId": bigger}))["status"]
        == "resizing"
    )
    clock.advance(3)
    traffic = ok(await api.post(f"/v1/instances/{web}/add-traffic", json={"amount": 2}))
    assert traffic["extraResource"]["bandwidthInTB"] == 2
    password = ok(await api.post(f"/v1/instances/{web}/change-pass"))
    assert set(password) == {"password"} and len(password["password"]) >= 12
    assert ok(await api.delete(f"/v1/instances/{web}")) is None
    failed(await api.get(f"/v1/instances/{web}"), 404)


# ------------------------------------------------------------------------------------------------ catalog
async def test_regions(api: httpx.AsyncClient) -> None:
    regions = ok(await api.get("/v1/regions"))
    assert isinstance(regions, list) and len(regions) >= 5
    for region in regions:
        assert set(region) == REGION_FIELDS
        assert set(region["config"]) == REGION_CONFIG
        assert all(isinstance(k, str) and isinstance(v, int) for k, v in region["position"].items())
    configs = {r["id"]: r for r in regions}
    assert any(not r["config"]["supportIpv6"] for r in regions)
    assert any(r["config"]["supportCustomPlan"] for r in regions)
    assert any(r["config"]["supportGpu"] for r in regions)
    assert any(r["isPremium"] for r in regions)
    assert any(r["isOutOfStock"] for r in regions)
    assert any(not r["isActive"] for r in regions) and any(r["isHidden"] for r in regions)
    assert len({tuple(sorted(r["config"].items())) for r in configs.values()}) >= 5


async def test_products(api: httpx.AsyncClient) -> None:
    products = ok(await api.get("/v1/products", params={"regionId": "de-frankfurt"}))
    assert isinstance(products, list) and products
    for product in products:
        assert set(product) == PRODUCT_FIELDS
        assert product["regionId"] == "de-frankfurt"
        assert set(product["plan"]) == {"id", "type", "gpuName", "gpuQuantity", "isActive", "specification"}
        spec = product["plan"]["specification"]
        assert set(spec) == {"cpu", "ram", "ramInMB", "storage", "bandwidthInTB"}
        assert spec["ramInMB"] == spec["ram"] * 1024
        assert len(product["priceItems"]) >= 3
        for item in product["priceItems"]:
            assert set(item) == PRICE_FIELDS
            assert item["monthlyPrice"] <= item["monthlyPriceWithoutDiscount"]
    assert any(p["plan"]["type"] == "gpu" and p["plan"]["gpuName"] for p in products)


async def test_os_and_applications(api: httpx.AsyncClient) -> None:
    oses = ok(await api.get("/v1/os"))["os"]
    assert len(oses) >= 10
    assert all(set(o) == OS_FIELDS for o in oses)
    assert sum(o["isDefault"] for o in oses) == 1
    assert any(not o["isActive"] for o in oses)
    apps = ok(await api.get("/v1/applications"))["applications"]
    assert len(apps) >= 6
    ids = {o["id"] for o in oses}
    for app in apps:
        assert set(app) == APP_FIELDS
        assert app["osList"] and set(app["osList"]) <= ids
    assert sum(a["isExperimental"] for a in apps) == 1


# ------------------------------------------------------------------------------------------------ SSH keys
async def test_ssh_keys_crud_and_fingerprint(api: httpx.AsyncClient) -> None:
    keys = ok(await api.get("/v1/ssh-keys"))
    assert isinstance(keys, list) and 3 <= len(keys) <= 4
    for key in keys:
        assert set(key) == {"id", "name", "publicKey", "customerId", "fingerprint"}
        assert isinstance(key["id"], int)
        blob = base64.b64decode(key["publicKey"].split()[1])
        assert key["fingerprint"] == "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    types = {k["publicKey"].split()[0] for k in keys}
    assert {"ssh-ed25519", "ssh-rsa"} <= types

    public = make_ed25519(random.Random(99), "me@host")
    created = ok(await api.post("/v1/ssh-keys", json={"name": "mine", "publicKey": public}))
    assert created["name"] == "mine" and created["fingerprint"].startswith("SHA256:")
    assert ok(await api.get(f"/v1/ssh-keys/{created['id']}")) == created
    assert ok(await api.delete(f"/v1/ssh-keys/{created['id']}")) is None
    failed(await api.get(f"/v1/ssh-keys/{created['id']}"), 404)
    rsa = ok(await api.post("/v1/ssh-keys", json={"name": "rsa", "publicKey": make_rsa(random.Random(3), "x")}))
    assert rsa["publicKey"].startswith("ssh-rsa ")


async def test_ssh_key_customer_id_is_always_a_uuid4(api: httpx.AsyncClient, sim: Simulator) -> None:
    # SSHKeyReadSchema: "customerId": {"type": "string", "format": "uuid4"} -- whatever a client sends
    rng = random.Random(5)
    for bad, kind in [
        ("c-1", "type_error.uuid"),
        ("12345", "type_error.uuid"),
        ("a8098c1a-f86e-11da-bd1a-00112444be1e", "value_error.uuid.version"),
    ]:
        reply = await api.post(
            "/v1/ssh-keys", json={"name": "k", "publicKey": make_ed25519(rng, "k"), "customerId": bad}
        )
        assert reply.status_code == 422
        assert reply.json()["detail"][0]["loc"] == ["body", "customerId"]
        assert reply.json()["detail"][0]["type"] == kind
    team = sim.team_customer_id.upper()
    key = ok(
        await api.post("/v1/ssh-keys", json={"name": "k", "publicKey": make_ed25519(rng, "k"), "customerId": team})
    )
    assert key["customerId"] == sim.team_customer_id  # canonical lower-case form
    for stored in ok(await api.get("/v1/ssh-keys")):
        assert uuid.UUID(stored["customerId"]).version == 4


# ------------------------------------------------------------------------------------------------ floating IPs
async def test_floating_ips(api: httpx.AsyncClient) -> None:
    data = ok(await api.get("/v1/floating-ips"))
    assert set(data) == {"floatingIps", "total"}
    assert all(set(f) == FIP_FIELDS for f in data["floatingIps"])
    assert any(f["instanceId"] for f in data["floatingIps"]) and any(not f["instanceId"] for f in data["floatingIps"])
    allocated = ok(await api.post("/v1/floating-ips", json={"regionId": "us-utah", "count": 2}))
    assert set(allocated) == {"floatingIps"} and len(allocated["floatingIps"]) == 2
    fip = allocated["floatingIps"][0]
    assert fip["regionId"] == "us-utah" and fip["instanceId"] is None and not fip["isDeleted"]
    updated = ok(
        await api.patch(
            f"/v1/floating-ips/{fip['id']}", json={"autoRenew": False, "customerNote": "Production server IP"}
        )
    )
    assert updated["autoRenew"] is False and updated["customerNote"] == "Production server IP"
    released = ok(await api.post(f"/v1/floating-ips/{fip['id']}/release"))
    assert released["isDeleted"] is True
    assert ok(await api.get("/v1/floating-ips"))["total"] == data["total"] + 1


# ------------------------------------------------------------------------------------------------ ISO / images
async def test_iso_crud(api: httpx.AsyncClient) -> None:
    data = ok(await api.get("/v1/iso"))
    assert set(data) == {"isos", "total"}
    assert all(set(i) == ISO_FIELDS for i in data["isos"])
    iso = ok(
        await api.post(
            "/v1/iso",
            json={
                "name": "Custom Linux ISO",
                "url": "https://example.com/custom.iso",
                "regionId": "us-utah",
                "useVirtio": True,
            },
        )
    )
    assert set(iso) == ISO_FIELDS and iso["status"] == "DOWNLOADING" and iso["progress"] == 0
    assert ok(await api.get(f"/v1/iso/{iso['id']}"))["id"] == iso["id"]
    assert ok(await api.delete(f"/v1/iso/{iso['id']}")) is None
    assert ok(await api.get(f"/v1/iso/{iso['id']}"))["status"] == "DELETED"


async def test_image_crud(api: httpx.AsyncClient) -> None:
    data = ok(await api.get("/v1/images"))
    assert set(data) == {"images", "total"}
    assert all(set(i) == IMAGE_FIELDS for i in data["images"])
    image = ok(
        await api.post(
            "/v1/images",
            json={
                "name": "Custom Image",
                "url": "https://example.com/image.qcow2",
                "regionId": "us-utah",
                "format": "qcow2",
                "decompress": "gzip",
            },
        )
    )
    assert set(image) == IMAGE_FIELDS and image["format"] == "qcow2" and image["decompress"] == "gzip"
    assert ok(await api.get(f"/v1/images/{image['id']}"))["name"] == "Custom Image"
    assert ok(await api.delete(f"/v1/images/{image['id']}")) is None


async def test_image_without_format_or_decompress_still_names_both(api: httpx.AsyncClient) -> None:
    # the notes list an image's format and decompress without "?": strings, never null, even when the
    # request (where they are optional) leaves them out
    expected = {
        "https://example.com/disk.qcow2": ("qcow2", "none"),
        "https://example.com/legacy.raw.gz": ("raw", "gzip"),
        "https://example.com/win.vhdx.xz?token=1": ("vhdx", "xz"),
        "https://example.com/export.img": ("raw", "none"),
        "https://example.com/download": ("qcow2", "none"),
    }
    for url, (fmt, decompress) in expected.items():
        image = ok(await api.post("/v1/images", json={"name": "x", "url": url, "regionId": "us-utah"}))
        assert (image["format"], image["decompress"]) == (fmt, decompress), url
        again = ok(await api.get(f"/v1/images/{image['id']}"))
        assert (again["format"], again["decompress"]) == (fmt, decompress)
    listed = ok(await api.get("/v1/images", params={"limit": 100}))["images"]
    assert all(isinstance(i["format"], str) and isinstance(i["decompress"], str) for i in listed)
    named = ok(
        await api.post(
            "/v1/images",
            json={
                "name": "y",
                "url": "https://example.com/a.qcow2.gz",
                "regionId": "us-utah",
                "format": "vmdk",
                "decompress": "none",
            },
        )
    )
    assert (named["format"], named["decompress"]) == ("vmdk", "none")  # what was sent wins


# ------------------------------------------------------------------------------------------------ snapshots
async def test_snapshots_crud(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    data = ok(await api.get("/v1/snapshots"))
    assert set(data) == {"snapshots", "total"}
    for snap in data["snapshots"]:
        assert set(snap) == SNAPSHOT_FIELDS and set(snap["metadata"]) == METADATA_FIELDS
        assert snap["createdAt"] > 10**11  # milliseconds
    web = by_hostname(sim, "web-02")
    snap = ok(await api.post("/v1/snapshots", json={"instanceId": web}))
    assert snap["status"] == "IN_PROGRESS" and snap["instanceId"] == web
    assert snap["metadata"]["hostname"] == "web-02"
    assert ok(await api.get(f"/v1/snapshots/{snap['id']}"))["id"] == snap["id"]
    clock.advance(3)
    restoring = ok(await api.post(f"/v1/snapshots/{snap['id']}/restore"))
    assert restoring["status"] == "RESTORING"
    clock.advance(3)
    assert ok(await api.delete(f"/v1/snapshots/{snap['id']}")) is None
    failed(await api.get(f"/v1/snapshots/{snap['id']}"), 404)


# ------------------------------------------------------------------------------------------------ backups
async def test_backups_crud(api: httpx.AsyncClient, sim: Simulator) -> None:
    data = ok(await api.get("/v1/backups"))
    assert set(data) == {"backups"}
    assert len(data["backups"]) >= 3
    for profile in data["backups"]:
        assert set(profile) == BACKUP_FIELDS
        assert set(profile["instanceData"]) == METADATA_FIELDS
        for item in profile["backupFiles"]:
            assert set(item) == SNAPSHOT_FIELDS and item["instanceId"] == profile["instanceId"]
    assert any(p["backupFiles"] for p in data["backups"])
    target = by_hostname(sim, "web-03")
    created = ok(
        await api.post(
            "/v1/backups",
            json={
                "instanceId": target,
                "scheduleFrequency": "daily",
                "periodId": 30,
                "scheduleWeekDays": ["Monday", "Friday"],
            },
        )
    )
    assert created["instanceId"] == target and created["status"] == "pending"
    assert created["periodId"] == 30 and created["maxFiles"] == 30
    assert created["monthlyPrice"] > 0 and created["feePercentage"] == 20
    updated = ok(
        await api.put(
            "/v1/backups",
            json={"instanceId": target, "scheduleFrequency": "weekly", "periodId": 7, "scheduleWeekDays": ["Sunday"]},
        )
    )
    assert updated["scheduleFrequency"] == "weekly" and updated["scheduleWeekDays"] == ["Sunday"]
    assert ok(await api.get(f"/v1/backups/{target}"))["periodId"] == 7
    assert ok(await api.delete(f"/v1/backups/{target}")) is None
    failed(await api.get(f"/v1/backups/{target}"), 404)


async def test_backup_bodies_with_only_the_required_fields(api: httpx.AsyncClient, sim: Simulator) -> None:
    # Create/UpdateBackupProfileRequestSchema require instanceId, scheduleFrequency, periodId only
    target = by_hostname(sim, "web-03")
    weekly = ok(
        await api.post("/v1/backups", json={"instanceId": target, "scheduleFrequency": "weekly", "periodId": 14})
    )
    assert weekly["scheduleWeekDays"] == ["Sunday"] and weekly["maxFiles"] == 2
    changed = ok(
        await api.put(
            "/v1/backups",
            json={
                "instanceId": target,
                "scheduleFrequency": "weekly",
                "periodId": 7,
                "scheduleWeekDays": ["Monday", "Friday"],
            },
        )
    )
    assert changed["scheduleWeekDays"] == ["Monday", "Friday"]
    kept = ok(await api.put("/v1/backups", json={"instanceId": target, "scheduleFrequency": "weekly", "periodId": 30}))
    assert kept["scheduleWeekDays"] == ["Monday", "Friday"] and kept["periodId"] == 30  # not sent: kept
    daily = ok(
        await api.put(
            "/v1/backups",
            json={"instanceId": target, "scheduleFrequency": "daily", "periodId": 7, "scheduleWeekDays": []},
        )
    )
    assert daily["scheduleWeekDays"] == [] and daily["maxFiles"] == 7
    back = ok(await api.put("/v1/backups", json={"instanceId": target, "scheduleFrequency": "weekly", "periodId": 7}))
    assert back["scheduleWeekDays"] == ["Sunday"]
    other = by_hostname(sim, "cache-01")
    plain = ok(await api.post("/v1/backups", json={"instanceId": other, "scheduleFrequency": "daily", "periodId": 7}))
    assert plain["scheduleWeekDays"] == [] and plain["maxFiles"] == 7
