"""A local audit log of every mutating request: JSON lines under the XDG state dir. No Textual here.

Each line: time, profile, action (what the user asked for), target, method, path, status, outcome, error, ms (the
final attempt's duration; absent for refusals). Never the
token, never a password, never a request or reply body: the error text is built scrubbed by the API layer, and every
string of an entry is scrubbed again here (``api/redact.py``) before it is written. The console names the action
being run in a context variable; the client's request events (which run in the same task) pick it up.

The file is created 0600 by ``os.open`` (its directory 0700) and rotated at :data:`MAX_BYTES` (``audit.jsonl.1``
... ``.3``).
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

from cloudzy_tui.api.redact import scrub
from cloudzy_tui.logs import open_private, private_dir

log = logging.getLogger("cloudzy_tui.audit")

#: entries kept in memory (the session's newest; the file keeps every one)
MAX_ENTRIES = 500
#: the file rotates at this size, keeping this many older files
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 3

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
    def __init__(
        self,
        path: Path | None,
        profile: str,
        clock: Callable[[], float] = time.time,
        *,
        max_bytes: int = MAX_BYTES,
        backup_count: int = BACKUP_COUNT,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backup_count = backup_count
        self.profile = profile
        self.clock = clock
        # The session's newest MAX_ENTRIES entries, newest last (for tests and a view); the file has them all.
        self.entries: list[dict[str, Any]] = []
        #: entries made this session (``entries`` keeps the newest MAX_ENTRIES of them)
        self.count = 0
        self._warned = False

    def on_event(self, event: Any) -> None:
        """A client ``RequestEvent``: recorded when it is a final attempt of a non-GET request."""
        method = getattr(event, "method", "GET")
        if method.upper() == "GET" or getattr(event, "outcome", "") == "retry":
            return
        action, target = CURRENT_ACTION.get() or ("", "")
        raw: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "profile": self.profile,
            "action": action,
            "target": target,
            "method": method.upper(),
            "path": getattr(event, "path", ""),
            "status": getattr(event, "status", None),
            "outcome": getattr(event, "outcome", ""),
            "error": getattr(event, "error", None),
            "ms": round(float(getattr(event, "elapsed", 0.0) or 0.0) * 1000, 1),
        }
        self._add(raw)

    def refused(self, action: str, target: str, rule: str, message: str) -> None:
        """An operation the policy refused (read-only, protected, not confirmed...): nothing was sent."""
        raw = {
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
        self._add(raw)

    def _add(self, raw: dict[str, Any]) -> None:
        entry = {key: scrub(value) if isinstance(value, str) else value for key, value in raw.items()}
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        self.count += 1
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        if self.path is None:
            return
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            private_dir(self.path.parent)
            self._rotate_if_full(len(line.encode("utf-8")))
            with open_private(self.path, append=True) as handle:
                handle.write(line)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("cannot write the audit log %s: %s", self.path, exc)

    def _rotate_if_full(self, incoming: int) -> None:
        assert self.path is not None
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if self.max_bytes <= 0 or size + incoming <= self.max_bytes:
            return
        if self.backup_count <= 0:
            self.path.unlink()
            return
        for number in range(self.backup_count - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{number}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{number + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
