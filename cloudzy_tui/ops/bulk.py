"""One operation on several targets at once (the console's marks): one plan, one confirmation, bounded concurrency.

No Textual: any face can run a bulk (the console does; a CLI or MCP tool taking several targets could).

:func:`plan_bulk` says, for every target, whether the operation may run on it and, if not, why. The reasons are the
session's own rules (:meth:`~cloudzy_tui.ops.session.Session.refusal`: read-only, the target's state, protected
instances, the same operation already running) plus the rules of a bulk:

* an operation that needs its own parameters per target (a form: resize, change OS...) or says it runs
  ``one_at_a_time`` (a new password, shown once) never runs in bulk: :func:`bulk_refusal`;
* a disruptive operation never touches, in a bulk, the host the console runs on: do that one on its own (its
  hostname must then be typed).

:attr:`BulkPlan.confirmation` is what must be obtained before anything runs: always a yes (one question listing
every target); for an operation that destroys (``danger="type"`` or ``destroys``), the number of targets that will
run, typed exactly. That answer stands for each target's own confirmation: :func:`run_bulk` checks it, then runs
every allowed target through :meth:`Session.execute` (which applies every rule again: a state may have changed
since the plan), at most :data:`BULK_LIMIT` at a time. A failure of one target never stops the others. Each target
leaves one audit line: the request it sent, or the refusal (targets refused in the plan are logged when the bulk
runs). Jobs are handed to the tracker by ``execute``, as for one target.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cloudzy_tui.api import CloudzyError
from cloudzy_tui.api.redact import scrub
from cloudzy_tui.ops.model import Confirmation, Operation, Outcome, Refused
from cloudzy_tui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.ops.session import Session

log = logging.getLogger("cloudzy_tui.ops")

#: requests of one bulk in flight at once
BULK_LIMIT = 4
#: failures and refusals named in the summary line (the rest are counted)
SUMMARY_NAMES = 3


async def gather_limited(limit: int, coroutines: list[Any]) -> list[Any]:
    """Run coroutines with at most ``limit`` at a time; results (or exceptions) in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(coroutine: Any) -> Any:
        async with semaphore:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines), return_exceptions=True)


def bulk_refusal(op: Operation[Any]) -> str | None:
    """Why ``op`` never runs on several targets at once (``None``: it may)."""
    if not op.needs_target:
        return "it acts on no existing object"
    if op.params is not None:
        return "each target needs its own form: one at a time"
    return op.one_at_a_time


def destroys(op: Operation[Any]) -> bool:
    """An operation whose bulk asks for the number of targets typed (what it does cannot be taken back)."""
    return op.danger == "type" or op.destroys


def nouns(resource: str) -> tuple[str, str]:
    """(singular, plural) of a resource as a sentence says it: ``instance``/``instances``, ``SSH key``/``SSH keys``."""
    from cloudzy_tui.ops.registry import resource_named

    try:
        found = resource_named(resource)
    except KeyError:
        return resource.rstrip("s"), resource

    def lower(word: str) -> str:  # "Instances" -> "instances", but "SSH keys" and "ISOs" stay
        return word[0].lower() + word[1:] if len(word) > 1 and word[1].islower() else word

    return lower(found.singular or found.title), lower(found.title)


def count_of(n: int, resource: str) -> str:
    """``1 instance``, ``3 instances``."""
    singular, plural = nouns(resource)
    return f"{n} {singular if n == 1 else plural}"


def _reason(op: Operation[Any], refusal: Refused) -> str:
    """A refusal's message without the operation's title in front (the confirmation names the operation once)."""
    message = refusal.message
    prefix = f"{op.title}: "
    message = message[len(prefix) :] if message.startswith(prefix) else message
    return message[len("refused, ") :] if message.startswith("refused, ") else message


def _line(session: Session, op: Operation[Any], target: Any) -> str:
    """How the confirmation lists a target: enough to be sure which one it is."""
    from cloudzy_tui.api import Instance
    from cloudzy_tui.ops.instances import describe_instance

    if isinstance(target, Instance):
        return describe_instance(target)
    label = clean(session.label(op, target), max_length=60)
    status = clean(getattr(target, "status", None), max_length=30)
    return f"{label} ({status})" if status else label


