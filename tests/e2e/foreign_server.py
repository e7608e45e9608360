"""The foreign server of ``test_foreign_console.py``: an ``httpx.MockTransport`` handler written by hand from the API
reference and the notes (it imports nothing of ``cloudzy_tui.sim``). Its account is odd but legal: ids as numbers
where ours are strings and the reverse, numbers and booleans as strings ("2048", "25.5", "true"), floats where
integers are meant (``2.0`` vCPUs), one object per resource with every optional field ``null``, unknown extra fields,
unknown statuses (instance ``migrating``, snapshot ``QUEUED``, ISO ``VALIDATING``), epoch seconds where our simulator
sends milliseconds (snapshots, backups) and an epoch where it sends ISO text (``insertedAt``), empty strings, an
instance with no IP, no OS object and a region nobody lists, a region whose ``config`` lacks keys (and one with
``config: null``), a product without price items (and one without ``regionId``), an unattached floating IP, a backup
profile without files, very long and non-ASCII names, lists directly under ``data`` or under keys of their own, and
few-item pages (instances by a bookmark that repeats, snapshots by page and a ``total`` sent as text, floating IPs
until an empty page).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import httpx
import reference_fields

TOKEN = "foreign-token-0123456789"
BASE_URL = "https://api.foreign.example/developers"
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC, in seconds
EPOCH_SHOWN = "2023-11-14 22:13 UTC"
NOW = 1_782_907_200.0  # the console's frozen wall clock: 2026-07-01 12:00 UTC

UNICODE_HOST = "Ünïcødé-sërver-東京"
LONG_HOST = "very-long-hostname-" + "x" * 220
LONG_REGION = "Frankfurt " + "am Main " * 30
UNICODE_REGION = "Zürich – Straße 東京"

# ---------------------------------------------------------------------------------------------------- the account


def nulls(ident: Any, *fields: str) -> dict[str, Any]:
    """An object with its id and every other field ``null``."""
    return {"id": ident, **dict.fromkeys(fields)}


REGIONS: list[dict[str, Any]] = [
    {  # id a number; booleans as strings; config lacks most keys; a field the reference does not know
        "id": 7,
        "name": UNICODE_REGION,
        "abbr": "ZRH",
        "image": None,
        "isActive": "true",
        "isOutOfStock": "false",
        "overallActiveness": "high",
        "ddosActiveness": None,
        "isPremium": "0",
        "isHidden": "false",
        "hasOffsetPrice": None,
        "maxDiscountPercent": 20.0,
        "position": None,
        "config": {"supportRegularCpu": "true", "supportCustomPlan": "1", "ramThresholdInGB": "64"},
        "carbonNeutral": True,
    },
    {  # config null, empty abbreviation, a very long name
        "id": "fra-2",
        "name": LONG_REGION,
        "abbr": "",
        "isActive": True,
        "isHidden": False,
        "config": None,
    },
    {"id": "hidden-1", "name": "Hidden place", "isActive": True, "isHidden": "true", "config": {}},
    nulls("r-null", *reference_fields.REGION_FIELDS),
]

PRODUCTS: dict[str, list[dict[str, Any]]] = {
    "7": [
        {  # numbers as strings everywhere, ids as numbers, an unknown field
            "id": 501,
            "regionId": 7,
            "planId": None,
            "isActive": "true",
            "networkMaxRate": "1000",
            "networkMaxRate95": None,
            "discountPercent": "12.50",
            "remainingActualStock": "3",
            "remainingPreorderCapacity": None,
            "overallActiveness": "medium",
            "ddosActiveness": None,
            "plan": {
                "id": 3,
                "type": "regular",
                "gpuName": None,
                "gpuQuantity": None,
                "isActive": "1",
                "specification": {"cpu": "4", "ram": "2", "ramInMB": "2048", "storage": "25.5", "bandwidthInTB": "1"},
            },
            "priceItems": [
                {
                    "id": 1,
                    "name": "hourly",
                    "hourlyPrice": "0.01",
                    "monthlyPrice": "7.20",
                    "hourlyPriceWithoutDiscount": None,
                    "monthlyPriceWithoutDiscount": None,
                    "discountPercent": None,
                },
                {"id": 2, "name": "monthly", "hourlyPrice": None, "monthlyPrice": "6.50"},
            ],
            "promo": {"code": "X"},
        },
        {  # no price items at all; a specification with RAM only in MB
            "id": "p-502",
            "regionId": "7",
            "isActive": True,
            "priceItems": [],
            "plan": {"type": "regular", "specification": {"cpu": 1, "ramInMB": 1024, "storage": 10}},
        },
        nulls("p-null", *reference_fields.PRODUCT_FIELDS),
    ],
    "fra-2": [{"id": "p-fra", "plan": None, "priceItems": None}],  # no regionId: the region asked for
}

OS_LIST: list[dict[str, Any]] = [
    {
        "id": 42,
        "name": "Debian 12 🐧",
        "family": "linux",
        "arch": None,
        "minRam": "1 GB",
        "isDefault": "true",
        "isActive": "true",
        "releasedAt": EPOCH,
    },
    {
        "id": "win-2022",
        "name": "Windows Server 2022",
        "family": "windows",
        "minRam": 4096,
        "isDefault": None,
        "isActive": 1,
    },
    {"id": "old-os", "name": "Retired OS", "family": None, "isActive": "false"},
    nulls("os-null", *reference_fields.OS_FIELDS),
]

APPLICATIONS: list[dict[str, Any]] = [
    {
        "id": 3,
        "name": "WordPress ✨",
        "price": "5",
        "pricingType": None,
        "isActive": "true",
        "logoUrl": None,
        "tag": "",
        "isExperimental": "false",
        "description": None,
        "osFamily": "linux",
        "osList": [42, "win-2022"],
        "rating": 4.5,
    },
    {"id": "docker", "name": "Docker", "price": None, "isActive": True, "osList": [], "description": ""},
    nulls("app-null", *reference_fields.APPLICATION_FIELDS),
]

INSTANCES: list[dict[str, Any]] = [
    {  # an id as a number, numbers as strings, an unknown status, epoch seconds, unknown fields
        "id": 1001,
        "hostname": UNICODE_HOST,
        "vcpuCount": "4",
        "ram": "2048",
        "disk": "25.5",
        "insertedAt": EPOCH,
        "osId": None,
        "isoId": None,
        "fromImage": None,
        "os": {"id": 42, "name": "Debian 12 🐧", "family": "linux", "minRam": "1 GB", "isDefault": "true"},
        "region": "7",
        "userId": 555,
        "appId": None,
        "status": "migrating",
        "mainIp": "203.0.113.10",
        "mainIpv6": None,
        "productId": 501,
        "networkStatus": None,
        "discountPercent": 15.0,
        "attachIso": "0",
        "extraResource": {"cpu": None, "ramInGB": None, "diskInGB": "10", "bandwidthInTB": None},
        "class": None,
        "ocaData": None,
        "isDdosProtected": "false",
        "customerNote": "",
        "adminNote": None,
        "features": None,
        "hypervisor": {"name": "kvm"},
        "tags": ["prod"],
    },
    {  # no IP at all, no OS object (an id nobody lists), a region nobody lists, a very long name
        "id": "b-2",
        "hostname": LONG_HOST,
        "vcpuCount": 1,
        "ram": 1024,
        "disk": None,
        "insertedAt": "",
        "osId": "unknown-os",
        "os": None,
        "region": "atlantis",
        "status": "active",
        "mainIp": None,
        "mainIpv6": "",
        "productId": None,
        "class": "default",
        "features": ["nested", "quantum"],
    },
    {  # the second page of the bookmark walk; floats for integers; milliseconds as a string
        "id": 1003,
        "hostname": "plain-host",
        "vcpuCount": 2.0,
        "ram": 3072.0,
        "disk": 40.5,
        "insertedAt": str(EPOCH * 1000),
        "osId": 42,
        "os": None,
        "region": "7",
        "status": "shutdown",
        "mainIp": "198.51.100.3",
        "productId": None,
        "features": [],
    },
    nulls("n-4", *reference_fields.INSTANCE_FIELDS),
]

SNAPSHOTS: list[dict[str, Any]] = [
    {  # an unknown status; id, instanceId and regionId as numbers; sizes as strings; extra metadata
        "id": 9001,
        "name": "nightly ❄ snapshot",
        "size": "20",
        "status": "QUEUED",
        "lastRestoredAt": None,
        "createdAt": EPOCH,
        "isInstanceDeleted": "false",
        "productId": 501,
        "instanceId": 1001,
        "userId": None,
        "regionId": 7,
        "metadata": {
            "hostname": None,
            "osName": "Debian",
            "vcpuCount": "4",
            "ram": "2048",
            "disk": "25",
            "cpuModel": "EPYC",
        },
    },
    {  # an empty name; size in bytes; milliseconds; its instance gone; no metadata
        "id": "s-2",
        "name": "",
        "size": 21_474_836_480,
        "status": "ACTIVE",
        "createdAt": EPOCH * 1000,
        "lastRestoredAt": EPOCH * 1000,
        "isInstanceDeleted": "true",
        "instanceId": "gone-instance",
        "userId": "u",
        "regionId": "fra-2",
        "metadata": None,
    },
    {  # the second page; a time as a string of seconds; no instance at all
        "id": "s-3",
        "name": "Ω-" + "snapshot-with-a-long-name-" * 6,
        "size": None,
        "status": "RESTORING",
        "createdAt": str(EPOCH),
        "isInstanceDeleted": None,
        "instanceId": None,
        "regionId": None,
    },
    nulls("s-null", *reference_fields.SNAPSHOT_FIELDS),
]

BACKUPS: list[dict[str, Any]] = [
    {  # no backup files; an unknown frequency; numbers as strings; an upper-case status
        "instanceId": 1001,
        "instanceData": None,
        "status": "ACTIVE",
        "monthlyPrice": "1.99",
        "feePercentage": "10",
        "scheduleFrequency": "monthly",
        "scheduleWeekDays": None,
        "maxFiles": "5",
        "periodId": "14",
        "lastSuccessfulBackupTime": None,
        "backupFiles": [],
        "createdAt": EPOCH,
        "retention": "14 days",
    },
    {  # a day spelt the server's own way; one backup file, with an unknown status
        "instanceId": "b-2",
        "instanceData": {"hostname": LONG_HOST, "ram": "1024"},
        "status": "pending",
        "scheduleFrequency": "weekly",
        "scheduleWeekDays": ["Monday", "Funday"],
        "periodId": 7,
        "backupFiles": [{"id": 77, "name": "auto-1", "status": "UPLOADING", "createdAt": EPOCH}],
        "lastSuccessfulBackupTime": EPOCH,
    },
    {
        "instanceId": "n-4",
        **dict.fromkeys(reference_fields.BACKUP_PROFILE_FIELDS),
    },
]

FLOATING_IPS: list[dict[str, Any]] = [
    {  # unattached; id a number; booleans as strings; expired (epoch seconds)
        "id": 1,
        "ipAddress": "198.51.100.7",
        "regionId": 7,
        "instanceId": None,
        "autoRenew": "false",
        "customerNote": None,
        "expiresAt": EPOCH,
        "isDeleted": "0",
    },
    {  # attached to instance 1001 (a number); expires in the future (milliseconds); a non-ASCII note
        "id": "fip-2",
        "ipAddress": "2001:db8::1",
        "regionId": "7",
        "instanceId": 1001,
        "autoRenew": "true",
        "customerNote": "Ünïcode nöte ✓",
        "expiresAt": int(NOW + 86_400 * 30) * 1000,
        "isDeleted": None,
    },
    nulls("fip-null", *reference_fields.FLOATING_IP_FIELDS),
]

ISOS: list[dict[str, Any]] = [
    {
        "id": 77,
        "name": "Arch Linux 🏔 ISO",
        "url": "https://example.org/arch.iso",
        "status": "VALIDATING",
        "regionId": 7,
        "useVirtio": "true",
        "createdAt": EPOCH,
        "progress": "42.5",
        "checksum": None,
    },
    nulls("iso-null", *reference_fields.ISO_FIELDS),
]

IMAGES: list[dict[str, Any]] = [
    {
        "id": "img-1",
        "name": "Ubuntu gold image",
        "url": "https://example.org/gold.qcow2",
        "status": "CONVERTING",
        "regionId": "fra-2",
        "format": None,
        "decompress": "",
        "createdAt": str(EPOCH),
        "progress": 100.0,
    },
    nulls("img-null", *reference_fields.IMAGE_FIELDS),
]

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f tëst@laptop"
SSH_KEYS: list[dict[str, Any]] = [
    {"id": "7", "name": "laptop 💻 key", "publicKey": SSH_KEY, "customerId": None},  # no fingerprint at all
    {"id": 8, "name": "key-" + "k" * 120, "publicKey": "", "customerId": "c-1", "fingerprint": None},
    nulls(9, "name", "publicKey", "customerId", "fingerprint"),
]

# ---------------------------------------------------------------------------------------------------- the server


def reply_ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"detail": "", "code": "OKAY", "data": data})


def _not_found(what: str) -> httpx.Response:
    # Worded its own way, without the reference's data.statusCode.
    return httpx.Response(404, json={"detail": f"no such {what}", "code": "NOT_FOUND"})


def _by_id(items: list[dict[str, Any]], wanted: str, key: str = "id") -> dict[str, Any] | None:
    return next((item for item in items if str(item.get(key)) == wanted), None)


class ForeignServer:
    """A server that speaks the reference in its own way (see the module docstring). Read-only: a request that
    would change something is recorded and refused, so a test that meant to cancel can tell it did."""

    PAGE = 2  # snapshots per page, whatever ``limit`` asks for

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path.removeprefix("/developers"))
        params = dict(request.url.params)
        response = self._route(request.method, path, params)
        self.requests.append((request.method, path, params, response.status_code))
        return response

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _, _ in self.requests if m != "GET"]

    def unexpected(self) -> list[tuple[str, str, int]]:
        """Requests answered with anything but 200, except the 404 of an instance without a backup profile."""
        return [(m, p, s) for m, p, _, s in self.requests if s != 200 and not (s == 404 and p == "/v1/backups/1003")]

    def _route(self, method: str, path: str, params: dict[str, str]) -> httpx.Response:
        if method != "GET":
            return httpx.Response(405, json={"detail": "this test server is read-only", "code": "FAILED"})
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"] or len(parts) < 2:
            return httpx.Response(404, json={"detail": "Not Found"})
        kind, rest = parts[1], parts[2:]
        if kind == "instances":
            return self._instance(rest[0]) if rest else self._instances(params)
        if kind == "regions" and not rest:
            return reply_ok(REGIONS)  # directly under data
        if kind == "products" and not rest:
            return reply_ok(PRODUCTS.get(params.get("regionId", ""), []))
        if kind == "os" and not rest:
            return reply_ok({"os": OS_LIST, "total": len(OS_LIST)})
        if kind == "applications" and not rest:
            return reply_ok({"applications": APPLICATIONS})
        if kind == "ssh-keys":
            if rest:
                key = _by_id(SSH_KEYS, rest[0])
                return reply_ok(key) if key else _not_found("key")
            return reply_ok({"keys": SSH_KEYS})  # under a key of its own
        if kind == "snapshots":
            if rest:
                snapshot = _by_id(SNAPSHOTS, rest[0])
                return reply_ok(snapshot) if snapshot else _not_found("snapshot")
            return self._snapshots(params)
        if kind == "backups":
            if rest:
                profile = _by_id(BACKUPS, rest[0], key="instanceId")
                return reply_ok(profile) if profile else _not_found("backup profile")
            return reply_ok(BACKUPS)  # directly under data
        if kind == "floating-ips" and not rest:
            page = int(params.get("page", "1"))  # one per page, no total: the walk ends on an empty page
            return reply_ok({"floatingIps": FLOATING_IPS[page - 1 : page]})
        if kind in ("iso", "images"):
            items = ISOS if kind == "iso" else IMAGES
            if rest:
                found = _by_id(items, rest[0])
                return reply_ok(found) if found else _not_found(kind)
            if kind == "iso":
                return reply_ok({"isos": items, "total": str(len(items))})
            return reply_ok(items if params.get("page", "1") == "1" else [])  # a bare list, paged
        return httpx.Response(404, json={"detail": "Not Found"})

    def _instances(self, params: dict[str, str]) -> httpx.Response:
        # Two pages; the last one repeats the bookmark it was asked with (the API's way of saying "no more").
        if params.get("bookmark") is None:
            return reply_ok({"instances": INSTANCES[:2], "bookmark": "after-b-2"})
        return reply_ok({"instances": INSTANCES[2:], "bookmark": params["bookmark"]})

    def _instance(self, wanted: str) -> httpx.Response:
        found = _by_id(INSTANCES, wanted)
        return reply_ok({**found, "detailOnly": {"cpuModel": "EPYC"}}) if found else _not_found("instance")

    def _snapshots(self, params: dict[str, str]) -> httpx.Response:
        items = SNAPSHOTS
        if "instance_id" in params:
            items = [s for s in items if str(s.get("instanceId")) == params["instance_id"]]
        page = int(params.get("page", "1"))
        chunk = items[(page - 1) * self.PAGE : page * self.PAGE]
        return reply_ok({"snapshots": chunk, "total": str(len(items))})
