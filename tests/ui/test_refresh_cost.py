"""Refresh that costs what it is worth, the local cache painted at once, the request rate in the status bar.

Refresh ticks are driven by ``ResourceScreen.refresh_tick`` (the real timer is cancelled), the planner's clock is a
fake monotonic clock, and the cost of each tick is read from the simulator's own request counters."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
from conftest import FROZEN_NOW, TOKEN

from cloudzy_tui.api import CloudzyClient, RequestBudget
from cloudzy_tui.core.cache import ListCache
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app
from cloudzy_tui.ui.screens.resource import ResourceScreen

from .helpers import loaded, screen_text, settle, wait_for

FLEET = 1200


class Mono:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def fleet() -> Simulator:
    return Simulator(
        SimConfig(
            seed=2, token=TOKEN, clock=FakeClock(start=FROZEN_NOW), instances=FLEET, request_log=0, job_seconds=2.0
        )
    )


def client_for(sim: Simulator, transport: httpx.AsyncBaseTransport | None = None) -> CloudzyClient:
    async def no_sleep(_: float) -> None:
        return None

    return CloudzyClient(
        "http://sim.test/developers",
        TOKEN,
        transport=transport or httpx.ASGITransport(app=create_app(sim)),
        sleep=no_sleep,
    )


def list_requests(sim: Simulator) -> tuple[int, int]:
    endpoints = sim.request_counts().endpoints
    return int(endpoints.get("GET /v1/instances", 0)), int(endpoints.get("GET /v1/instances/{instanceId}", 0))


async def tick(pilot: Any, screen: ResourceScreen[Any]) -> None:
    screen.refresh_tick()
    await settle(pilot, rounds=1)  # the tick's worker done (what it cost is counted by the simulator)
    screen.cancel_refresh_timer()  # (re-armed when the tick's work ended)


async def test_light_refresh_between_full_walks(make_app: Any) -> None:
    sim = fleet()
    mono = Mono()
    app = make_app(client=client_for(sim), refresh_seconds=15, monotonic=mono)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        screen.cancel_refresh_timer()
        assert len(screen.model) > FLEET
        full_cost = app.freshness.full_cost("instances")
        assert full_cost >= FLEET // 100
        period = app.freshness.full_period("instances", 15)
        assert period > 15  # a walk this big is not made every tick

        # the newest instance is renamed on the server: the light tick's first page brings it
        newest = max(sim.instances.values(), key=lambda r: r.seq)
        newest.data["hostname"] = "renamed-newest"
        sim.reset_request_counts()
        mono.t += 15
        await tick(pilot, screen)
        walks, gets = list_requests(sim)
        assert walks == 1, "a light tick reads one page of the list"
        assert gets <= 3 + 5
        assert screen.model.items[newest.data["id"]].hostname == "renamed-newest"

        # a screen not on display does not refresh at all
        app.show_resource("snapshots")
        await loaded(pilot, "snapshots")
        sim.reset_request_counts()
        mono.t += app.freshness.full_period("instances", 15)  # (as planned now: light ticks' cost included)
        screen.refresh_tick()
        await settle(pilot)
        assert list_requests(sim) == (0, 0)
        assert screen.refresh_due

        # back on display after the full period: the full walk
        app.show_resource("instances")
        await wait_for(pilot, lambda: app.screen is screen)
        await settle(pilot)
        walks, _ = list_requests(sim)
        assert walks >= FLEET // 100


async def test_light_ticks_keep_an_idle_list_within_the_budget(make_app: Any) -> None:
    """Thirty minutes of 15-second ticks on a 1,200-instance list, counted by the simulator."""
    sim = fleet()
    mono = Mono()
    app = make_app(client=client_for(sim), refresh_seconds=15, monotonic=mono)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        screen.cancel_refresh_timer()
        sim.reset_request_counts()
        for _ in range(4 * 30):
            mono.t += 15
            await tick(pilot, screen)
        walks, gets = list_requests(sim)
    per_minute = (walks + gets) / 30
    period = app.freshness.full_period("instances", 15)
    assert per_minute <= 30, (walks, gets, app.freshness.full_cost("instances"), period)
    assert walks > 4 * 30  # the light ticks did run (one first page each), and full walks came too


async def test_cached_rows_are_painted_at_once_then_replaced(
    make_app: Any, simulator: Simulator, tmp_path: Path
) -> None:
    path = tmp_path / "lists.sqlite3"
    url = "http://sim.test/developers"
    seed_cache = ListCache(path, api_url=url, token=TOKEN, profile="default", clock=lambda: FROZEN_NOW - 180)
    seed_cache.store(
        "instances",
        [
            {"id": "c-1", "hostname": "cached-only-1", "status": "active"},
            {"id": "c-2", "hostname": "cached-only-2", "status": "shutdown"},
        ],
    )
    seed_cache.close()

    release = asyncio.Event()

    class Held(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.ASGITransport(app=create_app(simulator))

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/v1/instances"):
                await release.wait()
            return await self.inner.handle_async_request(request)

    cache = ListCache(path, api_url=url, token=TOKEN, profile="default", clock=lambda: FROZEN_NOW)
    app = make_app(client=client_for(simulator, Held()), list_cache=cache)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "cached-only-1" in screen_text(app))
        text = screen_text(app)
        assert "cached-only-2" in text and "cached 3m ago" in text
        release.set()
        screen = await loaded(pilot, "instances")
        await settle(pilot)
        text = screen_text(app)
        assert "cached-only-1" not in text and "cached" not in text
        assert screen.cached_at is None
        live = [r for r in simulator.instances.values() if r.data["status"] != "deleted"]
        assert len(screen.model) == len(live)
    again = ListCache(path, api_url=url, token=TOKEN, profile="default", clock=lambda: FROZEN_NOW)
    stored = again.load("instances")
    again.close()
    assert stored is not None and {r["id"] for r in stored.rows} == {r.data["id"] for r in live}


async def test_the_status_bar_says_the_request_rate(make_app: Any) -> None:
    app = make_app(budget=RequestBudget(600))
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, "instances")
        await settle(pilot)
        rate = app.request_rate()
        assert rate is not None and rate > 0
        shown = re.search(r"(\d+) req/min", screen_text(app))
        assert shown is not None and 0 < int(shown.group(1)) <= rate
