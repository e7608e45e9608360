"""``python -m cloudzy_tui ARGS`` for the CLI tests, forked from a pre-loaded interpreter instead of started cold.

A cold start spends ~0.3 s of CPU importing the client before the command runs, and the CLI tests run a few hundred
commands: on the 2-core machine that was a sixth of the suite's CPU. Each run here is still its own process, with
its own environment, working directory, arguments, standard streams and exit status (see ``_zygote.py`` for what
the child does); only the imports are done once per test worker. ``CLOUDZY_TESTS_COLD_CLI=1`` starts every run
cold instead (a fresh ``python -m cloudzy_tui``), and the tests that are about start-up (``test_help.py``'s
module checks, ``test_wait.py``'s signals) start their own processes either way.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ZYGOTE = Path(__file__).with_name("_zygote.py")


class ForkTimeout(Exception):
    pass


class _Zygote:
    def __init__(self, env: dict[str, str]) -> None:
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, str(ZYGOTE), str(requests_read), str(replies_write)],
            pass_fds=(requests_read, replies_write),
            stdin=subprocess.DEVNULL,
            cwd=str(ROOT),
            env=env,
        )
        os.close(requests_read)
        os.close(replies_write)
        self._buffer = b""

    def _reply(self, deadline: float | None) -> dict[str, Any]:
        while b"\n" not in self._buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self._replies], [], [], wait)
            if not ready:
                raise ForkTimeout
            chunk = os.read(self._replies, 4096)
            if not chunk:
                raise RuntimeError(f"the CLI fork server ended (status {self.proc.poll()})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return dict(json.loads(line))

    def run(self, request: dict[str, Any], timeout: float) -> int:
        os.write(self._requests, (json.dumps(request) + "\n").encode("utf-8"))
        deadline = time.monotonic() + timeout
        pid = int(self._reply(deadline)["pid"])
        try:
            return int(self._reply(deadline)["code"])
        except ForkTimeout:
            os.kill(pid, signal.SIGKILL)
            self._reply(None)  # the zygote reaps it and answers
            raise

    def close(self) -> None:
        os.close(self._requests)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        os.close(self._replies)


class ForkServer:
    """A pool of zygotes (one per run in flight: runs may overlap, from threads), started on first use, stopped at
    the worker's exit."""

    def __init__(self) -> None:
        self._idle: list[_Zygote] = []
        self._all: list[_Zygote] = []
        self._lock = threading.Lock()

    def run(
        self, args: list[str], env: dict[str, str], cwd: str, input: str | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        with self._lock:
            zygote = self._idle.pop() if self._idle else None
        if zygote is None:
            zygote = _Zygote({**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
            with self._lock:
                self._all.append(zygote)
        with tempfile.TemporaryDirectory(prefix="cli-run-") as tmp:
            paths = {name: os.path.join(tmp, name) for name in ("stdin", "stdout", "stderr")}
            if input is not None:
                Path(paths["stdin"]).write_text(input, encoding="utf-8")
            request = {
                "args": args,
                "env": env,
                "cwd": cwd,
                "stdin": paths["stdin"] if input is not None else None,
                "stdout": paths["stdout"],
                "stderr": paths["stderr"],
            }
            try:
                code = zygote.run(request, timeout)
            except ForkTimeout:
                with self._lock:
                    self._idle.append(zygote)
                raise subprocess.TimeoutExpired(args, timeout) from None
            out = Path(paths["stdout"]).read_text(encoding="utf-8", errors="strict")
            err = Path(paths["stderr"]).read_text(encoding="utf-8", errors="strict")
        with self._lock:
            self._idle.append(zygote)
        return subprocess.CompletedProcess(args, code, out, err)

    def close(self) -> None:
        with self._lock:
            zygotes, self._all, self._idle = self._all, [], []
        for zygote in zygotes:
            zygote.close()


SERVER = ForkServer()
atexit.register(SERVER.close)
