"""What a job is: its kinds and states, the statuses that end it (:class:`Expectation`), the :class:`Job` the
tracker follows and the :class:`JobEvent` it publishes, and the one format of a job's elapsed time.

Pure data, no asyncio and no client: the operations layer and every face build expectations and read jobs from
here; the scheduler that follows them is :mod:`cloudzy_tui.core.jobs` (which re-exports these names).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from cloudzy_tui.units import duration

__all__ = [
    "JOB_KINDS",
    "EventKind",
    "Expectation",
    "Job",
    "JobCallback",
    "JobEvent",
    "JobKind",
    "JobState",
    "fold_status",
    "format_duration",
    "normalise_action",
    "status_of",
]

JobKind = Literal["instance", "snapshot", "iso", "image"]
JobState = Literal["running", "succeeded", "failed", "timed_out"]
EventKind = Literal["started", "progress", "finished"]

JOB_KINDS: tuple[JobKind, ...] = get_args(JobKind)


def format_duration(seconds: float) -> str:
    """A job's elapsed time, rounded to the second, in the one duration format (``cloudzy_tui.units.duration``):
    ``42s``, ``1m05s``, ``2h03m``; negative counts as 0."""
    return duration(max(0.0, seconds) + 0.5)


def fold_status(status: str | None) -> str | None:
    """A status as compared: stripped and case-folded."""
    return None if status is None else status.strip().casefold()


def status_of(item: Any) -> str | None:
    """The item's ``status`` as text (enums by value), or ``None``."""
    value = getattr(item, "status", None)
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    text = str(value).strip()
    return text or None


def _frozen(values: Iterable[str] | str) -> frozenset[str]:
    if isinstance(values, str):
        return frozenset({values})
    return frozenset(values)


def normalise_action(action: str) -> str:
    return action.strip().lower().replace("-", "_").replace(" ", "_")


# ------------------------------------------------------------------------------------------------------------
# Expectations


@dataclass(frozen=True)
class Expectation:
    """Which statuses end a job, and how.

    * ``success`` / ``failure``: statuses (compared case-insensitively) that end the job.
    * ``gone_is_success``: a 404 ends the job successfully (deletes). Without it, a 404 ends the job as failed
      once the object had been seen or ``grace`` seconds have passed (before that it may simply not be visible
      yet, and counts as a failed poll).
    * ``must_leave_first``: for actions whose end status equals the start status (reset, resize, restore): a
      success status only counts after a different status was seen, or once ``grace`` seconds have passed
      since the start and the success status was seen on at least 2 polls (the change was too quick to see).
    """

    success: frozenset[str]
    failure: frozenset[str] = frozenset()
    gone_is_success: bool = False
    must_leave_first: bool = False
    grace: float = 10.0

    def __post_init__(self) -> None:
        # Accept any iterable (or one string) and store frozensets, so the dataclass stays hashable.
        object.__setattr__(self, "success", _frozen(self.success))
        object.__setattr__(self, "failure", _frozen(self.failure))
        if self.grace < 0:
            raise ValueError("grace must be >= 0")

    def is_success(self, status: str | None) -> bool:
        folded = fold_status(status)
        return folded is not None and folded in {fold_status(s) for s in self.success}

    def is_failure(self, status: str | None) -> bool:
        folded = fold_status(status)
        return folded is not None and folded in {fold_status(s) for s in self.failure}

    # ---- ready-made expectations ---------------------------------------------------------------------------

    @classmethod
    def snapshot_created(cls) -> Expectation:
        return cls(success=frozenset({"ACTIVE"}), failure=frozenset({"FAILED"}))

    @classmethod
    def snapshot_restored(cls) -> Expectation:
        """The snapshot goes ``ACTIVE`` → ``RESTORING`` → ``ACTIVE``."""
        return cls(success=frozenset({"ACTIVE"}), failure=frozenset({"FAILED"}), must_leave_first=True)

    @classmethod
    def snapshot_deleted(cls) -> Expectation:
        return cls(success=frozenset(), gone_is_success=True)

    @classmethod
    def media_downloaded(cls) -> Expectation:
        """An ISO or image download: ``DOWNLOADING`` → ``READY`` (or ``FAILED``/``DELETED``)."""
        return cls(success=frozenset({"READY"}), failure=frozenset({"FAILED", "DELETED"}))

    @classmethod
    def media_deleted(cls) -> Expectation:
        return cls(success=frozenset({"DELETED"}), gone_is_success=True)

    @classmethod
    def instance_status(
        cls,
        status: str,
        *,
        failure: Iterable[str] = (),
        must_leave_first: bool = False,
        grace: float = 10.0,
    ) -> Expectation:
        """The instance settles in ``status`` (``active``, ``shutdown``, ...)."""
        return cls(
            success=frozenset({status}),
            failure=frozenset(failure),
            must_leave_first=must_leave_first,
            grace=grace,
        )

    @classmethod
    def instance_created(cls) -> Expectation:
        return cls.instance_status("active")

    @classmethod
    def instance_powered_on(cls) -> Expectation:
        return cls.instance_status("active")

    @classmethod
    def instance_powered_off(cls) -> Expectation:
        return cls.instance_status("shutdown")

    @classmethod
    def instance_reset(cls) -> Expectation:
        return cls.instance_status("active", must_leave_first=True)

    @classmethod
    def instance_resized(cls, end_status: str = "active") -> Expectation:
        return cls.instance_status(end_status, must_leave_first=True)

    @classmethod
    def instance_os_changed(cls) -> Expectation:
        return cls.instance_status("active", must_leave_first=True)

    @classmethod
    def instance_restored(cls) -> Expectation:
        """The instance a snapshot is restored onto: back to ``active`` after leaving it."""
        return cls.instance_status("active", must_leave_first=True)

    @classmethod
    def instance_deleted(cls) -> Expectation:
        return cls(success=frozenset({"deleted"}), gone_is_success=True)

    @classmethod
    def for_action(cls, kind: str, action: str) -> Expectation:
        """The usual expectation of ``action`` on ``kind`` (``("instance", "poweroff")`` → ``shutdown``).

        Raises ``ValueError`` for a combination it does not know: pass an explicit expectation then.
        """
        factory = _DEFAULT_EXPECTATIONS.get((kind, normalise_action(action)))
        if factory is None:
            raise ValueError(f"no default expectation for {kind} {action!r}; pass expect=")
        return factory()


