"""Reading a public key file for ``keys create --public-key-file``: the one safe reader of ``ops/keyfile.py``
(regular files only, at most 16 KB, UTF-8, not a private key, errors that never echo the content); ``-`` reads
standard input under the same cap."""

from __future__ import annotations

import sys
from pathlib import Path

from cloudzy_tui.ops.keyfile import MAX_KEY_FILE, KeyFileError, decode_key, read_key_file

__all__ = ["MAX_KEY_FILE", "KeyFileError", "read_public_key"]


def read_public_key(path_text: str) -> str:
    """The content of the public key file ``path_text`` (``~`` expanded; ``-`` = standard input)."""
    if path_text == "-":
        return decode_key(sys.stdin.buffer.read(MAX_KEY_FILE + 1), "standard input")
    return read_key_file(Path(path_text).expanduser())
