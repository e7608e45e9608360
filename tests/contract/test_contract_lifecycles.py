"""Asynchronous state machines seen through the client while the simulator's FakeClock moves: snapshots, restores,
ISO/image downloads, instance power, reset, resize, change-OS and creation, backup profiles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudzy_tui.api import (
    ApiError,
    BackupProfileRequest,
    CloudzyClient,
    CreateInstanceRequest,
    ImageDownloadRequest,
    InstanceFilters,
    IsoDownloadRequest,
    ResizeRequest,
    SnapshotFilters,
)
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator

from .conftest import Connect, host, product_id, snapshot_named

STEP = 2.0  # job_seconds of the ``simulator`` fixture


async def statuses_of(read, clock: FakeClock, steps: int) -> list[str | None]:  # type: ignore[no-untyped-def]
    """The status ``read()`` reports now and after each of ``steps`` job steps."""
    seen = [(await read()).status]
    for _ in range(steps):
        clock.advance(STEP)
        seen.append((await read()).status)
    return seen


# ---------------------------------------------------------------------------------------------------- snapshots


async def test_snapshot_in_progress_then_active(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    snap = await client.snapshots.create(host(simulator, "web-02").id)
    assert snap is not None
    assert await statuses_of(lambda: client.snapshots.get(snap.id), sim_clock, 2) == ["IN_PROGRESS", "ACTIVE", "ACTIVE"]
    assert (await client.snapshots.get(snap.id)).is_settled
    listed = await client.snapshots.list_all(SnapshotFilters(status="ACTIVE"))
    assert snap.id in {s.id for s in listed}


async def test_snapshot_can_fail(connect: Connect, sim_clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token="t", clock=sim_clock, job_seconds=STEP, snapshot_failure_rate=1.0))
    client = connect(sim)
    target = host(sim, "web-02").id
    snap = await client.snapshots.create(target)
    assert snap is not None and snap.status == "IN_PROGRESS"
    sim_clock.advance(STEP)
    failed = await client.snapshots.get(snap.id)
    assert failed.status == "FAILED" and failed.is_settled
    with pytest.raises(ApiError) as info:  # a FAILED snapshot cannot be restored
        await client.snapshots.restore(snap.id)
    assert info.value.status == 409
    assert await client.snapshots.create(target) is not None  # and no longer blocks a new one


async def test_restore(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    record = host(simulator, "gitlab")
    snapshot_id = snapshot_named(simulator, "gitlab-before-16.11-upgrade")
    await client.instances.change_os(record.id, "rockylinux-9")
    sim_clock.advance(2 * STEP)
    assert (await client.instances.get(record.id)).os_id == "rockylinux-9"

    result = await client.snapshots.restore(snapshot_id)
    assert result.ok
    snap = await client.snapshots.get(snapshot_id)
    inst = await client.instances.get(record.id)
    assert (snap.status, inst.status) == ("RESTORING", "restoring")
    with pytest.raises(ApiError) as info:  # busy while restoring
        await client.instances.power_off(record.id)
    assert info.value.status == 409
    with pytest.raises(ApiError):
        await client.snapshots.delete(snapshot_id)

    restored_at = sim_clock.advance(STEP)
    snap = await client.snapshots.get(snapshot_id)
    inst = await client.instances.get(record.id)
    assert (snap.status, inst.status) == ("ACTIVE", "active")
    assert snap.last_restored_at_dt == datetime.fromtimestamp(restored_at, UTC)
    assert inst.os_id == "almalinux-9" and inst.os is not None and inst.os.id == "almalinux-9"


async def test_create_from_snapshot(client: CloudzyClient, simulator: Simulator) -> None:
    snapshot_id = snapshot_named(simulator, "db-primary-pre-migration")
    [inst] = await client.instances.create(
        CreateInstanceRequest(
            hostnames=["db-clone"],
            region="us-newyork",
            product_id=product_id(simulator, "us-newyork", "hf-8c-32g"),
            from_snapshot=snapshot_id,
        )
    )
    assert inst.os_id == "debian-12" and inst.instance_class == "cpu-optimized"
    assert simulator.requests[-1].body["fromSnapshot"] == snapshot_id


# ---------------------------------------------------------------------------------------------------- downloads


async def test_iso_downloading_then_ready(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    iso = await client.isos.download(
        IsoDownloadRequest(name="ok", url="https://releases.example.com/ok.iso", region_id="us-utah")
    )
    assert iso is not None and (iso.status, iso.progress) == ("DOWNLOADING", 0)
    sim_clock.advance(STEP)
    half = await client.isos.get(iso.id)
    assert (half.status, half.progress) == ("DOWNLOADING", 50) and not half.is_settled
    sim_clock.advance(STEP)
    done = await client.isos.get(iso.id)
    assert (done.status, done.progress) == ("READY", 100) and done.is_settled
    assert iso.id in {i.id for i in await client.isos.list_all(status="READY")}


@pytest.mark.parametrize(
    "url",
    [
        "https://mirror.example.invalid/x.iso",
        "http://localhost/x.iso",
        "https://files.test/x.iso",
        "https://cdn.example.com/FAILING/x.iso",
        "https://unreachable.example.com/x.iso",
    ],
)
async def test_iso_unreachable_url_fails(client: CloudzyClient, sim_clock: FakeClock, url: str) -> None:
    iso = await client.isos.download(IsoDownloadRequest(name="bad", url=url, region_id="us-utah"))
    assert iso is not None and iso.status == "DOWNLOADING"
    assert await statuses_of(lambda: client.isos.get(iso.id), sim_clock, 2) == ["DOWNLOADING", "FAILED", "FAILED"]


async def test_image_downloading_then_ready_or_failed(client: CloudzyClient, sim_clock: FakeClock) -> None:
    good = await client.images.download(
        ImageDownloadRequest(
            name="good", url="https://images.example.com/good.qcow2", region_id="de-frankfurt", format="qcow2"
        )
    )
    bad = await client.images.download(
        ImageDownloadRequest(name="bad", url="https://images.example.invalid/bad.qcow2", region_id="de-frankfurt")
    )
    assert good is not None and bad is not None
    assert await statuses_of(lambda: client.images.get(good.id), sim_clock, 2) == ["DOWNLOADING"] * 2 + ["READY"]
    assert (await client.images.get(bad.id)).status == "FAILED"


async def test_iso_only_usable_once_ready(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    iso = await client.isos.download(
        IsoDownloadRequest(name="installer", url="https://releases.example.com/installer.iso", region_id="us-utah")
    )
    assert iso is not None
    req = CreateInstanceRequest(
        hostnames=["from-iso"],
        region="us-utah",
        iso_id=iso.id,
        product_id=product_id(simulator, "us-utah", "regular-2c-4g"),
    )
    with pytest.raises(ApiError) as info:
        await client.instances.create(req)
    assert info.value.status == 400 and info.value.detail and "not READY" in info.value.detail
    sim_clock.advance(2 * STEP)
    [inst] = await client.instances.create(req)
    assert inst.iso_id == iso.id and inst.attach_iso is True


# ---------------------------------------------------------------------------------------------------- instances


async def test_create_preparing_initializing_active(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    [inst] = await client.instances.create(
        CreateInstanceRequest(
            hostnames=["fresh"],
            region="de-frankfurt",
            os_id="ubuntu-22.04",
            product_id=product_id(simulator, "de-frankfurt", "regular-1c-2g"),
        )
    )
    assert await statuses_of(lambda: client.instances.get(inst.id), sim_clock, 3) == [
        "preparing_disk",
        "initializing",
        "active",
        "active",
    ]


async def test_power_off_then_on(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    target = host(simulator, "cache-01").id

    async def read():  # type: ignore[no-untyped-def]
        return await client.instances.get(target)

    await client.instances.power_off(target)
    with pytest.raises(ApiError) as info:  # still stopping
        await client.instances.power_on(target)
    assert info.value.status == 409 and info.value.detail and "stopping" in info.value.detail
    assert await statuses_of(read, sim_clock, 1) == ["stopping", "shutdown"]
    off = await client.instances.list_all(InstanceFilters(status="shutdown"))
    assert target in {i.id for i in off}
    await client.instances.power_on(target)
    assert await statuses_of(read, sim_clock, 1) == ["starting", "active"]


async def test_reset_from_shutdown_comes_back_active(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    target = host(simulator, "win-rdp").id
    await client.instances.reset(target)
    assert await statuses_of(lambda: client.instances.get(target), sim_clock, 1) == ["resetting", "active"]


async def test_resize_keeps_the_power_state(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    record = host(simulator, "worker-02")  # shutdown, Amsterdam, regular-4c-8g
    bigger = product_id(simulator, "nl-amsterdam", "regular-8c-16g")
    await client.instances.resize(record.id, ResizeRequest(type="FIXED", product_id=bigger))
    before = await client.instances.get(record.id)
    assert (before.status, before.vcpu_count) == ("resizing", 4)
    sim_clock.advance(STEP)
    after = await client.instances.get(record.id)
    assert (after.status, after.vcpu_count, after.ram, after.product_id) == ("shutdown", 8, 16384, bigger)


async def test_change_os_goes_through_preparing_disk(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    target = host(simulator, "vpn-gw").id  # has an application
    await client.instances.change_os(target, "ubuntu-24.04")
    assert await statuses_of(lambda: client.instances.get(target), sim_clock, 2) == [
        "preparing_disk",
        "initializing",
        "active",
    ]
    inst = await client.instances.get(target)
    assert inst.os_id == "ubuntu-24.04" and inst.app_id is None and inst.oca_data is None


async def test_change_os_needing_more_ram_is_refused(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "vpn-gw")  # 1 GB
    with pytest.raises(ApiError) as info:
        await client.instances.change_os(record.id, "windows-server-2022")
    assert info.value.status == 400 and info.value.detail and "2048 MB" in info.value.detail
    assert record.data["status"] == "active"


async def test_seeded_transitional_instances_settle(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    dev = host(simulator, "dev-box").id
    node = host(simulator, "k8s-node-2").id
    assert [(await client.instances.get(i)).status for i in (dev, node)] == ["preparing_disk", "initializing"]
    sim_clock.advance(STEP)
    assert [(await client.instances.get(i)).status for i in (dev, node)] == ["initializing", "active"]
    sim_clock.advance(STEP)
    assert [(await client.instances.get(i)).status for i in (dev, node)] == ["active", "active"]


async def test_delete_during_a_transition(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    target = host(simulator, "dev-box").id
    await client.instances.delete(target)
    sim_clock.advance(5 * STEP)
    assert simulator.instances[target].data["status"] == "deleted"
    everything = await client.instances.list_all(InstanceFilters(include_deleted=True, hostname="dev-box"))
    assert [(i.id, i.status) for i in everything] == [(target, "deleted")]


# ---------------------------------------------------------------------------------------------------- backups


async def test_backup_profile_pending_then_active(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    target = host(simulator, "mail").id
    created = await client.backups.create(
        BackupProfileRequest(
            instance_id=target, schedule_frequency="weekly", schedule_week_days=["Tuesday"], period_id=14
        )
    )
    assert created is not None and created.status == "pending" and created.max_files == 2
    assert await statuses_of(lambda: client.backups.get(target), sim_clock, 1) == ["pending", "active"]
