"""One request budget for the whole app: the token bucket holds under every worker at once (two clients, list
walks, numbered walks, detail loads, a poller), and a 429 pauses everyone.

Time is virtual: the budget, the clients' retry sleeps and the simulator all run on one ``FakeClock`` that a
driver moves to the next sleeper's wake-up time only when every task is waiting, so the request log's times are
exact and nothing here depends on the machine's speed."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import DEFAULT_PARTITIONS, CloudzyClient, RequestBudget
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app

BASE_URL = "http://sim.test/developers"


class VirtualTime:
    """``sleep`` for everyone; ``run(coro)`` drives the clock from one wake-up to the next."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (self.clock() + seconds, next(self._seq), future))
        await future

    async def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        task = asyncio.ensure_future(coro)
        while not task.done():
            for _ in range(200):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
                if task.done():
                    break
            if self._heap and not task.done():
                when, _, future = heapq.heappop(self._heap)
                self.clock.set(max(self.clock(), when))
                future.set_result(None)
        return task.result()


class Log(httpx.AsyncBaseTransport):
    """The simulator in-process; records each request's start time and each 429's arrival time."""

    def __init__(self, sim: Simulator, clock: FakeClock) -> None:
        self.inner = httpx.ASGITransport(app=create_app(sim))
        self.clock = clock
        self.sent: list[float] = []
        self.limited: list[tuple[float, float]] = []  # (when it came back, Retry-After)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(self.clock())
        response = await self.inner.handle_async_request(request)
        if response.status_code == 429:
            self.limited.append((self.clock(), float(response.headers.get("Retry-After", "0"))))
        return response


