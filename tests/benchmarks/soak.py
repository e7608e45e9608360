"""The soak benchmark: does a console left open for days keep a flat memory line?

``.venv/bin/python tests/benchmarks/soak.py [--rounds 1000] [--warmup 20] [--error-rate 0.1] [--latency-ms 50]``

Starts the simulator on a loopback socket (a separate process, as a real API would be) and the real console in a
pseudo-terminal (``tests/terminal/harness.py``: ``python -m cloudzy_tui`` with the simulator's URL and token, a
throw-away HOME whose config sets ``refresh_seconds``), then repeats rounds of what an operator does all day, as
keys typed into the terminal, each step waiting until the screen shows its result:

1. ``:snap`` Enter (the command line, then the snapshots list), ``:in`` Enter (back to the instances);
2. ``J`` and Esc (the jobs view open and closed);
3. one dialog open and closed, in turn: ``?`` (help), ``:`` (the command line), ``D`` (the delete confirmation).

After each round it reads the console's RSS (``VmRSS`` in ``/proc/PID/status``); every ``--every`` rounds it also
asks the console (SIGUSR1, answered by a ``sitecustomize`` hook this script puts on the console's ``PYTHONPATH``;
the console itself is unchanged) for a full collection and its garbage collector's counts: objects tracked, live
screens, widgets and Textual ``FooterKey`` objects. It prints one line per sample, then the slope (least squares
over the rounds after the warm-up) in MB per 100 rounds and the memory after the last round.

Not a test: nothing here asserts; read the slope. One round is one screen round trip, one jobs view and one
dialog: ``--rounds 1000`` gives the README's "memory after 1,000 screen switches".
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from simserver import served_simulator  # noqa: E402
from terminal.harness import Terminal, console  # noqa: E402

PY = sys.executable
TOKEN = "soak-token"
ESC = "\x1b"

# Runs inside the console process (put on its PYTHONPATH as sitecustomize.py): on SIGUSR1, a full collection and
# the counts, written as JSON to $CLOUDZY_SOAK_REPORT (atomically: write, then rename).
HOOK = textwrap.dedent(
    """
    import gc, json, os, signal, sys

    def _report(signum, frame):
        path = os.environ.get("CLOUDZY_SOAK_REPORT")
        if not path:
            return
        gc.collect()
        objects = gc.get_objects()
        counts = {"objects": len(objects), "frozen": gc.get_freeze_count()}
        widget = screen = footer_key = None
        if "textual.widget" in sys.modules:
            widget = sys.modules["textual.widget"].Widget
            screen = sys.modules["textual.screen"].Screen
        footer_module = sys.modules.get("textual.widgets._footer")
        if footer_module is not None:
            footer_key = footer_module.FooterKey
        counts["widgets"] = sum(1 for o in objects if widget is not None and isinstance(o, widget))
        counts["screens"] = sum(1 for o in objects if screen is not None and isinstance(o, screen))
        counts["footer_keys"] = sum(1 for o in objects if footer_key is not None and isinstance(o, footer_key))
        del objects
        tmp = path + ".tmp"
        with open(tmp, "w") as handle:
            json.dump(counts, handle)
        os.replace(tmp, path)

    signal.signal(signal.SIGUSR1, _report)
    """
)


@contextmanager
def simulator(error_rate: float, latency_ms: float, instances: int) -> Iterator[str]:
    options = ["--instances", str(instances), "--error-rate", str(error_rate), "--latency-ms", str(latency_ms)]
    with served_simulator(TOKEN, *options, "--snapshot-failure-rate", "0") as url:
        yield url


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def gc_counts(term: Terminal, report: Path, timeout: float = 30.0) -> dict[str, int]:
    report.unlink(missing_ok=True)
    term.signal(signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while not report.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not answer SIGUSR1")
        time.sleep(0.02)
    return dict(json.loads(report.read_text()))


# ------------------------------------------------------------------ what the screen shows


def top(term: Terminal) -> str:
    return term.lines()[0]


def on_list(title: str) -> Callable[[Terminal], bool]:
    """The list ``title`` is in front and not loading (a load that failed counts: it ended)."""

    def check(term: Terminal) -> bool:
        line = top(term)
        return line.strip().startswith(title) and "loading" not in line and not dialog_open(term)

    return check


COMMAND_LINE = "instances, snapshots, backups"
DIALOG_MARKS = ("│ Jobs ", "│ Keys ", COMMAND_LINE, "│ Delete instance")


def dialog_open(term: Terminal) -> bool:
    text = term.text()
    return any(mark in text for mark in DIALOG_MARKS)


def shows(mark: str) -> Callable[[Terminal], bool]:
    return lambda term: mark in term.text()


def closed(term: Terminal) -> bool:
    return not dialog_open(term)


def go_to(term: Terminal, name: str, title: str, timeout: float) -> None:
    """``:`` then, once the command line is up, the name and Enter (as a person types: keys typed before the
    prompt is up are not what this measures)."""
    term.write(":")
    term.wait_for(shows(COMMAND_LINE), timeout, what="the command line")
    term.write(f"{name}\r")
    term.wait_for(on_list(title), timeout, what=f"the {title.lower()} list")


def one_round(term: Terminal, n: int, timeout: float) -> bool:
    """One round; False when the confirmation could not open (no row loaded under errors): it is skipped."""
    go_to(term, "snap", "Snapshots", timeout)
    go_to(term, "in", "Instances", timeout)
    term.write("J")
    term.wait_for(shows("│ Jobs "), timeout, what="the jobs view")
    term.write(ESC)
    term.wait_for(closed, timeout, what="the jobs view closed")
    which = n % 3
    if which == 0:
        term.write("?")
        term.wait_for(shows("│ Keys "), timeout, what="the help")
    elif which == 1:
        term.write(":")
        term.wait_for(shows(COMMAND_LINE), timeout, what="the command line")
    else:
        term.write("D")
        try:
            term.wait_for(shows("│ Delete instance"), min(timeout, 5.0), what="the delete confirmation")
        except AssertionError:
            return False
    term.write(ESC)
    term.wait_for(closed, timeout, what="the dialog closed")
    return True


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (round, value)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx if sxx else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1000, help="rounds after the warm-up (default 1000)")
    parser.add_argument("--warmup", type=int, default=20, help="rounds before the baseline (default 20)")
    parser.add_argument("--every", type=int, default=25, help="print (and count GC objects) every N rounds")
    parser.add_argument("--error-rate", type=float, default=0.0, help="the simulator's share of 500/503 replies")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the simulator's delay per request")
    parser.add_argument("--instances", type=int, default=0, help="extra instances in the simulator (scale)")
    parser.add_argument("--refresh", type=float, default=2.0, help="the console's refresh_seconds (default 2)")
    parser.add_argument("--size", default="120x40", help="terminal COLUMNSxROWS (default 120x40)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a step may take before giving up")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    args = parser.parse_args()
    columns, rows = (int(v) for v in args.size.lower().split("x"))

    samples: list[dict[str, Any]] = []
    skipped = 0
    with tempfile.TemporaryDirectory(prefix="cloudzy-soak-") as tmp_name:
        tmp = Path(tmp_name)
        hook_dir = tmp / "hook"
        hook_dir.mkdir()
        (hook_dir / "sitecustomize.py").write_text(HOOK)
        home = tmp / "home"
        config = home / ".config" / "cloudzy-tui"
        config.mkdir(parents=True)
        (config / "config.toml").write_text(f"refresh_seconds = {args.refresh}\n")
        report = tmp / "gc.json"
        with simulator(args.error_rate, args.latency_ms, args.instances) as url:
            env = {
                "CLOUDZY_API_URL": url,
                "CLOUDZY_API_TOKEN": TOKEN,
                "CLOUDZY_TUI_CONFIG_DIR": str(config),
                "CLOUDZY_SOAK_REPORT": str(report),
                "PYTHONPATH": f"{ROOT}{os.pathsep}{hook_dir}",
            }
            print(
                f"soak: {args.warmup} warm-up + {args.rounds} rounds at {columns}x{rows}, refresh {args.refresh}s, "
                f"error rate {args.error_rate}, latency {args.latency_ms} ms, {os.cpu_count()} CPUs",
                flush=True,
            )
            with console((), columns=columns, rows=rows, env=env, home=home) as term:
                pid = term.process.pid
                term.wait_for(on_list("Instances"), args.timeout, what="the first list")
                start = time.monotonic()
                print(
                    f"{'round':>6} {'RSS MB':>8} {'GC objects':>11} {'widgets':>8} {'screens':>8} "
                    f"{'FooterKey':>9} {'s/round':>8}",
                    flush=True,
                )
                last_time, last_round = start, 0
                total = args.warmup + args.rounds
                for n in range(total + 1):
                    if n and not one_round(term, n, args.timeout):
                        skipped += 1
                    sample: dict[str, Any] = {"round": n, "rss_mb": rss_mb(pid)}
                    if n % args.every == 0 or n in (args.warmup, total):
                        sample.update(gc_counts(term, report))
                        sample["rss_mb"] = rss_mb(pid)
                        now = time.monotonic()
                        pace = (now - last_time) / max(1, n - last_round)
                        last_time, last_round = now, n
                        print(
                            f"{n:>6} {sample['rss_mb']:>8.1f} {sample['objects']:>11} {sample['widgets']:>8} "
                            f"{sample['screens']:>8} {sample['footer_keys']:>9} {pace:>8.2f}",
                            flush=True,
                        )
                    samples.append(sample)
                elapsed = time.monotonic() - start

    after = [s for s in samples if s["round"] >= args.warmup]
    base = after[0]
    last = after[-1]
    rss_slope = slope([(s["round"], s["rss_mb"]) for s in after]) * 100
    counted = [s for s in after if "objects" in s]
    object_slope = slope([(s["round"], s["objects"]) for s in counted]) * 100
    print()
    print(
        f"rounds after warm-up: {args.rounds} ({skipped} confirmations skipped: no row loaded), "
        f"{elapsed / max(1, args.warmup + args.rounds):.2f} s/round"
    )
    print(
        f"RSS: {base['rss_mb']:.1f} MB after the warm-up -> {last['rss_mb']:.1f} MB after {args.rounds} rounds "
        f"({last['rss_mb'] - base['rss_mb']:+.1f} MB); slope {rss_slope:+.2f} MB per 100 rounds"
    )
    print(
        f"GC objects: {counted[0]['objects']} -> {counted[-1]['objects']}; slope {object_slope:+.0f} per 100 rounds; "
        f"FooterKey {counted[0]['footer_keys']} -> {counted[-1]['footer_keys']}; "
        f"screens {counted[0]['screens']} -> {counted[-1]['screens']}"
    )
    print(
        f"memory after {args.rounds:,} screen switches (+ as many jobs views and dialogs): "
        f"{last['rss_mb']:.0f} MB ({last['rss_mb'] - base['rss_mb']:+.1f} MB after warm-up)"
    )
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "samples": samples}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