_DEFAULT_EXPECTATIONS: dict[tuple[str, str], Callable[[], Expectation]] = {
    ("snapshot", "create"): Expectation.snapshot_created,
    ("snapshot", "restore"): Expectation.snapshot_restored,
    ("snapshot", "delete"): Expectation.snapshot_deleted,
    ("iso", "download"): Expectation.media_downloaded,
    ("iso", "delete"): Expectation.media_deleted,
    ("image", "download"): Expectation.media_downloaded,
    ("image", "delete"): Expectation.media_deleted,
    ("instance", "create"): Expectation.instance_created,
    ("instance", "poweron"): Expectation.instance_powered_on,
    ("instance", "power_on"): Expectation.instance_powered_on,
    ("instance", "poweroff"): Expectation.instance_powered_off,
    ("instance", "power_off"): Expectation.instance_powered_off,
    ("instance", "reset"): Expectation.instance_reset,
    ("instance", "resize"): Expectation.instance_resized,
    ("instance", "change_os"): Expectation.instance_os_changed,
    ("instance", "changeos"): Expectation.instance_os_changed,
    ("instance", "restore"): Expectation.instance_restored,
    ("instance", "delete"): Expectation.instance_deleted,
}


# ------------------------------------------------------------------------------------------------------------
# Jobs and events


@dataclass(eq=False)
class Job:
    """One followed operation. Mutated only by its tracker; read it, don't write it."""

    id: int
    kind: JobKind
    target_id: str
    label: str
    action: str
    expect: Expectation
    started_at: float
    #: seconds after ``started_at`` at which the job ends ``timed_out``
    timeout: float
    state: JobState = "running"
    #: the last observed status (as the server spelt it)
    status: str | None = None
    finished_at: float | None = None
    #: a sentence for a toast or a status line
    message: str = ""
    #: consecutive failed polls
    errors: int = 0
    last_error: str | None = None
    #: the last object seen (from a list or a get)
    item: Any = None

    # bookkeeping of the tracker
    _left: bool = field(default=False, init=False, repr=False)  # a non-success status was seen
    _target_hits: int = field(default=0, init=False, repr=False)  # polls that saw a success status
    _seen: bool = field(default=False, init=False, repr=False)  # the object was observed at least once
    _fetched: int = field(default=0, init=False, repr=False)  # when a get was last spent on it (a sequence)

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def finished(self) -> bool:
        return self.state != "running"

    def elapsed(self, now: float) -> float:
        """Seconds since the start: up to ``finished_at`` for a finished job, else up to ``now``."""
        end = self.finished_at if self.finished_at is not None else now
        return max(0.0, end - self.started_at)


@dataclass
class JobEvent:
    """What subscribers receive. ``progress`` only when the observed status (or a download's percent) changed."""

    job: Job
    kind: EventKind
    #: the object seen (the action's reply for ``started`` if the caller gave it)
    item: Any = None


JobCallback = Callable[[JobEvent], object]
