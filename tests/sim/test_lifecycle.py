"""Time-driven state, applied lazily from the (fake) clock: nothing runs in the background."""

from __future__ import annotations

import httpx
import pytest

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator

from ._helpers import TOKEN, by_hostname, failed, ok, product_id, raw_client


async def status(api: httpx.AsyncClient, instance_id: str) -> str:
    return str(ok(await api.get(f"/v1/instances/{instance_id}"))["status"])


async def test_create_goes_through_preparing_disk_and_initializing(
    api: httpx.AsyncClient, sim: Simulator, clock: FakeClock
) -> None:
    product = product_id(sim, "us-utah", "regular-1c-2g")
    new = ok(await api.post("/v1/instances", json={"hostnames": ["n1"], "region": "us-utah", "productId": product}))[
        "instances"
    ][0]
    assert new["status"] == "preparing_disk"
    clock.advance(2.9)
    assert await status(api, new["id"]) == "preparing_disk"
    clock.advance(0.1)
    assert await status(api, new["id"]) == "initializing"
    clock.advance(3)
    assert await status(api, new["id"]) == "active"
    # a long jump applies every step at once
    other = ok(await api.post("/v1/instances", json={"hostnames": ["n2"], "region": "us-utah", "productId": product}))[
        "instances"
    ][0]
    clock.advance(3600)
    assert await status(api, other["id"]) == "active"


