"""Typing and pasting 10,000 characters into a form field, through a real pseudo-terminal.

``.venv/bin/python tests/benchmarks/long_input.py [--chars 10000] [--repeat 3]``

Starts the console (``--demo``) in a pty (``tests/terminal/harness.py``), opens the ISO download form, moves to its
URL field, and measures, median of ``--repeat`` runs:

* typed: ``--chars`` characters written in one burst as keystrokes (what a terminal without bracketed paste sends);
* pasted: the same characters in one bracketed paste;

each from the write until the field shows the text's last characters and the program has written nothing for
0.3 s (the time until the console answers again), with the console's CPU time (``/proc/PID/stat``) over that span.
Not a test: nothing here asserts; read the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from terminal.harness import Terminal, console

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def measure(t: Terminal, data: str, tail: str) -> tuple[float, float]:
    cpu0, start = cpu_seconds(t.process.pid), time.monotonic()
    t.write(data)
    t.wait_for(lambda t: tail in t.text(), timeout=600, what="the end of the text in the field")
    t.wait_quiet(0.3, timeout=600)
    elapsed = time.monotonic() - start - 0.3
    return elapsed, cpu_seconds(t.process.pid) - cpu0


def run(chars: int, paste: bool) -> tuple[float, float]:
    tail = "END" + str(chars)
    body = "x" * (chars - len(tail)) + tail
    # After a paste Textual's Input does not scroll to its cursor: Home then End does (and shows the tail).
    data = f"\x1b[200~{body}\x1b[201~\x1b[H\x1b[F" if paste else body
    with tempfile.TemporaryDirectory() as home, console(home=Path(home)) as t:
        t.wait_text("web-01")
        t.write(":")  # one key at a time (the console before the key gate lost a typed-ahead burst)
        t.wait_text("instances, snapshots")
        t.write("isos\r")
        t.wait_text(" ISOs ")
        t.write("n")
        t.wait_text("Download a custom")
        t.write("\t")  # the URL field
        t.wait_quiet(0.3)
        result = measure(t, data, tail)
        t.write("\x1b")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for paste in (False, True):
        runs = [run(args.chars, paste) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        how = "pasted" if paste else "typed "
        print(
            f"{how} {args.chars:,} characters: {wall:6.2f} s until the console answers, "
            f"{cpu:6.2f} s CPU (median of {args.repeat})"
        )


if __name__ == "__main__":
    main()
