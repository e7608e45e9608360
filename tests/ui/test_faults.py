"""The console under faults, against the in-process simulator's fault knobs.

A fault matrix (5xx with JSON and HTML bodies, 429 with and without Retry-After, dropped connections, truncated,
invalid, empty and wrong-typed bodies, no network, no DNS, timeouts) × situations (first load, refresh after a good
load, recovery): no crash, a clear message, the last good rows kept and marked STALE, recovery on its own. Then
actions under faults (a clear toast, no stuck action, no resent POST), refresh backoff (no pile-up, no overlap), and
the job poller riding out failing polls.

Size: one fault matrix and the action, form, refresh and job paths that ride the same fault knobs, failing
transports and helpers; a split would copy those helpers or move them out of sight of the cases they serve.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import TOKEN

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.sim import create_app
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.status_bar import StatusBar

from .helpers import form_on_screen, loaded, screen_text, settle, wait_for

# ------------------------------------------------------------------------------------------------ helpers


def status_line(screen: ResourceScreen[Any]) -> str:
    bar = screen.query_one("#status", StatusBar)
    return f"{bar.left.plain} | {bar.right.plain}"


def error_of(screen: ResourceScreen[Any]) -> str:
    assert screen.last_error is not None
    return screen.last_error


def ed25519(comment: str = "me@laptop") -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app.shown_toasts()]


def visible_instances(simulator: Any) -> list[Any]:
    return [r for r in simulator.instances.values() if r["status"] != "deleted"]


def instance_gets(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.method == "GET" and r.path == "/v1/instances"]


def posts(simulator: Any, suffix: str = "") -> list[Any]:
    return [r for r in simulator.requests if r.method == "POST" and r.path.endswith(suffix)]


def nginx(status: int, phrase: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n<center><h1>{status} {phrase}</h1>"
        "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


async def stopped_fetching(pilot: Any, screen: ResourceScreen[Any], predicate: Callable[[], bool]) -> None:
    await wait_for(pilot, lambda: not screen.fetching and predicate())


class Switchable(httpx.AsyncBaseTransport):
    """The simulator in-process, or no network at all: refused, no DNS, or the API never answering in time."""

    FAILURES: dict[str, Callable[[httpx.Request], Exception]] = {
        "down": lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r),
        "dns": lambda r: httpx.ConnectError("[Errno -2] Name or service not known", request=r),
        "connect-timeout": lambda r: httpx.ConnectTimeout("timed out", request=r),
        "read-timeout": lambda r: httpx.ReadTimeout("timed out", request=r),
    }

    def __init__(self, simulator: Any) -> None:
        self.inner = httpx.ASGITransport(app=create_app(simulator))
        self.mode = "up"
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.mode != "up" and request.url.path.startswith("/developers/v1/instances"):
            self.refused += 1
            raise self.FAILURES[self.mode](request)
        return await self.inner.handle_async_request(request)


async def _no_sleep(_: float) -> None:
    return None


# ------------------------------------------------------------------------------------------ the matrix

TRUNCATED = b'{"detail": "", "code": "OKAY", "data": {"instances": [{"id": "51fbfcc7", "hostname": "we'

SIM_FAULTS = [
    pytest.param({"status": 500}, "HTTP 500 Internal Server Error", id="500-json"),
    pytest.param({"status": 502}, "HTTP 502 Bad Gateway", id="502-json"),
    pytest.param({"status": 503}, "HTTP 503 Service Unavailable", id="503-json"),
    pytest.param({"status": 504}, "HTTP 504 Gateway Timeout", id="504-json"),
    pytest.param({"status": 500, "body": nginx(500, "Internal Server Error")}, "with an HTML page", id="500-html"),
    pytest.param(
        {"status": 502, "body": nginx(502, "Bad Gateway")}, "HTTP 502 Bad Gateway) with an HTML page", id="502-html"
    ),
    pytest.param({"status": 503, "body": nginx(503, "Service Unavailable")}, "with an HTML page", id="503-html"),
    pytest.param({"status": 504, "body": nginx(504, "Gateway Timeout")}, "with an HTML page", id="504-html"),
    pytest.param(
        {"status": 429, "retry_after": 1}, "Too many requests (429). The API asked to wait 1 s", id="429-retry-after"
    ),
    pytest.param({"status": 429}, "Too many requests (429). Wait a moment", id="429"),
    pytest.param({"reset": True}, "The connection to sim.test failed", id="reset"),
    pytest.param({"status": 200, "body": TRUNCATED}, "JSON that could not be parsed", id="truncated-json"),
    pytest.param({"status": 200, "body": b"{'instances': [oops]}"}, "JSON that could not be parsed", id="invalid-json"),
    pytest.param({"status": 200, "body": b"OK then"}, "JSON that could not be parsed (7 bytes", id="not-json"),
    pytest.param({"status": 200, "body": b""}, "with an empty body instead of JSON", id="empty-body"),
    pytest.param(
        {"status": 200, "body": b'{"detail": "", "code": "OKAY", "data": {"instances": "lots"}}'},
        "has 'instances' as a str, not a list",
        id="wrong-type",
    ),
    pytest.param({"status": 200, "body": b"[1, 2, 3]"}, "not the documented envelope (a list)", id="not-envelope"),
]


@pytest.mark.parametrize(("fault", "said"), SIM_FAULTS)
async def test_fault_matrix(make_app: Any, simulator: Any, fault: dict[str, Any], said: str) -> None:
    """First load fails → clear message; the API comes back → rows, on the backed-off timer; the next refresh
    fails → rows kept, STALE and the message in the status bar; back again → fresh rows, STALE gone."""
    rule = simulator.faults.add(method="GET", path_prefix="/v1/instances", times=None, **fault)
    app = make_app(refresh_seconds=0.05)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ResourceScreen)

        # 1. First load: the empty table says what went wrong; a toast too; nothing crashed.
        await stopped_fetching(pilot, screen, lambda: screen.last_error is not None)
        assert rule.hits >= 1
        assert said in error_of(screen)
        assert len(screen.model) == 0 and not screen.loaded_once
        assert "Could not load" in screen.table.empty_message and said in screen.table.empty_message
        shown = screen_text(pilot.app)
        assert "Could not load" in shown and "ERROR" in shown  # nothing shown yet, so nothing stale
        assert any(said in t and t.startswith("Loading instances") for t in toasts(pilot.app))
        assert pilot.app.is_running

        # 2. The API comes back: the backed-off timer loads on its own.
        simulator.faults.clear()
        await stopped_fetching(pilot, screen, lambda: screen.loaded_once and screen.last_error is None)
        assert len(screen.model) == len(visible_instances(simulator))
        assert "STALE" not in status_line(screen)
        assert "Could not load" not in screen_text(pilot.app)
        good_rows = dict(screen.model.items)

        # 3. A refresh fails: the rows stay, marked STALE with the reason.
        rule = simulator.faults.add(method="GET", path_prefix="/v1/instances", times=None, **fault)
        await stopped_fetching(pilot, screen, lambda: screen.last_error is not None)
        assert screen.model.items.keys() == good_rows.keys()
        assert screen.table.row_count == len(good_rows)
        line = status_line(screen)
        assert "STALE" in line
        shown = screen_text(pilot.app)
        assert "STALE" in shown
        some = next(iter(good_rows.values()))
        assert some.hostname in shown  # the last good rows are still painted

        # 4. Back again: ctrl+r brings fresh rows and the STALE marker goes.
        simulator.faults.clear()
        key = screen.table.order[0]  # a row on screen
        simulator.instances[key]["hostname"] = "back-again"
        await pilot.press("ctrl+r")
        await stopped_fetching(pilot, screen, lambda: screen.last_error is None)
        await wait_for(pilot, lambda: screen.model.items[key].hostname == "back-again")
        assert "STALE" not in status_line(screen)
        assert "back-again" in screen_text(pilot.app)
        assert screen.failed_loads == 0


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        pytest.param("down", "Could not connect to sim.test: [Errno 111] Connection refused", id="network-down"),
        pytest.param("dns", "Could not connect to sim.test: [Errno -2] Name or service not known", id="dns"),
        pytest.param("connect-timeout", "Could not connect to sim.test in time", id="connect-timeout"),
        pytest.param("read-timeout", "The API did not answer in time (GET /v1/instances)", id="read-timeout"),
    ],
)
async def test_no_network(make_app: Any, simulator: Any, mode: str, said: str) -> None:
    transport = Switchable(simulator)
    transport.mode = mode
    client = CloudzyClient("http://sim.test/developers", TOKEN, transport=transport, sleep=_no_sleep)
    app = make_app(client=client, refresh_seconds=0.05)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ResourceScreen)
        await stopped_fetching(pilot, screen, lambda: screen.last_error is not None)
        assert said in error_of(screen) and said in screen.table.empty_message
        assert transport.refused == 3 * screen.failed_loads  # a try and two retries per walk, then it waits
        assert "Could not load" in screen_text(pilot.app)

        transport.mode = "up"
        await stopped_fetching(pilot, screen, lambda: screen.loaded_once and screen.last_error is None)
        assert len(screen.model) == len(visible_instances(simulator))

        transport.mode = mode
        await stopped_fetching(pilot, screen, lambda: screen.last_error is not None)
        assert len(screen.model) == len(visible_instances(simulator))
        assert "STALE" in status_line(screen) and "STALE" in screen_text(pilot.app)

        transport.mode = "up"
        await stopped_fetching(pilot, screen, lambda: screen.last_error is None)
        assert "STALE" not in status_line(screen)


async def test_latency_beyond_the_client_timeout(make_app: Any, simulator: Any, served_simulator: str) -> None:
    """A real socket and a real 0.3 s timeout: the simulator takes 1 s to answer the instance list."""
    client = CloudzyClient(served_simulator, TOKEN, timeout=0.3, max_retries=0, sleep=_no_sleep)
    simulator.faults.add(method="GET", path_prefix="/v1/instances", status=None, delay_ms=1000, times=None)
    app = make_app(client=client, refresh_seconds=0.05)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ResourceScreen)
        await stopped_fetching(pilot, screen, lambda: screen.last_error is not None)
        assert "did not answer in time" in error_of(screen)
        assert "Could not load" in screen_text(pilot.app)
        await pilot.press("question_mark")  # still answering keys
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        simulator.faults.clear()
        await stopped_fetching(pilot, screen, lambda: screen.loaded_once and screen.last_error is None)
        assert len(screen.model) == len(visible_instances(simulator))


async def test_a_wrong_typed_field_in_one_object_keeps_the_row(make_app: Any, simulator: Any) -> None:
    """Values of the wrong type are dropped field by field: the row stays, with a dash where the value was."""
    app = make_app()
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        key = screen.table.cursor_key
        assert key is not None
        record = simulator.instances[key]
        record["vcpuCount"] = "lots"
        record["ram"] = {"MB": 4096}
        record["os"] = "ubuntu"
        record["features"] = "monitoring"
        record["isDdosProtected"] = [1, 2]
        record["insertedAt"] = 12
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.last_error is None
        assert key in screen.model.items and screen.model.items[key].vcpu_count is None
        await pilot.press("enter")
        await settle(pilot)
        detail = screen.detail.plain_text()
        assert record["hostname"] in detail and "vCPU" in detail
        assert pilot.app.is_running


# ------------------------------------------------------------------------------------- actions under faults


async def _power_off(pilot: Any, screen: ResourceScreen[Any], record: Any) -> None:
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
    await pilot.click("#confirm")


def power_off_state(screen: ResourceScreen[Any]) -> bool | None:
    """Whether power off is offered for the row under the cursor (True), shown but not possible (None)."""
    action = screen.spec.action("power_off")
    assert action is not None
    return screen.action_state(action, screen.current_item)


def _active(simulator: Any) -> Any:
    return next(r for r in simulator.instances.values() if r["status"] == "active" and not r.busy)


async def test_power_off_answered_503_can_be_tried_again(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = _active(simulator)
        simulator.faults.add(method="POST", path_prefix="/v1/instances", status=503)
        await _power_off(pilot, screen, record)
        await wait_for(pilot, lambda: any(t.startswith("Power off: The API failed (HTTP 503") for t in toasts(app)))
        await settle(pilot)
        assert len(posts(simulator, "/poweroff")) == 1  # a refused POST is not resent
        assert record["status"] == "active"
        assert not screen.running_actions  # not stuck "already running"
        assert power_off_state(screen) is True
        # Tried again, it goes through.
        await _power_off(pilot, screen, record)
        await wait_for(pilot, lambda: record["status"] == "stopping")
        await settle(pilot)
        assert len(posts(simulator, "/poweroff")) == 2
        assert not any("already running" in t for t in toasts(app))


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        pytest.param({"status": 504}, "may or may not have been made", id="504-after-applied"),
        pytest.param(
            {"status": 502, "body": nginx(502, "Bad Gateway")},
            "may or may not have been made",
            id="502-html-after-applied",
        ),
        pytest.param({"reset": True}, "not known whether the change was made", id="reset-after-applied"),
        pytest.param(
            {"status": 200, "body": b"<html>oops</html>"}, "The change was probably made", id="html-200-after-applied"
        ),
    ],
)
async def test_power_off_whose_answer_is_lost_is_not_resent(
    make_app: Any, simulator: Any, fault: dict[str, Any], said: str
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = _active(simulator)
        simulator.faults.add(method="POST", path_prefix="/v1/instances", after=True, **fault)
        await _power_off(pilot, screen, record)
        await wait_for(pilot, lambda: any(t.startswith("Power off:") and said in t for t in toasts(app)))
        await settle(pilot)
        assert len(posts(simulator, "/poweroff")) == 1  # the outcome is unknown: never sent twice
        assert record["status"] == "stopping"  # it did take effect on the server
        assert not screen.running_actions
        assert pilot.app.is_running
        # A refresh shows what happened; power off is then no longer offered for this row.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.model.items[record.id].status == "stopping")
        assert power_off_state(screen) is None  # shown, not possible now
        assert len(posts(simulator, "/poweroff")) == 1


async def test_power_off_rate_limited_is_sent_again_once(make_app: Any, simulator: Any) -> None:
    """A 429 proves the POST was not carried out: the client waits (Retry-After) and sends it once more."""
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = _active(simulator)
        simulator.faults.add(method="POST", path_prefix="/v1/instances", status=429, retry_after=1)
        await _power_off(pilot, screen, record)
        await wait_for(pilot, lambda: record["status"] == "stopping")
        await settle(pilot)
        assert [r.status for r in posts(simulator, "/poweroff")] == [429, 200]
        assert not any(t.startswith("Power off:") for t in toasts(app))


async def test_a_delete_whose_answer_was_lost_counts_as_done(make_app: Any, simulator: Any) -> None:
    """DELETE is safe to repeat: a 504 after the snapshot was deleted, then a 404 on the second try, is success."""
    app = make_app(initial_resource="snapshots")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "snapshots")
        record = next(s for s in simulator.snapshots.values() if s["status"] == "ACTIVE" and not s.automated)
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        simulator.faults.add(method="DELETE", path_prefix="/v1/snapshots", status=504, after=True)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: record.id not in screen.model.items)
        await settle(pilot)
        deletes = [r.status for r in simulator.requests if r.method == "DELETE"]
        assert deletes == [504, 404]
        assert not any(n.severity == "error" for n in app.shown_toasts())


async def test_detail_under_faults_keeps_the_row_and_says_why(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = _active(simulator)
        simulator.faults.add(
            method="GET",
            path_prefix=f"/v1/instances/{record.id}",
            status=502,
            body=nginx(502, "Bad Gateway"),
            times=None,
        )
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Could not load details" in screen.detail.plain_text())
        detail = screen.detail.plain_text(width=200)
        assert record["hostname"] in detail and "HTTP 502 Bad Gateway) with an HTML page" in detail
        assert screen.last_error is None  # the list itself is fine
        simulator.faults.clear()
        await pilot.press("escape", "down", "up", "enter")  # moving back onto the row loads it again
        await wait_for(pilot, lambda: "Could not load details" not in screen.detail.plain_text())
        assert "Snapshots" in screen.detail.plain_text()


class Hanging(httpx.AsyncBaseTransport):
    """The simulator in-process, except that POSTs are received and never answered (a peer gone silent)."""

    def __init__(self, simulator: Any) -> None:
        self.inner = httpx.ASGITransport(app=create_app(simulator))
        self.hung = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.hung += 1
            await asyncio.Event().wait()  # for ever (until cancelled)
        return await self.inner.handle_async_request(request)


async def test_a_power_off_that_never_answers_is_not_stuck(make_app: Any, simulator: Any) -> None:
    """No answer at all: the attempt ends at the client's deadline, the outcome is unknown (not resent) and the
    action can be started again; it is not "already running" for ever."""
    transport = Hanging(simulator)
    client = CloudzyClient("http://sim.test/developers", TOKEN, transport=transport, timeout=0.2, sleep=_no_sleep)
    app = make_app(client=client)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = _active(simulator)
        await _power_off(pilot, screen, record)
        await wait_for(pilot, lambda: any("not known whether the change was made" in t for t in toasts(app)), timeout=3)
        await settle(pilot)
        assert transport.hung == 1  # not sent twice
        assert not screen.running_actions
        assert power_off_state(screen) is True


async def test_a_form_refused_by_a_5xx_keeps_what_was_typed(make_app: Any, simulator: Any) -> None:
    from textual.widgets import Input

    app = make_app(initial_resource="ssh-keys")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "ssh-keys")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        form.query_one("#field-name", Input).value = "laptop"
        form.query_one("#field-public_key", Input).value = ed25519()
        simulator.faults.add(method="POST", path_prefix="/v1/ssh-keys", status=503)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "HTTP 503" in str(form.query_one("#form-error").render()))
        assert pilot.app.screen is form and not form.busy
        assert form.query_one("#field-name", Input).value == "laptop"
        assert form.query_one("#field-public_key", Input).value == ed25519()
        await pilot.pause(0.25)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
        assert len(posts(simulator, "/v1/ssh-keys")) == 2
        assert any(r["name"] == "laptop" for r in simulator.ssh_keys.values())


# ----------------------------------------------------------------------------------------------- backoff


class Concurrency(httpx.AsyncBaseTransport):
    """The in-process simulator, counting requests in flight at once per path."""

    def __init__(self, simulator: Any) -> None:
        self.inner = httpx.ASGITransport(app=create_app(simulator))
        self.in_flight: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.started: list[tuple[float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.started.append((asyncio.get_running_loop().time(), path))
        self.in_flight[path] = self.in_flight.get(path, 0) + 1
        self.most[path] = max(self.most.get(path, 0), self.in_flight[path])
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight[path] -= 1


async def test_refresh_backs_off_under_errors_and_never_overlaps(make_app: Any, simulator: Any) -> None:
    simulator.config.error_rate = 1.0
    simulator.config.latency_ms = 5
    transport = Concurrency(simulator)
    client = CloudzyClient("http://sim.test/developers", TOKEN, transport=transport, sleep=_no_sleep)
    app = make_app(client=client, refresh_seconds=0.02)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, ResourceScreen)
        loop = asyncio.get_running_loop()
        began = transport.started[0][0] if transport.started else loop.time()
        while not (screen.failed_loads >= 5 and not screen.fetching):
            assert loop.time() - began < 8, screen.failed_loads
            await asyncio.sleep(0.01)
        failed = screen.failed_loads  # (no await between the check and these reads)
        tries = [t for t, path in transport.started if path == "/developers/v1/instances"]
        window = loop.time() - began
        # Each walk is a try and two retries (the client's), then the screen waits refresh x 2^failures:
        # 0.04 s, 0.08, 0.16, 0.32 ... A steady 0.02 s would have made a walk every 0.02 s.
        assert len(tries) == 3 * failed
        starts = tries[::3]
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        for n, gap in enumerate(gaps, start=1):
            assert gap >= 0.95 * 0.02 * 2**n, (n, gaps)  # the wait doubles after each failed walk
        assert failed <= window / (0.02 * 4), (failed, window)
        assert transport.most["/developers/v1/instances"] == 1  # never two list walks in flight at once
        assert pilot.app.is_running and len(screen.model) == 0
        # Hammering ctrl+r does not pile requests up either: each press replaces the walk in flight.
        before = len(tries)
        await pilot.press("ctrl+r", "ctrl+r", "ctrl+r", "ctrl+r")
        await settle(pilot)
        assert transport.most["/developers/v1/instances"] == 1
        after = [t for t, path in transport.started if path == "/developers/v1/instances"]
        assert len(after) - before <= 3 * 4 + 3
        # The API comes back: a refresh recovers.
        simulator.config.error_rate = 0.0
        app.refresh_seconds = 5  # (a steady 0.02 s of successful 32-row walks would keep the UI busy)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.loaded_once and screen.last_error is None)
        assert len(screen.model) == len(visible_instances(simulator))


async def test_refresh_honours_retry_after(make_app: Any, simulator: Any) -> None:
    app = make_app(refresh_seconds=0.05)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        simulator.faults.add(method="GET", path_prefix="/v1/instances", status=429, retry_after=120, times=None)
        await stopped_fetching(pilot, screen, lambda: screen.last_error is not None)
        assert "asked to wait 120 s" in error_of(screen)
        count = len(instance_gets(simulator))
        await pilot.pause(0.6)  # refresh x 2 = 0.1 s: without Retry-After, several more walks would go out
        assert len(instance_gets(simulator)) == count


# ------------------------------------------------------------------------------------------------ the jobs


async def test_a_snapshot_job_survives_failing_polls(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app()  # the job poller's shortest wait: 0.02 s
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["hostname"] == "web-02")
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        before = set(simulator.snapshots)
        await pilot.press("S")
        await wait_for(pilot, lambda: len(simulator.snapshots) > len(before))
        (new_id,) = set(simulator.snapshots) - before
        job = next(j for j in app.jobs.jobs if j.target_id == new_id)
        # Every poll of the snapshots fails (an HTML 502, dropped connections, then 503s) while the server
        # finishes the snapshot.
        simulator.faults.add(
            method="GET", path_prefix="/v1/snapshots", status=502, body=nginx(502, "Bad Gateway"), times=3
        )
        simulator.faults.add(method="GET", path_prefix="/v1/snapshots", reset=True, times=3)
        simulator.faults.add(method="GET", path_prefix="/v1/snapshots", status=503, times=None)

        def polls() -> int:
            return len([r for r in simulator.requests if r.method == "GET" and r.path.startswith("/v1/snapshots")])

        await wait_for(pilot, lambda: job.errors >= 3)
        sim_clock.advance(3)
        simulator.refresh()  # the server finishes the snapshot (transitions apply lazily)
        count = polls()
        await pilot.pause(0.6)
        # The poller backs off: each round is a list call (a try and two retries) and the waits double
        # (0.16 s, 0.32 s, ... by now); a steady 0.02 s would have made ~90 requests.
        assert polls() - count <= 3 * 3, polls() - count
        assert job.running and job.errors >= 3 and job.last_error
        assert simulator.snapshots[new_id]["status"] == "ACTIVE"  # done on the server, not yet seen
        assert pilot.app.is_running
        simulator.faults.clear()
        # No key pressed: the next backed-off round sees it.
        await wait_for(pilot, lambda: job.finished)
        assert job.state == "succeeded"
        await wait_for(pilot, lambda: any("ACTIVE" in t for t in toasts(app)))


# ------------------------------------------------------------------------------------ forms and server 422s


def _field_error(form: FormModal[Any], name: str) -> str:
    box = form.query_one(f"#error-{name}")
    return str(box.render()) if box.display else ""


async def test_a_server_422_lands_on_the_fields_it_names(make_app: Any, simulator: Any) -> None:
    """ISO download: the server refuses the URL and the region (by their JSON names); each message goes under its
    field, an unknown location above the buttons, and everything typed stays."""
    from textual.widgets import Input, Select

    body = (
        b'{"detail": [{"loc": ["body", "url"], "msg": "host not reachable", "type": "value_error"},'
        b' {"loc": ["body", "regionId"], "msg": "region is full", "type": "value_error"},'
        b' {"loc": ["body", "somethingElse"], "msg": "not allowed", "type": "value_error"}]}'
    )
    app = make_app(initial_resource="isos")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "isos")
        await pilot.press("n")
        form = await form_on_screen(pilot)
        # Validated before sending: nothing typed, nothing sent, every required field says so.
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "required" in _field_error(form, "name"))
        assert "required" in _field_error(form, "url") and "required" in _field_error(form, "region")
        assert not posts(simulator)
        # A URL the client itself refuses stays at its field too.
        form.query_one("#field-name", Input).value = "rescue"
        form.query_one("#field-url", Input).value = "ftp://example.com/rescue.iso"
        form.query_one("#field-region", Select).value = "us-utah"
        await pilot.pause(0.25)
        # Editing a field takes its error away at once (the next submit checks it again).
        assert not _field_error(form, "region") and not form.query_one("#row-region").has_class("invalid")
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(_field_error(form, "url")))
        assert not _field_error(form, "name") and not posts(simulator)
        # The server's 422 maps onto the same fields.
        form.query_one("#field-url", Input).value = "https://example.com/rescue.iso"
        simulator.faults.add(method="POST", path_prefix="/v1/iso", status=422, body=body)
        await pilot.pause(0.25)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "host not reachable" in _field_error(form, "url"))
        assert "region is full" in _field_error(form, "region")
        assert "somethingElse: not allowed" in str(form.query_one("#form-error").render())
        assert len(posts(simulator, "/v1/iso")) == 1 and not form.busy and pilot.app.screen is form
        assert form.query_one("#field-name", Input).value == "rescue"
        assert form.query_one("#field-url", Input).value == "https://example.com/rescue.iso"
        assert form.query_one("#field-region", Select).value == "us-utah"
        # Sent again as it is, it goes through.
        await pilot.pause(0.25)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
        assert len(posts(simulator, "/v1/iso")) == 2
        assert any(r["name"] == "rescue" for r in simulator.isos.values())


async def test_add_traffic_refused_at_the_field(make_app: Any, simulator: Any) -> None:
    from textual.widgets import Input

    body = b'{"detail": [{"loc": ["body", "amount"], "msg": "at most 10 TB at a time", "type": "value_error"}]}'
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = _active(simulator)
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.press("t")
        form = await form_on_screen(pilot)
        form.query_one("#field-amount", Input).value = "500"
        simulator.faults.add(method="POST", path_prefix="/v1/instances", status=422, body=body)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "at most 10 TB" in _field_error(form, "amount"))
        assert form.query_one("#field-amount", Input).value == "500" and pilot.app.screen is form
        assert len(posts(simulator, "/add-traffic")) == 1


# --------------------------------------------------------------------------------- lists of several calls


async def test_products_of_a_region_that_failed_to_load_are_kept_and_marked_stale(
    make_app: Any, simulator: Any
) -> None:
    app = make_app(initial_resource="products")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "products")
        utah = {k for k in screen.model.items if k.startswith("us-utah/")}
        assert utah and len(screen.model) > len(utah)
        # The first region's product list fails (a try and two retries); the other regions answer.
        simulator.faults.add(method="GET", path_prefix="/v1/products", status=503, times=3)
        await pilot.press("ctrl+r")
        await stopped_fetching(pilot, screen, lambda: len(simulator.faults) == 0)
        await settle(pilot)
        assert utah <= set(screen.model.items)  # the last good rows of the failed region stay
        assert screen.last_error is not None and "STALE" in status_line(screen)


def test_the_attempt_deadline_follows_the_timeouts() -> None:
    from cloudzy_tui.api._transport import DEFAULT_TIMEOUT, attempt_deadline

    assert attempt_deadline(DEFAULT_TIMEOUT) == 5 + 30 + 30 + 2 * 30
    assert attempt_deadline(0.2) == pytest.approx(1.0)
    assert attempt_deadline(None) is None
    assert attempt_deadline(httpx.Timeout(5.0, read=None)) is None


async def test_the_catalog_recovers_when_the_api_comes_back(make_app: Any, simulator: Any) -> None:
    simulator.faults.add(method="GET", path_prefix="/v1/regions", status=503, times=None)
    app = make_app()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await settle(pilot)
        utah = next(k for k, i in screen.model.items.items() if i.region == "us-utah")

        def region_cell() -> str:
            row = screen.model.row(utah)
            assert row is not None
            return row.cells[2].plain

        assert region_cell() == "us-utah"  # no names yet: the id
        simulator.faults.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        await wait_for(pilot, lambda: region_cell() == "Utah")
