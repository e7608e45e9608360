"""Shared fixtures: a simulator on a fake clock, a client wired to it in-process, and a console factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app

TOKEN = "test-token-0123456789"
# The console's wall clock in tests (for "updated Ns ago" and the like): 2026-07-01 12:00 UTC.
FROZEN_NOW = 1_782_907_200.0


@pytest.fixture
def sim_clock() -> FakeClock:
    return FakeClock(start=FROZEN_NOW)


@pytest.fixture
def simulator(sim_clock: FakeClock) -> Simulator:
    return Simulator(SimConfig(seed=1, token=TOKEN, job_seconds=2.0, clock=sim_clock, snapshot_failure_rate=0.0))


async def _no_sleep(_: float) -> None:
    return None


def make_client(simulator: Simulator, **kwargs: Any) -> CloudzyClient:
    transport = httpx.ASGITransport(app=create_app(simulator))
    options: dict[str, Any] = {"transport": transport, "sleep": _no_sleep}
    options.update(kwargs)
    return CloudzyClient("http://sim.test/developers", TOKEN, **options)


@pytest.fixture
async def client(simulator: Simulator) -> AsyncIterator[CloudzyClient]:
    c = make_client(simulator)
    try:
        yield c
    finally:
        await c.aclose()


@pytest.fixture
def make_app(simulator: Simulator) -> Callable[..., Any]:
    """A console on the simulator: frozen wall clock, no auto refresh, a fast job poller."""
    from cloudzy_tui.ui.app import CloudzyApp

    def factory(**kwargs: Any) -> CloudzyApp:
        options: dict[str, Any] = {
            "api_label": "sim.test",
            "clock": lambda: FROZEN_NOW,
            "refresh_seconds": 0,
            "job_interval": 0.02,
        }
        options.update(kwargs)
        client = options.pop("client", None) or make_client(simulator)
        return CloudzyApp(client, **options)

    return factory


@pytest.fixture
def served_simulator(simulator: Simulator) -> Any:
    """The test's simulator on a real loopback socket (uvicorn in a thread); stopped and joined afterwards.

    Yields the base URL (``http://127.0.0.1:PORT/developers``).
    """
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(simulator), log_level="critical", access_log=False, lifespan="off",
                       timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="test-sim", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline and thread.is_alive():
            time.sleep(0.01)
        assert server.started, "the simulator did not start listening"
        yield f"http://127.0.0.1:{port}/developers"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
