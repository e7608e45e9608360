"""Tolerance: the client must work against any server that speaks the reference, not only our simulator.

A small hand-written "foreign server" (``httpx.MockTransport``) answers with the reference's shapes but with the
variations our simulator never sends: ids as numbers, numbers and booleans as strings, unknown fields, nulls for
optional fields, unknown statuses, epoch values in seconds where ours sends milliseconds (and the reverse), lists
directly under ``data`` or under another key, replies without ``code``, errors worded differently."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from reference_fields import INSTANCE_FIELDS

from cloudzy_tui.api import (
    ApiError,
    BackupProfileRequest,
    CloudzyClient,
    CreateInstanceRequest,
    FloatingIpFilters,
    IsoDownloadRequest,
    LowBalanceError,
    NotFoundError,
    ResizeRequest,
    SshKeyCreate,
    ValidationError,
)

from .conftest import ed25519_key

EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z
WHEN = datetime.fromtimestamp(EPOCH, UTC)

Reply = httpx.Response | dict[str, Any] | list[Any] | None
Route = Callable[[httpx.Request], Reply]


class Foreign:
    """Routes ``(method, path below /developers)`` to a reply: a callable, a full ``httpx.Response`` or the
    ``data`` of an OKAY envelope."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route | Reply] = {}
        self.seen: list[httpx.Request] = []

    def on(self, method: str, path: str, reply: Route | Reply) -> None:
        self.routes[(method, path)] = reply

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path.removeprefix("/developers")
        reply = self.routes.get((request.method, path))
        if reply is None and (request.method, path) not in self.routes:
            return httpx.Response(404, json={"detail": "Not Found"})
        if callable(reply):
            reply = reply(request)
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json={"detail": "ok", "code": "OKAY", "data": reply})


@pytest.fixture
def foreign() -> Foreign:
    return Foreign()


@pytest.fixture
async def api(foreign: Foreign) -> AsyncIterator[CloudzyClient]:
    async def no_sleep(_: float) -> None:
        return None

    client = CloudzyClient(
        "https://api.example.net/developers", "foreign-token", transport=httpx.MockTransport(foreign), sleep=no_sleep
    )
    yield client
    await client.aclose()


# ---------------------------------------------------------------------------------------------------- instances


