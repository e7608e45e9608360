"""Watching files being created: the mode each file had at the moment it came into being (before its first byte).

``watch_creations(root)`` wraps ``os.open`` and the built-in ``open`` (``io.open`` too) for the test's duration
(with umask 022, the usual one, so that a file created with the default mode would be 0644) and records, for every
file under ``root``
opened for writing, its path, whether the call could create it, and ``fstat``'s mode of what was opened right
after the call returned — i.e. before anything was written into it. A file created 0644 and ``chmod``-ed to 0600
afterwards shows up as 0644 here.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Creation:
    path: str
    creating: bool
    mode: int
    how: str


@contextlib.contextmanager
def watch_creations(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Creation]]:
    seen: list[Creation] = []
    real_os_open = os.open
    real_open = builtins.open
    root_text = str(root)

    def under_root(path: Any) -> bool:
        try:
            return os.path.abspath(os.fsdecode(path)).startswith(root_text)
        except TypeError:  # a descriptor, not a path
            return False

    def os_open(path: Any, flags: int, mode: int = 0o777, *args: Any, **kwargs: Any) -> int:
        fd = real_os_open(path, flags, mode, *args, **kwargs)
        if under_root(path) and flags & (os.O_WRONLY | os.O_RDWR):
            seen.append(
                Creation(os.fsdecode(path), bool(flags & os.O_CREAT), stat.S_IMODE(os.fstat(fd).st_mode), "os.open")
            )
        return fd

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if under_root(file) and any(c in mode for c in "wax+"):
            seen.append(Creation(os.fsdecode(file), True, stat.S_IMODE(os.fstat(handle.fileno()).st_mode), "open"))
        return handle

    old_umask = os.umask(0o022)
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)  # pathlib's Path.open / write_text
    try:
        yield seen
    finally:
        monkeypatch.setattr(os, "open", real_os_open)
        monkeypatch.setattr(builtins, "open", real_open)
        monkeypatch.setattr(io, "open", real_open)
        os.umask(old_umask)


def loose(creations: list[Creation]) -> list[Creation]:
    """The files opened for writing that others could read or write at that moment."""
    return [c for c in creations if c.mode & 0o077]


def modes_under(root: Path) -> dict[str, int]:
    """Every file and directory under ``root`` (``root`` excluded) and its mode."""
    out: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            out[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return out
