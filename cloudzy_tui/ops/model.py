"""What an operation is, what it returns, and why one is refused. No Textual, no Rich: plain data.

An :class:`Operation` is defined once (in ``ops/<resource>.py``) and every face — the console, the scripting CLI, the
MCP server — runs it through :meth:`cloudzy_tui.ops.session.Session.execute`, the only way to run its body. That
method applies the policy (read-only, availability, protected instances, the host the console runs on, the
confirmation), names the action for the audit log, and hands the jobs the operation started to the job tracker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from cloudzy_tui.core.jobs import Expectation
    from cloudzy_tui.ops.context import Context

T = TypeVar("T")
P = TypeVar("P", bound=BaseModel)

#: How much a face must ask before running an operation:
#: ``none`` — nothing (reads, reversible changes, forms that are their own confirmation);
#: ``confirm`` — a yes/no question (CLI: ``--yes`` or an answer on a TTY; MCP: ``confirm`` = the target's name);
#: ``type`` — the target's name typed exactly (irreversible: delete an instance, change its OS, restore a snapshot).
Danger = Literal["none", "confirm", "type"]

#: Why an operation was refused; each face maps it to its own signal (CLI exit code 3, MCP error, toast).
RefusalRule = Literal["read-only", "unavailable", "protected", "own-host", "confirmation", "target"]


class Refused(Exception):
    """The policy refused the operation: nothing was sent. ``rule`` says which rule, ``message`` why."""

    def __init__(self, rule: RefusalRule, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class InstanceRef:
    """The instance an operation touches (its target, or what the target is attached to)."""

    id: str
    hostname: str | None = None


@dataclass(frozen=True)
class JobRef:
    """An asynchronous change the operation started, for the job tracker to follow to its end."""

    kind: str  # "instance" | "snapshot" | "iso" | "image"
    id: str
    label: str
    action: str
    expect: Expectation


@dataclass(frozen=True)
class Confirmation:
    """What a face must obtain before :meth:`Session.execute` runs the operation.

    ``level`` ``none``: nothing. ``confirm``: a yes (``True``) or the ``require`` text. ``type``: exactly the
    ``require`` text (case-sensitive). ``message`` is plain text saying what will happen (server strings in it are
    cleaned of control characters; a face still renders it as data, never as markup).
    """

    level: Danger
    title: str
    message: str
    verb: str
    require: str | None = None
    require_label: str = "name"

    def accepts(self, answer: object) -> bool:
        if self.level == "none":
            return True
        if self.level == "confirm":
            return answer is True or (self.require is not None and answer == self.require)
        return isinstance(answer, str) and self.require is not None and answer == self.require


@dataclass
class Outcome:
    """What an operation did.

    ``message``: one line for a toast or stderr, with the figures ("Added 2 TB of traffic to web-01").
    ``data``: the result as JSON-able data for ``-o json`` and MCP (objects dumped with their API names).
    ``changed``/``removed``: objects to put into (or take out of) any list on display, keyed by resource name.
    ``reload``: resources whose lists should be fetched again (the server did not return the new object).
    ``jobs``: asynchronous changes to follow. ``secret``: a value shown once (a new root password), never logged.
    """

    message: str
    data: Any = None
    changed: list[tuple[str, Any]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    reload: list[str] = field(default_factory=list)
    jobs: list[JobRef] = field(default_factory=list)
    secret: str | None = field(default=None, repr=False)


Body = Callable[["Context", Any, Any], Awaitable[Outcome]]


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One thing a user can do, defined once for every face.

    * ``name``: the verb (``power-off``); the CLI's sub-command and, with ``_``, the MCP tool's name.
    * ``resource``: the resource the target is (``instances``), or the one created for target-less operations.
    * ``params``: a pydantic model of the parameters (validated before the body runs; its JSON schema describes the
      MCP tool and its fields the CLI options), or ``None``.
    * ``needs_target``: acts on an existing object (``power-off web-01``) or not (``allocate``).
    * ``mutating``: changes something (hidden and refused in read-only mode).
    * ``danger``: see :data:`Danger`. ``disruptive``: the instance goes away or stops (power off, reset, delete,
      change OS, resize, restore): on the host the console runs on, its name must be typed.
    * ``unavailable(target)``: ``None`` when the operation applies to the target in its current state, else why not.
    * ``instance_of(target, params)``: the instance it touches, for the protected-instance rule (``None``: none).
    * ``describe(target, params)``: plain text of what will happen, for the confirmation.
    * ``require_of(target)``: what must be typed for ``danger="type"`` (default: the target's label).
    * ``destroys``: removes something for good (delete, release): run on several targets at once
      (``ops/bulk.py``), the number of targets must be typed, as for ``danger="type"``.
    * ``one_at_a_time``: why the operation never runs on several targets at once (``None``: it may; an operation
      with ``params`` never does, each target needing its own form).
    """

    name: str
    resource: str
    title: str
    summary: str
    body: Body
    params: type[BaseModel] | None = None
    needs_target: bool = True
    mutating: bool = True
    danger: Danger = "none"
    disruptive: bool = False
    starts_job: bool = False
    unavailable: Callable[[Any], str | None] | None = None
    instance_of: Callable[[Any, Any], InstanceRef | None] | None = None
    describe: Callable[[Any, Any], str] | None = None
    require_of: Callable[[Any], tuple[str, str]] | None = None
    aliases: Sequence[str] = ()
    destroys: bool = False
    one_at_a_time: str | None = None

    @property
    def tool_name(self) -> str:
        """The MCP tool name: ``power_off``, ``snapshot_create``."""
        return self.name.replace("-", "_")
