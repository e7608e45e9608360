"""``:activity`` (this session's mutating actions, from the audit log) and ``:requests`` (the request trace)."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import httpx
import pytest
from security.echo import FORMS, EchoServer, client_for, exposed
from ui.helpers import instance_record, loaded, screen_text, settle, wait_for, writes

from cloudzy_tui.api import CloudzyClient, LowBalanceError, NotFoundError
from cloudzy_tui.api.trace import RequestTrace
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.ops.activity import activity_rows
from cloudzy_tui.ui.modals.command_line import CommandLine
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.screens.resource import ResourceScreen

# --------------------------------------------------------------------------------------------- the trace recorder


async def _no_sleep(_: float) -> None:
    return None


async def test_trace_keeps_one_line_per_request_with_its_retries_and_is_bounded() -> None:
    answers = iter([503, 503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/v1/regions"):
            status = next(answers)
            return httpx.Response(
                status, json={"detail": "x", "code": "OKAY" if status == 200 else "FAILED", "data": []}
            )
        return httpx.Response(404, json={"detail": "no such thing", "code": "NOT_FOUND"})

    client = CloudzyClient(
        "http://api.test/developers",
        "tok-123456789",
        transport=httpx.MockTransport(handler),
        sleep=_no_sleep,
        max_retries=2,
    )
    client.trace = RequestTrace(limit=3)
    try:
        await client.regions.list()
        entries = client.trace.entries()
        assert [(e.method, e.path, e.status, e.retries, e.outcome) for e in entries] == [
            ("GET", "/v1/regions", 200, 2, "ok")
        ]
        for _ in range(4):
            with contextlib.suppress(NotFoundError):
                await client.instances.get("abc")
        entries = client.trace.entries()
        assert len(entries) == 3  # bounded: the newest three
        assert all(e.path == "/v1/instances/abc" and e.status == 404 and e.outcome == "error" for e in entries)
        assert client.trace.total == 5
        assert [e.seq for e in entries] == [3, 4, 5]
    finally:
        await client.aclose()


async def test_trace_remembers_the_last_balance_a_460_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            460,
            json={
                "detail": "You don't have enough balance for the selected product.",
                "code": "BALANCE_IS_NOT_SUFFICIENT",
                "data": {
                    "minimumRequiredBalance": 203.09,
                    "customerBalance": "353.00",
                    "numberOfDaysBalanceValidatedAgainst": 5,
                },
            },
        )

    client = CloudzyClient(
        "http://api.test/developers", "tok-123456789", transport=httpx.MockTransport(handler), sleep=_no_sleep
    )
    try:
        assert client.trace.balance is None
        with contextlib.suppress(LowBalanceError):
            await client.instances.power_on("abc")
        balance = client.trace.balance
        assert balance is not None
        assert (balance.customer_balance, balance.minimum_required) == (353.0, 203.09)
    finally:
        await client.aclose()


def test_activity_rows_are_newest_first_and_numbered_across_the_trimmed_log() -> None:
    audit = AuditLog(None, "prod", clock=lambda: 1_782_907_200.0)
    for n in range(3):
        audit.refused("Power off", f"web-0{n}", "read-only", "refused")
    rows = activity_rows(audit)
    assert [r.target for r in rows] == ["web-02", "web-01", "web-00"]
    assert [r.seq for r in rows] == [3, 2, 1]
    assert rows[0].profile == "prod" and rows[0].outcome == "refused" and rows[0].ms is None


# ------------------------------------------------------------------------------------------------- in the console


async def _go(pilot: Any, name: str) -> ResourceScreen[Any]:
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
    for ch in name:
        await pilot.press(ch)
    await pilot.press("enter")
    return await loaded(pilot, name)


async def test_activity_lists_this_sessions_actions_newest_first_and_t_shows_the_requests(
    make_app: Any, simulator: Any, sim_clock: Any
) -> None:
    app = make_app(profile_name="staging", read_only=False)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        for hostname in ("web-02", "web-03"):
            record = instance_record(simulator, hostname)
            assert screen.table.move_cursor_to_key(record.id)
            await pilot.pause()
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
            await pilot.click("#confirm")
            await wait_for(pilot, lambda r=record: bool(writes(simulator, prefix=f"/v1/instances/{r.id}")))
            await settle(pilot)

        activity = await _go(pilot, "activity")
        shown = screen_text(pilot.app)
        assert "Activity" in shown
        lines = [line for line in shown.splitlines() if "Power off" in line and "staging" in line]
        assert len(lines) == 2, shown
        assert "web-03" in lines[0] and "web-02" in lines[1]  # newest first
        assert all("staging" in line and " ok " in f" {line} " for line in lines)
        assert activity.table.row_count == 2

        await pilot.press("t")
        requests = await loaded(pilot, "requests")
        assert 0 < requests.table.row_count <= len(app.client.trace)  # the job poller keeps sending
        assert any("GET" in line and "/v1/instances" in line for line in screen_text(pilot.app).splitlines())
        await pilot.press("slash", *"method:post", "enter")
        await wait_for(pilot, lambda: requests.table.row_count == 2)
        shown = screen_text(pilot.app)
        posts = [line for line in shown.splitlines() if re.match(r"\s*\d\d:\d\d:\d\d\s+POST\s+/v1/instances/", line)]
        assert len(posts) == 2, shown
        assert all(" 200 " in line for line in posts)
        await pilot.press("escape")

        # Back on the activity view, what happened meanwhile is there (read again on every return).
        await pilot.press("t")
        await loaded(pilot, "activity")
        assert "Power off" in screen_text(pilot.app)


# One test per form of the token (not a loop over them): xdist spreads them over the workers.
@pytest.mark.parametrize("form", FORMS)
async def test_activity_and_requests_never_show_the_token(tmp_path: Any, form: str) -> None:
    from cloudzy_tui.ui.app import CloudzyApp

    server = EchoServer(form)
    server.failing = {"list", "action", "catalog"}
    server.echo_in_data = False
    client = client_for(server)
    app = CloudzyApp(
        client,
        api_label="echo.test",
        clock=lambda: 1_782_907_200.0,
        refresh_seconds=0,
        job_interval=0.05,
        audit=AuditLog(tmp_path / f"audit-{form}.jsonl", "default"),
    )
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ResourceScreen) and pilot.app.screen.last_error is not None
        )
        await settle(pilot)
        # A power-off answered with the token in its error: through the operations layer, as a key would.
        from cloudzy_tui.ops import instances as instance_ops

        with contextlib.suppress(Exception):
            await app.ops.execute(instance_ops.POWER_OFF, _echo_instance(), confirm=True)
        for name in ("activity", "requests"):
            screen = await _go(pilot, name)
            assert screen.table.row_count > 0
            # The rows with an error (where a server's words are), and the first few others.
            keys = list(screen.table.order)
            errors = [k for k in keys if getattr(screen.model.items[k], "error", None)]
            assert errors, f"{name}: no row with an error"
            for key in errors[:6] + keys[:2]:
                screen.table.move_cursor_to_key(key)
                await pilot.pause()
                screen.open_detail()
                await pilot.pause()
                text = screen_text(pilot.app)
                assert not exposed(text), (form, name, text)
                assert not exposed(screen.export_rows("csv")) and not exposed(screen.export_rows("json"))
                screen.close_detail()
            await pilot.press("escape")
        assert any(e.error for e in app.client.trace.entries()), "the echo errors reached the trace"
        # The pulse names the last error (its note, the detail beside it at this width).
        pulse = await _go(pilot, "pulse")
        assert pulse.table.move_cursor_to_key("API (5 min):last error")
        await pilot.pause()
        last = pulse.model.items["API (5 min):last error"]
        assert last.warn and "ago:" in last.note
        text = screen_text(pilot.app)
        assert "last error" in text
        assert not exposed(text), (form, text)
        assert not exposed(pulse.export_rows("csv")) and not exposed(pulse.export_rows("json"))
        await pilot.press("escape")
    assert not exposed(json.dumps(app.audit.entries))


def _echo_instance() -> Any:
    from cloudzy_tui.api import Instance

    return Instance.model_validate(
        {"id": "00000000-0000-4000-8000-000000000001", "hostname": "alpha", "status": "active"}
    )
