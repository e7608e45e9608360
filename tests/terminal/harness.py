"""The console as its users run it: the real program in a pseudo-terminal, read back through a terminal emulator.

Pilot presses one key at a time and waits in between; a terminal over SSH delivers keys in bursts, and every byte the
program writes crosses the link. This harness starts ``python -m cloudzy_tui ...`` in a pty (``ptyprocess``: its own
session, the pty as its controlling terminal, so Ctrl-C and job control behave as in a real terminal), reads
everything it writes on a background thread, renders it with ``pyte``, and lets a test

* ``write()`` bytes in one burst (one ``write`` call: the program reads them in one go, as over SSH),
* wait for a condition on the rendered screen (``wait_for`` / ``wait_text``; generous limits, never a fixed sleep),
* count the bytes written since a mark (``mark()`` / ``bytes_since()``),
* send signals and read the exit status,
* compare the terminal's settings (``termios``) before and after.

Nothing here asserts on timing. A harness left open is killed when its ``with`` block ends.
"""

from __future__ import annotations

import os
import signal
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pyte
from ptyprocess import PtyProcess

ROOT = Path(__file__).resolve().parents[2]
# How long a condition may take before a test fails: generous (a loaded 2-core machine runs several of these).
DEFAULT_TIMEOUT = 30.0

