"""Fast over a slow API (issue 17): ``.venv/bin/python tests/benchmarks/slowapi.py [--runs 3] [--instances 10000]``.

For each latency (100 ms and 300 ms a request) it starts ``cloudzy-tui sim --instances N --latency-ms L`` on a
loopback socket (a separate process), then measures with the API client, through the console's default request
budget (``RequestBudget(600)``):

* the **sequential floor** in the same run: the median time of one ``GET /v1/instances?limit=100`` times the
  pages a walk needs, and the plain sequential walk itself;
* **all rows** with the partitioned walk the console uses (6 creation-time chains), and the requests it cost
  (from the simulator's own counters, ``GET /_sim/requests``).

Then, at 2 s a request, the **first rows on restart**: a cold headless console process (as ``cloudzy-tui``
starts: two clients, the budget, the list cache) from its spawn to the first rows in its table, with the cache
filled by an earlier run and without it. Last, the **idle cost**: a console at 100 ms with the instance list on
screen, left alone ``--idle-minutes`` (default 12: one full walk falls in it), its requests counted by the
simulator.

Not a test: nothing is asserted; read the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simserver import served_simulator

from cloudzy_tui.api import DEFAULT_PARTITIONS, CloudzyClient, RequestBudget, WalkStats

T_START = time.time()  # after the imports a console needs (the API client; Textual's come with the app below)

PY = sys.executable
TOKEN = "bench-token"


@contextmanager
def simulator(instances: int, latency_ms: float) -> Iterator[str]:
    with served_simulator(TOKEN, "--instances", str(instances), "--latency-ms", str(latency_ms)) as url:
        yield url


def sim_requests(url: str, reset: bool = False) -> int:
    root = url.removesuffix("/developers")
    request = urllib.request.Request(f"{root}/_sim/requests", method="DELETE" if reset else "GET")
    with urllib.request.urlopen(request, timeout=10) as reply:
        body = json.loads(reply.read())
    total = body.get("total", body.get("data", {}).get("total") if isinstance(body.get("data"), dict) else None)
    return int(total) if isinstance(total, int | float) else 0


async def one_request(client: CloudzyClient) -> float:
    start = time.perf_counter()
    await client._transport.request("GET", "/v1/instances", params={"limit": 100})
    return time.perf_counter() - start


async def walk(url: str, partitions: int) -> tuple[float, float, int, int, WalkStats]:
    """(seconds to the first page, seconds to all rows, rows, requests counted by the simulator, stats)."""
    sim_requests(url, reset=True)
    stats = WalkStats()
    async with CloudzyClient(url, TOKEN, budget=RequestBudget(600)) as client:
        start = time.perf_counter()
        first = 0.0
        rows = 0
        async for page in client.instances.pages(page_size=100, partitions=partitions, stats=stats):
            rows += len(page.items)
            if not first and rows:
                first = time.perf_counter() - start
        elapsed = time.perf_counter() - start
    return first, elapsed, rows, sim_requests(url), stats


async def measure(url: str, runs: int) -> dict[str, float]:
    async with CloudzyClient(url, TOKEN) as client:
        rtts = [await one_request(client) for _ in range(5)]
    rtt = statistics.median(rtts)
    seq = [await walk(url, 1) for _ in range(runs)]
    part = [await walk(url, DEFAULT_PARTITIONS) for _ in range(runs)]
    rows = seq[0][2]
    pages = math.ceil(rows / 100) + 1
    return {
        "rtt": rtt,
        "rows": rows,
        "floor": rtt * pages,
        "sequential": statistics.median(r[1] for r in seq),
        "sequential_requests": statistics.median(r[3] for r in seq),
        "partitioned": statistics.median(r[1] for r in part),
        "partitioned_first": statistics.median(r[0] for r in part),
        "partitioned_requests": statistics.median(r[3] for r in part),
        "partitioned_rows": statistics.median(r[2] for r in part),
        "chains": statistics.median(r[4].chains for r in part),
    }


async def console(url: str, mode: str, cache_dir: str, spawned: float, idle_seconds: float) -> dict[str, float]:
    """One headless console (as ``cloudzy-tui`` starts it: two clients, the default request budget, refresh
    every 15 s, the list cache when ``cache_dir`` is given)."""
    from cloudzy_tui.core.cache import ListCache
    from cloudzy_tui.ui.app import CloudzyApp
    from cloudzy_tui.ui.screens.resource import ResourceScreen

    budget = RequestBudget(600)
    cache = (
        ListCache(Path(cache_dir) / "lists.sqlite3", api_url=url, token=TOKEN, profile="bench") if cache_dir else None
    )
    app = CloudzyApp(
        CloudzyClient(url, TOKEN),
        api_label="bench",
        refresh_seconds=15,
        list_client=CloudzyClient(url, TOKEN),
        budget=budget,
        list_cache=cache,
    )
    out: dict[str, float] = {"import_s": T_START - spawned}
    async with app.run_test(size=(120, 40)) as pilot:
        started = time.time()

        def screen() -> ResourceScreen[object] | None:
            current = pilot.app.screen
            return current if isinstance(current, ResourceScreen) else None

        while (s := screen()) is None or s.table.row_count == 0:
            await asyncio.sleep(0.002)
        out["first_rows_s"] = time.time() - spawned  # rows in the table (Textual paints them on its next frame)
        out["first_rows_after_start_s"] = time.time() - started
        out["first_rows"] = s.table.row_count
        out["first_rows_cached"] = 1.0 if s.cached_at is not None else 0.0
        while s.fetching or not s.loaded_once:
            await asyncio.sleep(0.01)
        await pilot.pause()
        out["all_rows_s"] = time.time() - spawned
        out["rows"] = len(s.model)
        if mode == "idle":
            await asyncio.sleep(2)  # the walk's writes (cache) and the catalog settle
            sim_requests(url, reset=True)
            await asyncio.sleep(idle_seconds)
            out["idle_requests"] = sim_requests(url)
            out["idle_per_minute"] = out["idle_requests"] * 60 / idle_seconds
            out["status_rate"] = app.request_rate() or 0.0
            out["full_period_s"] = app.freshness.full_period("instances", 15)
            out["full_cost"] = app.freshness.full_cost("instances")
    return out


def run_console(url: str, mode: str, cache_dir: str = "", idle_seconds: float = 0) -> dict[str, float]:
    spawned = time.time()
    proc = subprocess.run(
        [PY, __file__, "--console", url, mode, cache_dir or "-", repr(spawned), str(idle_seconds)],
        capture_output=True,
        text=True,
        timeout=idle_seconds + 600,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"console run failed: {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--latency", type=float, nargs="*", default=[100.0, 300.0])
    parser.add_argument(
        "--idle-minutes",
        type=float,
        default=12.0,
        help="how long the idle console is watched (a full walk of 10,000 instances comes every ~11 min)",
    )
    parser.add_argument("--no-restart", action="store_true", help="skip the restart figures")
    parser.add_argument("--console", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.console:
        url, mode, cache_dir, spawned, idle_seconds = args.console
        result = asyncio.run(
            console(url, mode, "" if cache_dir == "-" else cache_dir, float(spawned), float(idle_seconds))
        )
        print(json.dumps(result))
        return
    print(f"{args.instances} instances, medians of {args.runs} runs, budget RequestBudget(600) (burst 150)")
    print(
        f"{'RTT':>6} | {'floor':>7} | {'sequential':>10} | {'partitioned':>11} | {'first page':>10} | requests seq/part"
        " | chains"
    )
    for latency in args.latency:
        with simulator(args.instances, latency) as url:
            r = asyncio.run(measure(url, args.runs))
        print(
            f"{latency:4.0f}ms | {r['floor']:6.2f}s | {r['sequential']:9.2f}s | {r['partitioned']:10.2f}s | "
            f"{r['partitioned_first']:9.2f}s | {r['sequential_requests']:.0f}/{r['partitioned_requests']:.0f}"
            f" | {r['chains']:.0f}   (rows {r['rows']}/{r['partitioned_rows']:.0f},"
            f" one request {r['rtt'] * 1000:.0f} ms)"
        )
    if not args.no_restart:
        restart_figures(args)
    if args.idle_minutes > 0:
        idle_figures(args)


def restart_figures(args: argparse.Namespace) -> None:
    with simulator(args.instances, 2000) as url, tempfile.TemporaryDirectory() as tmp:
        warm = run_console(url, "load", tmp)  # fills the cache (and measures a start without it)
        restarts = [run_console(url, "load", tmp) for _ in range(args.runs)]
        cold = [run_console(url, "load", "") for _ in range(max(1, args.runs - 1))]

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(
        f"first rows on restart at 2 s RTT, from the process's spawn: {med(restarts, 'first_rows_s'):.2f}s from the "
        f"cache ({med(restarts, 'first_rows'):.0f} rows first, marked cached: "
        f"{all(r['first_rows_cached'] for r in restarts)}); without it {med(cold, 'first_rows_s'):.2f}s "
        f"(first start {warm['first_rows_s']:.2f}s)"
    )
    print(
        f"  the same from the app's start (imports excluded): {med(restarts, 'first_rows_after_start_s'):.2f}s cached,"
        f" {med(cold, 'first_rows_after_start_s'):.2f}s without; imports {med(restarts, 'import_s'):.2f}s; "
        f"all rows {med(restarts, 'all_rows_s'):.1f}s"
    )


def idle_figures(args: argparse.Namespace) -> None:
    if args.idle_minutes > 0:
        with simulator(args.instances, 100) as url:
            idle = run_console(url, "idle", "", args.idle_minutes * 60)
        print(
            f"idle console, list on screen, 100 ms RTT, {args.idle_minutes:g} min: "
            f"{idle['idle_per_minute']:.1f} requests/minute ({idle['idle_requests']:.0f} requests; status bar said "
            f"{idle['status_rate']:.0f} req/min; full walk every {idle['full_period_s']:.0f}s at "
            f"{idle['full_cost']:.0f} requests)"
        )


if __name__ == "__main__":
    main()
