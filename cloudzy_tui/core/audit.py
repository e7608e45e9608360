"""A local audit log of every mutating request: JSON lines under the XDG state dir. No Textual here.

Each line: time, profile, action (what the user asked for), target, method, path, status, outcome, error. Never the
token, never a password, never a request or reply body. The console names the action being run in a context
variable; the client's request events (which run in the same task) pick it up.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

log = logging.getLogger("cloudzy_tui.audit")

#: entries kept in memory (the session's newest; the file keeps every one)
MAX_ENTRIES = 500

CURRENT_ACTION: ContextVar[tuple[str, str] | None] = ContextVar("cloudzy_current_action", default=None)


@contextlib.contextmanager
def acting(action: str, target: str) -> Iterator[None]:
    """Name what the requests sent inside this block are for."""
    token = CURRENT_ACTION.set((action, target))
    try:
        yield
    finally:
        CURRENT_ACTION.reset(token)


class AuditLog:
    def __init__(self, path: Path | None, profile: str, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.profile = profile
        self.clock = clock
        # The session's newest MAX_ENTRIES entries, newest last (for tests and a view); the file has them all.
        self.entries: list[dict[str, Any]] = []
        self._warned = False

    def on_event(self, event: Any) -> None:
        """A client ``RequestEvent``: recorded when it is a final attempt of a non-GET request."""
        method = getattr(event, "method", "GET")
        if method.upper() == "GET" or getattr(event, "outcome", "") == "retry":
            return
        action, target = CURRENT_ACTION.get() or ("", "")
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "profile": self.profile,
            "action": action,
            "target": target,
            "method": method.upper(),
            "path": getattr(event, "path", ""),
            "status": getattr(event, "status", None),
            "outcome": getattr(event, "outcome", ""),
            "error": getattr(event, "error", None),
        }
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        self._write(entry)

    def refused(self, action: str, target: str, rule: str, message: str) -> None:
        """An operation the policy refused (read-only, protected, not confirmed...): nothing was sent."""
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "profile": self.profile,
            "action": action,
            "target": target,
            "method": None,
            "path": None,
            "status": None,
            "outcome": "refused",
            "error": f"{rule}: {message}",
        }
        self.entries.append(entry)
        del self.entries[:-500]
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("cannot write the audit log %s: %s", self.path, exc)
