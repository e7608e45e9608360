"""This session's activity as rows: the mutating actions (from the audit log) and the request trace. No Textual.

Both are views of what this process already keeps in memory (bounded): :attr:`AuditLog.entries` (the newest 500
of the session; the file under the state dir keeps every one) and the client's :class:`RequestTrace` (the newest
500 requests). Nothing here sends a request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api.trace import TraceEntry
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.ops.resources import Field, Resource

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


@dataclass(frozen=True)
class ActivityRow:
    """One audit line: a request an action sent (its final attempt), or an action the policy refused."""

    seq: int
    time: str
    profile: str
    action: str
    target: str
    method: str | None
    path: str | None
    status: int | None
    outcome: str
    error: str | None
    ms: float | None

    @property
    def key(self) -> str:
        return str(self.seq)


def activity_rows(audit: AuditLog) -> list[ActivityRow]:
    """The session's audit entries, newest first (numbered from 1 in the order they were made)."""
    entries = list(audit.entries)
    first = audit.count - len(entries) + 1
    rows = [_row(first + index, entry) for index, entry in enumerate(entries)]
    rows.reverse()
    return rows


def _row(seq: int, entry: dict[str, Any]) -> ActivityRow:
    def text(name: str) -> str:
        value = entry.get(name)
        return "" if value is None else str(value)

    status = entry.get("status")
    ms = entry.get("ms")
    return ActivityRow(
        seq=seq,
        time=text("time"),
        profile=text("profile"),
        action=text("action"),
        target=text("target"),
        method=entry.get("method"),
        path=entry.get("path"),
        status=status if isinstance(status, int) else None,
        outcome=text("outcome"),
        error=entry.get("error"),
        ms=float(ms) if isinstance(ms, int | float) else None,
    )


def trace_rows(session: Context) -> list[TraceEntry]:
    """The client's newest requests, newest first."""
    return list(reversed(session.client.trace.entries()))


async def _activity_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[ActivityRow]]:
    yield activity_rows(session.audit)


async def _trace_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[TraceEntry]]:
    yield trace_rows(session)


ACTIVITY: Resource[ActivityRow] = Resource(
    name="activity",
    title="Activity",
    singular="Action",
    key_of=lambda row: row.key,
    pages=_activity_pages,
    fields=[
        Field("time", "Time", lambda r: r.time),
        Field("profile", "Profile", lambda r: r.profile),
        Field("action", "Action", lambda r: r.action),
        Field("target", "Target", lambda r: r.target),
        Field("outcome", "Outcome", lambda r: r.outcome),
        Field("ms", "ms", lambda r: r.ms),
    ],
    aliases=("act",),
    label=lambda r: f"{r.action or r.method or 'request'} {r.target}".strip(),
    to_json=lambda r: {
        "time": r.time,
        "profile": r.profile,
        "action": r.action,
        "target": r.target,
        "method": r.method,
        "path": r.path,
        "status": r.status,
        "outcome": r.outcome,
        "error": r.error,
        "ms": r.ms,
    },
)

TRACE: Resource[TraceEntry] = Resource(
    name="requests",
    title="Requests",
    singular="Request",
    key_of=lambda e: str(e.seq),
    pages=_trace_pages,
    fields=[
        Field("method", "Method", lambda e: e.method),
        Field("path", "Path", lambda e: e.path),
        Field("status", "Status", lambda e: e.status),
        Field("ms", "ms", lambda e: round(e.ms, 1)),
        Field("retries", "Retries", lambda e: e.retries),
    ],
    aliases=("trace", "req"),
    label=lambda e: f"{e.method} {e.path}",
    to_json=lambda e: {
        "time": e.time,
        "method": e.method,
        "path": e.path,
        "status": e.status,
        "ms": round(e.ms, 1),
        "retries": e.retries,
        "outcome": e.outcome,
        "error": e.error,
    },
)
