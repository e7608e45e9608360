"""Marks on a large account: what ``space``, ``*`` and ``esc`` cost at 50,000 instances, and opening a bulk dialog.

``.venv/bin/python tests/benchmarks/marks.py [--instances 50000] [--runs 1]`` starts ``cloudzy-tui sim --instances N``
on a loopback socket, then one console headless in this process (as ``large.py`` does: every frame turned into
terminal output) and prints, key → the frame that shows its effect:

* a cursor move with nothing marked, median of 20 (each one scrolls the table by a row, as every move below does);
  ``space`` (mark, move down), median of 20; a cursor move with every row marked, median of 20 (marks must not
  slow moving around);
* ``*`` marking every row (50,000), ``*`` again unmarking them, ``esc`` clearing 50,000 marks;
* ``p`` with ~1,000 rows marked (a filter, then ``*``) → the bulk confirmation painted (the plan of 1,000 targets
  and its list).

Not a test: nothing asserts; read the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from frames import FrameClock  # noqa: E402
from wire import TOKEN, simulator  # noqa: E402

FILTER = "fleet-00"  # about 1,000 generated instances (fleet-00001 ... fleet-00999)


async def measure(url: str) -> dict[str, Any]:
    from textual import events
    from textual.keys import key_to_character

    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.ui.app import CloudzyApp
    from cloudzy_tui.ui.modals.bulk_confirm import BulkConfirmModal
    from cloudzy_tui.ui.screens.resource import ResourceScreen

    client = CloudzyClient(url, TOKEN)
    app = CloudzyApp(client, api_label="bench", refresh_seconds=0, list_client=CloudzyClient(url, TOKEN))
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        driver = app._driver
        assert driver is not None
        frames = FrameClock(app)

        def screen() -> ResourceScreen[Any]:
            current = pilot.app.screen
            assert isinstance(current, ResourceScreen)
            return current

        async def painted_after(start: float, condition: Any = None) -> float:
            return (await frames.painted_after(start, condition, 60.0)) * 1000

        def key(name: str) -> events.Key:
            return events.Key(name, key_to_character(name))

        async def press(name: str, condition: Any = None) -> float:
            await pilot.pause()
            start = time.perf_counter()
            driver.send_message(key(name))
            took = await painted_after(start, condition)
            await pilot.pause()
            return took

        while not (isinstance(pilot.app.screen, ResourceScreen) and screen().loaded_once and not screen().fetching):
            await asyncio.sleep(0.05)
        await pilot.pause()
        rows = len(screen().model)
        out["rows"] = rows

        for _ in range(3):  # the cursor at the bottom of the view: every move below scrolls the table by one row
            await press("pagedown")
        out["move_ms"] = statistics.median([await press("down") for _ in range(20)])
        spaces = [await press("space", lambda n=n: len(screen().marks) == n + 1) for n in range(20)]
        out["space_ms"] = statistics.median(spaces)
        out["mark_all_ms"] = await press("asterisk", lambda: len(screen().marks) == rows)
        moves = [await press("down") for _ in range(20)]
        out["move_all_marked_ms"] = statistics.median(moves)
        out["unmark_all_ms"] = await press("asterisk", lambda: not screen().marks)
        await press("asterisk", lambda: len(screen().marks) == rows)
        out["esc_clear_ms"] = await press("escape", lambda: not screen().marks)

        await pilot.press("slash", *FILTER, "enter")
        while screen().filter_text != FILTER or screen().table.row_count >= rows:
            await asyncio.sleep(0.01)
        await pilot.pause()
        shown = screen().table.row_count
        await press("asterisk", lambda: len(screen().marks) == shown)
        out["marked_for_dialog"] = len(screen().marks)
        out["bulk_dialog_ms"] = await press("p", lambda: isinstance(pilot.app.screen, BulkConfirmModal))
        await pilot.press("escape")
    return out


def marks_rows(instances: int, runs: int) -> list[tuple[str, str, str]]:
    results = []
    with simulator(instances) as url:
        for _ in range(runs):
            results.append(asyncio.run(measure(url)))
            print(f"  {results[-1]}", file=sys.stderr)

    def med(name: str) -> float:
        return statistics.median(r[name] for r in results)

    rows = results[0]["rows"]
    return [
        (f"cursor move at {rows:,} instances, nothing marked, median", f"{med('move_ms'):.1f} ms", ""),
        (f"space (mark, move down) at {rows:,} instances, median", f"{med('space_ms'):.1f} ms", ""),
        (f"* marks all {rows:,} rows", f"{med('mark_all_ms'):.0f} ms", ""),
        ("cursor move with every row marked, median", f"{med('move_all_marked_ms'):.1f} ms", ""),
        (f"* again unmarks all {rows:,}", f"{med('unmark_all_ms'):.0f} ms", ""),
        (f"esc clears {rows:,} marks", f"{med('esc_clear_ms'):.0f} ms", ""),
        (
            f"p with {results[0]['marked_for_dialog']:,} rows marked → bulk confirmation painted",
            f"{med('bulk_dialog_ms'):.0f} ms",
            "the plan of every target and its list",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rows = marks_rows(args.instances, args.runs)
    width = max(len(r[0]) for r in rows)
    for name, value, notes in rows:
        print(f"{name:<{width}}  {value:>10}  {notes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