async def test_power_cycle(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    web = by_hostname(sim, "web-02")
    ok(await api.post(f"/v1/instances/{web}/poweroff"))
    assert await status(api, web) == "stopping"
    clock.advance(3)
    assert await status(api, web) == "shutdown"
    ok(await api.post(f"/v1/instances/{web}/poweron"))
    assert await status(api, web) == "starting"
    clock.advance(3)
    assert await status(api, web) == "active"
    ok(await api.post(f"/v1/instances/{web}/reset"))
    assert await status(api, web) == "resetting"
    clock.advance(3)
    assert await status(api, web) == "active"


async def test_change_os(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    vpn = by_hostname(sim, "vpn-gw")
    reply = ok(await api.post(f"/v1/instances/{vpn}/change-os", json={"osId": "ubuntu-24.04"}))
    assert reply["status"] == "preparing_disk"
    assert reply["osId"] == "ubuntu-24.04" and reply["os"]["name"] == "Ubuntu 24.04 LTS"
    assert reply["appId"] is None and reply["ocaData"] is None
    clock.advance(3)
    assert await status(api, vpn) == "initializing"
    clock.advance(3)
    assert await status(api, vpn) == "active"


async def test_resize_fixed_returns_to_previous_status(
    api: httpx.AsyncClient, sim: Simulator, clock: FakeClock
) -> None:
    stopped = by_hostname(sim, "worker-02")  # shutdown, regular-4c-8g in Amsterdam
    target = product_id(sim, "nl-amsterdam", "regular-8c-16g")
    reply = ok(
        await api.post(
            f"/v1/instances/{stopped}/resize",
            json={"type": "FIXED", "productId": target, "extraResource": {"diskInGB": 10}},
        )
    )
    assert reply["status"] == "resizing" and reply["vcpuCount"] == 4  # specs change when it ends
    clock.advance(3)
    done = ok(await api.get(f"/v1/instances/{stopped}"))
    assert done["status"] == "shutdown"
    assert (done["vcpuCount"], done["ram"], done["disk"], done["productId"]) == (8, 16384, 330, target)


async def test_resize_custom(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    gateway = by_hostname(sim, "api-gateway")  # custom plan in Utah
    ok(
        await api.post(
            f"/v1/instances/{gateway}/resize",
            json={
                "type": "CUSTOM",
                "instanceId": gateway,
                "extraResource": {"cpu": 8, "ramInGB": 16, "diskInGB": 200, "bandwidthInTB": 10},
            },
        )
    )
    clock.advance(3)
    done = ok(await api.get(f"/v1/instances/{gateway}"))
    assert (done["vcpuCount"], done["ram"], done["disk"], done["status"]) == (8, 16384, 200, "active")
    assert done["extraResource"]["bandwidthInTB"] == 10


async def test_add_traffic_lifts_a_limited_network(api: httpx.AsyncClient, sim: Simulator) -> None:
    limited = next(r for r in sim.instances.values() if r["networkStatus"] == "limited")
    before = limited["extraResource"]["bandwidthInTB"]
    reply = ok(await api.post(f"/v1/instances/{limited.id}/add-traffic", json={"amount": 1.5}))
    assert reply["extraResource"]["bandwidthInTB"] == before + 1  # whole TB credited, 0.5 kept
    assert reply["networkStatus"] == "active"


async def test_add_traffic_keeps_bandwidth_an_integer(api: httpx.AsyncClient, sim: Simulator) -> None:
    # ExtraResourceDetailSchema: bandwidthInTB is an integer, whatever fractions of a TB are bought
    web = by_hostname(sim, "web-02")
    before = ok(await api.get(f"/v1/instances/{web}"))["extraResource"]["bandwidthInTB"]
    shown = []
    for amount in (0.5, 0.25, 0.25, 2, 0.1):
        reply = ok(await api.post(f"/v1/instances/{web}/add-traffic", json={"amount": amount}))
        value = reply["extraResource"]["bandwidthInTB"]
        assert isinstance(value, int) and not isinstance(value, bool)
        shown.append(value - before)
    assert shown == [0, 0, 1, 3, 3]
    got = ok(await api.get(f"/v1/instances/{web}"))["extraResource"]["bandwidthInTB"]
    assert isinstance(got, int) and got == before + 3


async def test_snapshot_becomes_active_and_restore(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    web = by_hostname(sim, "web-02")
    snap = ok(await api.post("/v1/snapshots", json={"instanceId": web}))
    assert snap["status"] == "IN_PROGRESS" and snap["lastRestoredAt"] is None
    clock.advance(3)
    assert ok(await api.get(f"/v1/snapshots/{snap['id']}"))["status"] == "ACTIVE"
    ok(await api.post(f"/v1/instances/{web}/change-os", json={"osId": "debian-12"}))
    clock.advance(6)
    restoring = ok(await api.post(f"/v1/snapshots/{snap['id']}/restore"))
    assert restoring["status"] == "RESTORING"
    assert await status(api, web) == "restoring"
    failed(await api.post(f"/v1/instances/{web}/poweroff"), 409)
    clock.advance(3)
    restored = ok(await api.get(f"/v1/snapshots/{snap['id']}"))
    assert restored["status"] == "ACTIVE"
    assert restored["lastRestoredAt"] == round(clock() * 1000)
    instance = ok(await api.get(f"/v1/instances/{web}"))
    assert instance["status"] == "active" and instance["osId"] == "ubuntu-24.04"  # the snapshot's OS is back


async def test_snapshot_failure_can_be_forced(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=2, token=TOKEN, clock=clock, snapshot_failure_rate=1.0))
    async with raw_client(sim) as api:
        snap = ok(await api.post("/v1/snapshots", json={"instanceId": by_hostname(sim, "web-01")}))
        clock.advance(3)
        assert ok(await api.get(f"/v1/snapshots/{snap['id']}"))["status"] == "FAILED"
        failed(await api.post(f"/v1/snapshots/{snap['id']}/restore"), 409)
        assert ok(await api.delete(f"/v1/snapshots/{snap['id']}")) is None


async def test_snapshot_failure_rate_is_seeded(clock: FakeClock) -> None:
    async def outcomes(seed: int) -> list[str]:
        sim = Simulator(SimConfig(seed=seed, token=TOKEN, clock=FakeClock(), snapshot_failure_rate=0.5))
        out = []
        async with raw_client(sim) as api:
            web = by_hostname(sim, "web-02")
            for _ in range(12):
                snap = ok(await api.post("/v1/snapshots", json={"instanceId": web}))
                sim.config.clock.advance(3)  # type: ignore[union-attr]
                out.append(ok(await api.get(f"/v1/snapshots/{snap['id']}"))["status"])
        return out

    first = await outcomes(11)
    assert first == await outcomes(11)
    assert set(first) == {"ACTIVE", "FAILED"}


@pytest.mark.parametrize(
    ("url", "final"),
    [
        ("https://example.com/custom.iso", "READY"),
        ("https://releases.example.org/path/os.iso", "READY"),
        ("https://mirror.invalid/os.iso", "FAILED"),
        ("https://files.test/os.iso", "FAILED"),
        ("http://localhost:8080/os.iso", "FAILED"),
        ("https://unreachable.example.com/os.iso", "FAILED"),
        ("https://example.com/will-FAIL.iso", "FAILED"),
    ],
)
async def test_iso_download_outcomes(api: httpx.AsyncClient, clock: FakeClock, url: str, final: str) -> None:
    iso = ok(await api.post("/v1/iso", json={"name": "x", "url": url, "regionId": "us-utah"}))
    assert iso["status"] == "DOWNLOADING" and iso["progress"] == 0
    clock.advance(3)
    halfway = ok(await api.get(f"/v1/iso/{iso['id']}"))
    if final == "READY":
        assert halfway["status"] == "DOWNLOADING" and halfway["progress"] == 50
    else:
        assert halfway["status"] == "FAILED"
    clock.advance(3)
    assert ok(await api.get(f"/v1/iso/{iso['id']}"))["status"] == final


async def test_image_download_and_seeded_downloads_settle(
    api: httpx.AsyncClient, sim: Simulator, clock: FakeClock
) -> None:
    image = ok(
        await api.post(
            "/v1/images",
            json={"name": "img", "url": "https://example.com/a.qcow2", "regionId": "de-frankfurt", "format": "qcow2"},
        )
    )
    clock.advance(6)
    assert ok(await api.get(f"/v1/images/{image['id']}"))["status"] == "READY"
    assert ok(await api.get("/v1/images", params={"status": "DOWNLOADING"}))["total"] == 0
    assert ok(await api.get("/v1/iso", params={"status": "DOWNLOADING"}))["total"] == 0


async def test_seeded_transitional_objects_settle(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    busy = ok(await api.get("/v1/instances", params={"limit": 100}))["instances"]
    assert {i["status"] for i in busy} >= {"preparing_disk", "initializing", "active", "shutdown"}
    assert ok(await api.get("/v1/snapshots", params={"status": "IN_PROGRESS"}))["total"] == 1
    assert ok(await api.get("/v1/backups", params={"status": "pending"}))["backups"]
    clock.advance(6)
    settled = ok(await api.get("/v1/instances", params={"limit": 100}))["instances"]
    assert {i["status"] for i in settled} == {"active", "shutdown"}
    assert ok(await api.get("/v1/snapshots", params={"status": "IN_PROGRESS"}))["total"] == 0
    assert not ok(await api.get("/v1/backups", params={"status": "pending"}))["backups"]


async def test_refresh_applies_transitions_without_a_request(sim: Simulator, clock: FakeClock) -> None:
    dev = sim.instances[by_hostname(sim, "dev-box")]
    assert dev["status"] == "preparing_disk" and dev.busy
    clock.advance(10)
    assert dev["status"] == "preparing_disk"  # lazily: nothing happens until asked
    assert sim.refresh() >= 2
    assert dev["status"] == "active" and not dev.busy


async def test_delete_instance_side_effects(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    web = by_hostname(sim, "web-01")
    fips = [f for f in sim.floating_ips.values() if f["instanceId"] == web]
    snaps = [s for s in sim.snapshots.values() if s["instanceId"] == web]
    assert fips and snaps and web in sim.backups
    ok(await api.post(f"/v1/instances/{web}/poweroff"))
    assert ok(await api.delete(f"/v1/instances/{web}")) is None  # even mid-transition
    clock.advance(10)
    assert sim.instances[web]["status"] == "deleted"  # the pending power-off never lands
    failed(await api.get(f"/v1/instances/{web}"), 404)
    failed(await api.post(f"/v1/instances/{web}/poweron"), 404)
    failed(await api.delete(f"/v1/instances/{web}"), 404)
    assert all(f["instanceId"] is None for f in fips)
    assert all(s["isInstanceDeleted"] for s in snaps)
    failed(await api.get(f"/v1/backups/{web}"), 404)
    manual = next(s for s in snaps if not s.automated)
    assert "deleted" in failed(await api.post(f"/v1/snapshots/{manual.id}/restore"), 409)
    listed = ok(await api.get("/v1/instances", params={"includeDeleted": "true", "hostName": "web-01"}))
    assert [(i["id"], i["status"]) for i in listed["instances"]] == [(web, "deleted")]


async def test_delete_releases_the_balance_hold(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, balance=45.0))
    product = product_id(sim, "us-utah", "regular-4c-8g")  # 39.95
    async with raw_client(sim) as api:
        first = ok(
            await api.post("/v1/instances", json={"hostnames": ["a"], "region": "us-utah", "productId": product})
        )["instances"][0]
        assert (
            await api.post("/v1/instances", json={"hostnames": ["b"], "region": "us-utah", "productId": product})
        ).status_code == 460
        ok(await api.delete(f"/v1/instances/{first['id']}"))
        ok(await api.post("/v1/instances", json={"hostnames": ["b"], "region": "us-utah", "productId": product}))


async def test_backup_profile_lifecycle(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    target = by_hostname(sim, "mail")
    created = ok(
        await api.post(
            "/v1/backups",
            json={
                "instanceId": target,
                "scheduleFrequency": "weekly",
                "periodId": 14,
                "scheduleWeekDays": ["Monday", "Thursday"],
            },
        )
    )
    assert created["status"] == "pending" and created["maxFiles"] == 4
    assert created["backupFiles"] == [] and created["lastSuccessfulBackupTime"] is None
    clock.advance(3)
    assert ok(await api.get(f"/v1/backups/{target}"))["status"] == "active"
    seeded = ok(await api.get(f"/v1/backups/{by_hostname(sim, 'db-primary')}"))
    assert len(seeded["backupFiles"]) == 3
    assert seeded["lastSuccessfulBackupTime"] == max(f["createdAt"] for f in seeded["backupFiles"])


async def test_floating_ip_release_keeps_it_visible(api: httpx.AsyncClient, sim: Simulator) -> None:
    attached = next(f for f in sim.floating_ips.values() if f["instanceId"])
    released = ok(await api.post(f"/v1/floating-ips/{attached.id}/release"))
    assert released["isDeleted"] and released["instanceId"] is None
    live = ok(await api.get("/v1/floating-ips", params={"limit": 100}))["floatingIps"]
    assert attached.id not in {f["id"] for f in live}
    every = ok(await api.get("/v1/floating-ips", params={"limit": 100, "include_deleted": "1"}))["floatingIps"]
    assert attached.id in {f["id"] for f in every}


async def test_nothing_is_left_running(sim: Simulator, clock: FakeClock) -> None:
    import asyncio

    async with raw_client(sim) as api:
        ok(await api.post("/v1/snapshots", json={"instanceId": by_hostname(sim, "web-02")}))
    assert len(asyncio.all_tasks()) == 1  # only this test
    assert len(sim.scheduler) > 0  # pending work is data, not tasks
