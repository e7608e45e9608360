"""Fast over a slow API (issue 17): ``.venv/bin/python tests/benchmarks/slowapi.py [--runs 3] [--instances 10000]``.

For each latency (100 ms and 300 ms a request) it starts ``cloudzy-tui sim --instances N --latency-ms L`` on a
loopback socket (a separate process), then measures with the API client, through the console's default request
budget (``RequestBudget(600)``):

* the **sequential floor** in the same run: the median time of one ``GET /v1/instances?limit=100`` times the
  pages a walk needs, and the plain sequential walk itself;
* **all rows** with the partitioned walk the console uses (6 creation-time chains), and the requests it cost
  (from the simulator's own counters, ``GET /_sim/requests``).

Then, at 2 s a request, the **first rows on restart** from the local cache (the cache's read time; the network
is not waited for), if the cache module is present.

Not a test: nothing is asserted; read the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cloudzy_tui.api import DEFAULT_PARTITIONS, CloudzyClient, RequestBudget, WalkStats

PY = sys.executable
TOKEN = "bench-token"


@contextmanager
def simulator(instances: int, latency_ms: float) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "cloudzy_tui",
            "sim",
            "--port",
            "0",
            "--token",
            TOKEN,
            "--instances",
            str(instances),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
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


def cache_restart(url: str, runs: int) -> float | None:
    """Seconds from nothing to the cached rows in hand at 2 s RTT (the cache's read), or None without a cache."""
    try:
        from cloudzy_tui.core.cache import ListCache
    except ImportError:
        return None

    async def fill(path: Path) -> None:
        cache = ListCache(path, api_url=url, token=TOKEN, profile="bench")
        async with CloudzyClient(url, TOKEN) as client:
            items = [i async for p in client.instances.pages(partitions=DEFAULT_PARTITIONS) for i in p.items]
        cache.store("instances", [i.model_dump(mode="json", by_alias=True) for i in items])
        cache.close()

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lists.sqlite3"
        asyncio.run(fill(path))
        for _ in range(runs):
            start = time.perf_counter()
            cache = ListCache(path, api_url=url, token=TOKEN, profile="bench")
            cached = cache.load("instances")
            assert cached is not None and cached.rows
            times.append(time.perf_counter() - start)
            cache.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--latency", type=float, nargs="*", default=[100.0, 300.0])
    args = parser.parse_args()
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
            f" | {r['chains']:.0f}   (rows {r['rows']}/{r['partitioned_rows']:.0f}, one request {r['rtt'] * 1000:.0f} ms)"
        )
    with simulator(args.instances, 2000) as url:
        restart = cache_restart(url, args.runs)
    if restart is None:
        print("first rows on restart (2 s RTT, from the cache): no cache module")
    else:
        print(f"first rows on restart (2 s RTT, from the cache): {restart:.3f}s (the network is not waited for)")


if __name__ == "__main__":
    main()