@dataclass(frozen=True)
class BulkTarget:
    """One target of a bulk: who it is and, when refused, why (nothing is sent for it)."""

    target: Any
    key: str
    label: str
    line: str
    refusal: Refused | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk will do: every target (allowed or refused, with the reason) and what must be confirmed."""

    op: Operation[Any]
    targets: tuple[BulkTarget, ...]
    #: what happens to each target, from the operation's own description ("The instance shuts down; ...")
    consequence: str = ""

    @property
    def allowed(self) -> list[BulkTarget]:
        return [t for t in self.targets if t.refusal is None]

    @property
    def refused(self) -> list[BulkTarget]:
        return [t for t in self.targets if t.refusal is not None]

    def reason(self, target: BulkTarget) -> str:
        return _reason(self.op, target.refusal) if target.refusal is not None else ""

    @property
    def confirmation(self) -> Confirmation:
        """A yes for any bulk; the number of targets that will run, typed exactly, for one that destroys."""
        op = self.op
        n = len(self.allowed)
        what = count_of(n, op.resource)
        message = f"{op.title} {what}?"
        if self.consequence:
            message += f"\n{self.consequence}"
        if destroys(op):
            _, plural = nouns(op.resource)
            return Confirmation(
                level="type",
                title=f"{op.title}: {what}",
                message=message,
                verb=f"{op.title} {n}",
                require=str(n),
                require_label=f"number of {plural}",
            )
        return Confirmation(level="confirm", title=f"{op.title}: {what}", message=message, verb=f"{op.title} {n}")

    def accepts(self, answer: object) -> bool:
        """Whether ``answer`` confirms this bulk (``True`` for a yes; the count, as text, where it must be typed)."""
        if not self.allowed:
            return False
        confirmation = self.confirmation
        if confirmation.level == "type":
            return isinstance(answer, str) and answer == confirmation.require
        return answer is True


async def plan_bulk(
    session: Session, op: Operation[Any], targets: Sequence[Any], *, limit: int = BULK_LIMIT
) -> BulkPlan:
    """Every target with the rule that refuses it, if one does (sends only the look-ups the protected rule needs)."""
    from cloudzy_tui.ops.registry import resource_named

    resource = resource_named(op.resource)
    unique: dict[str, Any] = {}
    for target in targets:
        unique.setdefault(resource.key_of(target), target)
    items = list(unique.items())
    not_bulk = bulk_refusal(op)

    async def check(target: Any) -> Refused | None:
        if not_bulk is not None:
            return Refused("unavailable", f"{op.title}: {not_bulk}.")
        refusal = await session.refusal(op, target)
        if refusal is not None:
            return refusal
        return _own_host(session, op, target)

    refusals = await gather_limited(limit, [check(target) for _, target in items])
    planned: list[BulkTarget] = []
    for (key, target), refusal in zip(items, refusals, strict=True):
        if isinstance(refusal, BaseException) and not isinstance(refusal, Refused):
            # a look-up that failed in an unexpected way: fail closed for this target, say why
            log.warning("bulk plan: %s on %s: %s", op.name, key, type(refusal).__name__)
            refusal = Refused("unavailable", f"{op.title}: could not be checked ({type(refusal).__name__}).")
        planned.append(
            BulkTarget(
                target=target,
                key=key,
                label=session.label(op, target),
                line=_line(session, op, target),
                refusal=refusal,
            )
        )
    consequence = ""
    allowed = [t for t in planned if t.refusal is None]
    if op.describe is not None and allowed:
        _, _, consequence = op.describe(allowed[0].target, None).partition("\n")
    return BulkPlan(op=op, targets=tuple(planned), consequence=consequence.strip())


def _own_host(session: Session, op: Operation[Any], target: Any) -> Refused | None:
    if not (op.mutating and op.disruptive and op.instance_of is not None):
        return None
    ref = op.instance_of(target, None)
    hostname = ref.hostname if ref is not None else None
    if hostname and session.policy.is_local_host(hostname):
        return Refused(
            "own-host",
            f"{op.title}: {clean(hostname, max_length=60)} looks like the machine this console runs on: "
            "not in a bulk (do it on its own, typing its hostname).",
        )
    return None


State = Literal["done", "failed", "refused"]


@dataclass(frozen=True)
class BulkResult:
    """What became of one target: ``done`` (``outcome``), ``failed`` (``message``: the scrubbed error) or
    ``refused`` (``message``: the rule's reason; nothing was sent)."""

    key: str
    label: str
    state: State
    message: str = ""
    outcome: Outcome | None = None


@dataclass
class BulkSummary:
    op: Operation[Any]
    results: list[BulkResult] = field(default_factory=list)

    def of(self, state: State) -> list[BulkResult]:
        return [r for r in self.results if r.state == state]

    @property
    def done(self) -> list[BulkResult]:
        return self.of("done")

    @property
    def failed(self) -> list[BulkResult]:
        return self.of("failed")

    @property
    def refused(self) -> list[BulkResult]:
        return self.of("refused")

    def message(self) -> str:
        """``Power off: 7 done, 1 failed — web-03: the API said ...`` (failures first, then refusals, named)."""
        counts = [f"{len(self.done)} done"]
        if self.failed:
            counts.append(f"{len(self.failed)} failed")
        if self.refused:
            counts.append(f"{len(self.refused)} refused")
        text = f"{self.op.title}: {', '.join(counts)}"
        named = (self.failed + self.refused)[:SUMMARY_NAMES]
        if named:
            text += " — " + "; ".join(f"{clean(r.label, max_length=40)}: {r.message}" for r in named)
            rest = len(self.failed) + len(self.refused) - len(named)
            if rest:
                text += f"; and {rest} more"
        return text


def _failure(exc: BaseException) -> str:
    message = exc.message if isinstance(exc, CloudzyError) else type(exc).__name__
    return clean(scrub(message), max_length=160)


async def run_bulk(
    session: Session,
    plan: BulkPlan,
    answer: object,
    *,
    limit: int = BULK_LIMIT,
    on_result: Callable[[BulkResult], Any] | None = None,
) -> BulkSummary:
    """Run the plan's allowed targets (``answer``: what the person answered to ``plan.confirmation``).

    Raises ``Refused`` (``confirmation``) and runs nothing when the answer does not confirm the plan (or nothing
    is allowed). ``on_result`` is called as each target ends (done, failed or refused), in the order they end.
    """
    op = plan.op
    summary = BulkSummary(op)

    def note(result: BulkResult) -> None:
        summary.results.append(result)
        if on_result is not None:
            try:
                on_result(result)
            except Exception:  # a face's progress display must not turn a done target into a failure
                log.exception("bulk progress callback failed")

    if not plan.accepts(answer):
        confirmation = plan.confirmation
        if not plan.allowed:
            why = "every target is refused"
        elif confirmation.level == "type":
            why = f"type the {confirmation.require_label} ({confirmation.require}) exactly to confirm"
        else:
            why = "not confirmed"
        refusal = Refused("confirmation", f"{op.title}: {why}.")
        for target in plan.targets:
            if op.mutating:
                session.audit.refused(op.title, target.label, refusal.rule, refusal.message)
        raise refusal

    for target in plan.refused:
        assert target.refusal is not None
        if op.mutating:
            session.audit.refused(op.title, target.label, target.refusal.rule, target.refusal.message)
        note(BulkResult(target.key, target.label, "refused", plan.reason(target)))

    async def one(target: BulkTarget) -> None:
        # The bulk's confirmation stands for the target's own (the host the console runs on is never in a bulk).
        own = session.confirmation(op, target.target)
        confirm: object = own.require if own.level == "type" else True
        try:
            outcome = await session.execute(op, target.target, None, confirm=confirm)
        except Refused as refusal:  # the state changed since the plan (execute logged the refusal)
            note(BulkResult(target.key, target.label, "refused", _reason(op, refusal)))
        except CloudzyError as exc:
            note(BulkResult(target.key, target.label, "failed", _failure(exc)))
        except Exception as exc:  # one target's surprise never stops the others
            log.error("bulk %s on %s failed: %s", op.name, target.key, type(exc).__name__)
            note(BulkResult(target.key, target.label, "failed", _failure(exc)))
        else:
            note(BulkResult(target.key, target.label, "done", clean(outcome.message, max_length=200), outcome))

    await gather_limited(limit, [one(target) for target in plan.allowed])
    return summary
