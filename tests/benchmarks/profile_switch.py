"""What a profile switch costs, and whether switching leaks: two simulators (``cloudzy-tui sim`` subprocesses on
loopback), a config naming them as two profiles, the console built as ``cloudzy-tui`` builds it (headless), and N
switches back and forth with ``:profile NAME``.

Prints the median and p95 of the time from Enter to the new account's list loaded, and the threads, open file
descriptors and resident memory before and after (a leak shows as growth per switch).

    python tests/benchmarks/profile_switch.py [--switches 20] [--instances 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simserver import served_simulator

TOKEN_A = "bench-token-a-0123456789"
TOKEN_B = "bench-token-b-9876543210"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def measure(switches: int) -> dict[str, Any]:
    from cloudzy_tui.connect import ProfileSwitcher, open_console
    from cloudzy_tui.ui.app import CloudzyApp
    from cloudzy_tui.ui.modals.command_line import CommandLine
    from cloudzy_tui.ui.screens.resource import ResourceScreen

    switcher = ProfileSwitcher(startup="alpha")
    connection = switcher.resolve("alpha")
    app = CloudzyApp(connection=open_console(connection, switcher.token(connection)), profiles=switcher)
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:

        async def until(predicate: Any, timeout: float = 60.0) -> None:
            deadline = time.perf_counter() + timeout
            while not predicate():
                if time.perf_counter() > deadline:
                    raise RuntimeError("timed out")
                await asyncio.sleep(0.005)

        def loaded(old: Any = None) -> bool:
            screen = app.screen
            return (
                isinstance(screen, ResourceScreen)
                and screen is not old
                and screen.loaded_once
                and not screen.fetching
                and not app.switching_profile
            )

        await until(loaded)
        before = {"threads": threading.active_count(), "fds": fds(), "rss_mb": rss_mb()}
        for n in range(switches):
            name = "beta" if n % 2 == 0 else "alpha"
            old = app.screen
            await pilot.press("colon")
            await until(lambda: isinstance(app.screen, CommandLine))
            await pilot.press(*f"profile {name}")
            start = time.perf_counter()
            await pilot.press("enter")
            await until(lambda o=old: loaded(o))
            times.append(time.perf_counter() - start)
            assert app.profile_name == name
        await pilot.pause()
        after = {"threads": threading.active_count(), "fds": fds(), "rss_mb": rss_mb()}
    return {"times": times, "before": before, "after": after}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--instances", type=int, default=0, help="extra instances in each account")
    args = parser.parse_args()
    extra = ("--instances", str(args.instances)) if args.instances else ()
    with (
        tempfile.TemporaryDirectory() as home,
        served_simulator(TOKEN_A, *extra) as url_a,
        served_simulator(TOKEN_B, *extra) as url_b,
    ):
        config = Path(home) / "config" / "config.toml"
        config.parent.mkdir()
        config.write_text(
            f'default_profile = "alpha"\nrefresh_seconds = 0\ncache = false\n\n'
            f'[profiles.alpha]\napi_url = "{url_a}"\ntoken = "{TOKEN_A}"\n\n'
            f'[profiles.beta]\napi_url = "{url_b}"\ntoken = "{TOKEN_B}"\nread_only = true\n'
        )
        config.chmod(0o600)
        os.environ["CLOUDZY_TUI_CONFIG_DIR"] = str(config.parent)
        os.environ["CLOUDZY_TUI_STATE_DIR"] = str(Path(home) / "state")
        for name in ("CLOUDZY_API_TOKEN", "CLOUDZY_API_URL", "CLOUDZY_PROFILE"):
            os.environ.pop(name, None)
        result = asyncio.run(measure(args.switches))
    times = sorted(result["times"])
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"profile switches: {len(times)} (accounts of {31 + args.instances}+ instances, loopback)")
    median = statistics.median(times) * 1000
    print(f"  Enter -> new account's list loaded: median {median:.0f} ms, p95 {p95 * 1000:.0f} ms")
    before, after = result["before"], result["after"]
    for key in ("threads", "fds", "rss_mb"):
        print(f"  {key:8} before {before[key]:8.1f}  after {after[key]:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
