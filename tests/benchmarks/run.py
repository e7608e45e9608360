"""The performance benchmark: ``.venv/bin/python tests/benchmarks/run.py [--runs 5] [--instances 10000]``.

Starts the simulator with 10,000 extra instances on a loopback socket (a separate process, as a real API would
be), then measures cold console processes driven headless (``probe.py``), the bare API client, and the job
poller, and prints each figure as a median of several runs beside the floor it is measured against and the
target of issue 6. Not a test: nothing here asserts; these machines are noisy, so read medians and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from simserver import served_simulator  # noqa: E402

PY = sys.executable
TOKEN = "bench-token"


@contextmanager
def simulator(instances: int, job_seconds: float = 3.0) -> Iterator[str]:
    with served_simulator(TOKEN, "--instances", str(instances), "--job-seconds", str(job_seconds)) as url:
        yield url


def cold(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def probe(url: str, runs: int) -> list[dict[str, Any]]:
    results = []
    for i in range(runs):
        spawned = time.time()
        out = subprocess.run(
            [PY, str(HERE / "probe.py"), url, TOKEN, repr(spawned)], capture_output=True, text=True, timeout=300
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(
            f"  console run {i + 1}/{runs}: first rows {results[-1]['first_rows_s']:.2f}s, "
            f"all {results[-1]['all_rows_s']:.2f}s",
            file=sys.stderr,
        )
    return results


async def bare_client_walk(url: str) -> tuple[float, int, float]:
    """Wall time, count, and CPU time of this (the event loop's) thread for a walk of every instance."""
    from cloudzy_tui.api import CloudzyClient

    async with CloudzyClient(url, TOKEN) as client:
        start = time.perf_counter()
        cpu = time.thread_time()
        count = 0
        async for page in client.instances.pages(page_size=100):
            count += len(page.items)
        return time.perf_counter() - start, count, (time.thread_time() - cpu) * 1000


async def bare_first_page(url: str) -> float:
    from cloudzy_tui.api import CloudzyClient

    async with CloudzyClient(url, TOKEN) as client:
        start = time.perf_counter()
        async for _page in client.instances.pages(page_size=100):
            break
        return time.perf_counter() - start


async def key_floor() -> float:
    """Keypress to frame on a bare Textual app (one line that changes per key), measured as probe.py does."""
    from textual import events
    from textual.app import App
    from textual.binding import Binding
    from textual.widgets import Static

    class Bare(App[None]):
        BINDINGS = [Binding("down", "bump", "Bump")]
        count = 0

        def compose(self):  # type: ignore[no-untyped-def]
            yield Static("0", id="n")

        def action_bump(self) -> None:
            self.count += 1
            self.query_one("#n", Static).update(str(self.count))

    app = Bare()
    frames: list[float] = [0.0]
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
                frames.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]
        driver = app._driver
        assert driver is not None
        for _ in range(40):
            await pilot.pause()
            start = time.perf_counter()
            driver.send_message(events.Key("down", None))
            while frames[-1] <= start:
                await asyncio.sleep(0)
            times.append((frames[-1] - start) * 1000)
    return statistics.median(times)


async def poller(url: str, jobs: int, seconds: float) -> dict[str, Any]:
    """Follow ``jobs`` in-flight snapshots for ``seconds``: requests per minute, overlap."""
    from cloudzy_tui.api import CloudzyClient, CloudzyError
    from cloudzy_tui.core.jobs import Expectation, JobTracker

    events: list[Any] = []
    async with CloudzyClient(url, TOKEN) as client:
        instances = [i for i in await client.instances.list_all() if i.status == "active"][: jobs + 10]
        snapshots = []
        for inst in instances:
            try:
                snap = await client.snapshots.create(inst.id)
            except CloudzyError:  # e.g. a seeded snapshot of this instance is already in progress
                continue
            if snap is not None and len(snapshots) < jobs:
                snapshots.append(snap)
        client.on_event = events.append
        tracker = JobTracker(client, min_interval=1.0, max_interval=10.0)
        for snap in snapshots:
            tracker.track(
                kind="snapshot",
                target_id=snap.id,
                label=snap.name or snap.id,
                action="create",
                expect=Expectation.snapshot_created(),
            )
        task = asyncio.create_task(tracker.run())
        await asyncio.sleep(seconds)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    gets = [e for e in events if e.method == "GET"]
    details = [e for e in gets if re.search(r"/v1/snapshots/[^/]+$", e.path)]
    return {
        "jobs": len(snapshots),
        "requests": len(gets),
        "per_minute": len(gets) * 60 / seconds,
        "detail_calls": len(details),
    }


