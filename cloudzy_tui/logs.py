"""The log file: private from its first byte, rotated at a size limit, its level settable, never a secret in it.

* The state directory is created 0700 (and tightened to 0700 if an older version left it looser); the log file and
  its rotated copies are created 0600 by ``os.open`` itself (no moment where another user could open them) and
  tightened to 0600 if they already existed looser. :func:`open_private` and :func:`private_dir` do the same for
  the audit log, exports and screenshots.
* :class:`PrivateRotatingFileHandler` rotates at :data:`MAX_BYTES` keeping :data:`BACKUP_COUNT` old files.
* :class:`RedactingFilter` passes every record's text (message, arguments, exception and stack) through
  :func:`cloudzy_tui.api.redact.scrub` before any handler formats it: a last line of defence behind the scrub the
  API layer already applies where it builds its messages.
* The level: ``--log-level``, else the config's ``log_level``, else INFO. Only the ``cloudzy_tui`` loggers are
  written (never httpx's or the terminal: the terminal is the console's screen).

No Textual here.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
from pathlib import Path
from typing import IO, Any

from cloudzy_tui.api.redact import scrub

__all__ = [
    "BACKUP_COUNT",
    "LEVELS",
    "MAX_BYTES",
    "PrivateRotatingFileHandler",
    "RedactingFilter",
    "open_private",
    "parse_level",
    "private_dir",
    "setup_logging",
]

MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 3
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOGGER = "cloudzy_tui"


def parse_level(value: str | int | None, default: int = logging.INFO) -> int:
    """``"debug"``/``"DEBUG"``/``10`` as a logging level; ``ValueError`` naming the choices otherwise."""
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    name = str(value).strip().upper()
    if name not in LEVELS:
        raise ValueError(f"unknown log level {value!r}; choose one of {', '.join(LEVELS)}")
    return int(getattr(logging, name))


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) with the last level 0700; tighten it to 0700 if it exists looser."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    return path


def open_private(path: Path, *, append: bool = True, exclusive: bool = False) -> IO[str]:
    """A text file opened for writing, created 0600 by ``os.open`` (never world-readable, not for an instant).

    ``append``: O_APPEND, else truncate; ``exclusive``: refuse an existing file (and a symlink planted in its place).
    A file that exists with a looser mode is tightened through its descriptor before anything is written.
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    if exclusive:
        flags |= os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        if os.name == "posix" and stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a" if append else "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A ``RotatingFileHandler`` whose files (the first and each one after a rotation) are created 0600."""

    def _open(self) -> Any:
        return open_private(Path(self.baseFilename), append=True)


class RedactingFilter(logging.Filter):
    """Scrubs every secret out of a record's text before it is formatted (and so before it is written)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what can be kept, scrubbed
            message = f"{record.msg!r} {record.args!r}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def setup_logging(level: str | int | None = None, path: Path | None = None) -> logging.Handler:
    """Log the ``cloudzy_tui`` loggers to ``path`` (default: the state dir's ``cloudzy-tui.log``) at ``level``.

    Called again, it replaces the handler it installed before. Returns the handler (a ``NullHandler`` when the
    file cannot be opened: the console still runs).
    """
    if path is None:
        from cloudzy_tui.config import log_path

        path = log_path()
    number = parse_level(level)
    handler: logging.Handler
    try:
        private_dir(path.parent)
        if path.exists() and os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)  # an older version's 0644 file
        handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    handler.set_name("cloudzy-tui-file")
    root = logging.getLogger(LOGGER)
    for old in list(root.handlers):
        if old.get_name() == "cloudzy-tui-file":
            root.removeHandler(old)
            old.close()
    root.setLevel(number)
    root.addHandler(handler)
    return handler
