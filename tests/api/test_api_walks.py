"""Partitioned instance walks and parallel numbered pages, against the simulator: complete, duplicate-free,
under concurrent changes, and falling back to one sequential walk when the server does not play along.

No timing: parallelism is proven by the number of requests in flight at once (counted by a wrapping transport),
completeness by comparing with a sequential walk of the same simulator."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient, Instance
from cloudzy_tui.api._walks import DEFAULT_PARTITIONS, WalkStats
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app

BASE_URL = "http://sim.test/developers"
FLEET = 1500  # 15+ pages of 100


class Wire(httpx.AsyncBaseTransport):
    """The simulator in-process, with hooks: ``before(request)`` may change the simulator (or the request),
    ``after(request, response)`` the response; counts requests in flight at once."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.inner = httpx.ASGITransport(app=create_app(sim))
        self.in_flight = 0
        self.max_in_flight = 0
        self.list_requests = 0
        self.before: Callable[[httpx.Request], httpx.Request] | None = None
        self.after: Callable[[httpx.Request, dict[str, Any]], dict[str, Any]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(3):  # let the other requests of the walk get under way
                await asyncio.sleep(0)
            if request.url.path.endswith("/v1/instances") and request.method == "GET":
                self.list_requests += 1
            if self.before is not None:
                request = self.before(request)
            response = await self.inner.handle_async_request(request)
            if self.after is None:
                return response
            body = json.loads(await response.aread())
            body = self.after(request, body)
            return httpx.Response(response.status_code, json=body, headers={"Content-Type": "application/json"})
        finally:
            self.in_flight -= 1


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=3, instances=FLEET, clock=FakeClock(), request_log=0))


@pytest.fixture
async def wire(sim: Simulator) -> Wire:
    return Wire(sim)


@pytest.fixture
async def client(wire: Wire) -> AsyncIterator[CloudzyClient]:
    async def no_sleep(_: float) -> None:
        return None

    c = CloudzyClient(BASE_URL, wire.sim.config.token, transport=wire, sleep=no_sleep)
    yield c
    await c.aclose()


async def walk(client: CloudzyClient, **kwargs: Any) -> list[Instance]:
    kwargs.setdefault("partitions", DEFAULT_PARTITIONS)
    return [i async for page in client.instances.pages(**kwargs) for i in page.items]


def ids(items: list[Instance]) -> list[str]:
    return [i.id for i in items]


async def test_partitioned_walk_equals_the_sequential_walk(client: CloudzyClient, wire: Wire) -> None:
    sequential = ids(await walk(client, partitions=1))
    assert wire.max_in_flight == 1
    assert len(sequential) == len(set(sequential)) > FLEET
    wire.max_in_flight = 0
    wire.list_requests = 0
    stats = WalkStats()
    partitioned = ids(await walk(client, stats=stats))
    assert len(partitioned) == len(set(partitioned)), "duplicates"
    assert partitioned == sequential  # the same rows in the same order (newest first), only sooner
    assert stats.partitioned and stats.chains > 1 and stats.fallback is None
    assert wire.max_in_flight > 1, "the chains ran one after another"
    # the price of the cuts: a little more than the sequential walk, never a multiple of it
    pages = math.ceil(len(sequential) / 100) + 1
    assert wire.list_requests == stats.requests <= pages + 2 * stats.chains


async def test_first_page_is_the_newest_page(client: CloudzyClient) -> None:
    first = None
    async for page in client.instances.pages(partitions=DEFAULT_PARTITIONS):
        first = page
        break
    assert first is not None
    sequential = await walk(client, partitions=1)
    assert ids(first.items) == ids(sequential[:100])


