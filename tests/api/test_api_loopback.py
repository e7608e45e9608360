"""The client over a real socket (127.0.0.1 only): the default httpx transport, real timeouts and dropped
connections, and the logs of httpx/httpcore at DEBUG."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient, NetworkError, OutcomeUnknownError, RequestEvent, RequestTimeoutError

from ._helpers import TOKEN


@dataclass
class LoopbackServer:
    mode: str = "ok"
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
                length = int(headers.get("content-length", "0"))
                if length:
                    await reader.readexactly(length)
                self.requests.append((method, target, headers))
                if self.mode == "hang":
                    await asyncio.sleep(30)
                    return
                if self.mode == "drop":
                    return
                body = json.dumps({"detail": "ok", "code": "OKAY", "data": [{"id": "r1"}]}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    state = LoopbackServer()
    srv = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = srv.sockets[0].getsockname()[1]
    yield state
    srv.close()
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task() and "handle" in repr(task.get_coro()):
            task.cancel()
    await srv.wait_closed()


async def no_sleep(_: float) -> None:
    return None


def client_for(port: int, **kwargs: object) -> CloudzyClient:
    return CloudzyClient(f"http://127.0.0.1:{port}/developers", TOKEN, sleep=no_sleep, **kwargs)  # type: ignore[arg-type]


async def test_real_socket_round_trip_and_no_token_in_any_debug_log(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with client_for(server.port) as client:
        regions = await client.regions.list()
        await client.instances.power_on("i-1")
    assert [r.id for r in regions] == ["r1"]
    assert [(m, t) for m, t, _ in server.requests] == [
        ("GET", "/developers/v1/regions"),
        ("POST", "/developers/v1/instances/i-1/poweron"),
    ]
    assert server.requests[0][2]["api-token"] == TOKEN
    names = {r.name for r in caplog.records}
    assert "httpcore.http11" in names or "httpx" in names
    for record in caplog.records:
        assert TOKEN not in record.getMessage()


async def test_post_read_timeout_is_outcome_unknown_and_sent_once(server: LoopbackServer) -> None:
    server.mode = "hang"
    events: list[RequestEvent] = []
    timeout = httpx.Timeout(5.0, read=0.2)
    async with client_for(server.port, timeout=timeout, on_event=events.append) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.snapshots.create("i-1")
    assert len(server.requests) == 1 and [e.outcome for e in events] == ["error"]


async def test_get_read_timeout_is_retried_then_reported(server: LoopbackServer) -> None:
    server.mode = "hang"
    async with client_for(server.port, timeout=httpx.Timeout(5.0, read=0.1), max_retries=1) as client:
        with pytest.raises(RequestTimeoutError):
            await client.regions.list()
    assert len(server.requests) == 2


async def test_post_dropped_connection_is_outcome_unknown(server: LoopbackServer) -> None:
    server.mode = "drop"
    async with client_for(server.port) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.instances.reset("i-1")
    assert len(server.requests) == 1


async def test_get_dropped_connection_is_retried(server: LoopbackServer) -> None:
    server.mode = "drop"
    async with client_for(server.port, max_retries=2) as client:
        with pytest.raises(NetworkError):
            await client.regions.list()
    assert len(server.requests) == 3


async def test_connection_refused_post_is_retried_then_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    events: list[RequestEvent] = []
    async with client_for(port, on_event=events.append) as client:
        with pytest.raises(NetworkError) as exc:
            await client.instances.power_off("i-1")
    assert [e.outcome for e in events] == ["retry", "retry", "error"]
    assert "Could not connect to 127.0.0.1" in exc.value.message
