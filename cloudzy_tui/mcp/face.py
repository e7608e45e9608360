"""The MCP face over the operations layer: tool calls in, JSON out. No MCP SDK here (see ``server.py``), no
policy of its own: every operation runs through :meth:`cloudzy_tui.ops.Session.execute`, which applies read-only,
protected instances, the host the server runs on, the confirmation, the audit and the job hand-off.

What this face decides is only how to ask and how to answer:

* read-only (the default; ``--allow-writes`` lifts it unless the profile is read-only): mutating tools are not
  listed, and a call to one anyway is refused by the session (and audited) like any other refusal;
* ``confirm``: the answer to the operation's confirmation, as a string — the target's name exactly as the session
  requires it (an instance's hostname...), or ``"yes"`` when the operation has no target to name; a missing or
  wrong one is refused with the value to pass and what will happen;
* results are JSON: objects by their API names, outcomes as ``{message, data, jobs}``; a tool error (refusal,
  invalid arguments, unknown target, API error) is a result with ``error`` set, never an exception;
* the audit log names every action ``mcp: <title>``, and a mutating call that sent nothing (refused, invalid,
  unknown target) still leaves one line;
* jobs are followed by one :class:`~cloudzy_tui.core.jobs.JobTracker` for the server's lifetime.

A new password (``Outcome.secret``) is in the result the caller asked for, and nowhere else: not in a log line,
not in the audit log (which never holds bodies).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydantic

from cloudzy_tui.api import CloudzyError, NotFoundError, ValidationError, field_errors_from_pydantic
from cloudzy_tui.core.audit import CURRENT_ACTION, AuditLog
from cloudzy_tui.core.jobs import Job, JobEvent, JobTracker
from cloudzy_tui.mcp.tools import JobArguments, ToolSpec, WaitArguments, build_tools, confirm_subject
from cloudzy_tui.ops import AmbiguousError, Confirmation, JobRef, Operation, Refused, Session, resource_named
from cloudzy_tui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.connect import Connected

log = logging.getLogger("cloudzy_tui.mcp")

#: How every action of this face is named in the audit log.
AUDIT_PREFIX = "mcp: "
#: Said with a read-only refusal: how this face lifts it.
READ_ONLY_HINT = (
    "This MCP server is read-only: writes need it started with --allow-writes, on a profile that is not read-only."
)
#: The resource a job's object belongs to.
_JOB_RESOURCE = {"instance": "instances", "snapshot": "snapshots", "iso": "isos", "image": "images"}


@dataclass
class _Call:
    """The tool call being served (a context variable: calls run concurrently)."""

    tool: str
    ref: str | None = None
    resolved: bool = False  # the target was looked up (the session names it in the audit)
    audited: bool = False  # a line of the audit log was written for this call


_CALL: ContextVar[_Call | None] = ContextVar("cloudzy_mcp_call", default=None)


class McpAudit(AuditLog):
    """The session's audit log, with this face's name on every action (``mcp: Power off``)."""

    def on_event(self, event: Any) -> None:
        call = _CALL.get()
        current = CURRENT_ACTION.get()
        if current is not None:
            named = (AUDIT_PREFIX + current[0], current[1])
        else:
            named = (AUDIT_PREFIX + (call.tool if call is not None else "request"), call.ref or "" if call else "")
        last = self.entries[-1] if self.entries else None
        token = CURRENT_ACTION.set(named)
        try:
            super().on_event(event)
        finally:
            CURRENT_ACTION.reset(token)
        if call is not None and self.entries and self.entries[-1] is not last:
            call.audited = True

    def refused(self, action: str, target: str, rule: str, message: str) -> None:
        call = _CALL.get()
        if call is not None:
            call.audited = True
            if not call.resolved and call.ref:
                target = clean(call.ref, max_length=120)  # refused before the target was looked up: as given
        super().refused(AUDIT_PREFIX + action, target, rule, message)


class ToolError(Exception):
    """A tool call that cannot be served: ``kind`` says why (``invalid``, ``not_found``, ``unknown_tool``...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ToolResult:
    """What a tool call returns: JSON data, and whether it is an error (its ``data["error"]`` then says why)."""

    data: dict[str, Any]
    error: bool = False
    text: str | None = None  # for errors: the message an agent reads


@dataclass
class McpFace:
    """The tools over one connected session (see the module docstring for the rules)."""

    connected: Connected
    tracker: JobTracker | None = None
    tools: list[ToolSpec] = field(default_factory=build_tools)

    def __post_init__(self) -> None:
        self.session: Session = self.connected.session
        old = self.connected.audit
        self.audit = McpAudit(old.path, old.profile)
        self.session.audit = self.audit
        self.connected.audit = self.audit
        self.connected.client.on_event = self.audit.on_event
        if self.tracker is None:
            self.tracker = JobTracker(self.connected.client)
        self.jobs: JobTracker = self.tracker
        self._started: dict[int, Job] = {}  # id(JobRef) -> the job it became, while its operation returns
        self.session.set_tracker(self._track)
        self._by_name = {t.name: t for t in self.tools}

    # ------------------------------------------------------------------ what is offered

    @property
    def read_only(self) -> bool:
        return self.session.policy.read_only

    def listed(self) -> list[ToolSpec]:
        """The tools offered: all of them, less the mutating ones in read-only mode."""
        return [t for t in self.tools if not (t.mutating and self.read_only)]

    def instructions(self) -> str:
        c = self.connected
        lines = [f"Cloudzy cloud servers through cloudzy-tui ({c.label}, profile {c.profile_name})."]
        if self.read_only:
            lines.append(
                "Read-only: only list_*, describe_* and job tools are offered; operations are refused "
                "(the server must be started with --allow-writes, on a profile that is not read-only)."
            )
        else:
            lines.append(
                "Writes are allowed. Operations on protected instances (or anything attached to them) are "
                "refused. Destructive tools need a 'confirm' argument equal to the target's exact name "
                '(an instance\'s hostname; "yes" for operations without a target); a refusal says what '
                "to pass."
            )
        protected = self.session.policy.protected
        if protected:
            lines.append("Protected: " + ", ".join(clean(p, max_length=60) for p in protected) + ".")
        lines.append(
            "Objects are named by id or exact name (instances: id or exact hostname). Long operations "
            "return jobs: wait_for_job(job_id) follows one to its end."
        )
        return "\n".join(lines)

    # ------------------------------------------------------------------ calls

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> ToolResult:
        """Serve one tool call; never raises (but for cancellation)."""
        tool = self._by_name.get(name)
        if tool is None:
            return self._error("unknown_tool", f"no tool named {clean(name, max_length=80)!r}")
        args = dict(arguments or {})
        ref = args.get("target") if isinstance(args.get("target"), str) else None
        call = _Call(tool=name, ref=ref)
        token = _CALL.set(call)
        started = time.monotonic()
        try:
            try:
                data = await self._dispatch(tool, args, call)
            except Refused as exc:
                result = self._error("refused", str(exc), rule=exc.rule)
            except ToolError as exc:
                result = self._error(exc.kind, exc.message)
            except pydantic.ValidationError as exc:
                problems = "; ".join(str(e) for e in field_errors_from_pydantic(exc))
                result = self._error("invalid", f"invalid arguments for {name}: {problems}")
            except ValidationError as exc:  # the API's 422
                fields = "; ".join(str(e) for e in exc.field_errors)
                result = self._error("api", exc.message + (f" ({fields})" if fields else ""), status=exc.status)
            except CloudzyError as exc:
                result = self._error("api", exc.message, status=exc.status)
            except Exception as exc:
                log.exception("tool %s failed unexpectedly", name)
                result = self._error("internal", f"{type(exc).__name__}: {exc}")
            else:
                result = ToolResult(data=data)
            if tool.mutating and result.error and not call.audited:
                # Nothing was sent and the session did not refuse it (invalid arguments, unknown target...).
                self.audit.refused(
                    tool.title, clean(call.ref or "", max_length=120), result.data["error"]["kind"], result.text or ""
                )
            log.info(
                "tool %s: %s in %.2fs",
                name,
                "error " + result.data["error"]["kind"] if result.error else "ok",
                time.monotonic() - started,
            )
            return result
        finally:
            _CALL.reset(token)

    async def _dispatch(self, tool: ToolSpec, args: dict[str, Any], call: _Call) -> dict[str, Any]:
        if tool.kind == "list":
            return await self._list(tool, args)
        if tool.kind == "describe":
            return await self._describe(tool, args)
        if tool.kind == "operation":
            return await self._operation(tool, args, call)
        if tool.kind == "list_jobs":
            self._validate(tool, args)
            return {"jobs": [self.job_json(j) for j in self.jobs.jobs]}
        if tool.kind == "job_status":
            job = self._job(JobArguments.model_validate(args).job_id)
            return self.job_json(job)
        if tool.kind == "wait_for_job":
            wait = WaitArguments.model_validate(args)
            return await self._wait(self._job(wait.job_id), wait.timeout_seconds)
        raise ToolError("unknown_tool", f"tool {tool.name} has no handler")  # pragma: no cover - a definition error

    def _validate(self, tool: ToolSpec, args: dict[str, Any]) -> Any:
        assert tool.arguments is not None
        return tool.arguments.model_validate(args)

    # ------------------------------------------------------------------ reads

    async def _list(self, tool: ToolSpec, args: dict[str, Any]) -> dict[str, Any]:
        resource = tool.resource
        assert resource is not None
        parsed = self._validate(tool, args)
        limit: int = parsed.limit
        filters = {k: v for k, v in parsed.model_dump(exclude={"limit"}).items() if v is not None}
        items: list[Any] = []
        more = False
        async with contextlib.aclosing(resource.pages(self.session, filters)) as pages:  # type: ignore[type-var]
            async for page in pages:
                for item in page:
                    if len(items) == limit:
                        more = True
                        break
                    items.append(item)
                if more:
                    break
        return {"items": [resource.json(i) for i in items], "count": len(items), "truncated": more}

    async def _describe(self, tool: ToolSpec, args: dict[str, Any]) -> dict[str, Any]:
        resource = tool.resource
        assert resource is not None
        ref: str = self._validate(tool, args).target
        item = await self._find(resource.name, ref)
        data = resource.json(item)
        return data if isinstance(data, dict) else {"value": data}

    async def _find(self, resource_name: str, ref: str) -> Any:
        try:
            return await self.session.find(resource_named(resource_name), ref)
        except (NotFoundError, AmbiguousError) as exc:
            raise ToolError("not_found", exc.message) from None

    # ------------------------------------------------------------------ operations

    async def _operation(self, tool: ToolSpec, args: dict[str, Any], call: _Call) -> dict[str, Any]:
        op = tool.operation
        assert op is not None
        ref = args.pop("target", None)
        confirm = args.pop("confirm", None)
        if op.mutating and self.read_only:
            # The session refuses (and audits) it: read-only is the first rule it applies, before the target or
            # the parameters are even read.
            try:
                await self.session.execute(op, None, None)
            except Refused as exc:
                if exc.rule != "read-only":
                    raise
                raise Refused(exc.rule, f"{exc.message} {READ_ONLY_HINT}") from None
            raise ToolError("refused", f"{op.title}: refused, read-only")  # pragma: no cover - execute raised
        if confirm is not None and not isinstance(confirm, str):
            raise ToolError("invalid", f"confirm must be a string (the {op.resource} name the refusal asks for)")
        target: Any = None
        if op.needs_target:
            if not isinstance(ref, str) or not ref.strip():
                wanted = tool.input_schema["properties"]["target"]["description"]
                raise ToolError("invalid", f"{tool.name} needs a target: {wanted}")
            target = await self._find(op.resource, ref)
            call.resolved = True
        elif ref is not None:
            raise ToolError("invalid", f"{tool.name} takes no target")
        if op.params is None and args:
            raise ToolError("invalid", f"unexpected argument(s) for {tool.name}: {', '.join(sorted(args))}")
        model = self.session.parse_params(op, args)
        confirmation = self.session.confirmation(op, target, model)
        answer: object = confirm
        if confirmation.level != "none" and confirmation.require is None and confirm == "yes":
            answer = True  # nothing to name (no target): "yes" is the answer
        try:
            outcome = await self.session.execute(op, target, model, confirm=answer)
        except Refused as exc:
            if exc.rule == "confirmation":
                raise Refused("confirmation", self._confirm_message(tool, op, confirmation, confirm)) from None
            raise
        jobs = [self._started.pop(id(ref_)) for ref_ in outcome.jobs if id(ref_) in self._started]
        return {"message": outcome.message, "data": outcome.data, "jobs": [self.job_json(j) for j in jobs]}

    @staticmethod
    def _confirm_message(tool: ToolSpec, op: Operation[Any], confirmation: Confirmation, given: str | None) -> str:
        wanted = confirmation.require if confirmation.require is not None else "yes"
        # The session's label when it says more than "name" (a hostname asked for on the host the server runs on).
        label = confirmation.require_label if confirmation.require_label != "name" else confirm_subject(op)
        why = "not confirmed" if given is None else f"confirm={clean(given, max_length=80)!r} does not match"
        what = " ".join(confirmation.message.split())
        return (
            f"{op.title}: refused, {why}. {what} To go ahead, call {tool.name} again with "
            f"confirm={clean(wanted)!r} ({label}), exactly."
        )

    # ------------------------------------------------------------------ jobs

    def _track(self, ref: JobRef) -> None:
        job = self.jobs.track(kind=ref.kind, target_id=ref.id, label=ref.label, action=ref.action, expect=ref.expect)
        self._started[id(ref)] = job

    def _job(self, job_id: int) -> Job:
        for job in self.jobs.jobs:
            if job.id == job_id:
                return job
        raise ToolError("not_found", f"no job {job_id} (list_jobs lists the jobs of this session)")

    async def _wait(self, job: Job, timeout: float) -> dict[str, Any]:
        if job.running:
            ended = asyncio.Event()

            def on_event(event: JobEvent) -> None:
                if event.job is job and event.kind == "finished":
                    ended.set()

            unsubscribe = self.jobs.subscribe(on_event)
            try:
                if job.running:
                    self.jobs.wake()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ended.wait(), timeout)
            finally:
                unsubscribe()
        return {"done": job.finished, **self.job_json(job)}

    def job_json(self, job: Job) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": job.id,
            "kind": job.kind,
            "target_id": job.target_id,
            "label": job.label,
            "action": job.action,
            "state": job.state,
            "status": job.status,
            "message": job.message,
            "elapsed_seconds": round(job.elapsed(time.monotonic()), 1),
        }
        if job.errors:
            data["errors"] = job.errors
            data["last_error"] = job.last_error
        if job.item is not None:
            with contextlib.suppress(Exception):  # an object the models did not parse: left out, not an error
                data["object"] = resource_named(_JOB_RESOURCE[job.kind]).json(job.item)
        return data

    # ------------------------------------------------------------------ errors

    def scrub(self, text: str) -> str:
        """The last guard: no secret of the connection (the token) in anything returned or logged."""
        for secret in self.connected.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _error(self, kind: str, message: str, **extra: Any) -> ToolResult:
        text = self.scrub(message)
        error: dict[str, Any] = {"kind": kind, "message": text}
        error.update({k: v for k, v in extra.items() if v is not None})
        return ToolResult(data={"error": error}, error=True, text=text)
