"""Fault knobs: error_rate, rate_limit, latency, the programmable ``sim.faults`` queue; the request log."""

from __future__ import annotations

import time

import httpx
import pytest

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator

from ._helpers import TOKEN, by_hostname, failed, ok, product_id, raw_client


def create_body(sim: Simulator, hostname: str) -> dict[str, object]:
    return {"hostnames": [hostname], "region": "us-utah", "productId": product_id(sim, "us-utah", "regular-1c-2g")}


def hostnames(sim: Simulator) -> list[str]:
    return [r["hostname"] for r in sim.instances.values()]


# ------------------------------------------------------------------------------------------------ error_rate
async def test_error_rate_one_fails_everything_without_effect(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, error_rate=1.0))
    kinds = set()
    async with raw_client(sim) as api:
        for _ in range(40):
            response = await api.get("/v1/regions")
            assert response.status_code in (500, 502, 503)
            kinds.add((response.status_code, response.headers["content-type"].split(";")[0]))
            if response.headers["content-type"].startswith("application/json"):
                assert response.json()["code"] == "FAILED"
            else:
                assert "<html>" in response.text
        response = await api.post("/v1/instances", json=create_body(sim, "never"))
        assert response.status_code >= 500
    assert "never" not in hostnames(sim)
    assert {(500, "application/json"), (503, "application/json"), (502, "text/html"), (503, "text/html")} == kinds


async def test_error_rate_is_seeded_and_partial(clock: FakeClock) -> None:
    async def statuses(seed: int) -> list[int]:
        sim = Simulator(SimConfig(seed=seed, token=TOKEN, clock=FakeClock(), error_rate=0.3))
        async with raw_client(sim) as api:
            return [(await api.get("/v1/os")).status_code for _ in range(60)]

    first = await statuses(5)
    assert first == await statuses(5)
    assert 200 in first and any(s >= 500 for s in first)
    assert 5 <= sum(s >= 500 for s in first) <= 35


async def test_error_rate_can_change_on_a_live_simulator(api: httpx.AsyncClient, sim: Simulator) -> None:
    ok(await api.get("/v1/os"))
    sim.config.error_rate = 1.0
    assert (await api.get("/v1/os")).status_code >= 500
    sim.config.error_rate = 0.0
    ok(await api.get("/v1/os"))


# ------------------------------------------------------------------------------------------------ rate limit
async def test_rate_limit_answers_429_with_retry_after(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, rate_limit=3))
    async with raw_client(sim) as api:
        codes = [(await api.get("/v1/os")).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        limited = await api.post("/v1/instances", json=create_body(sim, "too-fast"))
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "1"
        body = limited.json()
        assert body["code"] != "OKAY" and body["data"]["statusCode"] == 429
        assert "too-fast" not in hostnames(sim)
        clock.advance(0.5)
        assert (await api.get("/v1/os")).status_code == 429
        clock.advance(0.6)  # the window slid past the first three
        assert [(await api.get("/v1/os")).status_code for _ in range(4)] == [200, 200, 200, 429]


# ------------------------------------------------------------------------------------------------ latency
async def test_latency_is_added_per_request(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, latency_ms=40))
    async with raw_client(sim) as api:
        started = time.perf_counter()
        ok(await api.get("/v1/os"))
        ok(await api.get("/v1/os"))
        assert time.perf_counter() - started >= 0.08


# ------------------------------------------------------------------------------------------------ sim.faults
async def test_programmable_fault_then_recovery(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="GET", path_prefix="/v1/instances", status=503, times=2, retry_after=2)
    ok(await api.get("/v1/regions"))  # other paths unaffected
    ok(await api.post("/v1/snapshots", json={"instanceId": by_hostname(sim, "web-02")}))  # other methods too
    for _ in range(2):
        response = await api.get("/v1/instances")
        failed(response, 503)
        assert response.headers["retry-after"] == "2"
    ok(await api.get("/v1/instances"))
    assert len(sim.faults) == 0


