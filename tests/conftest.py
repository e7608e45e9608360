"""Shared fixtures: a simulator on a fake clock, a client wired to it in-process, and a console factory."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from loopback import serve_on_loopback

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app

TOKEN = "test-token-0123456789"


def pytest_configure(config: pytest.Config) -> None:
    """Bytecode caches for the test run, even where ``PYTHONDONTWRITEBYTECODE`` is set (this machine sets it):
    without them each xdist worker re-does the assertion rewriting of every test module (~4 s of CPU each) and every
    child process (the CLI runs, the console in a pty) compiles the package again. Set here, before the workers
    start, so they and every process they start inherit it; the caches go where Python puts them (``__pycache__``,
    ignored by git)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: two workers per core. A test here spends most of its time waiting, not computing (Textual's
    idle waits after each key, timers, a child process in a pty, a socket): measured with one process, the
    Pilot suites use about a third of a core. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * max(1, cores)


# The console's wall clock in tests (for "updated Ns ago" and the like): 2026-07-01 12:00 UTC.
FROZEN_NOW = 1_782_907_200.0


@pytest.fixture(autouse=True)
def _outside_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as outside tmux whatever terminal runs them: ``s`` must never open windows in the tester's tmux
    (tests/ssh sets a fake tmux up where it wants one)."""
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("TMUX_PANE", raising=False)


@pytest.fixture(autouse=True)
def _package_logger_restored() -> Iterator[None]:
    """The package's logger as it was before the test: a test that runs a face's start-up in-process (which sets
    the logger's level and handlers, as the real program does) must not change what a later test in the same
    worker logs (an order-dependent failure of caplog checks under xdist)."""
    logger = logging.getLogger("cloudzy_tui")
    level, handlers, propagate = logger.level, list(logger.handlers), logger.propagate
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.fixture
def sim_clock() -> FakeClock:
    return FakeClock(start=FROZEN_NOW)


#: the request log the tests' simulator keeps: far more than any test makes, so that a test reading
#: ``simulator.requests`` (e.g. "no POST was sent") sees every request, never a ring that dropped some
TEST_REQUEST_LOG = 100_000


@pytest.fixture
def simulator(sim_clock: FakeClock) -> Simulator:
    return Simulator(
        SimConfig(
            seed=1,
            token=TOKEN,
            job_seconds=2.0,
            clock=sim_clock,
            snapshot_failure_rate=0.0,
            request_log=TEST_REQUEST_LOG,
        )
    )


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
    """A console on the simulator: frozen wall clock, no auto refresh, a fast job poller, no detail debounce."""
    from cloudzy_tui.ui.app import CloudzyApp

    def factory(**kwargs: Any) -> CloudzyApp:
        options: dict[str, Any] = {
            "api_label": "sim.test",
            "clock": lambda: FROZEN_NOW,
            "refresh_seconds": 0,
            "job_interval": 0.02,
            "detail_delay": 0,  # the detail load's debounce: nothing to wait for per row
        }
        options.update(kwargs)
        client = options.pop("client", None) or make_client(simulator)
        return CloudzyApp(client, **options)

    return factory


@pytest.fixture
def served_simulator(simulator: Simulator) -> Iterator[str]:
    """The test's simulator on a real loopback socket (uvicorn in a thread); stopped and joined afterwards.

    Yields the base URL (``http://127.0.0.1:PORT/developers``).
    """
    with serve_on_loopback(create_app(simulator)) as port:
        yield f"http://127.0.0.1:{port}/developers"
