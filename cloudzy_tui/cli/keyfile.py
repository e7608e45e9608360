"""Reading a public key file for ``keys create --public-key-file``: safely, and never echoing what is in it.

Not ``ui/resources/ssh_keys.py::read_key_source``: that one lives in the console's package (it imports Textual),
guesses whether its argument is a path, reads any file type (a FIFO or a device would block or stream) and caps at
64 KB. Here: a regular file only (checked on the open descriptor, so a swap after the check does not count), at
most 16 KB, UTF-8 text, not a private key; ``-`` reads standard input under the same cap. Error messages name the
path and the problem, never the content.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

MAX_KEY_FILE = 16 * 1024


class KeyFileError(Exception):
    """The file cannot be used as a public key; the message names the path, never its content."""


def _decode(data: bytes, where: str) -> str:
    if len(data) > MAX_KEY_FILE:
        raise KeyFileError(f"{where} is larger than {MAX_KEY_FILE // 1024} KB: not a public key")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"{where} is not UTF-8 text: not a public key") from None
    if "PRIVATE KEY" in text:
        raise KeyFileError(f"{where} holds a private key: give the public one (the .pub file)")
    text = text.strip()
    if not text:
        raise KeyFileError(f"{where} is empty")
    return text


def read_public_key(path_text: str) -> str:
    """The content of the public key file ``path_text`` (``~`` expanded; ``-`` = standard input)."""
    if path_text == "-":
        data = sys.stdin.buffer.read(MAX_KEY_FILE + 1)
        return _decode(data, "standard input")
    path = Path(path_text).expanduser()
    where = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise KeyFileError(f"cannot read {where}: {exc.strerror or type(exc).__name__}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{where} is not a regular file")
        if info.st_size > MAX_KEY_FILE:
            raise KeyFileError(f"{where} is larger than {MAX_KEY_FILE // 1024} KB: not a public key")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_KEY_FILE:
            chunk = os.read(fd, MAX_KEY_FILE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise KeyFileError(f"cannot read {where}: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(fd)
    return _decode(b"".join(chunks), where)
