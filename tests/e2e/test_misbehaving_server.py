"""The console against a loopback server that misbehaves on purpose: connections reset mid-reply, replies that
never come (past the client's timeout) or never end, truncated and invalid JSON, a broken gzip body, an nginx
HTML 502, empty bodies, wrong-typed fields, nothing listening at all. Real sockets, the default httpx transport,
short timeouts.

Each time: a clear message, a console that still answers keys, the last good rows kept and marked STALE, and
recovery on its own once the server behaves. The server is a plain socket server in a thread, stopped and joined
whatever happens. No assertion is on the clock: a stalled or trickling reply lasts until the server is stopped, so
only the client's own timeout or deadline can end the wait the test sees end (and the server says the stalled
connection was still open when the console reported it).
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from ui.helpers import wait_for

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.ui.modals.help import HelpScreen
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.status_bar import StatusBar

TOKEN = "e2e-token-0123456789"
TIMEOUT = 0.3  # the client's timeout (connect, read, write, pool)


def _instance(n: int, hostname: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-00000000000{n}",
        "hostname": hostname,
        "status": "active",
        "vcpuCount": 2,
        "ram": 4096,
        "disk": 80,
        "region": "us-utah",
        "mainIp": f"192.0.2.{n}",
        "insertedAt": "2025-10-01T12:00:00Z",
        **extra,
    }


GOOD = [_instance(1, "alpha"), _instance(2, "bravo"), _instance(3, "charlie")]
WRONG_TYPES = [
    _instance(1, "alpha", vcpuCount="many", ram={"MB": 1}, mainIp=["192.0.2.1"], insertedAt=5, os="ubuntu"),
    {**_instance(2, "no-usable-id"), "id": {"not": "an id"}},  # cannot be keyed: skipped
    {**_instance(3, "x"), "id": 3, "hostname": 7, "status": None},  # numbers where strings go: coerced
]
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>"
    b"\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def envelope(data: Any) -> bytes:
    return json.dumps({"detail": "", "code": "OKAY", "data": data}).encode()


class MisbehavingServer:
    """A loopback HTTP/1.1 server, one request per connection, whose ``mode`` says how to (mis)behave.

    Only the instance list and its objects misbehave (``/developers/v1/instances...``); every other path answers
    an empty list, so the catalog loads quietly.
    """

    def __init__(self, port: int = 0) -> None:
        self.mode = "good"
        self.instances: list[dict[str, Any]] = [dict(i) for i in GOOD]
        self.requests: list[tuple[str, str, str]] = []
        self._stop = threading.Event()
        self.stalling = 0  # connections held open without an answer right now
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(32)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._serve, name="misbehaving-server", daemon=True)
        self._accepter.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/developers"

    def stop(self) -> None:
        self._stop.set()
        self._accepter.join(timeout=5)
        self._sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        assert not self._accepter.is_alive() and not any(t.is_alive() for t in self._threads)

    # ---------------------------------------------------------------------------------------------- serving

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _read_request(self, conn: socket.socket) -> tuple[str, str] | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length"), 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            body += chunk
        return method, path.split("?", 1)[0]

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(2.0)
            request = self._read_request(conn)
            if request is None:
                return
            method, path = request
            mode = self.mode if path.startswith("/developers/v1/instances") else "good"
            self.requests.append((method, path, mode))
            self._answer(conn, path, mode)
        except OSError:
            pass
        finally:
            conn.close()

    @staticmethod
    def _send(
        conn: socket.socket, status: str, body: bytes, content_type: str = "application/json", length: int | None = None
    ) -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        # SO_LINGER with a zero timeout: close() sends a RST, not a FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _answer(self, conn: socket.socket, path: str, mode: str) -> None:
        if mode == "good" or mode == "wrong-types":
            rows = self.instances if mode == "good" else WRONG_TYPES
            if path == "/developers/v1/instances":
                self._send(conn, "200 OK", envelope({"instances": rows, "bookmark": None}))
            elif path.startswith("/developers/v1/instances/"):
                wanted = path.rsplit("/", 1)[1]
                found = next((i for i in rows if str(i["id"]) == wanted), None)
                if found is None:
                    self._send(conn, "404 Not Found", json.dumps({"detail": "not found", "code": "NOT_FOUND"}).encode())
                else:
                    self._send(conn, "200 OK", envelope(found))
            else:
                self._send(conn, "200 OK", envelope([]))
        elif mode == "reset-before-reply":
            self._reset(conn)
        elif mode == "reset-mid-reply":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
                b'{"detail": "", "code": "OKAY", "data": {"instances": [{"id": '
            )
            self._reset(conn)
        elif mode == "stall":
            self.stalling += 1  # no answer at all until the server is stopped; then the connection just closes
            try:
                self._stop.wait()
            finally:
                self.stalling -= 1
        elif mode == "trickle":  # a byte every 0.1 s: each read is quick, the reply never ends
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            while not self._stop.wait(0.1):  # until the server is stopped
                conn.sendall(b" ")
        elif mode == "truncated-json":
            self._send(conn, "200 OK", envelope({"instances": self.instances, "bookmark": None})[:90])
        elif mode == "short-body":  # Content-Length promises more than is sent, then the connection closes
            self._send(conn, "200 OK", envelope({"instances": self.instances})[:90], length=4096)
        elif mode == "invalid-json":
            self._send(conn, "200 OK", b'{"detail": "", "code": OKAY, "data": [}')
        elif mode == "bad-gzip":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                b"Content-Length: 15\r\nConnection: close\r\n\r\nnot gzip at all"
            )
        elif mode == "html-502":
            self._send(conn, "502 Bad Gateway", NGINX_502, content_type="text/html")
        elif mode == "empty-200":
            self._send(conn, "200 OK", b"")
        elif mode == "hostile-text":
            self._send(conn, "200 OK", b"\x1b]0;pwned\x07[bold]maintenance\x1b[31m \xe2\x80\xae", "text/plain")
        elif mode == "wrong-shape":
            self._send(conn, "200 OK", envelope({"instances": {"alpha": GOOD[0]}, "bookmark": None}))
        else:  # pragma: no cover - a typo in a test
            raise AssertionError(mode)


@pytest.fixture
def server() -> Iterator[MisbehavingServer]:
    srv = MisbehavingServer()
    try:
        yield srv
    finally:
        srv.stop()


async def _no_sleep(_: float) -> None:
    return None


def _client(base_url: str, *, retries: int = 1) -> CloudzyClient:
    return CloudzyClient(base_url, TOKEN, timeout=TIMEOUT, max_retries=retries, sleep=_no_sleep)


async def _first_load(pilot: Any, screen: ResourceScreen[Any]) -> None:
    """The first load of the good list. The client's timeout is short (the stall tests wait for it), so on a loaded
    machine even a good answer can miss it: refresh until one lands (a few tries, then the test fails)."""
    for _ in range(5):
        await wait_for(pilot, lambda: not screen.fetching and (screen.loaded_once or screen.last_error is not None))
        if screen.loaded_once and screen.last_error is None:
            return
        await pilot.press("ctrl+r")
    raise AssertionError(f"the good list never loaded: {screen.last_error}")


def _status(screen: ResourceScreen[Any]) -> str:
    return screen.query_one("#status", StatusBar).right.plain


def _error(screen: ResourceScreen[Any]) -> str:
    assert screen.last_error is not None
    return screen.last_error


def _screen(pilot: Any) -> ResourceScreen[Any]:
    screen = pilot.app.screen
    assert isinstance(screen, ResourceScreen)
    return screen


async def _still_answers_keys(pilot: Any, screen: ResourceScreen[Any]) -> None:
    """A key still opens help, and (when there are rows) moves the cursor."""
    if screen.table.row_count > 1:
        before = screen.table.cursor_index
        await pilot.press("down")
        assert screen.table.cursor_index == before + 1
        await pilot.press("up")
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    await pilot.press("escape")
    await wait_for(pilot, lambda: pilot.app.screen is screen)


FAILURES = [
    pytest.param("reset-before-reply", "The connection to 127.0.0.1 failed", id="reset-before-reply"),
    pytest.param("reset-mid-reply", "The connection to 127.0.0.1 failed", id="reset-mid-reply"),
    pytest.param("stall", "The API did not answer in time (GET /v1/instances)", id="stall-past-timeout"),
    pytest.param("truncated-json", "JSON that could not be parsed (90 bytes, truncated?)", id="truncated-json"),
    pytest.param("short-body", "The connection to 127.0.0.1 failed", id="short-body"),
    pytest.param("invalid-json", "JSON that could not be parsed", id="invalid-json"),
    pytest.param("bad-gzip", "The API's answer to GET /v1/instances could not be decoded", id="bad-gzip"),
    pytest.param("html-502", "The API failed (HTTP 502 Bad Gateway) with an HTML page", id="html-502"),
    pytest.param("empty-200", "The API answered HTTP 200 with an empty body instead of JSON", id="empty-200"),
    pytest.param("hostile-text", "a non-JSON body (']0;pwned [bold]maintenance [31m')", id="hostile-text"),
    pytest.param("wrong-shape", "has 'instances' as a dict, not a list", id="wrong-shape"),
]


@pytest.mark.parametrize(("mode", "said"), FAILURES)
async def test_the_console_rides_out_a_misbehaving_server(
    make_app: Any, server: MisbehavingServer, mode: str, said: str
) -> None:
    server.mode = mode
    app = make_app(client=_client(server.base_url), refresh_seconds=0.05)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = _screen(pilot)
        # 1. First load: a clear message on the empty table; keys still work.
        await wait_for(pilot, lambda: screen.last_error is not None and not screen.fetching)
        assert said in _error(screen)
        assert "Could not load" in screen.table.empty_message and said in screen.table.empty_message
        assert any(said in str(n.message) for n in pilot.app.shown_toasts())
        assert "\x1b" not in pilot.app.export_screenshot()
        await _still_answers_keys(pilot, screen)

        # 2. The server behaves again: rows, on the backed-off timer, without a key pressed.
        server.mode = "good"
        await wait_for(pilot, lambda: screen.loaded_once and screen.last_error is None)
        assert [screen.model.items[k].hostname for k in screen.table.order] == ["alpha", "bravo", "charlie"]
        assert "STALE" not in _status(screen)

        # 3. It misbehaves during a refresh: the rows stay, marked STALE; keys still work.
        server.instances[0]["hostname"] = "alpha-renamed"
        server.mode = mode
        # (the status is read when the failed load has finished: the backed-off retry, 0.1 s later, says loading…)
        status_when_failed: list[str] = []

        def failed() -> bool:
            if screen.last_error is not None and not screen.fetching:
                status_when_failed.append(_status(screen))
                return True
            return False

        await wait_for(pilot, failed)
        assert len(screen.model) == 3 and screen.model.items[GOOD[0]["id"]].hostname == "alpha"
        assert "STALE" in status_when_failed[-1]
        await _still_answers_keys(pilot, screen)
        assert "\x1b" not in pilot.app.export_screenshot()

        # 4. And recovers again.
        server.mode = "good"
        await wait_for(pilot, lambda: screen.last_error is None and not screen.fetching)
        await wait_for(pilot, lambda: screen.model.items[GOOD[0]["id"]].hostname == "alpha-renamed")
        assert "STALE" not in _status(screen)
        assert pilot.app.is_running
    assert any(m == mode for _, _, m in server.requests)


async def test_a_stalled_server_does_not_freeze_the_console(make_app: Any, server: MisbehavingServer) -> None:
    """While a request hangs, the screen paints and keys work; the wait ends at the client's timeout."""
    app = make_app(client=_client(server.base_url, retries=0), refresh_seconds=0)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = _screen(pilot)
        await _first_load(pilot, screen)
        server.mode = "stall"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.fetching)
        await _still_answers_keys(pilot, screen)  # while the request hangs
        assert screen.fetching or screen.last_error is not None
        await wait_for(pilot, lambda: screen.last_error is not None)
        assert server.stalling >= 1  # the client gave up while the server had neither answered nor closed
        assert "did not answer in time" in _error(screen) and len(screen.model) == 3


