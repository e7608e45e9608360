"""The jobs view (``J``): jobs in flight and finished, with their elapsed time, updated live."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console
from textual.widgets import Static

from cloudzy_tui.ui.modals.jobs import JobsScreen

from .helpers import instance_record, loaded, settle, wait_for


def _shown(screen: JobsScreen) -> str:
    console = Console(width=160, file=io.StringIO(), color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(screen.query_one("#jobs-table", Static).content)
    return capture.get()


async def _snapshot_of(pilot: Any, simulator: Any, hostname: str) -> Any:
    screen = await loaded(pilot, "instances")
    record = instance_record(simulator, hostname)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    await pilot.press("S")
    await wait_for(pilot, lambda: any(s["instanceId"] == record.id for s in simulator.snapshots.values()))
    await settle(pilot)
    snapshot = next(s for s in simulator.snapshots.values() if s["instanceId"] == record.id)
    return next(j for j in pilot.app.jobs.jobs if j.target_id == snapshot.id)


async def test_jobs_view_lists_running_and_finished_jobs_with_elapsed_time(
    make_app: Any, simulator: Any, sim_clock: Any
) -> None:
    mono = [1000.0]
    app = make_app(monotonic=lambda: mono[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
        assert "No jobs yet" in _shown(pilot.app.screen)
        await pilot.press("escape")

        first = await _snapshot_of(pilot, simulator, "web-02")
        mono[0] += 65  # the first snapshot takes 1m05s
        sim_clock.advance(3)
        await wait_for(pilot, lambda: first.finished)
        assert first.state == "succeeded"

        second = await _snapshot_of(pilot, simulator, "web-03")  # started at 1065, still running
        mono[0] += 12

        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
        view = pilot.app.screen
        await pilot.pause()
        text = _shown(view)
        lines = {job: next(line for line in text.splitlines() if job.label in line) for job in (first, second)}
        assert re.search(r"succeeded\s+create snapshot web-02-\S+\s+ACTIVE\s+1m05s", lines[first])
        assert re.search(r"running\s+create snapshot web-03-\S+\s+IN_PROGRESS\s+12s", lines[second])
        assert "ACTIVE after" in lines[first]  # the finished job's note

        mono[0] += 3  # live: the running job's clock moves, the finished one's does not
        await wait_for(pilot, lambda: "15s" in next(line for line in _shown(view).splitlines() if second.label in line))
        assert "1m05s" in next(line for line in _shown(view).splitlines() if first.label in line)

        sim_clock.advance(3)  # the second finishes while the view is open
        await wait_for(pilot, lambda: second.finished)
        await wait_for(
            pilot, lambda: "succeeded" in next(line for line in _shown(view).splitlines() if second.label in line)
        )

        await pilot.press("x")  # clear finished
        await pilot.pause()
        assert "No jobs yet" in _shown(view)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, JobsScreen))