async def test_instances_as_a_bare_list_with_odd_types(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on(
        "GET",
        "/v1/instances",
        [
            {
                "id": 12345,
                "hostname": "legacy",
                "vcpuCount": "2",
                "ram": "2048",
                "disk": 40.0,
                "status": "migrating",
                "insertedAt": EPOCH,
                "class": None,
                "features": None,
                "os": None,
                "extraResource": None,
                "isDdosProtected": "false",
                "attachIso": 0,
                "mainIp": "192.0.2.7",
                "tags": ["prod"],
                "hypervisor": {"name": "kvm"},
            },
            {"id": "b-2", "hostname": None, "status": None, "os": {"id": 7, "name": "Ubuntu", "minRam": "1 GB"}},
            {"hostname": "no-id-so-skipped"},
            "garbage",
        ],
    )
    instances = await api.instances.list_all()
    assert [i.id for i in instances] == ["12345", "b-2"]
    legacy, bare = instances
    assert (legacy.vcpu_count, legacy.ram, legacy.disk) == (2, 2048, 40.0)
    assert legacy.status == "migrating"  # unknown statuses survive as they are
    assert legacy.features == [] and legacy.instance_class is None and legacy.os is None
    assert legacy.is_ddos_protected is False and legacy.attach_iso is False
    assert legacy.inserted_at_dt == WHEN  # epoch seconds where the reference has an ISO string
    assert legacy.model_extra == {"tags": ["prod"], "hypervisor": {"name": "kvm"}}
    assert bare.label == "b-2" and bare.os is not None and bare.os.id == "7" and bare.os.min_ram_value is None
    assert len(foreign.seen) == 1  # a bare list has no bookmark: one page


async def test_instances_bookmark_as_a_number_and_a_server_that_never_sends_an_empty_page(
    api: CloudzyClient, foreign: Foreign
) -> None:
    def page(request: httpx.Request) -> Reply:
        mark = request.url.params.get("bookmark")
        if mark is None:
            return {"instances": [{"id": 1}, {"id": 2}], "bookmark": 2}
        if mark == "2":
            return {"instances": [{"id": 3}], "bookmark": 3}
        return {"instances": [{"id": 3}], "bookmark": 3}  # ignores a bookmark it does not know

    foreign.on("GET", "/v1/instances", page)
    assert [i.id for i in await api.instances.list_all()] == ["1", "2", "3"]
    assert [r.url.params.get("bookmark") for r in foreign.seen] == [None, "2", "3"]


async def test_instance_detail_with_nulls_everywhere(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on("GET", "/v1/instances/x", {"id": "x", **dict.fromkeys(INSTANCE_FIELDS)})
    inst = await api.instances.get("x")
    assert inst.id == "x" and inst.label == "x" and inst.features == [] and inst.inserted_at_dt is None


async def test_create_returning_one_object_or_nothing(api: CloudzyClient, foreign: Foreign) -> None:
    req = CreateInstanceRequest(hostnames=["n1"], region="r", product_id="p", os_id="o")
    foreign.on("POST", "/v1/instances", {"id": 99, "hostname": "n1", "status": "pending"})
    [made] = await api.instances.create(req)
    assert (made.id, made.hostname, made.status) == ("99", "n1", "pending")
    foreign.on("POST", "/v1/instances", None)
    assert await api.instances.create(req) == []
    foreign.on("POST", "/v1/instances", "queued")
    assert await api.instances.create(req) == []


async def test_actions_without_code_or_data(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on("POST", "/v1/instances/x/poweroff", httpx.Response(200, json={"detail": "Shutting down"}))
    foreign.on("POST", "/v1/instances/x/poweron", httpx.Response(202, json={"code": "okay", "data": None}))
    foreign.on("DELETE", "/v1/instances/x", httpx.Response(204))
    off = await api.instances.power_off("x")
    assert off.ok and off.detail == "Shutting down" and off.data is None
    on = await api.instances.power_on("x")
    assert on.code == "okay" and on.data is None
    assert (await api.instances.delete("x")).ok


@pytest.mark.parametrize(
    ("data", "password"),
    [("s3cret!", "s3cret!"), ({"password": 123456}, "123456"), ({"password": "p", "expiresAt": EPOCH}, "p")],
)
async def test_change_password_shapes(api: CloudzyClient, foreign: Foreign, data: Any, password: str) -> None:
    foreign.on("POST", "/v1/instances/x/change-pass", data)
    assert await api.instances.change_password("x") == password


# ---------------------------------------------------------------------------------------------------- catalogue, keys


async def test_regions_and_products_with_strings_for_numbers(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on(
        "GET",
        "/v1/regions",
        {
            "regions": [
                {
                    "id": 1,
                    "name": "Somewhere",
                    "isActive": "1",
                    "isHidden": "no",
                    "overallActiveness": "high",
                    "config": {"supportIpv6": "true", "ramThresholdInGB": "64"},
                    "newFlag": True,
                },
                {"id": "r2"},
            ]
        },
    )
    foreign.on(
        "GET",
        "/v1/products",
        [
            {
                "id": 5,
                "regionId": 1,
                "plan": {"specification": {"cpu": "1", "ramInMB": "512", "storage": "10"}},
                "priceItems": [{"id": 1, "monthlyPrice": "3.50", "hourlyPrice": "0.005"}],
            },
            {"id": 6, "plan": None, "priceItems": None},
        ],
    )
    regions = await api.regions.list()
    assert [r.id for r in regions] == ["1", "r2"]
    assert regions[0].offerable and regions[0].config.support_ipv6 and regions[0].config.ram_threshold_in_gb == 64
    assert regions[0].overall_activeness == "high" and regions[0].model_extra == {"newFlag": True}
    assert regions[1].offerable and not regions[1].config.support_custom_plan  # absent config: nothing supported
    products = await api.products.list("1")
    assert products[0].label == "1 vCPU · 512 MB RAM · 10 GB disk"
    assert products[0].monthly_price == 3.5 and products[0].hourly_price == 0.005
    assert products[1].label == "6" and products[1].monthly_price is None


async def test_os_and_applications_under_other_keys(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on("GET", "/v1/os", {"items": [{"id": "u", "name": "Ubuntu", "minRam": None, "isDefault": None}]})
    foreign.on("GET", "/v1/applications", [{"id": 3, "name": "App", "price": "5", "osList": [1, "u"]}])
    [os_] = await api.os.list()
    assert os_.id == "u" and os_.is_default is False and os_.min_ram is None
    [app] = await api.applications.list()
    assert app.id == "3" and app.price == 5.0 and app.os_list == ["1", "u"]


async def test_ssh_keys_with_string_ids_and_no_fingerprint(api: CloudzyClient, foreign: Foreign) -> None:
    key = ed25519_key(5)
    foreign.on("GET", "/v1/ssh-keys", {"sshKeys": [{"id": "7", "name": "k", "publicKey": key, "customerId": None}]})
    foreign.on("POST", "/v1/ssh-keys", {"id": 8})
    foreign.on("GET", "/v1/ssh-keys/7", {"id": "7", "name": "k"})
    [listed] = await api.ssh_keys.list()
    assert listed.id == "7" and listed.key_type == "ssh-ed25519" and listed.fingerprint is None
    created = await api.ssh_keys.create(SshKeyCreate(name="new", public_key=key))
    assert created is not None and created.id == 8 and created.name is None
    assert (await api.ssh_keys.get(listed.id)).name == "k"
    assert foreign.seen[-1].url.path == "/developers/v1/ssh-keys/7"


# ---------------------------------------------------------------------------------------------------- paged lists


async def test_snapshots_with_seconds_strings_and_a_total_as_text(api: CloudzyClient, foreign: Foreign) -> None:
    def page(request: httpx.Request) -> Reply:
        items = {
            "1": [
                {
                    "id": "s1",
                    "createdAt": EPOCH,
                    "lastRestoredAt": str(EPOCH * 1000),
                    "status": "ARCHIVED",
                    "size": "20",
                    "isInstanceDeleted": "false",
                    "metadata": {"hostname": "h", "cpuModel": "x"},
                }
            ],
            "2": [{"id": "s2", "createdAt": EPOCH * 1000 + 500, "metadata": None, "isInstanceDeleted": None}],
        }.get(request.url.params["page"], [])
        return {"snapshots": items, "total": "2"}

    foreign.on("GET", "/v1/snapshots", page)
    pages = [p async for p in api.snapshots.pages(page_size=1)]
    assert [p.total for p in pages] == [2, 2] and len(foreign.seen) == 2
    s1, s2 = (p.items[0] for p in pages)
    assert s1.created_at_dt == WHEN and s1.last_restored_at_dt == WHEN
    assert s2.created_at_dt == datetime.fromtimestamp(EPOCH + 0.5, UTC)
    assert s1.status == "ARCHIVED" and not s1.is_settled and s1.size == 20 and s1.is_instance_deleted is False
    assert s1.metadata is not None and s1.metadata.model_extra == {"cpuModel": "x"}


async def test_floating_ips_without_total_stop_on_an_empty_page(api: CloudzyClient, foreign: Foreign) -> None:
    def page(request: httpx.Request) -> Reply:
        if request.url.params["page"] == "1":
            return {
                "floatingIps": [
                    {
                        "id": 1,
                        "ipAddress": "192.0.2.9",
                        "autoRenew": "true",
                        "instanceId": None,
                        "expiresAt": EPOCH * 1000,
                        "isDeleted": 0,
                    },
                    {"id": 2, "ipAddress": "192.0.2.10", "expiresAt": "next month", "instanceId": 44},
                ]
            }
        return {"floatingIps": []}

    foreign.on("GET", "/v1/floating-ips", page)
    ips = await api.floating_ips.list_all(FloatingIpFilters(include_deleted=False))
    assert [ip.id for ip in ips] == ["1", "2"]
    assert ips[0].auto_renew is True and not ips[0].attached and ips[0].expires_at_dt == WHEN
    assert ips[1].expires_at is None and ips[1].attached and ips[1].instance_id == "44"
    assert [r.url.params["page"] for r in foreign.seen] == ["1", "2"]
    assert foreign.seen[0].url.params["include_deleted"] == "false"


async def test_a_server_that_ignores_page_does_not_loop(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on("GET", "/v1/iso", {"isos": [{"id": "a"}, {"id": "b"}]})
    assert [i.id for i in await api.isos.list_all()] == ["a", "b"]
    assert len(foreign.seen) == 2


async def test_isos_and_images_with_unknown_statuses(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on(
        "GET",
        "/v1/iso",
        {
            "isos": [{"id": 1, "status": "QUEUED", "progress": "42.5", "useVirtio": None, "createdAt": EPOCH * 1000}],
            "total": 1,
        },
    )
    foreign.on("POST", "/v1/iso", None)
    foreign.on("GET", "/v1/images/9", {"id": 9, "status": "ready", "format": None, "createdAt": str(EPOCH)})
    [iso] = await api.isos.list_all()
    assert iso.status == "QUEUED" and not iso.is_settled and iso.progress == 42.5 and iso.created_at_dt == WHEN
    req = IsoDownloadRequest(name="n", url="https://example.com/n.iso", region_id="r")
    assert await api.isos.download(req) is None  # the download started; no object came back
    image = await api.images.get("9")
    assert image.is_settled and image.created_at_dt == WHEN  # "ready" in lower case is still settled


async def test_backup_profiles_with_loose_types(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on(
        "GET",
        "/v1/backups",
        [
            {
                "instanceId": 77,
                "status": "ACTIVE",
                "monthlyPrice": "1.99",
                "scheduleWeekDays": None,
                "backupFiles": None,
                "createdAt": EPOCH,
                "lastSuccessfulBackupTime": EPOCH * 1000,
                "periodId": "30",
                "retention": "30 days",
            },
            {"status": "orphan without an instance id"},
        ],
    )
    foreign.on("PUT", "/v1/backups", httpx.Response(200, json={"code": "OKAY", "detail": "updated"}))
    [profile] = await api.backups.list()
    assert profile.id == "77" and profile.monthly_price == 1.99 and profile.period_id == 30
    assert profile.schedule_week_days == [] and profile.backup_files == []
    assert profile.created_at_dt == WHEN and profile.last_successful_backup_time_dt == WHEN
    assert profile.model_extra == {"retention": "30 days"}
    assert (
        await api.backups.update(BackupProfileRequest(instance_id="77", schedule_frequency="daily", period_id=30))
        is None
    )


# ---------------------------------------------------------------------------------------------------- errors


async def test_errors_worded_differently(api: CloudzyClient, foreign: Foreign) -> None:
    foreign.on(
        "POST",
        "/v1/instances",
        httpx.Response(
            422, json={"code": "VALIDATION", "data": {"errors": [{"loc": "hostnames", "message": "too long"}]}}
        ),
    )
    foreign.on(
        "POST",
        "/v1/instances/x/resize",
        httpx.Response(
            460, json={"detail": "Not enough money", "data": {"minimumRequiredBalance": "12.50", "customerBalance": 3}}
        ),
    )
    foreign.on("GET", "/v1/instances/gone", httpx.Response(404))
    foreign.on("POST", "/v1/instances/x/reset", httpx.Response(200, json={"code": "FAILED", "detail": "busy"}))
    foreign.on("POST", "/v1/snapshots", httpx.Response(418, json={"detail": {"reason": "teapot"}}))

    with pytest.raises(ValidationError) as invalid:
        await api.instances.create(CreateInstanceRequest(hostnames=["n"], region="r", product_id="p", os_id="o"))
    assert [(fe.field, fe.message) for fe in invalid.value.field_errors] == [("hostnames", "too long")]

    with pytest.raises(LowBalanceError) as low:
        await api.instances.resize("x", ResizeRequest(type="FIXED", product_id="p"))
    assert (low.value.minimum_required_balance, low.value.customer_balance) == (12.5, 3.0)
    assert low.value.days is None and "12.50" in str(low.value)

    with pytest.raises(NotFoundError) as missing:
        await api.instances.get("gone")
    assert missing.value.detail is None and "404" in str(missing.value)

    with pytest.raises(ApiError) as refused:
        await api.instances.reset("x")
    assert refused.value.status == 200 and refused.value.code == "FAILED" and refused.value.detail == "busy"

    with pytest.raises(ApiError) as odd:  # a detail that is not text: no reason shown, no crash
        await api.snapshots.create("i")
    assert type(odd.value) is ApiError and odd.value.status == 418
    assert odd.value.detail is None and "418" in str(odd.value) and "{" not in str(odd.value)
