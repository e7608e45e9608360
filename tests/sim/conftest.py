from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator

from ._helpers import TOKEN, raw_client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(SimConfig(seed=7, token=TOKEN, job_seconds=3.0, clock=clock, snapshot_failure_rate=0.0))


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with raw_client(sim) as client:
        yield client