async def test_a_reply_that_trickles_in_for_ever_ends_at_a_deadline(make_app: Any, server: MisbehavingServer) -> None:
    """httpx's timeouts bound each read, not the reply: a byte every 0.1 s would hold the walk for ever. The
    client gives each attempt a deadline (a few timeouts), then says the API did not answer in time."""
    app = make_app(client=_client(server.base_url, retries=0), refresh_seconds=0)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = _screen(pilot)
        await _first_load(pilot, screen)
        server.mode = "trickle"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.fetching)
        await _still_answers_keys(pilot, screen)
        await wait_for(pilot, lambda: screen.last_error is not None)
        assert "did not answer in time" in _error(screen) and len(screen.model) == 3
        assert "STALE" in _status(screen)
        server.mode = "good"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.last_error is None and not screen.fetching)


async def test_wrong_typed_fields_keep_the_rows(make_app: Any, server: MisbehavingServer) -> None:
    server.mode = "wrong-types"
    app = make_app(client=_client(server.base_url), refresh_seconds=0)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = _screen(pilot)
        await _first_load(pilot, screen)
        assert screen.last_error is None
        # The object without a usable id is skipped; the others show, bad values as dashes.
        assert sorted(i.hostname for i in screen.model.items.values()) == ["7", "alpha"]
        alpha = screen.model.items[GOOD[0]["id"]]
        assert alpha.vcpu_count is None and alpha.ram is None and alpha.main_ip is None
        assert screen.table.move_cursor_to_key(GOOD[0]["id"])  # newest first: alpha (created 1970) is last
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.has_class("detail-open"))
        await pilot.pause(0.5)
        assert "alpha" in screen.detail.plain_text()
        await pilot.press("escape")
        assert screen.table.move_cursor_to_key(screen.table.order[0])  # room below for "down"
        await pilot.pause()
        await _still_answers_keys(pilot, screen)


async def test_nothing_listening_then_the_server_comes_up(make_app: Any) -> None:
    """Network down (connection refused) until a server starts on that port; the console recovers on its own."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    app = make_app(client=_client(f"http://127.0.0.1:{port}/developers"), refresh_seconds=0.05)
    server: MisbehavingServer | None = None
    try:
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            screen = _screen(pilot)
            await wait_for(pilot, lambda: screen.last_error is not None and not screen.fetching)
            assert "Could not connect to 127.0.0.1" in _error(screen)
            assert "Could not load: Could not connect" in screen.table.empty_message
            await _still_answers_keys(pilot, screen)
            server = MisbehavingServer(port)
            await wait_for(pilot, lambda: screen.loaded_once and screen.last_error is None)
            assert len(screen.model) == 3
    finally:
        if server is not None:
            server.stop()
