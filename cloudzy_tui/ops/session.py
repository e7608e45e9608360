"""A session of operations: one client, one policy, one audit log, one job hand-off — for any face. No Textual.

:meth:`Session.execute` is the only way an operation's body runs. In order, it

1. validates the parameters (a pydantic ``ValidationError`` reaches the face, which shows it at the field);
2. refuses (:class:`~cloudzy_tui.ops.model.Refused`) what the policy forbids: read-only, an operation that does not
   apply to the target in its state, a target that is or is attached to a protected instance, the same operation
   already running on the same target;
3. checks the answer the face obtained against :meth:`Session.confirmation` (a typed name must match exactly);
4. runs the body with the audit context set (every request it sends is one audit line naming the operation);
5. hands the jobs it started to the tracker and tells the listeners (the console's lists) what changed.

Faces decide how to ask (a dialog, ``--yes`` or a TTY prompt, an MCP ``confirm`` argument); they cannot skip a rule.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cloudzy_tui.api import CloudzyError, NotFoundError, Page
from cloudzy_tui.core.audit import AuditLog, acting
from cloudzy_tui.core.catalog import Catalog
from cloudzy_tui.ops.model import Confirmation, InstanceRef, JobRef, Operation, Outcome, Refused
from cloudzy_tui.ops.policy import Policy
from cloudzy_tui.ops.registry import resource_named
from cloudzy_tui.ops.resources import Resource
from cloudzy_tui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.ops.context import Context

log = logging.getLogger("cloudzy_tui.ops")

Listener = Callable[[Operation[Any], Outcome], None]
Tracker = Callable[[JobRef], Any]
PageWalker = Callable[[Callable[["CloudzyClient"], AsyncIterator[Page[Any]]]], AsyncIterator[list[Any]]]


class Session:
    """Everything an operation needs: the client, the catalog, the policy, the audit log, the job hand-off."""

    def __init__(
        self,
        client: CloudzyClient,
        *,
        policy: Policy | None = None,
        audit: AuditLog | None = None,
        catalog: Catalog | None = None,
        track: Tracker | None = None,
        walker: PageWalker | None = None,
        profile: str = "default",
    ) -> None:
        self.client = client
        self.policy = policy or Policy()
        self.profile = profile
        self.audit = audit if audit is not None else AuditLog(None, profile)
        self.catalog = catalog if catalog is not None else Catalog(client)
        self._track = track
        self._walker = walker
        self._listeners: list[Listener] = []
        self._running: set[tuple[str, str]] = set()
        client.read_only = self.policy.read_only
        client.on_event = self.audit.on_event

    # ------------------------------------------------------------------ reading

    async def walk(self, make: Callable[[CloudzyClient], AsyncIterator[Page[Any]]]) -> AsyncIterator[list[Any]]:
        """The items of a paged list walk, page by page (off the caller's loop when the face provides a walker)."""
        if self._walker is not None:
            async for items in self._walker(make):
                yield items
            return
        async for page in make(self.client):
            yield list(page.items)

    async def find(self, resource: Resource[Any], ref: str) -> Any:
        """One object by id or exact name (an instance by id or exact hostname); raises ``NotFoundError``."""
        return await resource.find(self, ref)

    # ------------------------------------------------------------------ listeners, jobs

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """``listener(operation, outcome)`` after each operation that ran; returns a function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def set_tracker(self, track: Tracker | None) -> None:
        self._track = track

    # ------------------------------------------------------------------ policy

    def running(self, op: Operation[Any], target: Any) -> bool:
        return (op.name, self._target_key(op, target)) in self._running

    def _target_key(self, op: Operation[Any], target: Any) -> str:
        if target is None or not op.needs_target:
            return ""
        return resource_named(op.resource).key_of(target)

    def label(self, op: Operation[Any], target: Any) -> str:
        """The target as a person names it (a hostname, a snapshot's name), for messages and the audit log."""
        if target is None:
            return op.resource
        return resource_named(op.resource).label_of(target)

    def quick_refusal(self, op: Operation[Any], target: Any) -> Refused | None:
        """The rules that need no request: read-only, a target required, availability, already running."""
        if op.mutating and self.policy.read_only:
            return Refused("read-only", f"{op.title}: refused, the console is read-only (--read-only or the profile).")
        if op.needs_target:
            if target is None:
                return Refused("target", f"{op.title}: select a {op.resource.rstrip('s')} first.")
            if op.unavailable is not None:
                reason = op.unavailable(target)
                if reason is not None:
                    return Refused("unavailable", f"{op.title}: {reason}")
        if self.running(op, target):
            return Refused("unavailable", f"{op.title} is already running for {clean(self.label(op, target))}.")
        return None

    async def refusal(self, op: Operation[Any], target: Any, params: BaseModel | None = None) -> Refused | None:
        """Every rule but the confirmation; ``None`` when the operation may run (once confirmed)."""
        quick = self.quick_refusal(op, target)
        if quick is not None:
            return quick
        if op.mutating and op.instance_of is not None and self.policy.protected:
            ref = op.instance_of(target, params)
            if ref is not None:
                return await self._protection(op, ref)
        return None

    async def _protection(self, op: Operation[Any], ref: InstanceRef) -> Refused | None:
        pattern = self.policy.protected_by(ref.id, ref.hostname)
        hostname = ref.hostname
        if pattern is None and hostname is None:
            hostname = self.catalog.known_hostname(ref.id)
            if hostname is None:
                try:
                    instance = await self.client.instances.get(ref.id)
                except NotFoundError:
                    hostname = None  # gone: only an id pattern could still match, and it did not
                except CloudzyError as exc:
                    return Refused(
                        "protected",
                        f"{op.title}: refused, could not check whether instance {clean(ref.id, max_length=40)} "
                        f"is protected ({exc.message}).",
                    )
                else:
                    hostname = instance.hostname
                    self.catalog.remember_instances([instance])
            pattern = self.policy.protected_by(ref.id, hostname)
        if pattern is not None:
            return Refused("protected", self.policy.protected_message(op.title, hostname or ref.id, pattern))
        return None

    def confirmation(self, op: Operation[Any], target: Any, params: BaseModel | None = None) -> Confirmation:
        """What must be asked before ``op`` runs on ``target``: nothing, a yes, or a name typed exactly."""
        message = op.describe(target, params) if op.describe is not None else f"{op.title} {self.label(op, target)}?"
        level = op.danger
        require: str | None = None
        require_label = "name"
        if level == "type":
            if op.require_of is not None:
                require, require_label = op.require_of(target)
            else:
                require = self.label(op, target)
        instance = op.instance_of(target, params) if op.instance_of is not None and op.disruptive else None
        hostname = instance.hostname if instance is not None else None
        if op.mutating and hostname and self.policy.is_local_host(hostname):
            # The host the console runs on: whatever the level, its name must be typed.
            message += "\nThis looks like the machine this console runs on: your session will go with it."
            if level != "type":
                level, require, require_label = "type", hostname, "hostname"
        if level == "confirm" and require is None:
            require = self.label(op, target) if target is not None else None
        return Confirmation(
            level=level, title=op.title, message=message, verb=op.title, require=require, require_label=require_label
        )

    # ------------------------------------------------------------------ running

    def parse_params(self, op: Operation[Any], params: BaseModel | Mapping[str, Any] | None) -> BaseModel | None:
        """The operation's parameters as its model (raises pydantic's ``ValidationError``)."""
        if op.params is None:
            return None
        if isinstance(params, op.params):
            return params
        return op.params.model_validate(dict(params or {}))

    async def execute(
        self,
        op: Operation[Any],
        target: Any = None,
        params: BaseModel | Mapping[str, Any] | None = None,
        *,
        confirm: object = None,
    ) -> Outcome:
        """Run ``op`` on ``target`` with ``params`` if every rule allows it; raises ``Refused`` if not."""
        quick = self.quick_refusal(op, target)  # read-only and state first: before the parameters are even read
        if quick is not None:
            self._note_refusal(op, target, quick)
            raise quick
        model = self.parse_params(op, params)
        refusal = await self.refusal(op, target, model)
        if refusal is not None:
            self._note_refusal(op, target, refusal)
            raise refusal
        confirmation = self.confirmation(op, target, model)
        if not confirmation.accepts(confirm):
            if confirmation.level == "type":
                why = f"type the {confirmation.require_label} {clean(confirmation.require)!r} exactly to confirm"
            else:
                why = "not confirmed"
            refusal = Refused("confirmation", f"{op.title}: {why}.")
            self._note_refusal(op, target, refusal)
            raise refusal
        key = (op.name, self._target_key(op, target))
        self._running.add(key)
        try:
            with self._acting(op, target):
                outcome = await op.body(self, target, model)
        finally:
            self._running.discard(key)
        for job in outcome.jobs:
            self.track(job)
        for listener in list(self._listeners):
            try:
                listener(op, outcome)
            except Exception:  # a listener's failure must not turn a done operation into an error
                log.exception("operation listener failed")
        return outcome

    def track(self, job: JobRef) -> None:
        if self._track is not None:
            self._track(job)

    @contextmanager
    def _acting(self, op: Operation[Any], target: Any) -> Iterator[None]:
        with acting(op.title, self.label(op, target)):
            yield

    def _note_refusal(self, op: Operation[Any], target: Any, refusal: Refused) -> None:
        if op.mutating:
            self.audit.refused(op.title, self.label(op, target), refusal.rule, refusal.message)


if TYPE_CHECKING:

    def _provides_the_context(session: Session) -> Context:
        """(For mypy) the session provides what the bodies and the resources' readers are typed against."""
        return session
