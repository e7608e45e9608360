"""Same seed, same world; another seed, another world; seed content is realistic and valid."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator
from cloudzy_tui.sim.config import SEED_BASE_EPOCH
from cloudzy_tui.sim.validation import is_valid_hostname

from ._helpers import TOKEN, ok, raw_client

LISTS: list[tuple[str, dict[str, str | int]]] = [
    ("/v1/instances", {"limit": 100, "includeDeleted": "true"}),
    ("/v1/regions", {}),
    ("/v1/products", {"regionId": "us-utah"}),
    ("/v1/products", {"regionId": "de-frankfurt"}),
    ("/v1/os", {}),
    ("/v1/applications", {}),
    ("/v1/ssh-keys", {}),
    ("/v1/snapshots", {"limit": 100}),
    ("/v1/snapshots", {"limit": 100, "is_automated_backup": "true"}),
    ("/v1/floating-ips", {"limit": 100, "include_deleted": "true"}),
    ("/v1/iso", {"limit": 100}),
    ("/v1/images", {"limit": 100}),
    ("/v1/backups", {}),
]


async def snapshot_of(seed: int, start: float = 1_764_000_000.0, actions: bool = True) -> str:
    clock = FakeClock(start)
    sim = Simulator(SimConfig(seed=seed, token=TOKEN, clock=clock, instances=50))
    out = []
    async with raw_client(sim) as api:
        if actions:
            web = next(r.id for r in sim.instances.values() if r["hostname"] == "web-02")
            product = next(p["id"] for p in sim.products.values() if p["regionId"] == "us-utah")
            ok(
                await api.post(
                    "/v1/instances",
                    json={"hostnames": ["d1", "d2"], "region": "us-utah", "productId": product, "assignIpv4": True},
                )
            )
            ok(await api.post("/v1/snapshots", json={"instanceId": web}))
            ok(await api.post(f"/v1/instances/{web}/change-pass"))
            ok(await api.post("/v1/floating-ips", json={"regionId": "us-utah", "count": 2}))
            clock.advance(4)
        for path, params in LISTS:
            response = await api.get(path, params=params)
            out.append(response.text)
    return "\n".join(out)


async def test_same_seed_gives_identical_json() -> None:
    assert await snapshot_of(1) == await snapshot_of(1)
    assert await snapshot_of(42) == await snapshot_of(42)


async def test_different_seeds_differ() -> None:
    assert await snapshot_of(1) != await snapshot_of(2)


async def test_seed_content_does_not_depend_on_the_clock() -> None:
    early = await snapshot_of(3, start=1_764_000_000.0, actions=False)
    late = await snapshot_of(3, start=1_900_000_000.0, actions=False)
    assert early == late


async def test_seeded_timestamps_precede_the_base_epoch() -> None:
    sim = Simulator(SimConfig(seed=9, clock=FakeClock()))
    for record in sim.instances.values():
        assert record.created <= SEED_BASE_EPOCH
    for snap in sim.snapshots.values():
        assert snap["createdAt"] <= SEED_BASE_EPOCH * 1000


def test_seed_mix_is_realistic() -> None:
    sim = Simulator(SimConfig(seed=1, clock=FakeClock()))
    instances = list(sim.instances.values())
    assert 25 <= len(instances) <= 40
    statuses = [r["status"] for r in instances]
    assert statuses.count("active") >= 15 and statuses.count("shutdown") >= 3
    assert statuses.count("deleted") == 1
    assert {"preparing_disk", "initializing"} <= set(statuses)
    assert len({r["region"] for r in instances}) >= 5
    assert len({r["osId"] for r in instances}) >= 6
    assert {r["class"] for r in instances} == {"default", "cpu-optimized", "gpu-provided"}
    for record in instances:
        assert is_valid_hostname(record["hostname"])
        address = ipaddress.ip_address(record["mainIp"])
        assert address in ipaddress.ip_network("203.0.113.0/24") or address in ipaddress.ip_network("198.51.100.0/24")
        if record["mainIpv6"]:
            assert ipaddress.ip_address(record["mainIpv6"]) in ipaddress.ip_network("2001:db8::/32")
    assert sum(1 for r in instances if r["mainIpv6"]) >= 5
    snaps = list(sim.snapshots.values())
    assert any(s.automated for s in snaps) and any(s["status"] == "FAILED" for s in snaps)
    assert {i["status"] for i in sim.isos.values()} >= {"READY", "FAILED", "DOWNLOADING"}
    assert {i["status"] for i in sim.images.values()} >= {"READY", "FAILED", "DOWNLOADING"}
    assert len(sim.backups) >= 3
    assert sim.balance == 1000.0


@pytest.mark.skipif(
    subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0, reason="ssh-keygen not installed"
)
def test_seeded_ssh_keys_are_valid_for_ssh_keygen() -> None:
    sim = Simulator(SimConfig(seed=4, clock=FakeClock()))
    with tempfile.TemporaryDirectory() as tmp:
        for key in sim.ssh_keys.values():
            path = Path(tmp) / f"{key['id']}.pub"
            path.write_text(key["publicKey"] + "\n")
            result = subprocess.run(["ssh-keygen", "-lf", str(path)], capture_output=True, text=True, timeout=10)
            assert result.returncode == 0, result.stderr
            assert result.stdout.split()[1] == key["fingerprint"]


def test_generated_instances_are_deterministic_and_distinct() -> None:
    one = Simulator(SimConfig(seed=8, instances=300, clock=FakeClock()))
    two = Simulator(SimConfig(seed=8, instances=300, clock=FakeClock()))
    dump = [json.dumps(r.data, sort_keys=True) for r in one.instances.values()]
    assert dump == [json.dumps(r.data, sort_keys=True) for r in two.instances.values()]
    fleet = [r for r in one.instances.values() if r["hostname"].startswith("fleet-")]
    assert len(fleet) == 300 and len({r["hostname"] for r in fleet}) == 300
