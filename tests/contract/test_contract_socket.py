"""The client over a real loopback socket against the simulator served by uvicorn: the default httpx transport,
real connections, real timeouts and real dropped connections. Nothing is left running afterwards."""

from __future__ import annotations

import asyncio
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from loopback import serve_on_loopback

from cloudzy_tui.api import (
    AuthError,
    CloudzyClient,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RequestTimeoutError,
    SshKeyCreate,
    ValidationError,
)
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app

from .conftest import ed25519_key, host

TOKEN = "socket-token"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    sim: Simulator
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/developers"


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def served() -> Iterator[Served]:
    sim = Simulator(SimConfig(seed=1, token=TOKEN, clock=FakeClock(), job_seconds=2.0, snapshot_failure_rate=0.0))
    app = create_app(sim)
    app.state.dispatcher.on_socket = True  # a "reset" fault then really closes the connection
    with serve_on_loopback(app, name="contract-sim") as port:
        yield Served(sim, port)
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(1)
        probe.connect(("127.0.0.1", port))


async def test_representative_walk_over_a_socket(served: Served) -> None:
    sim = served.sim

    async def scenario() -> None:
        async with CloudzyClient(served.base_url, TOKEN, timeout=5.0, sleep=_no_sleep) as client:
            # a paged list
            pages = [p async for p in client.instances.pages(page_size=5)]
            expected = [
                r.id for r in sorted(sim.instances.values(), key=lambda r: -r.seq) if r.data["status"] != "deleted"
            ]
            assert [i.id for p in pages for i in p.items] == expected
            assert len(sim.requests) == len(pages) + 1

            # create, read and delete an SSH key
            created = await client.ssh_keys.create(SshKeyCreate(name="over tcp", public_key=ed25519_key(77)))
            assert created is not None and created.id in sim.ssh_keys
            assert (await client.ssh_keys.get(created.id)).fingerprint == sim.ssh_keys[int(created.id)]["fingerprint"]
            assert (await client.ssh_keys.delete(created.id)).ok
            assert created.id not in sim.ssh_keys

            # a 404 and a 422
            with pytest.raises(NotFoundError) as missing:
                await client.instances.get("no-such-instance")
            assert missing.value.detail == "Instance 'no-such-instance' not found"
            with pytest.raises(ValidationError) as invalid:
                await client.ssh_keys.get("not-a-number")
            assert invalid.value.field_errors[0].loc == ("path", "id")

            # an action and its effect
            web01 = host(sim, "web-01")
            assert (await client.instances.power_off(web01.id)).ok
            assert web01.data["status"] == "stopping"

        # a 401 with a wrong token
        async with CloudzyClient(served.base_url, "wrong-token", timeout=5.0, sleep=_no_sleep) as intruder:
            with pytest.raises(AuthError) as denied:
                await intruder.regions.list()
            assert denied.value.detail == "Invalid API token"
            assert "wrong-token" not in str(denied.value)

    await asyncio.wait_for(scenario(), timeout=60)
    assert sim.requests[-1].status == 401


async def test_dropped_connections_over_a_socket(served: Served) -> None:
    sim = served.sim

    async def scenario() -> None:
        async with CloudzyClient(served.base_url, TOKEN, timeout=5.0, sleep=_no_sleep) as client:
            sim.faults.add(method="GET", path_prefix="/v1/os", reset=True)
            assert len(await client.os.list()) == len(sim.oses)  # retried on a fresh connection
            assert [r.status for r in sim.requests] == [0, 200]

            target = host(sim, "worker-02")
            sim.faults.add(method="POST", reset=True, after=True)
            with pytest.raises(OutcomeUnknownError):
                await client.instances.power_on(target.id)
            assert [r.method for r in sim.requests].count("POST") == 1
            assert target.data["status"] == "starting"

            sim.faults.add(method="GET", reset=True, times=None)
            with pytest.raises(NetworkError):
                await client.regions.list()
            sim.faults.clear()
            assert await client.regions.list()

    await asyncio.wait_for(scenario(), timeout=60)


async def test_timeouts_over_a_socket(served: Served) -> None:
    sim = served.sim

    async def scenario() -> None:
        async with CloudzyClient(served.base_url, TOKEN, timeout=0.3, sleep=_no_sleep, max_retries=1) as client:
            sim.faults.add(method="GET", path_prefix="/v1/regions", status=None, delay_ms=1500, times=None)
            asked = len(sim.requests)
            with pytest.raises(RequestTimeoutError):
                await client.regions.list()  # a reply would come 1.5 s later: the 0.3 s timeout ended each try
            # both tries were sent and given up (no wall-clock bound: a loaded machine must not fail this)
            assert [r.path for r in sim.requests[asked:]] == ["/v1/regions", "/v1/regions"]
            sim.faults.clear()

            # a slow POST that times out on our side but is carried out on the server's
            record = host(sim, "web-02")
            sim.faults.add(method="POST", status=None, delay_ms=800)
            with pytest.raises(OutcomeUnknownError) as info:
                await client.instances.reset(record.id)
            assert "not known whether the change was made" in str(info.value)
            deadline = time.monotonic() + 30  # generous: a limit for a hang, not a performance check
            while record.data["status"] != "resetting" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert record.data["status"] == "resetting"
            assert [r.method for r in sim.requests].count("POST") == 1

    await asyncio.wait_for(scenario(), timeout=60)


# ---------------------------------------------------------------------------------------------------- subprocess

LISTEN = re.compile(r"Cloudzy API simulator on (http://127\.0\.0\.1:\d+/developers)\s+token: (\S+)")


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            return proc.stdout.readline()
        if proc.poll() is not None:
            break
    return ""


@pytest.mark.skipif(sys.platform == "win32", reason="select() on pipes, SIGINT")
async def test_the_simulator_command_serves_the_client(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloudzy_tui.sim", "--port", "0", "--token", "cli-token", "--instances", "12"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(tmp_path),
    )
    try:
        match = LISTEN.search(_read_line(proc, timeout=20))
        assert match, "the simulator did not print where it listens"
        base_url, token = match.groups()
        async with CloudzyClient(base_url, token, timeout=5.0, sleep=_no_sleep) as client:
            instances = await asyncio.wait_for(client.instances.list_all(), timeout=30)
            assert len(instances) == 31 + 12
            assert len({i.id for i in instances}) == len(instances)
            with pytest.raises(NotFoundError):
                await client.backups.get(instances[0].id + "-x")
        async with CloudzyClient(base_url, "nope", timeout=5.0) as intruder:
            with pytest.raises(AuthError):
                await intruder.os.list()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=5)
    assert proc.returncode == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/v1/os", timeout=1)