async def test_prefix_matches_sub_paths_and_developers_prefix(api: httpx.AsyncClient, sim: Simulator) -> None:
    web = by_hostname(sim, "web-02")
    rule = sim.faults.add(method=None, path_prefix="/developers/v1/instances", status=500, times=None)
    failed(await api.get(f"/v1/instances/{web}"), 500)
    failed(await api.post(f"/v1/instances/{web}/poweroff"), 500)
    assert sim.instances[web]["status"] == "active"
    assert rule.hits == 2
    sim.faults.clear()
    ok(await api.get(f"/v1/instances/{web}"))


async def test_raw_bodies_html_and_truncated_json(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="GET", path_prefix="/v1/os", status=502, body=b"<html><body>Bad gateway</body></html>")
    sim.faults.add(method="GET", path_prefix="/v1/os", status=200, body=b'{"detail": "OK", "code": "OK", "da')
    html = await api.get("/v1/os")
    assert html.status_code == 502 and html.headers["content-type"].startswith("text/html")
    assert html.text == "<html><body>Bad gateway</body></html>"
    truncated = await api.get("/v1/os")
    assert truncated.status_code == 200
    with pytest.raises(ValueError):
        truncated.json()
    ok(await api.get("/v1/os"))


async def test_faulted_post_has_no_effect(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="POST", path_prefix="/v1/instances", status=503)
    before = len(sim.instances)
    failed(await api.post("/v1/instances", json=create_body(sim, "ghost-1")), 503)
    assert len(sim.instances) == before and "ghost-1" not in hostnames(sim)
    ok(await api.post("/v1/instances", json=create_body(sim, "ghost-1")))
    assert hostnames(sim).count("ghost-1") == 1


async def test_post_applied_but_reply_lost(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="POST", path_prefix="/v1/instances", status=504, after=True)
    response = await api.post("/v1/instances", json=create_body(sim, "took-effect"))
    failed(response, 504)
    assert hostnames(sim).count("took-effect") == 1  # the create happened
    found = ok(await api.get("/v1/instances", params={"hostName": "took-effect"}))["instances"]
    assert len(found) == 1


async def test_connection_reset(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="GET", path_prefix="/v1/regions", reset=True)
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get("/v1/regions")
    assert sim.requests[-1].status == 0
    ok(await api.get("/v1/regions"))
    sim.faults.add(method="POST", path_prefix="/v1/snapshots", reset=True, after=True)
    web = by_hostname(sim, "web-02")
    with pytest.raises(httpx.TransportError):
        await api.post("/v1/snapshots", json={"instanceId": web})
    assert any(s["instanceId"] == web for s in sim.snapshots.values())  # applied, then the line dropped


async def test_fault_delay(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="GET", path_prefix="/v1/os", status=None, delay_ms=60)
    started = time.perf_counter()
    ok(await api.get("/v1/os"))
    assert time.perf_counter() - started >= 0.06


async def test_faults_come_before_auth(sim: Simulator) -> None:
    sim.faults.add(status=503)
    async with raw_client(sim, token="wrong") as api:
        failed(await api.get("/v1/os"), 503)
        failed(await api.get("/v1/os"), 401)


# ------------------------------------------------------------------------------------------------ request log
async def test_every_request_is_recorded(api: httpx.AsyncClient, sim: Simulator) -> None:
    sim.faults.add(method="GET", path_prefix="/v1/iso", status=500)
    ok(await api.get("/v1/instances", params={"limit": 5, "status": "active"}))
    failed(await api.get("/v1/iso"), 500)
    web = by_hostname(sim, "web-02")
    ok(await api.post("/v1/snapshots", json={"instanceId": web}))
    failed(await api.get("/v1/nowhere/"), 404)
    log = [(r.method, r.path, r.query, r.status) for r in sim.requests]
    assert log == [
        ("GET", "/v1/instances", {"limit": "5", "status": "active"}, 200),
        ("GET", "/v1/iso", {}, 500),
        ("POST", "/v1/snapshots", {}, 200),
        ("GET", "/v1/nowhere", {}, 404),
    ]
    assert sim.requests[2].body == {"instanceId": web}
    # counting poller calls is a one-liner
    assert sum(1 for r in sim.requests if r.method == "GET" and r.path == "/v1/instances") == 1
