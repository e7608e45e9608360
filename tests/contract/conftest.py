"""Contract tests: the project's client (``cloudzy_tui.api``) against the project's simulator (``cloudzy_tui.sim``).

The two were built independently from the same wire contract (the API reference and the API notes). These tests
drive the simulator only through the client's typed methods and then check three things: what the client
returned, what the simulator now holds, and what went over the wire (``simulator.requests``).

Fixtures from ``tests/conftest.py`` are used as they are: ``simulator`` (seed 1, ``job_seconds`` 2, a
``FakeClock`` ``sim_clock``, snapshot failures off) and ``client`` (in-process, ``httpx.ASGITransport``).
"""

from __future__ import annotations

import base64
import json
import random
import struct
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.sim import FakeClock, RequestRecord, Simulator, create_app
from cloudzy_tui.sim.records import InstanceRecord

BASE_URL = "http://sim.test/developers"


def ed25519_key(seed: int, comment: str = "contract@test") -> str:
    """A well-formed OpenSSH ed25519 public key, different for each seed."""
    key = random.Random(seed).randbytes(32)
    blob = b"".join(struct.pack(">I", len(part)) + part for part in (b"ssh-ed25519", key))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def host(sim: Simulator, hostname: str) -> InstanceRecord:
    """The seeded instance called ``hostname``."""
    return next(r for r in sim.instances.values() if r.data["hostname"] == hostname)


def product_id(sim: Simulator, region_id: str, plan_id: str) -> str:
    return next(p["id"] for p in sim.products.values() if p["regionId"] == region_id and p["planId"] == plan_id)


def snapshot_named(sim: Simulator, name: str) -> str:
    return next(s.id for s in sim.snapshots.values() if s.data["name"] == name)


def download_named(sim: Simulator, kind: str, name: str) -> str:
    return next(r.id for r in sim.downloads(kind).values() if r.data["name"] == name)


def last(sim: Simulator) -> RequestRecord:
    assert sim.requests, "the simulator received no request"
    return sim.requests[-1]


def wire(record: RequestRecord) -> tuple[str, str, dict[str, str], Any]:
    return record.method, record.path, record.query, record.body


class Sleeps:
    """The client's injected ``sleep``: records each wait and moves the simulator's clock by it (the rate
    limiter and the Retry-After logic both run on that clock)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def sleeps(sim_clock: FakeClock) -> Sleeps:
    return Sleeps(sim_clock)


Connect = Callable[..., CloudzyClient]


@pytest.fixture
async def connect(simulator: Simulator, sleeps: Sleeps) -> AsyncIterator[Connect]:
    """``connect(sim=None, token=None, **client_kwargs)``: a client on ``sim`` (default: the ``simulator``
    fixture), in-process, sleeping through ``sleeps``. Every client made is closed at teardown."""
    made: list[CloudzyClient] = []

    def factory(sim: Simulator | None = None, token: str | None = None, **kwargs: Any) -> CloudzyClient:
        target = sim or simulator
        options: dict[str, Any] = {"transport": httpx.ASGITransport(app=create_app(target)), "sleep": sleeps}
        options.update(kwargs)
        c = CloudzyClient(BASE_URL, target.config.token if token is None else token, **options)
        made.append(c)
        return c

    yield factory
    for c in made:
        await c.aclose()


def advance(sim: Simulator, clock: FakeClock, steps: float = 1) -> None:
    """Move the clock by ``steps`` job steps and apply what became due."""
    clock.advance(sim.config.job_seconds * steps)
    sim.refresh()


def _ids_as_text(value: Any) -> Any:
    """Ids compared as text: the client keeps ids as strings whatever JSON type they arrived as."""
    if isinstance(value, dict):
        return {k: (str(v) if k == "id" and v is not None else _ids_as_text(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_ids_as_text(v) for v in value]
    return value


def _covers(got: Any, sent: Any, where: str) -> None:
    if isinstance(sent, dict):
        assert isinstance(got, dict), (where, got, sent)
        for key, value in sent.items():
            assert key in got, f"{where}.{key} lost by the client"
            _covers(got[key], value, f"{where}.{key}")
    elif isinstance(sent, list):
        assert isinstance(got, list) and len(got) == len(sent), (where, got, sent)
        for index, (g, s) in enumerate(zip(got, sent, strict=True)):
            _covers(g, s, f"{where}[{index}]")
    else:
        assert got == sent, (where, got, sent)


def same_as(model: Any, data: dict[str, Any]) -> None:
    """Every field the simulator sent survives the client's model unchanged, nested objects included (JSON names
    and values; ids compared as text; fields the client adds with a default are not looked at)."""
    _covers(_ids_as_text(model.model_dump(by_alias=True, mode="json")), _ids_as_text(data), type(model).__name__)


class Recording(httpx.AsyncBaseTransport):
    """Wraps a transport and keeps each (request, decoded JSON reply) pair, to see what the client was answered."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        try:
            body: Any = json.loads(content)
        except ValueError:
            body = content
        self.exchanges.append((request, body))
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def recording(sim: Simulator) -> Recording:
    return Recording(httpx.ASGITransport(app=create_app(sim)))
