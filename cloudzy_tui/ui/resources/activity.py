"""``:activity`` (this session's mutating actions, from the audit log) and ``:requests`` (the request trace):
two views of what the console keeps in memory, on the one resource screen; ``t`` switches between them."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text

from cloudzy_tui.api.trace import TraceEntry
from cloudzy_tui.ops import activity as activity_ops
from cloudzy_tui.ops.activity import ActivityRow
from cloudzy_tui.ui.resources.base import ActionCall, Column, ResourceSpec, Section, View, console_action
from cloudzy_tui.ui.text import safe_text


def _clock(iso: str) -> str:
    """``2026-07-01T12:00:05Z`` → ``12:00:05`` (the date is in the detail pane)."""
    return iso[11:19] if len(iso) >= 19 and iso[10] == "T" else iso


def _outcome(outcome: str) -> Text:
    style = {"ok": "green", "error": "bold red", "refused": "yellow"}.get(outcome, "")
    return safe_text(outcome or "—", style)


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _go(name: str) -> Any:
    async def run(call: ActionCall[Any]) -> None:
        call.app.show_resource(name)

    return run


# ------------------------------------------------------------------------------------------------------ activity


def _activity_detail(row: ActivityRow, view: View) -> list[Section]:
    return [
        Section(
            "Action",
            rows=[
                ("time", row.time.replace("T", " ").replace("Z", " UTC")),
                ("profile", row.profile),
                ("action", row.action or "(a request outside any action)"),
                ("target", row.target),
                ("outcome", _outcome(row.outcome)),
                ("duration", f"{_ms(row.ms)} ms" if row.ms is not None else "nothing was sent"),
            ],
        ),
        Section(
            "Request",
            rows=[
                ("method", row.method),
                ("path", row.path),
                ("status", row.status),
                ("error", row.error),
            ],
        ),
    ]


ACTIVITY: ResourceSpec[ActivityRow] = ResourceSpec(
    resource=activity_ops.ACTIVITY,
    columns=[
        Column("time", "Time", lambda r, v: _clock(r.time), sort=lambda r: -r.seq, max_width=8),
        Column("profile", "Profile", lambda r, v: r.profile, max_width=16),
        Column("action", "Action", lambda r, v: r.action or r.method or "", max_width=24),
        Column("target", "Target", lambda r, v: r.target, flex=True, max_width=40),
        Column("outcome", "Outcome", lambda r, v: _outcome(r.outcome), max_width=8),
        Column("ms", "ms", lambda r, v: _ms(r.ms), sort=lambda r: r.ms, justify="right", max_width=8),
    ],
    detail=_activity_detail,
    actions=[
        console_action(
            "show_requests",
            "t",
            "Requests",
            _go("requests"),
            "The request trace: the last requests this console sent",
            needs_item=False,
        ),
    ],
    copy_value=lambda r: r.target,
    row_style=lambda r: "red" if r.outcome == "error" else "",
    empty_hint="No mutating action yet in this session (read-only actions are not audited). t: the requests.",
    refresh_interval=2.0,
    default_sort="time",
    extra={"screen": "local"},  # shown by LocalViewScreen (ui/screens/kinds.py)
)


# ------------------------------------------------------------------------------------------------------ requests


def _trace_clock(entry: TraceEntry) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(entry.time))


def _status(entry: TraceEntry) -> Text:
    if entry.status is None:
        return Text("—", style="bold red")
    style = "green" if entry.ok else "bold red"
    return Text(str(entry.status), style=style)


def _trace_detail(entry: TraceEntry, view: View) -> list[Section]:
    return [
        Section(
            "Request",
            rows=[
                ("time", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(entry.time))),
                ("method", entry.method),
                ("path", entry.path),
                ("status", entry.status if entry.status is not None else "no answer"),
                ("duration", f"{_ms(entry.ms)} ms (the final attempt)"),
                ("retries", entry.retries),
                ("outcome", _outcome(entry.outcome)),
                ("error", entry.error),
            ],
        )
    ]


TRACE: ResourceSpec[TraceEntry] = ResourceSpec(
    resource=activity_ops.TRACE,
    columns=[
        Column("time", "Time", lambda e, v: _trace_clock(e), sort=lambda e: -e.seq, max_width=8),
        Column("method", "Method", lambda e, v: e.method, max_width=6),
        Column("path", "Path", lambda e, v: e.path, flex=True, max_width=60),
        Column("status", "Status", lambda e, v: _status(e), sort=lambda e: e.status, justify="right", max_width=6),
        Column("ms", "ms", lambda e, v: _ms(e.ms), sort=lambda e: e.ms, justify="right", max_width=8),
        Column("retries", "Retries", lambda e, v: e.retries, justify="right", max_width=7),
    ],
    detail=_trace_detail,
    actions=[
        console_action(
            "show_activity",
            "t",
            "Activity",
            _go("activity"),
            "This session's mutating actions (the audit log)",
            needs_item=False,
        ),
    ],
    copy_value=lambda e: f"{e.method} {e.path}",
    row_style=lambda e: "" if e.ok else "red",
    empty_hint="No request yet.",
    refresh_interval=2.0,
    default_sort="time",
    extra={"screen": "local"},  # shown by LocalViewScreen (ui/screens/kinds.py)
)
