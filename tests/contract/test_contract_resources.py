"""Floating IPs, custom ISOs and images, snapshots and backup profiles through the client, against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudzy_tui.api import (
    ActionResult,
    ApiError,
    BackupProfile,
    BackupProfileRequest,
    CloudzyClient,
    FloatingIp,
    FloatingIpFilters,
    FloatingIpUpdate,
    Image,
    ImageDownloadRequest,
    Iso,
    IsoDownloadRequest,
    NotFoundError,
    Snapshot,
)
from cloudzy_tui.sim import FakeClock, Simulator

from .conftest import download_named, host, last, same_as, snapshot_named, wire

# ---------------------------------------------------------------------------------------------------- floating IPs


async def test_floating_ips_list(client: CloudzyClient, simulator: Simulator) -> None:
    pages = [p async for p in client.floating_ips.pages()]
    assert len(pages) == 1
    expected = [f.data for f in simulator.floating_ips.values() if not f.data["isDeleted"]]
    assert pages[0].total == len(expected) == 7
    assert [f.id for f in pages[0].items] == [d["id"] for d in expected]
    for ip, data in zip(pages[0].items, expected, strict=True):
        assert isinstance(ip, FloatingIp)
        same_as(ip, data)
        assert ip.attached == (data["instanceId"] is not None)
        assert ip.expires_at_dt == datetime.fromtimestamp(data["expiresAt"], UTC)
    assert wire(last(simulator)) == ("GET", "/v1/floating-ips", {"page": "1"}, None)


async def test_floating_ips_allocate(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    before = len(simulator.floating_ips)
    ips = await client.floating_ips.allocate("de-frankfurt", 2)
    assert len(ips) == 2 and all(isinstance(ip, FloatingIp) for ip in ips)
    for ip in ips:
        assert ip.region_id == "de-frankfurt" and not ip.attached and ip.ip_address
        assert ip.id in simulator.floating_ips
        assert ip.expires_at_dt is not None and ip.expires_at_dt > datetime.fromtimestamp(sim_clock(), UTC)
    assert len(simulator.floating_ips) == before + 2
    assert wire(last(simulator)) == ("POST", "/v1/floating-ips", {}, {"regionId": "de-frankfurt", "count": 2})


async def test_floating_ip_update(client: CloudzyClient, simulator: Simulator) -> None:
    target = next(iter(simulator.floating_ips.values()))
    updated = await client.floating_ips.update(target.id, FloatingIpUpdate(auto_renew=False, customer_note="primary"))
    assert updated is not None and updated.id == target.id
    assert (updated.auto_renew, updated.customer_note) == (False, "primary")
    assert (target.data["autoRenew"], target.data["customerNote"]) == (False, "primary")
    assert wire(last(simulator)) == (
        "PATCH",
        f"/v1/floating-ips/{target.id}",
        {},
        {"autoRenew": False, "customerNote": "primary"},
    )

    await client.floating_ips.update(target.id, FloatingIpUpdate(auto_renew=True))
    assert last(simulator).body == {"autoRenew": True}
    assert (target.data["autoRenew"], target.data["customerNote"]) == (True, "primary")


async def test_floating_ip_release(client: CloudzyClient, simulator: Simulator) -> None:
    target = next(f for f in simulator.floating_ips.values() if f.data["instanceId"])
    result = await client.floating_ips.release(target.id)
    assert isinstance(result, ActionResult) and result.ok and result.detail
    assert target.data["isDeleted"] is True and target.data["instanceId"] is None
    assert wire(last(simulator)) == ("POST", f"/v1/floating-ips/{target.id}/release", {}, None)
    assert target.id not in {f.id for f in await client.floating_ips.list_all()}
    with_deleted = await client.floating_ips.list_all(FloatingIpFilters(include_deleted=True))
    assert next(f for f in with_deleted if f.id == target.id).is_deleted is True
    with pytest.raises(ApiError) as info:
        await client.floating_ips.release(target.id)
    assert info.value.status == 409 and info.value.detail and "released" in info.value.detail


# ---------------------------------------------------------------------------------------------------- ISOs, images


async def test_isos_list(client: CloudzyClient, simulator: Simulator) -> None:
    pages = [p async for p in client.isos.pages()]
    expected = [r.data for r in reversed(simulator.isos.values()) if r.data["status"] != "DELETED"]
    assert len(pages) == 1 and pages[0].total == len(expected) == 4
    assert [i.id for i in pages[0].items] == [d["id"] for d in expected]
    for iso, data in zip(pages[0].items, expected, strict=True):
        assert isinstance(iso, Iso)
        assert iso.created_at_dt == datetime.fromtimestamp(data["createdAt"], UTC)  # epoch seconds
        assert iso.use_virtio == data["useVirtio"]
    assert wire(last(simulator)) == ("GET", "/v1/iso", {"limit": "100", "page": "1"}, None)


async def test_iso_download_get_delete(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    req = IsoDownloadRequest(
        name="netboot", url="https://boot.example.com/netboot.iso", region_id="us-utah", use_virtio=False
    )
    iso = await client.isos.download(req)
    assert iso is not None and isinstance(iso, Iso)
    assert (iso.name, iso.url, iso.region_id, iso.status, iso.use_virtio) == (
        "netboot",
        "https://boot.example.com/netboot.iso",
        "us-utah",
        "DOWNLOADING",
        False,
    )
    assert iso.progress == 0 and not iso.is_settled
    assert iso.created_at_dt == datetime.fromtimestamp(int(sim_clock()), UTC)
    assert simulator.isos[iso.id].data["status"] == "DOWNLOADING"
    assert wire(last(simulator)) == (
        "POST",
        "/v1/iso",
        {},
        {"name": "netboot", "url": "https://boot.example.com/netboot.iso", "regionId": "us-utah", "useVirtio": False},
    )

    fetched = await client.isos.get(iso.id)
    assert fetched.id == iso.id and fetched.status == "DOWNLOADING"
    assert wire(last(simulator)) == ("GET", f"/v1/iso/{iso.id}", {}, None)

    result = await client.isos.delete(iso.id)
    assert result.ok and result.detail and result.data is None
    assert simulator.isos[iso.id].data["status"] == "DELETED"
    assert wire(last(simulator)) == ("DELETE", f"/v1/iso/{iso.id}", {}, None)
    gone = await client.isos.get(iso.id)  # still readable by id
    assert gone.status == "DELETED" and gone.is_settled


async def test_iso_attached_to_an_instance_cannot_be_deleted(client: CloudzyClient, simulator: Simulator) -> None:
    iso_id = download_named(simulator, "iso", "pfSense CE 2.7.2")
    with pytest.raises(ApiError) as info:
        await client.isos.delete(iso_id)
    assert info.value.status == 409 and info.value.detail and "rescue-box" in info.value.detail
    assert simulator.isos[iso_id].data["status"] == "READY"


async def test_images_list(client: CloudzyClient, simulator: Simulator) -> None:
    images = await client.images.list_all()
    expected = [r.data for r in reversed(simulator.images.values()) if r.data["status"] != "DELETED"]
    assert [i.id for i in images] == [d["id"] for d in expected]
    golden = next(i for i in images if i.name == "golden-web-2025-10")
    assert (golden.format, golden.decompress, golden.status, golden.progress) == ("qcow2", "none", "READY", 100)
    assert wire(last(simulator)) == ("GET", "/v1/images", {"limit": "100", "page": "1"}, None)


async def test_image_download_get_delete(client: CloudzyClient, simulator: Simulator) -> None:
    req = ImageDownloadRequest(
        name="base",
        url="https://images.example.com/base.qcow2.gz",
        region_id="nl-amsterdam",
        format="qcow2",
        decompress="gzip",
    )
    image = await client.images.download(req)
    assert image is not None and isinstance(image, Image)
    assert (image.status, image.format, image.decompress, image.region_id) == (
        "DOWNLOADING",
        "qcow2",
        "gzip",
        "nl-amsterdam",
    )
    same_as(image, simulator.render_download(simulator.images[image.id]))
    assert wire(last(simulator)) == (
        "POST",
        "/v1/images",
        {},
        {
            "name": "base",
            "url": "https://images.example.com/base.qcow2.gz",
            "regionId": "nl-amsterdam",
            "format": "qcow2",
            "decompress": "gzip",
        },
    )

    fetched = await client.images.get(image.id)
    assert fetched.id == image.id
    assert wire(last(simulator)) == ("GET", f"/v1/images/{image.id}", {}, None)

    result = await client.images.delete(image.id)
    assert result.ok and result.detail
    assert simulator.images[image.id].data["status"] == "DELETED"
    assert wire(last(simulator)) == ("DELETE", f"/v1/images/{image.id}", {}, None)
    with pytest.raises(ApiError) as info:
        await client.images.delete(image.id)
    assert info.value.status == 409


# ---------------------------------------------------------------------------------------------------- snapshots


async def test_snapshots_list(client: CloudzyClient, simulator: Simulator) -> None:
    snapshots = await client.snapshots.list_all()
    expected = [s.data for s in reversed(simulator.snapshots.values()) if not s.automated]
    assert [s.id for s in snapshots] == [d["id"] for d in expected]
    for snap, data in zip(snapshots, expected, strict=True):
        assert isinstance(snap, Snapshot)
        same_as(snap, data)
        assert snap.created_at_dt == datetime.fromtimestamp(data["createdAt"] / 1000, UTC)  # epoch milliseconds
    restored = next(s for s in snapshots if s.name == "db-primary-pre-migration")
    assert restored.last_restored_at_dt is not None and restored.last_restored_at_dt < datetime.now(UTC)
    assert restored.metadata is not None and restored.metadata.hostname == "db-primary"
    assert wire(last(simulator)) == ("GET", "/v1/snapshots", {"limit": "100", "page": "1"}, None)


async def test_snapshot_create_get(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    record = host(simulator, "web-02")
    snap = await client.snapshots.create(record.id)
    assert snap is not None and isinstance(snap, Snapshot)
    assert (snap.instance_id, snap.status, snap.region_id, snap.product_id) == (
        record.id,
        "IN_PROGRESS",
        "us-utah",
        record.data["productId"],
    )
    assert snap.metadata is not None and snap.metadata.hostname == "web-02" and snap.metadata.ram == 4096
    assert snap.created_at_dt == datetime.fromtimestamp(sim_clock(), UTC)
    assert not snap.is_settled and snap.is_instance_deleted is False
    assert simulator.snapshots[snap.id].data["status"] == "IN_PROGRESS"
    assert wire(last(simulator)) == ("POST", "/v1/snapshots", {}, {"instanceId": record.id})

    fetched = await client.snapshots.get(snap.id)
    assert fetched == snap
    assert wire(last(simulator)) == ("GET", f"/v1/snapshots/{snap.id}", {}, None)

    with pytest.raises(ApiError) as info:  # a second one while the first is running
        await client.snapshots.create(record.id)
    assert info.value.status == 409


async def test_snapshot_restore(client: CloudzyClient, simulator: Simulator) -> None:
    snapshot_id = snapshot_named(simulator, "web-01-before-upgrade")
    result = await client.snapshots.restore(snapshot_id)
    assert isinstance(result, ActionResult) and result.ok and result.detail
    assert isinstance(result.data, dict) and result.data["status"] == "RESTORING"
    assert simulator.snapshots[snapshot_id].data["status"] == "RESTORING"
    assert host(simulator, "web-01").data["status"] == "restoring"
    assert wire(last(simulator)) == ("POST", f"/v1/snapshots/{snapshot_id}/restore", {}, None)


async def test_snapshot_delete(client: CloudzyClient, simulator: Simulator) -> None:
    snapshot_id = snapshot_named(simulator, "api-gateway-nightly")
    result = await client.snapshots.delete(snapshot_id)
    assert result.ok and result.detail and result.data is None
    assert snapshot_id not in simulator.snapshots
    assert wire(last(simulator)) == ("DELETE", f"/v1/snapshots/{snapshot_id}", {}, None)
    with pytest.raises(NotFoundError):
        await client.snapshots.get(snapshot_id)


# ---------------------------------------------------------------------------------------------------- backups


async def test_backups_list(client: CloudzyClient, simulator: Simulator) -> None:
    profiles = await client.backups.list()
    expected = simulator.list_backups(None)
    assert [p.instance_id for p in profiles] == [d["instanceId"] for d in expected]
    for profile, data in zip(profiles, expected, strict=True):
        assert isinstance(profile, BackupProfile) and profile.id == profile.instance_id
        same_as(profile, data)
    db = next(p for p in profiles if p.instance_data and p.instance_data.hostname == "db-primary")
    assert (db.schedule_frequency, db.schedule_week_days, db.period_id) == ("weekly", ["Sunday"], 30)
    assert len(db.backup_files) == 3 and all(isinstance(f, Snapshot) for f in db.backup_files)
    assert db.last_successful_backup_time_dt == max(f.created_at_dt for f in db.backup_files if f.created_at_dt)
    assert wire(last(simulator)) == ("GET", "/v1/backups", {}, None)


async def test_backups_list_by_status(client: CloudzyClient, simulator: Simulator) -> None:
    profiles = await client.backups.list(status="inactive")
    assert [p.instance_data.hostname for p in profiles if p.instance_data] == ["staging-web"]
    assert wire(last(simulator)) == ("GET", "/v1/backups", {"status": "inactive"}, None)


async def test_backup_create_get_update_delete(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "web-02")
    created = await client.backups.create(
        BackupProfileRequest(instance_id=record.id, schedule_frequency="Daily", period_id=7)
    )
    assert created is not None and created.instance_id == record.id
    assert (created.status, created.schedule_frequency, created.period_id, created.max_files) == (
        "pending",
        "daily",
        7,
        7,
    )
    assert created.fee_percentage == 20 and created.monthly_price == round(record.monthly_price * 0.2, 2)
    assert created.backup_files == []
    assert simulator.backups[record.id].data["scheduleFrequency"] == "daily"
    assert wire(last(simulator)) == (
        "POST",
        "/v1/backups",
        {},
        {"instanceId": record.id, "scheduleFrequency": "daily", "periodId": 7},
    )

    fetched = await client.backups.get(record.id)
    assert fetched == created
    assert wire(last(simulator)) == ("GET", f"/v1/backups/{record.id}", {}, None)

    updated = await client.backups.update(
        BackupProfileRequest(
            instance_id=record.id,
            schedule_frequency="weekly",
            schedule_week_days=["monday", "Friday", "Monday"],
            period_id=30,
        )
    )
    assert updated is not None
    assert (updated.schedule_frequency, updated.schedule_week_days, updated.period_id, updated.max_files) == (
        "weekly",
        ["Monday", "Friday"],
        30,
        10,
    )
    assert simulator.backups[record.id].data["scheduleWeekDays"] == ["Monday", "Friday"]
    assert wire(last(simulator)) == (
        "PUT",
        "/v1/backups",
        {},
        {
            "instanceId": record.id,
            "scheduleFrequency": "weekly",
            "scheduleWeekDays": ["Monday", "Friday"],
            "periodId": 30,
        },
    )

    result = await client.backups.delete(record.id)
    assert result.ok and result.detail and result.data is None
    assert record.id not in simulator.backups
    assert wire(last(simulator)) == ("DELETE", f"/v1/backups/{record.id}", {}, None)
    with pytest.raises(NotFoundError) as info:
        await client.backups.get(record.id)
    assert info.value.detail == f"No backup profile for instance '{record.id}'"


async def test_second_backup_profile_is_a_conflict(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "web-01")
    before = dict(simulator.backups[record.id].data)
    with pytest.raises(ApiError) as info:
        await client.backups.create(
            BackupProfileRequest(instance_id=record.id, schedule_frequency="daily", period_id=14)
        )
    assert info.value.status == 409 and info.value.detail and "web-01" in info.value.detail
    assert simulator.backups[record.id].data == before
