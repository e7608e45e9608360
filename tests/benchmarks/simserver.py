"""``cloudzy-tui sim`` on a loopback socket for the benchmark scripts: one way to start it, read its URL, stop it."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def served_simulator(token: str, *options: str) -> Iterator[str]:
    """``python -m cloudzy_tui sim --port 0 --token TOKEN OPTIONS...`` in a subprocess; yields its base URL
    (``http://127.0.0.1:PORT/developers``); terminated (then killed) when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cloudzy_tui", "sim", "--port", "0", "--token", token, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=str(ROOT),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"(http://\S+/developers)", line)
        if not match:
            raise RuntimeError(f"simulator did not start: {line!r}")
        yield match.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
