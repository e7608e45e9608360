"""The local list cache: the last list of each resource per profile, so a restart paints rows at once.

One SQLite file (stdlib ``sqlite3``) under the XDG cache dir (``~/.cache/cloudzy-tui/lists.sqlite3``), created
0600 in a 0700 directory. What it holds is **list data only**: the rows the API returned for a list (the same JSON
the console shows), the resource's name and when it was stored. Never the token, a password, or anything typed:
:meth:`ListCache.store` refuses rows holding a registered secret (the token, a password just set), and the key of
an account is a hash.

Accounts: ``account_key(api_url, token, profile)`` is a SHA-256 of the three (the token only ever goes into the
hash), so another API URL or another token gets another cache, and nothing in the file can give the token back.

Damage is not fatal: a file that is not a SQLite database, a table of another shape, or another
:data:`SCHEMA_VERSION` is thrown away and started afresh (logged), and every read or write error leaves the console
without a cache rather than without a list.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudzy_tui.api.redact import SECRETS

log = logging.getLogger("cloudzy_tui.cache")

SCHEMA_VERSION = 1
FILE_NAME = "lists.sqlite3"
#: lists older than this are not painted (stale beyond use) and are dropped on the next write
MAX_AGE = 7 * 24 * 3600.0
#: the first rows of each list are also kept on their own: a start paints them without reading the whole list
HEAD_ROWS = 200
_HEAD = "\x00head"


def cache_dir() -> Path:
    override = os.environ.get("CLOUDZY_TUI_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("cloudzy-tui")


def account_key(api_url: str, token: str, profile: str) -> str:
    """The key of an account's lists: a hash of URL, token and profile (the token itself is never stored)."""
    digest = hashlib.sha256()
    for part in (api_url.rstrip("/"), token, profile):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedList:
    resource: str
    rows: list[dict[str, Any]]
    stored_at: float

    def age(self, now: float) -> float:
        return max(0.0, now - self.stored_at)


def age_text(seconds: float) -> str:
    """``cached 3m ago`` style: s, m, h, d."""
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


class ListCache:
    """``load(resource)`` / ``store(resource, rows)`` for one account; every error is logged, never raised."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        api_url: str,
        token: str,
        profile: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path if path is not None else cache_dir() / FILE_NAME
        self.account = account_key(api_url, token, profile)
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()  # written from a worker thread, read on the UI's
        self._open()

    def __repr__(self) -> str:
        return f"ListCache({str(self.path)!r})"

    # -- file -----------------------------------------------------------------------------------------------

    def _open(self) -> None:
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError, ValueError) as exc:
            log.warning("list cache %s unusable (%s); starting a new one", self.path, type(exc).__name__)
            self._discard()
            try:
                self._db = self._connect()
            except (sqlite3.Error, OSError, ValueError) as again:
                log.warning("list cache disabled: %s", type(again).__name__)
                self._db = None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
            os.close(fd)
        os.chmod(self.path, 0o600)
        db = sqlite3.connect(self.path, timeout=2.0, isolation_level=None, check_same_thread=False)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version != SCHEMA_VERSION or (tables and tables != {"lists"}):
                if tables or version:
                    log.info("list cache %s: schema %s, expected %s; discarded", self.path, version, SCHEMA_VERSION)
                    db.close()
                    self._discard()
                    return self._connect()
                db.execute(
                    "CREATE TABLE lists (account TEXT NOT NULL, resource TEXT NOT NULL, stored_at REAL NOT NULL, "
                    "rows TEXT NOT NULL, PRIMARY KEY (account, resource))"
                )
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            columns = [row[1] for row in db.execute("PRAGMA table_info(lists)")]
            if columns != ["account", "resource", "stored_at", "rows"]:
                raise sqlite3.DatabaseError("unexpected columns")
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError, OSError):
                Path(f"{self.path}{suffix}").unlink()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    @property
    def usable(self) -> bool:
        return self._db is not None

    # -- lists ----------------------------------------------------------------------------------------------

    def load(self, resource: str) -> CachedList | None:
        """The last list stored for ``resource`` (``None``: none, too old, or unreadable)."""
        with self._lock:
            return self._load(resource)

    def load_head(self, resource: str) -> CachedList | None:
        """The first :data:`HEAD_ROWS` rows of the last list of ``resource`` (a small read, for the first paint)."""
        with self._lock:
            head = self._load(resource + _HEAD)
        return CachedList(resource, head.rows, head.stored_at) if head is not None else None

    def _load(self, resource: str) -> CachedList | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT stored_at, rows FROM lists WHERE account = ? AND resource = ?", (self.account, resource)
            ).fetchone()
        except sqlite3.Error as exc:
            log.warning("list cache read failed (%s); discarding it", type(exc).__name__)
            self.close()
            self._discard()
            self._open()
            return None
        if row is None:
            return None
        stored_at, text = row
        if not isinstance(stored_at, int | float) or self._clock() - stored_at > MAX_AGE:
            return None
        try:
            rows = json.loads(text)
        except (ValueError, TypeError):
            return None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return None
        return CachedList(resource, rows, float(stored_at))

    def store(self, resource: str, rows: Sequence[dict[str, Any]]) -> bool:
        """Keep ``rows`` as the last list of ``resource``; False (nothing written) when refused or failed."""
        with self._lock:
            return self._store(resource, rows)

    def _store(self, resource: str, rows: Sequence[dict[str, Any]]) -> bool:
        if self._db is None:
            return False
        text = json.dumps(list(rows), separators=(",", ":"), default=str)
        if SECRETS.appears_in(text.encode()) or SECRETS.scrub(text) != text:  # the token, a password shown
            log.warning("list cache: %s rows hold a secret; not stored", resource)
            return False
        now = self._clock()
        head = json.dumps(list(rows[:HEAD_ROWS]), separators=(",", ":"), default=str)
        try:
            self._db.execute("BEGIN")
            for name, value in ((resource, text), (resource + _HEAD, head)):
                self._db.execute(
                    "INSERT OR REPLACE INTO lists (account, resource, stored_at, rows) VALUES (?, ?, ?, ?)",
                    (self.account, name, now, value),
                )
            self._db.execute("COMMIT")
            self._db.execute("DELETE FROM lists WHERE stored_at < ?", (now - MAX_AGE,))
        except sqlite3.Error as exc:
            log.warning("list cache write failed (%s)", type(exc).__name__)
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            return False
        return True

    def forget(self, resource: str | None = None) -> None:
        if self._db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            if resource is None:
                self._db.execute("DELETE FROM lists WHERE account = ?", (self.account,))
            else:
                self._db.execute(
                    "DELETE FROM lists WHERE account = ? AND resource IN (?, ?)",
                    (self.account, resource, resource + _HEAD),
                )