# The escape sequences that say what terminal state the program leaves behind.
ALT_SCREEN_ON = b"\x1b[?1049h"
ALT_SCREEN_OFF = b"\x1b[?1049l"
CURSOR_HIDE = b"\x1b[?25l"
CURSOR_SHOW = b"\x1b[?25h"
MOUSE_ON = (b"\x1b[?1000h", b"\x1b[?1003h", b"\x1b[?1006h")
MOUSE_OFF = (b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l")


def _last(data: bytes, on: bytes, off: bytes) -> bool | None:
    """True when the last of ``on``/``off`` written is ``on``; None when neither was written."""
    i, j = data.rfind(on), data.rfind(off)
    if i < 0 and j < 0:
        return None
    return i > j


class Terminal:
    """One console process in a pty of ``columns`` x ``rows``."""

    def __init__(
        self,
        args: Sequence[str] = ("--demo",),
        *,
        columns: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        home: Path | None = None,
    ) -> None:
        self.columns = columns
        self.rows = rows
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
        }
        if home is not None:
            environment.update(
                HOME=str(home),
                XDG_CONFIG_HOME=str(home / ".config"),
                XDG_STATE_HOME=str(home / ".local" / "state"),
                XDG_CACHE_HOME=str(home / ".cache"),
            )
        environment.update(env or {})
        self.argv = [sys.executable, "-m", "cloudzy_tui", *args]
        self._lock = threading.Lock()
        self._output = bytearray()
        self._screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self._screen)
        self.process = PtyProcess.spawn(self.argv, env=environment, cwd=str(ROOT), dimensions=(rows, columns))
        # The terminal's settings as the program found them (the pty's defaults: cooked mode, echo, signals).
        self.initial_mode = termios.tcgetattr(self.process.fd)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ output

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.process.fd, 65536)
            except OSError:  # EIO: the program ended and the pty closed
                return
            if not data:
                return
            with self._lock:
                self._output += data
                self._stream.feed(data)

    @property
    def output(self) -> bytes:
        """Every byte the program wrote so far."""
        with self._lock:
            return bytes(self._output)

    def mark(self) -> int:
        """A position in the output, for ``bytes_since``."""
        with self._lock:
            return len(self._output)

    def bytes_since(self, mark: int) -> int:
        with self._lock:
            return len(self._output) - mark

    def lines(self) -> list[str]:
        """The rendered screen, one string per row (trailing blanks kept: the width is the terminal's)."""
        with self._lock:
            return list(self._screen.display)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    def cursor(self) -> tuple[int, int]:
        with self._lock:
            return self._screen.cursor.x, self._screen.cursor.y

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self, condition: Callable[[Terminal], bool], timeout: float = DEFAULT_TIMEOUT, what: str = "condition"
    ) -> None:
        """Poll the rendered screen until ``condition(self)`` holds; fail with the screen after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            if condition(self):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not reached within {timeout:.0f}s; the screen shows:\n{self.text()}")
            if not self.process.isalive() and not self._reader.is_alive() and not condition(self):
                raise AssertionError(
                    f"{what}: the program ended (status {self.exit_status()}); the screen shows:\n{self.text()}"
                )
            time.sleep(0.02)

    def wait_text(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.wait_for(lambda t: text in t.text(), timeout, what=f"{text!r} on screen")

    def wait_gone(self, text: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.wait_for(lambda t: text not in t.text(), timeout, what=f"{text!r} gone from the screen")

    def wait_quiet(self, quiet: float = 0.3, timeout: float = DEFAULT_TIMEOUT) -> int:
        """Wait until the program wrote nothing for ``quiet`` seconds; returns the output length then.

        For measurements (bytes per key), not for tests' correctness: a test waits for what it expects to see.
        """
        deadline = time.monotonic() + timeout
        last = self.mark()
        since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            now = self.mark()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return now
        return self.mark()

    # ------------------------------------------------------------------ input

    def write(self, data: bytes | str) -> None:
        """Write bytes to the program in one burst (one ``write``: read by the program in one go)."""
        if isinstance(data, str):
            data = data.encode()
        os.write(self.process.fd, data)

    def signal(self, signum: int) -> None:
        self.process.kill(signum)

    # ------------------------------------------------------------------ end

    def wait_exit(self, timeout: float = DEFAULT_TIMEOUT) -> int | None:
        """Wait for the program to end; its exit status, or ``-signal`` when a signal killed it."""
        deadline = time.monotonic() + timeout
        while self.process.isalive():
            if time.monotonic() > deadline:
                raise AssertionError(f"the program did not end within {timeout:.0f}s; the screen shows:\n{self.text()}")
            time.sleep(0.02)
        self._reader.join(timeout=5)
        return self.exit_status()

    def exit_status(self) -> int | None:
        if self.process.signalstatus is not None:
            return -int(self.process.signalstatus)
        return self.process.exitstatus

    def mode(self) -> list[Any]:
        """The terminal's current settings (``termios.tcgetattr`` on the pty)."""
        return termios.tcgetattr(self.process.fd)

    def terminal_state(self) -> dict[str, bool | None]:
        """What the program's output leaves switched on: alternate screen, hidden cursor, mouse tracking."""
        data = self.output
        return {
            "alternate_screen": _last(data, ALT_SCREEN_ON, ALT_SCREEN_OFF),
            "cursor_hidden": _last(data, CURSOR_HIDE, CURSOR_SHOW),
            "mouse": any(_last(data, on, off) for on, off in zip(MOUSE_ON, MOUSE_OFF, strict=True)),
        }

    def close(self) -> None:
        if self.process.isalive():
            with suppress(OSError):
                self.process.kill(signal.SIGKILL)
            self.process.wait()
        self._reader.join(timeout=5)
        with suppress(OSError):
            self.process.close(force=True)


@contextmanager
def console(
    args: Sequence[str] = ("--demo",), *, columns: int = 120, rows: int = 40, **options: Any
) -> Iterator[Terminal]:
    """A console in a pty for the ``with`` block; killed on the way out if still running."""
    terminal = Terminal(args, columns=columns, rows=rows, **options)
    try:
        yield terminal
    finally:
        terminal.close()


def restored(before: list[Any], after: list[Any]) -> list[str]:
    """The differences between two ``termios`` settings a person would notice (empty: the same terminal)."""
    names = ["iflag", "oflag", "cflag", "lflag", "ispeed", "ospeed"]
    problems = [f"{name}: {b!r} -> {a!r}" for name, b, a in zip(names, before[:6], after[:6], strict=True) if a != b]
    if list(before[6]) != list(after[6]):
        problems.append("control characters differ")
    return problems