async def test_status_and_region_changes_during_the_walk_lose_nothing(
    client: CloudzyClient, wire: Wire, sim: Simulator
) -> None:
    before = set(ids(await walk(client, partitions=1)))
    records = sorted(sim.instances.values(), key=lambda r: r.created)
    regions = ["us-utah", "nl-amsterdam", "de-frankfurt", "us-newyork"]
    moved: set[str] = set()
    counter = 0

    def churn(request: httpx.Request) -> httpx.Request:
        # Every list request moves a spread of instances (oldest, middle, newest) to another region and status.
        nonlocal counter
        if request.url.path.endswith("/v1/instances"):
            counter += 1
            for n in range(0, len(records), max(1, len(records) // 40)):
                record = records[(n + counter * 7) % len(records)]
                if record.data["status"] == "deleted":
                    continue
                record.data["region"] = (
                    regions[(regions.index(record.data["region"]) + 1) % 4]
                    if (record.data["region"] in regions)
                    else regions[0]
                )
                record.data["status"] = "shutdown" if record.data["status"] == "active" else "active"
                moved.add(record.data["id"])
        return request

    wire.before = churn
    stats = WalkStats()
    partitioned = ids(await walk(client, stats=stats))
    assert stats.partitioned and stats.chains > 1
    assert len(moved) > 100
    assert len(partitioned) == len(set(partitioned))
    assert set(partitioned) == before


async def test_filters_apply_to_every_chain(client: CloudzyClient) -> None:
    from cloudzy_tui.api import InstanceFilters

    query = InstanceFilters(status="shutdown")
    sequential = ids([i async for p in client.instances.pages(query, partitions=1) for i in p.items])
    stats = WalkStats()
    items = [
        i async for p in client.instances.pages(query, stats=stats, partitions=DEFAULT_PARTITIONS) for i in p.items
    ]
    assert stats.partitioned
    assert {i.status for i in items} == {"shutdown"}
    assert sorted(ids(items)) == sorted(sequential) and len(sequential) > 100


async def test_a_server_ignoring_created_to_falls_back_to_one_sequential_walk(
    client: CloudzyClient, wire: Wire
) -> None:
    sequential = ids(await walk(client, partitions=1))

    def drop_created_to(request: httpx.Request) -> httpx.Request:
        params = dict(request.url.params)
        params.pop("createdTo", None)
        return httpx.Request(request.method, request.url.copy_with(params=params), headers=request.headers)

    wire.before = drop_created_to
    stats = WalkStats()
    partitioned = ids(await walk(client, stats=stats))
    assert stats.fallback == "createdTo ignored"
    assert len(partitioned) == len(set(partitioned))
    assert set(partitioned) == set(sequential)


async def test_a_server_not_listing_newest_first_gets_the_sequential_walk(client: CloudzyClient, wire: Wire) -> None:
    sequential = ids(await walk(client, partitions=1))

    def shuffle(request: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data")
        if isinstance(data, dict) and isinstance(data.get("instances"), list):
            data["instances"] = data["instances"][::-1]  # oldest first within each page
        return body

    wire.after = shuffle
    wire.max_in_flight = 0
    stats = WalkStats()
    result = ids(await walk(client, stats=stats))
    assert not stats.partitioned and wire.max_in_flight == 1
    assert sorted(result) == sorted(sequential)


async def test_a_chain_turning_out_of_order_is_walked_to_its_end(client: CloudzyClient, wire: Wire) -> None:
    """A server whose later pages (after the first) come oldest first within the page: every cut chain loses
    its cut and is walked to its end; nothing is lost."""
    sequential = ids(await walk(client, partitions=1))

    def later_pages_reversed(request: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data")
        if "bookmark" in request.url.params and isinstance(data, dict) and data.get("instances"):
            data["instances"] = data["instances"][::-1]
        return body

    wire.after = later_pages_reversed
    stats = WalkStats()
    result = ids(await walk(client, stats=stats))
    assert stats.partitioned
    assert len(result) == len(set(result))
    assert set(result) == set(sequential)


async def test_small_account_costs_what_the_sequential_walk_costs(
    client: CloudzyClient, wire: Wire, sim: Simulator
) -> None:
    small = Simulator(SimConfig(seed=3, clock=FakeClock(), request_log=0))
    wire.inner = httpx.ASGITransport(app=create_app(small))
    stats = WalkStats()
    result = await walk(client, stats=stats)
    assert 0 < len(result) < 100
    # the page and the empty page after it (the API returns a bookmark with the last page)
    assert stats.requests == wire.list_requests == 2 and not stats.partitioned


# -- numbered pages ---------------------------------------------------------------------------------------------


def numbered_server(count: int, wire_in_flight: list[int]) -> httpx.MockTransport:
    items = [{"id": f"s{n:04d}", "name": f"snap {n}"} for n in range(count)]
    state = {"now": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        wire_in_flight.append(state["now"])
        for _ in range(3):
            await asyncio.sleep(0)
        state["now"] -= 1
        page = int(request.url.params.get("page", "1"))
        limit = int(request.url.params.get("limit", "10"))
        chunk = items[(page - 1) * limit : page * limit]
        return httpx.Response(
            200, json={"code": "OKAY", "detail": "", "data": {"snapshots": chunk, "total": len(items)}}
        )

    return httpx.MockTransport(handler)


async def test_numbered_pages_are_fetched_in_parallel_and_in_order() -> None:
    concurrent: list[int] = []
    async with CloudzyClient("http://x.test/developers", "t", transport=numbered_server(950, concurrent)) as c:
        pages = [p async for p in c.snapshots.pages(page_size=100)]
    got = [s.id for p in pages for s in p.items]
    assert got == [f"s{n:04d}" for n in range(950)]
    assert len(concurrent) == 10  # one request per page, no more
    assert max(concurrent) > 1
    assert pages[-1].next is None and all(p.next is not None for p in pages[:-1])
