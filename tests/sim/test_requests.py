"""What the simulator received: the request log is a bounded ring; the per-endpoint counters are always on, bounded
by the number of endpoints, readable in-process and over ``/_sim/requests`` (outside the API), and resettable."""

from __future__ import annotations

import httpx

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app
from cloudzy_tui.sim.app import ROUTES

from ._helpers import TOKEN, by_hostname, failed, ok, raw_client


def control_client(sim: Simulator) -> httpx.AsyncClient:
    """A client of the simulator's own endpoints, with no API token."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sim)), base_url="http://sim")


# ------------------------------------------------------------------------------------------------ the ring
async def test_the_request_log_keeps_exactly_the_newest_n(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, request_log=5))
    async with raw_client(sim) as api:
        for number in range(5 + 7):
            await api.get("/v1/regions", params={"n": number})
    assert len(sim.requests) == 5
    assert [r.query["n"] for r in sim.requests] == ["7", "8", "9", "10", "11"]  # the newest, oldest first
    assert sim.requests[-1].query["n"] == "11" and sim.requests[0].query["n"] == "7"
    assert [r.query["n"] for r in sim.requests[1:3]] == ["8", "9"]  # slices like a list
    assert sim.request_counts().total == 12  # the counters saw every request


async def test_the_default_log_is_bounded(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock))
    assert sim.requests.maxlen == SimConfig().request_log == 1000


async def test_a_zero_request_log_keeps_nothing_but_still_counts(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, request_log=0))
    async with raw_client(sim) as api:
        ok(await api.get("/v1/regions"))
        ok(await api.get("/v1/os"))
    assert len(sim.requests) == 0
    assert sim.request_counts().endpoints == {"GET /v1/os": 1, "GET /v1/regions": 1}


# ------------------------------------------------------------------------------------------------ counters
async def test_counts_per_route_template_and_in_total(api: httpx.AsyncClient, sim: Simulator) -> None:
    web01, web02 = by_hostname(sim, "web-01"), by_hostname(sim, "web-02")
    assert sim.request_counts().total == 0
    ok(await api.get("/v1/instances", params={"limit": 5}))
    ok(await api.get("/v1/instances", params={"limit": 5, "status": "active"}))
    ok(await api.get(f"/v1/instances/{web01}"))
    ok(await api.get(f"/v1/instances/{web02}/"))  # trailing slash: the same endpoint
    ok(await api.post(f"/v1/instances/{web01}/poweroff"))
    failed(await api.get("/v1/instances/nope"), 404)  # an unknown id is still that endpoint
    failed(await api.get("/v1/nothing"), 404)
    failed(await api.put("/v1/instances"), 405)
    failed(await api.get("http://sim/elsewhere"), 404)
    failed(await api.get("/v1/regions", headers={"API-Token": "wrong"}), 401)
    sim.faults.add("GET", "/v1/os", status=503)
    failed(await api.get("/v1/os"), 503)  # a faulted request was received all the same

    counts = sim.request_counts()
    assert counts.endpoints == {
        "GET /v1/instances": 2,
        "GET /v1/instances/{instanceId}": 3,
        "POST /v1/instances/{instanceId}/poweroff": 1,
        "GET (no route)": 2,
        "PUT (no route)": 1,
        "GET /v1/regions": 1,
        "GET /v1/os": 1,
    }
    assert counts.total == 11 == sum(counts.endpoints.values()) == len(sim.requests)


async def test_memory_is_one_entry_per_endpoint(clock: FakeClock) -> None:
    """A hundred distinct ids and unknown paths each do not grow the counters: only the templates are keys."""
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=clock, request_log=10))
    async with raw_client(sim) as api:
        for number in range(100):
            await api.get(f"/v1/instances/missing-{number}")
            await api.get(f"/v1/unknown-{number}")
            await api.delete(f"/v1/snapshots/missing-{number}")
            await api.get(f"http://sim/outside/{number}")
    counts = sim.request_counts()
    assert counts.total == 400
    assert counts.endpoints == {
        "GET /v1/instances/{instanceId}": 100,
        "GET (no route)": 200,
        "DELETE /v1/snapshots/{id}": 100,
    }
    assert len(sim.requests) == 10


async def test_reset_starts_a_fresh_window(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    start = sim.request_counts().since
    ok(await api.get("/v1/regions"))
    clock.advance(60)
    before = sim.reset_request_counts()
    assert (before.total, before.endpoints, before.since) == (1, {"GET /v1/regions": 1}, start)
    after = sim.request_counts()
    assert (after.total, after.endpoints, after.since) == (0, {}, start + 60)
    ok(await api.get("/v1/os"))
    assert sim.request_counts().endpoints == {"GET /v1/os": 1}
    assert len(sim.requests) == 2  # the log is not the counters: resetting them leaves it alone


# ------------------------------------------------------------------------------------------------ over HTTP
async def test_the_counters_over_http_need_no_token_and_are_not_the_api(sim: Simulator) -> None:
    async with raw_client(sim) as api:
        ok(await api.get("/v1/regions"))
        ok(await api.get("/v1/regions"))
        ok(await api.get("/v1/os"))
    async with control_client(sim) as control:
        response = await control.get("/_sim/requests")
        assert response.status_code == 200
        body = response.json()
        assert "code" not in body and "data" not in body  # not the API's envelope
        assert "not part of the Cloudzy API" in body["note"]
        assert body["total"] == 3
        assert body["endpoints"] == {"GET /v1/os": 1, "GET /v1/regions": 2}
        assert body["since"] == sim.started
        # reading the counters is neither counted nor logged
        assert (await control.get("/_sim/requests/")).json()["total"] == 3
    assert len(sim.requests) == 3


async def test_delete_over_http_resets_and_returns_the_window(sim: Simulator, clock: FakeClock) -> None:
    async with raw_client(sim) as api, control_client(sim) as control:
        ok(await api.get("/v1/os"))
        clock.advance(30)
        cleared = (await control.delete("/_sim/requests")).json()
        assert (cleared["total"], cleared["endpoints"]) == (1, {"GET /v1/os": 1})
        ok(await api.get("/v1/regions"))
        now = (await control.get("/_sim/requests")).json()
        assert (now["total"], now["endpoints"], now["since"]) == (1, {"GET /v1/regions": 1}, sim.started + 30)


async def test_the_control_path_answers_only_its_endpoint(sim: Simulator) -> None:
    sim.config.error_rate = 1.0  # the control path is never faulted, delayed or rate-limited
    sim.faults.add(None, "/", status=500, times=None)
    async with control_client(sim) as control:
        assert (await control.get("/_sim/requests")).status_code == 200
        wrong = await control.post("/_sim/requests")
        assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, DELETE"
        assert (await control.get("/_sim/other")).status_code == 404
        assert (await control.get("/_sim")).status_code == 404
    assert sim.request_counts().total == 0 and len(sim.requests) == 0


async def test_the_api_has_no_such_endpoint(api: httpx.AsyncClient, sim: Simulator) -> None:
    """Under ``/developers`` the path is the API's: an unknown route (404 envelope), counted like any other."""
    failed(await api.get("/_sim/requests"), 404)
    failed(await api.get("/v1/_sim/requests"), 404)
    assert sim.request_counts().endpoints == {"GET (no route)": 2}
    assert not any("_sim" in template for _, template, _ in ROUTES)
