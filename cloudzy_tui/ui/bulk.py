"""The console's face of a bulk: an action pressed while rows are marked.

The policy is ``ops/bulk.py``'s (which targets may run and why not, what must be confirmed, the bounded concurrency,
one audit line per target); this module only shows it: one :class:`BulkConfirmModal` listing every target, a
status line while it runs, the marks of the targets that succeeded cleared (failed and refused ones stay marked,
to retry), and one summary toast at the end.

Which actions run on every marked row:

* an operation without a form of its own (power on/off, reset, delete, snapshot, release...): through
  :func:`cloudzy_tui.ops.bulk.run_bulk`;
* a console action declared ``bulk`` (ssh): once, with every marked row (``ActionCall.items``);
* anything else (a form per target: resize, change OS, traffic, backups; a new password; go to...) runs on the row
  under the cursor, and a toast says so; the marks are kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any, Literal, Protocol

from textual.worker import Worker

from cloudzy_tui.api import CloudzyError
from cloudzy_tui.api.redact import scrub
from cloudzy_tui.ops.bulk import BulkResult, bulk_refusal, count_of, nouns, plan_bulk, run_bulk
from cloudzy_tui.ops.model import Refused
from cloudzy_tui.ui.modals.bulk_confirm import BulkConfirmModal
from cloudzy_tui.ui.resources.base import Action, ActionCall, ResourceSpec
from cloudzy_tui.ui.services import Console, ListScreen, ScreenHost
from cloudzy_tui.ui.text import clean

Kind = Literal["operation", "console", "single"]


class MarkedList(ListScreen, Protocol):
    """What a bulk needs of the list it was pressed on (the resource screen; typed here so that this module does not
    import the screen, which imports it)."""

    @property
    def cloudzy(self) -> ScreenHost: ...

    @property
    def spec(self) -> ResourceSpec[Any]: ...

    @property
    def current_item(self) -> Any: ...

    @property
    def is_mounted(self) -> bool: ...

    @property
    def bulk_running(self) -> set[str]: ...

    def marked_items(self) -> list[Any]: ...

    def unmark(self, keys: Sequence[str]) -> None: ...

    def update_status(self, throttle: bool = False) -> None: ...

    def refresh_detail(self) -> None: ...

    def action_state(self, action: Action[Any], item: Any) -> bool | None: ...

    def dispatch_action(self, action: Action[Any], item: Any) -> None: ...

    def run_worker(
        self, work: Coroutine[Any, Any, None], *, group: str, exit_on_error: bool, name: str
    ) -> Worker[None]: ...


def bulk_kind(action: Action[Any]) -> Kind:
    """How ``action`` treats marked rows: an operation run on each, a console action given all, or one row only."""
    op = action.op
    if op is not None:
        if action.run is None and action.row_is_target and bulk_refusal(op) is None:
            return "operation"
        return "single"
    return "console" if action.bulk else "single"


def offered_with_marks(screen: MarkedList, action: Action[Any]) -> bool:
    """Whether the palette offers ``action`` while rows are marked (read-only hides mutations, as for one row)."""
    app = screen.cloudzy
    if action.mutating and app.read_only:
        return False
    if bulk_kind(action) == "single":
        return screen.action_state(action, screen.current_item) is True
    return True


def _single_reason(action: Action[Any]) -> str:
    if action.op is not None:
        reason = bulk_refusal(action.op) if action.row_is_target and action.run is None else None
        return reason or "it asks for its own details per target"
    return "it acts on one row"


def dispatch_marked(screen: MarkedList, action: Action[Any]) -> None:
    """``action`` pressed while rows are marked."""
    app = screen.cloudzy
    kind = bulk_kind(action)
    if kind == "single":
        item = screen.current_item
        if item is not None:
            singular, _ = nouns(screen.spec.name)
            app.toast(
                f"{action.title} applies to one {singular} at a time ({_single_reason(action)}): "
                f"{clean(screen.spec.label(item), max_length=60)}, the row under the cursor. The marks are kept.",
                timeout=6,
            )
        screen.dispatch_action(action, item)
        return
    if action.op is not None and action.op.mutating and app.ops.policy.read_only:
        app.toast(f"{action.title}: refused, the console is read-only.", severity="warning", timeout=8)
        return
    items = screen.marked_items()
    if not items:
        return
    running = screen.bulk_running
    if action.id in running:
        app.toast(f"{action.title} is already running on the marked rows.", severity="warning")
        return
    running.add(action.id)
    runner = _run_operation(screen, action, items) if kind == "operation" else _run_console(screen, action, items)
    screen.run_worker(_guarded(screen, action, runner, running), group="actions", exit_on_error=False, name=action.id)


async def _guarded(screen: MarkedList, action: Action[Any], runner: Any, running: set[str]) -> None:
    """Whatever happens inside, the console is never left stuck: an error is a toast, the guard is released."""
    app = screen.cloudzy
    try:
        await runner
    except Refused as refusal:
        app.toast(refusal.message, severity="warning", timeout=8)
    except CloudzyError as exc:
        app.report_error(exc, context=action.title)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        app.report_error(exc, context=action.title)
    finally:
        running.discard(action.id)
        if screen.is_mounted:
            screen.update_status()


async def _run_operation(screen: MarkedList, action: Action[Any], items: list[Any]) -> None:
    app = screen.cloudzy
    op = action.op
    assert op is not None
    plan = await plan_bulk(app.ops, op, items)
    answer = await app.ask(BulkConfirmModal(plan))
    if answer is None or not plan.allowed:
        return  # cancelled (or nothing could run): nothing was sent

    def progress(result: BulkResult) -> None:
        if result.state == "done" and screen.is_mounted:
            screen.unmark([result.key])  # failed and refused targets stay marked, to retry

    summary = await run_bulk(app.ops, plan, answer, on_result=progress)
    if summary.failed:
        severity = "error" if not summary.done else "warning"
    else:
        severity = "information"
    app.toast(scrub(summary.message()), title=op.title, severity=severity, timeout=12)
    if screen.is_mounted:
        screen.refresh_detail()


async def _run_console(screen: MarkedList, action: Action[Any], items: list[Any]) -> None:
    """A console action given every marked row that it applies to (ssh to each); the others are named."""
    app = screen.cloudzy
    usable = [i for i in items if action.unavailable(i) is None]
    skipped = [i for i in items if action.unavailable(i) is not None]
    if skipped:
        names = ", ".join(clean(screen.spec.label(i), max_length=30) for i in skipped[:3])
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        reason = action.unavailable(skipped[0]) or ""
        app.toast(
            f"{action.title}: skipped {count_of(len(skipped), screen.spec.name)} ({names}{more}): "
            f"{clean(reason, max_length=100)}",
            severity="warning",
            timeout=8,
        )
    if not usable or action.run is None:
        return
    await action.run(ActionCall(app=app, screen=screen, item=usable[0], items=usable))


# ---------------------------------------------------------------------------------------------------- copy


def copy_choices(spec: ResourceSpec[Any], items: Sequence[Any], console: Console) -> list[tuple[str, str]]:
    """What ``c`` offers, as (label, value): for one row the spec's choices (an instance: IPv4, IPv6, id, the ssh
    command) or else its copy value; for marked rows each kind of value of every row (the ids among them), joined by
    spaces on one line in the rows' order (``for ip in <paste>`` in a shell). A kind with a space inside a value (an
    ssh command, a public key) is left out for marked rows: once joined, its values could not be told apart."""
    choices_of = spec.extra.get("copy_choices")

    def of(item: Any, *, several: bool) -> list[tuple[str, str]]:
        if callable(choices_of):
            choices: list[tuple[str, str]] = choices_of(item, console)
            if several or len(choices) > 1:
                return choices
        key = spec.key_of(item)
        value = spec.copy_value(item) if spec.copy_value else key
        if several and value != key:  # the ids too: a public key, say, is not joinable, its id is
            return [(spec.singular or "value", value), ("id", key)]
        return [(spec.singular or "value", value)]

    if len(items) == 1:
        return of(items[0], several=False)
    per_row = [of(item, several=True) for item in items]
    labels = list(dict.fromkeys(label for choices in per_row for label, _ in choices))
    joined: list[tuple[str, str]] = []
    for label in labels:
        values = [value for choices in per_row for kind, value in choices if kind == label and value]
        if values and not any(part.isspace() for value in values for part in value):
            joined.append((f"{label} ×{len(values)}", " ".join(values)))
    return joined
