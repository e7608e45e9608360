"""Regenerate ``screenshots/`` from the seeded simulator: ``.venv/bin/python tests/screenshots.py``.

Every scene of ``tests/ui/scenarios.py`` (the same ones the snapshot tests check) is rendered to an SVG at 120x40,
plus the instances screen at 80x24 (an SSH session) and 170x45 (detail beside the table). Deterministic: seeded
simulator on a fake clock, frozen console clocks; the token shown nowhere (the demo token is not a secret, and the
status bar names only the API).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import FROZEN_NOW, TOKEN, make_client  # noqa: E402
from ui.scenarios import SCENARIOS, Scenario, by_name  # noqa: E402

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator  # noqa: E402
from cloudzy_tui.ui.app import CloudzyApp  # noqa: E402


def new_app() -> CloudzyApp:
    simulator = Simulator(
        SimConfig(seed=1, token=TOKEN, job_seconds=2.0, clock=FakeClock(start=FROZEN_NOW), snapshot_failure_rate=0.0)
    )
    return CloudzyApp(
        make_client(simulator),
        api_label="demo · embedded simulator",
        clock=lambda: FROZEN_NOW,
        monotonic=lambda: 1000.0,
        refresh_seconds=0,
        job_interval=0.02,
    )


async def render(scenario: Scenario, size: tuple[int, int]) -> str:
    app = new_app()
    async with app.run_test(size=size) as pilot:
        await scenario.steps(pilot)
        await pilot.pause()
        return app.export_screenshot(title=f"cloudzy-tui — {scenario.description or scenario.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE.parent / "screenshots")
    parser.add_argument("names", nargs="*", help="only these screenshots (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, Scenario, tuple[int, int]]] = [(s.name, s, (120, 40)) for s in SCENARIOS]
    jobs.append(("instances-80x24", by_name("instances"), (80, 24)))
    jobs.append(("instances-wide", by_name("instances"), (170, 45)))
    if args.names:
        jobs = [job for job in jobs if job[0] in args.names]
    for name, scenario, size in jobs:
        svg = asyncio.run(render(scenario, size))
        path = args.out / f"{name}.svg"
        path.write_text(svg, encoding="utf-8")
        print(f"{path}  {size[0]}x{size[1]}")
    print(f"{len(jobs)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
