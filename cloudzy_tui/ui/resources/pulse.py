"""``:pulse``: the account at a glance (figures from ``ops/pulse.py``), on the one resource screen. Enter on a line
opens what it counts: "shutdown 3" opens the instances filtered to shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.ops import pulse as pulse_ops
from cloudzy_tui.ops.pulse import JobInfo, PulseLine
from cloudzy_tui.ops.resources import Field, Resource
from cloudzy_tui.ui.resources.base import Column, ResourceSpec, Section, View
from cloudzy_tui.ui.text import safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context
    from cloudzy_tui.ui.services import Console


def where_it_leads(line: PulseLine) -> str:
    if line.goto is None:
        return ""
    if line.goto == "jobs":
        return "Enter: the jobs view"
    target = f":{line.goto}"
    if line.filter:
        target += f" filtered by {line.filter}"
    if line.select:
        target += " at this row"
    return f"Enter: {target}"


def _detail(line: PulseLine, view: View) -> list[Section]:
    rows: list[tuple[str, Any]] = [("figure", line.label), ("value", line.value)]
    if line.note:
        rows.append(("note", line.note))
    rows.extend(line.detail)
    leads = where_it_leads(line)
    if leads:
        rows.append(("open", leads))
    return [Section(line.section, rows=rows)]


async def _no_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[PulseLine]]:
    yield []  # the spec loads with the App's jobs (PulseSpec.load)


PULSE_RESOURCE: Resource[PulseLine] = Resource(
    name="pulse",
    title="Pulse",
    singular="Figure",
    key_of=lambda line: line.key,
    pages=_no_pages,
    fields=[
        Field("section", "Section", lambda line: line.section),
        Field("label", "What", lambda line: line.label),
        Field("value", "Value", lambda line: line.value),
        Field("note", "Note", lambda line: line.note),
    ],
    aliases=("overview",),
    label=lambda line: f"{line.section}: {line.label}",
    to_json=lambda line: {
        "section": line.section,
        "label": line.label,
        "value": line.value,
        "note": line.note,
        "goto": line.goto,
        "filter": line.filter,
    },
)


@dataclass
class PulseSpec(ResourceSpec[PulseLine]):
    """Loads the figures with the jobs the App follows (the operations session does not know them)."""

    def load(self, app: Console, filters: dict[str, Any]) -> AsyncIterator[Sequence[PulseLine]]:
        return self._load(app)

    async def _load(self, app: Console) -> AsyncIterator[Sequence[PulseLine]]:
        now = app.monotonic()
        jobs = [
            JobInfo(
                label=job.label,
                action=job.action,
                age=max(0.0, now - job.started_at),
                kind=job.kind,
                target_id=job.target_id,
            )
            for job in app.jobs.in_flight
        ]
        inputs = await pulse_ops.gather(app.ops, jobs)
        yield pulse_ops.compute(inputs)


def _value(line: PulseLine) -> Text:
    return safe_text(line.value, "bold yellow" if line.warn else "bold")


PULSE: PulseSpec = PulseSpec(
    resource=PULSE_RESOURCE,
    columns=[
        Column(
            "section",
            "Section",
            lambda line, v: Text(line.section, style="dim"),
            sort=lambda line: line.order,
            max_width=12,
        ),
        Column("what", "What", lambda line, v: line.label, max_width=28),
        Column("value", "Value", lambda line, v: _value(line), justify="right", max_width=30),
        Column(
            "note", "Note", lambda line, v: Text(line.note, style="dim") if line.note else "", flex=True, max_width=90
        ),
    ],
    detail=_detail,
    copy_value=lambda line: line.value,
    empty_hint="Nothing to show.",
    refresh_interval=60.0,
    default_sort="section",
    extra={"screen": "pulse"},  # shown by PulseScreen (ui/screens/kinds.py)
)
