"""Every one of the reference's 41 calls: the method, path, query and body the client sends, and what it makes
of a typical reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from cloudzy_tui.api import (
    ActionResult,
    Application,
    BackupProfile,
    BackupProfileRequest,
    CloudzyClient,
    CreateInstanceRequest,
    FloatingIp,
    FloatingIpUpdate,
    Image,
    ImageDownloadRequest,
    Instance,
    InstanceFilters,
    Iso,
    IsoDownloadRequest,
    OperatingSystem,
    Product,
    Region,
    ResizeRequest,
    Snapshot,
    SnapshotFilters,
    SshKey,
    SshKeyCreate,
)

from ._helpers import Recorder, body_of, envelope
from .test_api_requests import ED25519

MakeClient = Callable[..., CloudzyClient]


@dataclass
class Call:
    name: str
    run: Callable[[CloudzyClient], Awaitable[Any]]
    method: str
    path: str
    query: dict[str, str]
    body: Any
    data: Any
    check: Callable[[Any], bool]


async def first_page(pages: Any) -> Any:
    async for page in pages:
        return page
    raise AssertionError("no page")


def action(result: Any) -> bool:
    return isinstance(result, ActionResult) and result.detail == "done" and result.code == "OKAY"


CREATE = CreateInstanceRequest(hostnames=["web-1"], region="r1", product_id="p1", os_id="ubuntu")
BACKUP = BackupProfileRequest(
    instance_id="i-1", schedule_frequency="weekly", schedule_week_days=["Sunday"], period_id=7
)

CALLS: list[Call] = [
    # Instances (11)
    Call("instances.pages", lambda c: first_page(c.instances.pages(InstanceFilters(hostname="web"), page_size=20)),
         "GET", "/v1/instances", {"hostName": "web", "limit": "20"}, None,
         {"instances": [{"id": "i-1"}], "bookmark": None},
         lambda r: [i.id for i in r.items] == ["i-1"] and isinstance(r.items[0], Instance)),
    Call("instances.create", lambda c: c.instances.create(CREATE), "POST", "/v1/instances", {},
         {"hostnames": ["web-1"], "region": "r1", "productId": "p1", "osId": "ubuntu"},
         {"instances": [{"id": "i-9", "hostname": "web-1", "status": "initializing"}]},
         lambda r: [i.id for i in r] == ["i-9"]),
    Call("instances.get", lambda c: c.instances.get("i-1"), "GET", "/v1/instances/i-1", {}, None,
         {"id": "i-1", "hostname": "web"}, lambda r: isinstance(r, Instance) and r.hostname == "web"),
    Call("instances.delete", lambda c: c.instances.delete("i-1"), "DELETE", "/v1/instances/i-1", {}, None,
         None, action),
    Call("instances.resize", lambda c: c.instances.resize("i-1", ResizeRequest(type="FIXED", product_id="p2")),
         "POST", "/v1/instances/i-1/resize", {}, {"type": "FIXED", "productId": "p2", "instanceId": "i-1"},
         {"id": "i-1"}, action),
    Call("instances.change_os", lambda c: c.instances.change_os("i-1", "debian-12"),
         "POST", "/v1/instances/i-1/change-os", {}, {"osId": "debian-12"}, None, action),
    Call("instances.power_off", lambda c: c.instances.power_off("i-1"), "POST", "/v1/instances/i-1/poweroff", {},
         None, {"id": "i-1", "status": "shutdown"}, action),
    Call("instances.power_on", lambda c: c.instances.power_on("i-1"), "POST", "/v1/instances/i-1/poweron", {},
         None, None, action),
    Call("instances.reset", lambda c: c.instances.reset("i-1"), "POST", "/v1/instances/i-1/reset", {}, None,
         None, action),
    Call("instances.add_traffic", lambda c: c.instances.add_traffic("i-1", 2), "POST",
         "/v1/instances/i-1/add-traffic", {}, {"amount": 2.0}, None, action),
    Call("instances.change_password", lambda c: c.instances.change_password("i-1"), "POST",
         "/v1/instances/i-1/change-pass", {}, None, {"password": "n3w-Pa55"}, lambda r: r == "n3w-Pa55"),
    # Catalogue (4)
    Call("regions.list", lambda c: c.regions.list(), "GET", "/v1/regions", {}, None,
         [{"id": "r1"}], lambda r: isinstance(r[0], Region)),
    Call("products.list", lambda c: c.products.list("r1"), "GET", "/v1/products", {"regionId": "r1"}, None,
         [{"id": "p1"}], lambda r: isinstance(r[0], Product)),
    Call("os.list", lambda c: c.os.list(), "GET", "/v1/os", {}, None, {"os": [{"id": "ubuntu"}]},
         lambda r: isinstance(r[0], OperatingSystem)),
    Call("applications.list", lambda c: c.applications.list(), "GET", "/v1/applications", {}, None,
         {"applications": [{"id": "wp"}]}, lambda r: isinstance(r[0], Application)),
    # SSH keys (4)
    Call("ssh_keys.list", lambda c: c.ssh_keys.list(customer_id="c-1"), "GET", "/v1/ssh-keys",
         {"customerId": "c-1"}, None, [{"id": 1, "name": "k"}], lambda r: isinstance(r[0], SshKey) and r[0].id == 1),
    Call("ssh_keys.create", lambda c: c.ssh_keys.create(SshKeyCreate(name="My SSH Key", public_key=ED25519)),
         "POST", "/v1/ssh-keys", {}, {"name": "My SSH Key", "publicKey": ED25519}, {"id": 7, "name": "My SSH Key"},
         lambda r: isinstance(r, SshKey) and r.id == 7),
    Call("ssh_keys.get", lambda c: c.ssh_keys.get(7), "GET", "/v1/ssh-keys/7", {}, None, {"id": 7},
         lambda r: isinstance(r, SshKey)),
    Call("ssh_keys.delete", lambda c: c.ssh_keys.delete(7), "DELETE", "/v1/ssh-keys/7", {}, None, None, action),
    # Floating IPs (4)
    Call("floating_ips.pages", lambda c: first_page(c.floating_ips.pages()), "GET", "/v1/floating-ips",
         {"page": "1"}, None, {"floatingIps": [{"id": "f1"}], "total": 1},
         lambda r: isinstance(r.items[0], FloatingIp) and r.total == 1),
    Call("floating_ips.allocate", lambda c: c.floating_ips.allocate("r1", 2), "POST", "/v1/floating-ips", {},
         {"regionId": "r1", "count": 2}, {"floatingIps": [{"id": "f1"}, {"id": "f2"}]}, lambda r: len(r) == 2),
    Call("floating_ips.update",
         lambda c: c.floating_ips.update("f1", FloatingIpUpdate(auto_renew=True, customer_note="Production server IP")),
         "PATCH", "/v1/floating-ips/f1", {}, {"autoRenew": True, "customerNote": "Production server IP"},
         {"id": "f1", "autoRenew": True}, lambda r: isinstance(r, FloatingIp) and r.auto_renew is True),
    Call("floating_ips.release", lambda c: c.floating_ips.release("f1"), "POST", "/v1/floating-ips/f1/release",
         {}, None, None, action),
    # ISOs (4)
    Call("isos.pages", lambda c: first_page(c.isos.pages("READY", page_size=10)), "GET", "/v1/iso",
         {"status": "READY", "limit": "10", "page": "1"}, None, {"isos": [{"id": "iso1"}], "total": 1},
         lambda r: isinstance(r.items[0], Iso)),
    Call("isos.download",
         lambda c: c.isos.download(IsoDownloadRequest(name="Custom Linux ISO", url="https://example.com/custom.iso",
                                                      region_id="region-456", use_virtio=True)),
         "POST", "/v1/iso", {},
         {"name": "Custom Linux ISO", "url": "https://example.com/custom.iso", "regionId": "region-456",
          "useVirtio": True},
         {"id": "iso2", "status": "DOWNLOADING"}, lambda r: isinstance(r, Iso) and r.status == "DOWNLOADING"),
    Call("isos.get", lambda c: c.isos.get("iso1"), "GET", "/v1/iso/iso1", {}, None, {"id": "iso1"},
         lambda r: isinstance(r, Iso)),
    Call("isos.delete", lambda c: c.isos.delete("iso1"), "DELETE", "/v1/iso/iso1", {}, None, None, action),
    # Images (4)
    Call("images.pages", lambda c: first_page(c.images.pages()), "GET", "/v1/images", {"limit": "100", "page": "1"},
         None, {"images": [{"id": "img1"}], "total": 1}, lambda r: isinstance(r.items[0], Image)),
    Call("images.download",
         lambda c: c.images.download(ImageDownloadRequest(name="Custom Image", url="https://example.com/image.qcow2",
                                                          region_id="region-456", format="qcow2", decompress="gzip")),
         "POST", "/v1/images", {},
         {"name": "Custom Image", "url": "https://example.com/image.qcow2", "regionId": "region-456",
          "format": "qcow2", "decompress": "gzip"},
         None, lambda r: r is None),
    Call("images.get", lambda c: c.images.get("img1"), "GET", "/v1/images/img1", {}, None, {"id": "img1"},
         lambda r: isinstance(r, Image)),
    Call("images.delete", lambda c: c.images.delete("img1"), "DELETE", "/v1/images/img1", {}, None, None, action),
    # Snapshots (5)
    Call("snapshots.pages",
         lambda c: first_page(c.snapshots.pages(SnapshotFilters(instance_id="i-1", status="ACTIVE"), page_size=50)),
         "GET", "/v1/snapshots", {"instance_id": "i-1", "status": "ACTIVE", "limit": "50", "page": "1"}, None,
         {"snapshots": [{"id": "s1"}], "total": 1}, lambda r: isinstance(r.items[0], Snapshot)),
    Call("snapshots.create", lambda c: c.snapshots.create("instance-123"), "POST", "/v1/snapshots", {},
         {"instanceId": "instance-123"}, {"id": "s2", "status": "IN_PROGRESS"},
         lambda r: isinstance(r, Snapshot) and r.status == "IN_PROGRESS"),
    Call("snapshots.get", lambda c: c.snapshots.get("s1"), "GET", "/v1/snapshots/s1", {}, None, {"id": "s1"},
         lambda r: isinstance(r, Snapshot)),
    Call("snapshots.delete", lambda c: c.snapshots.delete("s1"), "DELETE", "/v1/snapshots/s1", {}, None, None,
         action),
    Call("snapshots.restore", lambda c: c.snapshots.restore("s1"), "POST", "/v1/snapshots/s1/restore", {}, None,
         {"id": "s1", "status": "RESTORING"}, action),
    # Backups (5)
    Call("backups.list", lambda c: c.backups.list(status="active"), "GET", "/v1/backups", {"status": "active"},
         None, {"backups": [{"instanceId": "i-1", "backupFiles": []}]}, lambda r: isinstance(r[0], BackupProfile)),
    Call("backups.create", lambda c: c.backups.create(BACKUP), "POST", "/v1/backups", {},
         {"instanceId": "i-1", "scheduleFrequency": "weekly", "scheduleWeekDays": ["Sunday"], "periodId": 7},
         {"instanceId": "i-1", "status": "pending"}, lambda r: isinstance(r, BackupProfile)),
    Call("backups.update", lambda c: c.backups.update(BACKUP), "PUT", "/v1/backups", {},
         {"instanceId": "i-1", "scheduleFrequency": "weekly", "scheduleWeekDays": ["Sunday"], "periodId": 7},
         None, lambda r: r is None),
    Call("backups.get", lambda c: c.backups.get("i-1"), "GET", "/v1/backups/i-1", {}, None,
         {"instanceId": "i-1", "status": "active"}, lambda r: isinstance(r, BackupProfile) and r.status == "active"),
    Call("backups.delete", lambda c: c.backups.delete("i-1"), "DELETE", "/v1/backups/i-1", {}, None, None, action),
]  # fmt: skip


def test_the_table_covers_the_41_calls_of_the_reference() -> None:
    assert len(CALLS) == 41
    assert len({(c.method, c.path.replace("i-1", "{id}")) for c in CALLS}) >= 38
    assert len({c.name for c in CALLS}) == 41


@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
async def test_endpoint(make_client: MakeClient, call: Call) -> None:
    rec = Recorder(envelope(call.data, detail="done"))
    result = await call.run(make_client(rec))
    assert rec.count == 1
    request = rec.last
    assert request.method == call.method
    assert request.url.raw_path.split(b"?")[0].decode() == "/developers" + call.path
    assert dict(request.url.params) == call.query
    assert body_of(request) == call.body
    if call.body is None:
        assert request.content == b""
    assert call.check(result), result


async def test_replies_that_return_nothing_are_fine(make_client: MakeClient) -> None:
    client = make_client(Recorder(*(envelope(None) for _ in range(4))))
    assert await client.instances.create(CREATE) == []
    assert await client.floating_ips.allocate("r1", 1) == []
    assert await client.snapshots.create("i") is None
    assert await client.ssh_keys.create(SshKeyCreate(name="k", public_key=ED25519)) is None


async def test_create_replies_in_other_shapes(make_client: MakeClient) -> None:
    rec = Recorder(envelope([{"id": "a"}]), envelope({"id": "b"}), envelope("weird"), envelope({"foo": 1}))
    client = make_client(rec)
    assert [i.id for i in await client.instances.create(CREATE)] == ["a"]
    assert [i.id for i in await client.instances.create(CREATE)] == ["b"]
    assert await client.instances.create(CREATE) == []
    assert await client.instances.create(CREATE) == []
    rec = Recorder(envelope([{"id": "f"}]), envelope({"id": "g"}))
    client = make_client(rec)
    assert [f.id for f in await client.floating_ips.allocate("r", 1)] == ["f"]
    assert [f.id for f in await client.floating_ips.allocate("r", 1)] == ["g"]


async def test_change_password_without_a_password_is_malformed(make_client: MakeClient) -> None:
    from cloudzy_tui.api import MalformedResponseError

    client = make_client(Recorder(envelope({"detail": "ok"})))
    with pytest.raises(MalformedResponseError) as exc:
        await client.instances.change_password("i")
    assert "did not return the new one" in exc.value.message


async def test_validation_happens_before_sending(make_client: MakeClient) -> None:
    from pydantic import ValidationError as PydanticValidationError

    rec = Recorder(envelope(None))
    client = make_client(rec)
    with pytest.raises(PydanticValidationError):
        await client.floating_ips.allocate("r", 6)
    with pytest.raises(PydanticValidationError):
        await client.instances.change_os("i", "")
    with pytest.raises(PydanticValidationError):
        await client.instances.add_traffic("i", 0)
    with pytest.raises(TypeError):
        await client.instances.create({"hostnames": ["x"]})  # type: ignore[arg-type]
    # one download body serves ISOs and images: each takes only its own request type
    image_req = ImageDownloadRequest(name="n", url="https://h/x.qcow2", region_id="r")
    iso_req = IsoDownloadRequest(name="n", url="https://h/x.iso", region_id="r")
    with pytest.raises(TypeError, match="expected an IsoDownloadRequest, got ImageDownloadRequest"):
        await client.isos.download(image_req)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected an ImageDownloadRequest, got IsoDownloadRequest"):
        await client.images.download(iso_req)  # type: ignore[arg-type]
    assert rec.count == 0
