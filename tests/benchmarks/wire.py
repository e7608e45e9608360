"""Bytes on the wire: what one keypress costs the terminal link (issue 11.2).

``.venv/bin/python tests/benchmarks/wire.py [--presses 10] [--idle 20]`` prints, for the real console in a
pseudo-terminal (``tests/terminal/harness.py``) against the simulator with a 60-instance account:

* bytes written after one cursor-down (``j``), median of ``--presses`` presses, at 80x24 (no detail pane),
  120x40 (no pane: below 140 columns the pane is not shown beside the table) and 160x50 (with the pane);
* bytes after one PageDown;
* idle traffic (B/s) with the live refresh on (the config's default, 15 s);

and, in the same run, the same figures for a stock Textual ``DataTable`` (5 columns, 60 rows), alone and beside a
30-line detail pane re-rendered on every move (``stock_table.py``).

Each press waits until the program has written nothing for a moment; the bytes are the program's whole output in
that window. Not a test (``tests/terminal/test_wire_bytes.py`` asserts the targets): a benchmark prints figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from simserver import served_simulator  # noqa: E402
from terminal.harness import Terminal  # noqa: E402

PY = sys.executable
TOKEN = "wire-token"
# The simulator's seeded account has 31 instances; this many more make the 60-instance account.
EXTRA_INSTANCES = 29
DOWN = "j"
PAGE_DOWN = "\x1b[6~"
QUIET = 0.3


@contextmanager
def simulator(instances: int = EXTRA_INSTANCES) -> Iterator[str]:
    with served_simulator(TOKEN, "--instances", str(instances), "--snapshot-failure-rate", "0") as url:
        yield url


class Program(Terminal):
    """``Terminal`` for another program than the console (the stock DataTable app): same pty, reader and screen."""

    def __init__(self, argv: Sequence[str], *, columns: int, rows: int) -> None:
        import threading

        import pyte
        import terminal.harness as harness
        from ptyprocess import PtyProcess

        self.columns, self.rows = columns, rows
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONPATH": str(harness.ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.argv = list(argv)
        self._lock = threading.Lock()
        self._output = bytearray()
        self._screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self._screen)
        self.process = PtyProcess.spawn(self.argv, env=environment, cwd=str(ROOT), dimensions=(rows, columns))
        self.initial_mode = harness.termios.tcgetattr(self.process.fd)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()


@contextmanager
def console_on(url: str, columns: int, rows: int, refresh: float | None = None) -> Iterator[Terminal]:
    """The console in a pty on the simulator at ``url`` (a throw-away HOME; the refresh interval if given)."""
    with tempfile.TemporaryDirectory(prefix="cloudzy-wire-") as tmp_name:
        home = Path(tmp_name)
        config = home / ".config" / "cloudzy-tui"
        config.mkdir(parents=True)
        if refresh is not None:
            (config / "config.toml").write_text(f"refresh_seconds = {refresh}\n")
        env = {"CLOUDZY_API_URL": url, "CLOUDZY_API_TOKEN": TOKEN, "CLOUDZY_TUI_CONFIG_DIR": str(config)}
        term = Terminal((), columns=columns, rows=rows, env=env, home=home)
        try:
            yield term
        finally:
            term.close()


def press_bytes(term: Terminal, key: str, presses: int) -> list[int]:
    """Bytes written after each of ``presses`` presses of ``key`` (the program quiet before and after each)."""
    figures = []
    for _ in range(presses):
        mark = term.wait_quiet(QUIET)
        term.write(key)
        end = term.wait_quiet(QUIET)
        figures.append(end - mark)
    return figures


def idle_rate(term: Terminal, seconds: float) -> float:
    mark = term.wait_quiet(QUIET)
    time.sleep(seconds)
    return term.bytes_since(mark) / seconds


def console_loaded(term: Terminal, rows_expected: int = 60) -> None:
    term.wait_for(
        lambda t: re.search(rf"Instances\s+{rows_expected}\b", t.text()) is not None and "loading" not in t.text(),
        timeout=60,
        what=f"the list of {rows_expected} instances",
    )
    term.wait_quiet(1.0)


def measure_console(url: str, columns: int, rows: int, presses: int, *, detail: bool = False) -> dict[str, Any]:
    with console_on(url, columns, rows) as term:
        console_loaded(term)
        if detail:
            term.wait_for(lambda t: "Instance" in t.text() and "hostname" in t.text(), what="the detail pane")
        down = press_bytes(term, DOWN, presses)
        page = press_bytes(term, PAGE_DOWN, 3)
        return {"down": down, "page": page}


def measure_stock(columns: int, rows: int, presses: int, *, pane: bool) -> dict[str, Any]:
    argv = [PY, str(HERE / "stock_table.py")] + (["--pane"] if pane else [])
    term = Program(argv, columns=columns, rows=rows)
    try:
        term.wait_for(lambda t: "row-059" in t.text() or "row-0" in t.text(), timeout=60, what="the stock table")
        term.wait_quiet(1.0)
        down = press_bytes(term, DOWN, presses)
        page = press_bytes(term, PAGE_DOWN, 3)
        return {"down": down, "page": page}
    finally:
        term.close()


def med(values: Sequence[int]) -> int:
    return int(statistics.median(values))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle traffic to measure")
    args = parser.parse_args()
    rows = wire_rows(args.presses, args.idle)
    print_rows(rows)
    return 0


def wire_rows(presses: int, idle_seconds: float) -> list[tuple[str, str, str, str]]:
    """The figures as (measure, value, target, notes) rows, for this script and for run.py."""
    out: list[tuple[str, str, str, str]] = []
    stock = measure_stock(120, 40, presses, pane=False)
    stock_pane = measure_stock(120, 40, presses, pane=True)
    with simulator() as url:
        for columns, rows, target, detail in (
            (80, 24, "≤ 1,000 B", False),
            (120, 40, "≤ 1,000 B", False),
            (140, 40, "≤ 3,000 B", True),
            (160, 50, "≤ 3,000 B", True),
        ):
            figures = measure_console(url, columns, rows, presses, detail=detail)
            pane = "with the detail pane" if detail else "no detail pane"
            print(f"  {columns}x{rows}: j {figures['down']}, PageDown {figures['page']}", file=sys.stderr)
            out.append(
                (
                    f"bytes per cursor-down, {columns}x{rows} ({pane})",
                    f"{med(figures['down']):,} B",
                    target,
                    f"PageDown {med(figures['page']):,} B; stock DataTable 120x40 {med(stock['down']):,} B, "
                    f"with a 30-line pane {med(stock_pane['down']):,} B",
                )
            )
        with console_on(url, 120, 40) as term:
            console_loaded(term)
            rate = idle_rate(term, idle_seconds)
        out.append(
            ("idle traffic, live refresh on (15 s)", f"{rate:,.0f} B/s", "small", f"120x40, over {idle_seconds:.0f} s")
        )
    out.append(
        (
            "stock DataTable 5x60, 120x40: cursor-down / PageDown",
            f"{med(stock['down']):,} B",
            "reference",
            f"PageDown {med(stock['page']):,} B; with a 30-line pane {med(stock_pane['down']):,} B / "
            f"{med(stock_pane['page']):,} B",
        )
    )
    return out


def print_rows(rows: list[tuple[str, str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'median':>12}  {'target':<12}  notes")
    for name, value, target, notes in rows:
        print(f"{name:<{width}}  {value:>12}  {target:<12}  {notes}")


if __name__ == "__main__":
    raise SystemExit(main())
