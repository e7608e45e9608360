"""Pagination walks and every list filter."""

from __future__ import annotations

from typing import Any

import httpx

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator

from ._helpers import TOKEN, by_hostname, locs, ok, raw_client


async def walk_instances(api: httpx.AsyncClient, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Follow bookmarks until an empty page; returns (items, number of calls)."""
    seen: list[dict[str, Any]] = []
    bookmark: str | None = None
    calls = 0
    while True:
        query = dict(params)
        if bookmark is not None:
            query["bookmark"] = bookmark
        data = ok(await api.get("/v1/instances", params=query))
        calls += 1
        assert "bookmark" in data
        if not data["instances"]:
            assert data["bookmark"] == bookmark  # an empty page echoes the bookmark it was given
            return seen, calls
        assert data["bookmark"] and data["bookmark"] != bookmark
        seen.extend(data["instances"])
        bookmark = data["bookmark"]
        assert calls < 10_000


# ------------------------------------------------------------------------------------------------ paging
async def test_bookmark_walk_sees_everything_once(api: httpx.AsyncClient, sim: Simulator) -> None:
    items, calls = await walk_instances(api, limit=5)
    live = [r for r in sim.instances.values() if not r.deleted]
    assert len(items) == len(live)
    assert len({i["id"] for i in items}) == len(items)
    assert calls == -(-len(live) // 5) + 1  # full pages, then the empty one
    # newest first
    stamps = [i["insertedAt"] for i in items]
    assert stamps == sorted(stamps, reverse=True)


async def test_last_page_still_has_a_bookmark(api: httpx.AsyncClient, sim: Simulator) -> None:
    live = sum(1 for r in sim.instances.values() if not r.deleted)
    data = ok(await api.get("/v1/instances", params={"limit": 100}))
    assert len(data["instances"]) == live and data["bookmark"]
    after = ok(await api.get("/v1/instances", params={"limit": 100, "bookmark": data["bookmark"]}))
    assert after == {"instances": [], "bookmark": data["bookmark"]}


async def test_default_limit_is_10(api: httpx.AsyncClient) -> None:
    assert len(ok(await api.get("/v1/instances"))["instances"]) == 10
    assert len(ok(await api.get("/v1/instances", params={"limit": 5}))["instances"]) == 5
    assert locs(await api.get("/v1/instances", params={"limit": 4})) == [["query", "limit"]]


async def test_walk_is_stable_when_instances_are_created_meanwhile(api: httpx.AsyncClient, sim: Simulator) -> None:
    first = ok(await api.get("/v1/instances", params={"limit": 5}))
    product = next(p["id"] for p in sim.products.values() if p["regionId"] == "us-utah")
    ok(await api.post("/v1/instances", json={"hostnames": ["late-1"], "region": "us-utah", "productId": product}))
    rest, _ = await walk_instances_from(api, first["bookmark"])
    ids = [i["id"] for i in first["instances"] + rest]
    assert len(ids) == len(set(ids))
    assert "late-1" not in {i["hostname"] for i in rest}


async def walk_instances_from(api: httpx.AsyncClient, bookmark: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    calls = 0
    while True:
        data = ok(await api.get("/v1/instances", params={"limit": 5, "bookmark": bookmark}))
        calls += 1
        if not data["instances"]:
            return items, calls
        items.extend(data["instances"])
        bookmark = data["bookmark"]


async def test_page_based_lists_and_totals(api: httpx.AsyncClient, sim: Simulator) -> None:
    # make enough snapshots for three pages
    for hostname in ["web-02", "web-03", "cache-01", "mail", "monitoring", "ci-runner", "k8s-master", "worker-03"]:
        ok(await api.post("/v1/snapshots", json={"instanceId": by_hostname(sim, hostname)}))
    manual = [s for s in sim.snapshots.values() if not s.automated]
    seen: list[str] = []
    page = 1
    while True:
        data = ok(await api.get("/v1/snapshots", params={"limit": 5, "page": page}))
        assert data["total"] == len(manual)
        if not data["snapshots"]:
            break
        assert len(data["snapshots"]) <= 5
        seen += [s["id"] for s in data["snapshots"]]
        page += 1
    assert sorted(seen) == sorted(s.id for s in manual)
    assert page == -(-len(manual) // 5) + 1

    for path, key in [("/v1/iso", "isos"), ("/v1/images", "images")]:
        everything = ok(await api.get(path, params={"limit": 100}))
        assert len(everything[key]) == everything["total"]
        one = ok(await api.get(path, params={"limit": 1, "page": 2}))
        assert one["total"] == everything["total"] and one[key] == everything[key][1:2]

    ok(await api.post("/v1/floating-ips", json={"regionId": "us-utah", "count": 5}))
    ok(await api.post("/v1/floating-ips", json={"regionId": "us-utah", "count": 5}))
    first = ok(await api.get("/v1/floating-ips"))
    second = ok(await api.get("/v1/floating-ips", params={"page": 2}))
    assert len(first["floatingIps"]) == 10 and first["total"] == second["total"]
    assert len(second["floatingIps"]) == first["total"] - 10
    assert (
        ok(await api.get("/v1/floating-ips", params={"page": 2, "limit": 3}))["floatingIps"]
        == first["floatingIps"][3:6]
    )


async def test_ten_thousand_instances_seed_and_page_correctly() -> None:
    """Correctness only: how fast they seed and page is a benchmark figure (tests/benchmarks/run.py), not a test."""
    sim = Simulator(SimConfig(seed=5, token=TOKEN, instances=10_000, clock=FakeClock()))
    assert len(sim.instances) >= 10_000
    assert len({r["mainIp"] for r in sim.instances.values()}) == len(sim.instances)
    async with raw_client(sim) as api:
        items, calls = await walk_instances(api, limit=100)
    live = sum(1 for r in sim.instances.values() if not r.deleted)
    assert len(items) == live and len({i["id"] for i in items}) == live
    assert calls == -(-live // 100) + 1


async def test_filtered_walk_over_many_instances() -> None:
    sim = Simulator(SimConfig(seed=5, token=TOKEN, instances=2_000, clock=FakeClock()))
    async with raw_client(sim) as api:
        items, _ = await walk_instances(api, limit=50, region="nl-amsterdam", status="shutdown")
    expected = {r.id for r in sim.instances.values() if r["region"] == "nl-amsterdam" and r["status"] == "shutdown"}
    assert {i["id"] for i in items} == expected and len(items) == len(expected)


# ------------------------------------------------------------------------------------------------ instance filters
async def instance_ids(api: httpx.AsyncClient, **params: Any) -> set[str]:
    items, _ = await walk_instances(api, limit=100, **params)
    return {i["id"] for i in items}


def expected(sim: Simulator, keep: Any, include_deleted: bool = False) -> set[str]:
    return {r.id for r in sim.instances.values() if (include_deleted or not r.deleted) and keep(r)}


async def test_instance_filters(api: httpx.AsyncClient, sim: Simulator) -> None:
    assert await instance_ids(api, status="shutdown") == expected(sim, lambda r: r["status"] == "shutdown")
    assert await instance_ids(api, status="SHUTDOWN") == expected(sim, lambda r: r["status"] == "shutdown")
    assert await instance_ids(api, region="de-frankfurt") == expected(sim, lambda r: r["region"] == "de-frankfurt")
    assert await instance_ids(api, hostName="WEB") == expected(sim, lambda r: "web" in r["hostname"])
    assert len(await instance_ids(api, hostName="web")) >= 4
    assert await instance_ids(api, osFamily="debian") == expected(sim, lambda r: r["os"]["family"] == "debian")
    team = sim.team_customer_id
    assert await instance_ids(api, userId=team) == expected(sim, lambda r: r["userId"] == team)
    assert len(await instance_ids(api, userId=team)) == 2
    iso_user = next(r for r in sim.instances.values() if r["isoId"])
    assert await instance_ids(api, isoId=iso_user["isoId"]) == {iso_user.id}
    web = sim.instances[by_hostname(sim, "web-01")]
    assert await instance_ids(api, ipv4=web["mainIp"]) == {web.id}
    assert await instance_ids(api, ipv6=web["mainIpv6"].replace("::", ":0::")) == {web.id}
    assert await instance_ids(api, host=web.host) == expected(sim, lambda r: r.host == web.host)
    assert await instance_ids(api, hostName="nothing-like-this") == set()


async def test_include_deleted(api: httpx.AsyncClient, sim: Simulator) -> None:
    deleted = {r.id for r in sim.instances.values() if r.deleted}
    assert deleted
    assert not (await instance_ids(api)) & deleted
    with_deleted = await instance_ids(api, includeDeleted="true")
    assert deleted <= with_deleted and len(with_deleted) == len(sim.instances)
    assert await instance_ids(api, includeDeleted="true", status="deleted") == deleted


async def test_created_range(api: httpx.AsyncClient, sim: Simulator) -> None:
    stamps = sorted(r["insertedAt"] for r in sim.instances.values() if not r.deleted)
    low, high = stamps[5], stamps[15]
    got = await instance_ids(api, createdFrom=low, createdTo=high)
    assert got == expected(sim, lambda r: low <= r["insertedAt"] <= high)
    assert len(got) == 11
    assert await instance_ids(api, createdFrom=high.replace("Z", "+00:00")) == expected(
        sim, lambda r: r["insertedAt"] >= high
    )
    assert await instance_ids(api, createdTo="2000-01-01") == set()


# ------------------------------------------------------------------------------------------------ other filters
async def test_snapshot_filters(api: httpx.AsyncClient, sim: Simulator) -> None:
    default = ok(await api.get("/v1/snapshots", params={"limit": 100}))["snapshots"]
    assert default and all(not sim.snapshots[s["id"]].automated for s in default)
    automated = ok(await api.get("/v1/snapshots", params={"limit": 100, "is_automated_backup": "true"}))["snapshots"]
    assert automated and all(sim.snapshots[s["id"]].automated for s in automated)
    assert len(default) + len(automated) == len(sim.snapshots)
    db = by_hostname(sim, "db-primary")
    mine = ok(await api.get("/v1/snapshots", params={"instance_id": db}))["snapshots"]
    assert mine and all(s["instanceId"] == db for s in mine)
    failed_ones = ok(await api.get("/v1/snapshots", params={"status": "FAILED"}))["snapshots"]
    assert len(failed_ones) == 1 and failed_ones[0]["status"] == "FAILED"
    deleted_owner = [s for s in default if s["isInstanceDeleted"]]
    assert len(deleted_owner) == 1


async def test_floating_ip_filters(api: httpx.AsyncClient, sim: Simulator) -> None:
    everything = ok(await api.get("/v1/floating-ips", params={"include_deleted": "true", "limit": 100}))
    live = ok(await api.get("/v1/floating-ips", params={"limit": 100}))
    assert everything["total"] == live["total"] + 1
    assert all(not f["isDeleted"] for f in live["floatingIps"])
    one = live["floatingIps"][2]
    by_address = ok(await api.get("/v1/floating-ips", params={"address": one["ipAddress"]}))
    assert by_address["floatingIps"] == [one] and by_address["total"] == 1
    utah = ok(await api.get("/v1/floating-ips", params={"region_id": "us-utah"}))["floatingIps"]
    assert utah and all(f["regionId"] == "us-utah" for f in utah)
    cut = sorted(f["expiresAt"] for f in live["floatingIps"])[3]
    later = ok(await api.get("/v1/floating-ips", params={"expires_after": cut}))["floatingIps"]
    assert later and all(f["expiresAt"] > cut for f in later)
    in_ms = ok(await api.get("/v1/floating-ips", params={"expires_after": cut * 1000}))["floatingIps"]
    assert in_ms == later


async def test_iso_image_backup_and_key_filters(api: httpx.AsyncClient, sim: Simulator) -> None:
    ready = ok(await api.get("/v1/iso", params={"status": "READY"}))
    assert ready["total"] == len(ready["isos"]) >= 2 and all(i["status"] == "READY" for i in ready["isos"])
    default = ok(await api.get("/v1/iso", params={"limit": 100}))["isos"]
    assert all(i["status"] != "DELETED" for i in default)
    deleted = ok(await api.get("/v1/iso", params={"status": "DELETED"}))["isos"]
    assert len(deleted) == 1
    statuses = {i["status"] for i in ok(await api.get("/v1/images", params={"limit": 100}))["images"]}
    assert statuses == {"READY", "FAILED", "DOWNLOADING"}
    failed_images = ok(await api.get("/v1/images", params={"status": "FAILED"}))["images"]
    assert [i["status"] for i in failed_images] == ["FAILED"]

    profiles = ok(await api.get("/v1/backups"))["backups"]
    assert {p["status"] for p in profiles} == {"active", "inactive", "pending"}
    active = ok(await api.get("/v1/backups", params={"status": "active"}))["backups"]
    assert active and all(p["status"] == "active" for p in active)

    keys = ok(await api.get("/v1/ssh-keys"))
    team = ok(await api.get("/v1/ssh-keys", params={"customerId": sim.team_customer_id}))
    assert len(team) == 1 and team[0]["customerId"] == sim.team_customer_id
    mine = ok(await api.get("/v1/ssh-keys", params={"customerId": sim.customer_id}))
    assert len(mine) + len(team) == len(keys)