def worst_window(times: list[float], window: float) -> int:
    """The most requests started within any ``window`` seconds."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vt(clock: FakeClock) -> VirtualTime:
    return VirtualTime(clock)


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(SimConfig(seed=5, instances=800, clock=clock, request_log=0, job_seconds=3.0))


class Slept:
    """A ``sleep`` that records what it is asked for; it moves the clock only when told to."""

    def __init__(self, clock: FakeClock, *, advance: bool) -> None:
        self.clock = clock
        self.advance = advance
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.advance:
            self.clock.advance(seconds)


async def waits(budget: RequestBudget, n: int) -> list[float]:
    """What each of ``n`` requests waited for its slot, asked one after the other at the same instant."""
    found = []
    for _ in range(n):
        before = budget.waited
        await budget.acquire()
        found.append(budget.waited - before)
    return found


async def test_the_bucket_admits_a_burst_then_the_rate(clock: FakeClock) -> None:
    budget = RequestBudget(60, burst=5, clock=clock, sleep=Slept(clock, advance=False))
    assert await waits(budget, 8) == [0, 0, 0, 0, 0, 1.0, 2.0, 3.0]
    clock.advance(10)  # idle: the burst comes back, no more
    assert await waits(budget, 6) == [0, 0, 0, 0, 0, 1.0]


async def test_a_pause_holds_requests_already_granted(clock: FakeClock) -> None:
    slept = Slept(clock, advance=True)
    budget = RequestBudget(600, burst=10, clock=clock, sleep=slept)
    budget.pause(5)
    assert budget.paused_for == 5
    assert await waits(budget, 1) == [5]
    assert slept.calls == [5] and budget.paused_for == 0


async def every_worker(clients: list[CloudzyClient], sim: Simulator) -> int:
    """List walks (partitioned and sequential), numbered walks, detail loads and a job poller, all at once."""
    a, b = clients
    some = [r.data["id"] for r in list(sim.instances.values())[:30] if r.data["status"] != "deleted"]

    async def walk(client: CloudzyClient, partitions: int) -> int:
        return sum([len(p.items) async for p in client.instances.pages(partitions=partitions)])

    async def details(client: CloudzyClient) -> int:
        return len([await client.instances.get(i) for i in some])

    async def poller(client: CloudzyClient) -> int:
        for _ in range(15):
            await client.instances.get(some[0])
        return 15

    async def numbered(client: CloudzyClient) -> int:
        return len(await client.snapshots.list_all()) + len(await client.floating_ips.list_all())

    results = await asyncio.gather(
        walk(a, DEFAULT_PARTITIONS),
        walk(b, 1),
        details(a),
        details(b),
        poller(a),
        numbered(b),
        walk(b, DEFAULT_PARTITIONS),
    )
    return sum(results)


async def test_the_budget_holds_under_every_worker_at_once(sim: Simulator, clock: FakeClock, vt: VirtualTime) -> None:
    budget = RequestBudget(120, burst=20, clock=clock, sleep=vt.sleep)
    log = Log(sim, clock)
    clients = [
        CloudzyClient(BASE_URL, sim.config.token, transport=log, sleep=vt.sleep, budget=budget) for _ in range(2)
    ]
    try:
        await vt.run(every_worker(clients, sim))
    finally:
        for c in clients:
            await c.aclose()
    n = len(log.sent)
    assert n > 60  # the budget had to make most of them wait
    # any window: at most the burst plus the rate (2 a second); the whole run no faster than that allows
    for window in (1.0, 5.0, 30.0, 60.0):
        assert worst_window(log.sent, window) <= budget.burst + 2 * window, window
    assert max(log.sent) - min(log.sent) >= (n - budget.burst) / 2 - 1
    assert budget.rate(60) <= 120 + budget.burst
    assert budget.rate() <= 120 + budget.burst


async def test_without_a_shared_budget_the_same_work_bursts(sim: Simulator, clock: FakeClock, vt: VirtualTime) -> None:
    """The contrast that makes the test above mean something: unbudgeted, it all goes at once."""
    log = Log(sim, clock)
    clients = [CloudzyClient(BASE_URL, sim.config.token, transport=log, sleep=vt.sleep) for _ in range(2)]
    try:
        await vt.run(every_worker(clients, sim))
    finally:
        for c in clients:
            await c.aclose()
    assert worst_window(log.sent, 1.0) > 20 + 2


async def test_a_429_pauses_every_worker(sim: Simulator, clock: FakeClock, vt: VirtualTime) -> None:
    sim.config.rate_limit = 8  # per sliding second, then 429 + Retry-After: 1
    budget = RequestBudget(6000, burst=100, clock=clock, sleep=vt.sleep)  # generous: the server is the limit
    log = Log(sim, clock)
    clients = [
        CloudzyClient(BASE_URL, sim.config.token, transport=log, sleep=vt.sleep, budget=budget, max_retries=5)
        for _ in range(2)
    ]
    try:
        total = await vt.run(every_worker(clients, sim))
    finally:
        for c in clients:
            await c.aclose()
    assert total > 0
    assert log.limited, "the simulator never said 429"
    assert budget.pauses >= 1
    # after each 429 came back, nobody started a request until its Retry-After had passed
    for came_back, retry_after in log.limited:
        assert retry_after > 0
        during = [t for t in log.sent if came_back < t < came_back + retry_after]
        assert during == [], (came_back, during[:5])
    # and the 429s are few: the ones already in flight when the first came back, not one per worker per second
    assert len(log.limited) < len(log.sent) / 4


async def test_the_rate_is_per_minute_over_five_minutes(clock: FakeClock) -> None:
    async def no_sleep(_: float) -> None:
        return None

    budget = RequestBudget(6000, clock=clock, sleep=no_sleep)
    for _ in range(10):
        await budget.acquire()
    clock.advance(30)
    assert budget.rate() == 10  # a young console: over its first minute
    for _ in range(4):
        clock.advance(60)
        for _ in range(10):
            await budget.acquire()
    assert budget.rate() == 50 * 60 / 270  # 50 requests in 4.5 minutes
    clock.advance(301)
    assert budget.rate() == 0
