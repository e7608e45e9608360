"""Reading a public key file, for every face (the console's SSH-key form, ``keys create --public-key-file``).

Only a regular file is read: a FIFO or device is not even opened (``stat`` first), the open is ``O_NONBLOCK`` (a
FIFO swapped in cannot block it) and the check that counts is ``fstat`` on what was opened (no race with a file
swapped after the first check); at most ``limit + 1`` bytes are read whatever the file claims. The text must be
UTF-8 and not a private key. Every error names the path (cleaned of control characters), never the content.
Blocking: the console runs it on a thread of its own with a timeout (``ui/resources/ssh_keys.py``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cloudzy_tui.text import clean

#: a public key file is one line; 16 KB is more than an 8192-bit RSA key with a long comment
MAX_KEY_FILE = 16 * 1024


class KeyFileError(ValueError):
    """The file cannot be used as a public key; the message names the path, never its content."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a plain file"


def decode_key(data: bytes, where: str, limit: int = MAX_KEY_FILE) -> str:
    """The public key in ``data`` read from ``where`` (a path already cleaned, or "standard input")."""
    if len(data) > limit:
        raise KeyFileError(f"{where} is larger than {limit // 1024} KB: not a public key file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"{where} is not UTF-8 text: not a public key file") from None
    if "PRIVATE KEY" in text:
        raise KeyFileError(f"{where} is a private key; give the public one (the .pub file)")
    text = text.strip()
    if not text:
        raise KeyFileError(f"{where} is empty")
    return text


def read_key_file(path: Path, limit: int = MAX_KEY_FILE) -> str:
    """The text of the public key file at ``path`` (see the module's docstring for what is refused)."""
    shown = clean(str(path), max_length=120)
    try:
        # A courtesy, not the check: a device or FIFO is not even opened (opening some has side effects).
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            raise KeyFileError(f"{shown} is not a regular file ({_kind(before.st_mode)}); give the .pub file")
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
    except OSError as exc:
        raise KeyFileError(f"cannot read {shown}: {exc.strerror or type(exc).__name__}") from None
    try:
        opened = os.fstat(fd)  # the check that counts: what was actually opened
        if not stat.S_ISREG(opened.st_mode):
            raise KeyFileError(f"{shown} is not a regular file ({_kind(opened.st_mode)}); give the .pub file")
        if opened.st_size > limit:
            raise KeyFileError(f"{shown} is larger than {limit // 1024} KB: not a public key file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise KeyFileError(f"cannot read {shown}: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(fd)
    return decode_key(b"".join(chunks), shown, limit)