def fmt(value: float, unit: str) -> str:
    return (
        f"{value:.0f} {unit}"
        if unit == "ms" and value >= 10
        else f"{value:.2f} {unit}"
        if unit == "s"
        else (f"{value:.1f} {unit}")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--poll-seconds", type=float, default=60.0)
    parser.add_argument("--presses", type=int, default=10, help="bytes per key: presses per figure (wire.py)")
    parser.add_argument("--idle", type=float, default=20.0, help="idle traffic: seconds measured (wire.py)")
    parser.add_argument("--large", type=int, default=50_000, help="instances for the large-account figures (0: skip)")
    args = parser.parse_args()
    os.environ.setdefault("CLOUDZY_TUI_STATE_DIR", str(Path("/tmp") / "cloudzy-bench-state"))

    print(
        f"cloudzy-tui benchmark: {args.instances} instances, {args.runs} runs, {os.cpu_count()} CPUs", file=sys.stderr
    )
    import_floor = cold([PY, "-c", "import textual.app"], args.runs)
    python_floor = cold([PY, "-c", "pass"], args.runs)
    help_time = cold([PY, "-m", "cloudzy_tui", "--help"], args.runs)

    with simulator(args.instances) as url:
        walks = [asyncio.run(bare_client_walk(url)) for _ in range(args.runs)]
        first_pages = [asyncio.run(bare_first_page(url)) for _ in range(args.runs)]
        results = probe(url, args.runs)
    with simulator(200, job_seconds=3600) as url:
        poll = asyncio.run(poller(url, 100, args.poll_seconds))
    floor_key = asyncio.run(key_floor())
    # Bytes on the wire per key (through a pseudo-terminal, beside a stock DataTable in the same run), and the
    # large account (issue 11.2).
    sys.path.insert(0, str(HERE))
    from large import large_rows
    from wire import wire_rows

    wire = wire_rows(args.presses, args.idle)
    large = large_rows(args.large, 1) if args.large else []

    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    keys = [k for r in results for k in r["key_ms"]]
    keys.sort()
    p95 = keys[int(len(keys) * 0.95) - 1]
    switch = statistics.median(k for r in results for k in r["switch_ms"])
    during = sorted(k for r in results for k in r["key_during_refresh_ms"]) or [0.0]
    during_p95 = during[max(0, int(len(during) * 0.95) - 1)]
    rows = [
        (
            "time to first rows (cold process)",
            fmt(med("first_rows_s"), "s"),
            "< 1 s",
            f"import textual.app {fmt(import_floor, 's')}; first API page "
            f"{fmt(statistics.median(first_pages) * 1000, 'ms')}",
        ),
        (
            "time to all rows",
            fmt(med("all_rows_s"), "s"),
            "background, UI live",
            f"bare client walk of {walks[0][1]} instances {fmt(statistics.median(w[0] for w in walks), 's')}",
        ),
        (
            "keypress → repaint, median",
            fmt(statistics.median(keys), "ms"),
            "< 16 ms",
            f"bare Textual app, one line changing {fmt(floor_key, 'ms')}",
        ),
        ("keypress → repaint, p95", fmt(p95, "ms"), "", ""),
        ("switch screen (':keys' / ':in', 5 keys)", fmt(switch, "ms"), "", ""),
        (
            "filter, last keystroke → table",
            fmt(med("filter_last_key_ms"), "ms"),
            "< 100 ms",
            f"last instance found: {all(r['filter_found'] for r in results)}",
        ),
        (
            "refresh of all rows, UI-thread CPU",
            fmt(med("refresh_cpu_ms"), "ms"),
            "< 100 ms",
            f"bare client walk, same thread {fmt(statistics.median(w[2] for w in walks), 'ms')}; "
            f"wall {fmt(med('refresh_wall_ms'), 'ms')}; cursor kept {all(r['refresh_kept_cursor'] for r in results)}, "
            f"scroll kept {all(r['refresh_kept_scroll'] for r in results)}",
        ),
        (
            "keypress → repaint during that refresh",
            fmt(statistics.median(during), "ms"),
            "no frozen UI",
            f"p95 {fmt(during_p95, 'ms')}",
        ),
        (
            "poller, 100 snapshot jobs",
            f"{poll['per_minute']:.0f} req/min",
            "bounded, list calls",
            f"{poll['jobs']} jobs, {poll['detail_calls']} detail calls in {args.poll_seconds:.0f}s",
        ),
        ("peak RSS, all rows loaded", fmt(med("rss_peak_mb"), "MB"), "< 200 MB", ""),
        ("cloudzy-tui --help (cold)", fmt(help_time, "s"), "lazy imports", f"python -c pass {fmt(python_floor, 's')}"),
        *wire,
        *large,
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'median':>12}  {'target':<20}  floor / notes")
    for name, value, target, floor in rows:
        print(f"{name:<{width}}  {value:>12}  {target:<20}  {floor}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
