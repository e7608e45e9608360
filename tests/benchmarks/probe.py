"""One cold console process against a simulator URL; prints its measurements as one JSON line.

Run by ``run.py`` (``python tests/benchmarks/probe.py URL TOKEN SPAWN_EPOCH``). Headless (Textual's run_test), so
"painted" means: the rows are in the table and the screen has been composited.
"""

from __future__ import annotations

import time

T_IMPORT_START = time.time()

import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def probe(url: str, token: str, spawned: float) -> dict[str, Any]:
    from textual import events

    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.ui.app import CloudzyApp
    from cloudzy_tui.ui.screens.resource import ResourceScreen

    result: dict[str, Any] = {"import_s": time.time() - T_IMPORT_START}
    # As `cloudzy-tui` starts against a real API: a client for actions, a read-only one for list walks.
    client = CloudzyClient(url, token)
    app = CloudzyApp(client, api_label="bench", refresh_seconds=0, list_client=CloudzyClient(url, token))
    async with app.run_test(size=(120, 40)) as pilot:
        # Every frame Textual paints goes through App._display. Headless, Textual skips turning the frame into
        # terminal output; do it here (as a terminal run would) and record when each frame is ready to write.
        driver = app._driver
        assert driver is not None
        writes: list[float] = [0.0]
        original_display = app._display

        def display(screen: Any, renderable: Any) -> None:
            original_display(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
                writes.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]

        async def painted_after(start: float, timeout: float = 5.0) -> float:
            """Seconds from ``start`` to the first frame written after it."""
            deadline = time.perf_counter() + timeout
            while writes[-1] <= start and time.perf_counter() < deadline:
                await asyncio.sleep(0)
            return writes[-1] - start

        def screen() -> ResourceScreen[Any]:
            current = pilot.app.screen
            assert isinstance(current, ResourceScreen)
            return current

        while not (isinstance(pilot.app.screen, ResourceScreen) and screen().table.row_count > 0):
            await asyncio.sleep(0.001)
        seen = time.perf_counter()
        result["first_rows_count"] = screen().table.row_count
        await painted_after(seen)
        result["first_rows_s"] = time.time() - spawned
        while screen().fetching or not screen().loaded_once:
            await asyncio.sleep(0.005)
        await pilot.pause()
        result["all_rows_s"] = time.time() - spawned
        result["rows"] = len(screen().model)
        result["rss_loaded_mb"] = rss_mb()

        # Keypress to repaint: the key event goes in as a terminal's would; the time until the next frame is
        # written out is the latency a person sees (Textual paints at most 60 times a second).
        async def timed(*keys: str) -> float:
            *before, last = keys
            if before:
                await pilot.press(*before)
            await pilot.pause()
            start = time.perf_counter()
            char = last if len(last) == 1 else None
            driver.send_message(events.Key(last, char))
            elapsed = await painted_after(start)
            await pilot.pause()
            return elapsed * 1000

        keys: list[float] = []
        for _ in range(30):
            keys.append(await timed("down"))
        for _ in range(15):
            keys.append(await timed("pagedown"))
        for _ in range(15):
            keys.append(await timed("up"))
        result["key_ms"] = keys
        switches: list[float] = []
        for _ in range(5):  # the Enter that switches screens, to the first frame of the other screen
            switches.append(await timed("colon", "k", "e", "y", "s", "enter"))
            await pilot.pause(0.3)
            switches.append(await timed("colon", "i", "n", "enter"))
            await pilot.pause(0.3)
        result["switch_ms"] = switches

        # Filter as you type: the last instance, by name.
        last = max(screen().model.items.values(), key=lambda i: i.hostname or "")
        await pilot.press("slash")
        per_key: list[float] = []
        for char in last.hostname or "":
            per_key.append(await timed(char))
            await pilot.pause()
        result["filter_last_key_ms"] = per_key[-1]
        result["filter_keys_ms"] = per_key
        result["filter_found"] = screen().table.row_count == 1 and screen().table.cursor_key == last.id
        await pilot.press("escape")
        await pilot.pause()

        # A live refresh of every row: UI-thread CPU time (the event loop runs on this thread).
        screen().table.move_cursor_to_key(list(screen().model.items)[5000])
        await asyncio.sleep(0.6)  # the detail pane of the new row loads (0.3 s debounce): not part of the refresh
        await pilot.pause()
        cursor_before = screen().table.cursor_key
        scroll_before = screen().table.scroll_offset
        cpu_start = time.thread_time()
        wall_start = time.perf_counter()
        screen().reload()
        await asyncio.sleep(0.01)
        while screen().fetching:
            await asyncio.sleep(0.005)
        result["refresh_cpu_ms"] = (time.thread_time() - cpu_start) * 1000
        result["refresh_wall_ms"] = (time.perf_counter() - wall_start) * 1000
        result["refresh_kept_cursor"] = screen().table.cursor_key == cursor_before
        result["refresh_kept_scroll"] = screen().table.scroll_offset == scroll_before

        # Keys pressed while a refresh of every row is in flight: the UI must not freeze.
        screen().reload()
        await asyncio.sleep(0.02)
        during: list[float] = []
        while screen().fetching and len(during) < 40:
            start = time.perf_counter()
            driver.send_message(events.Key("down", None))
            during.append((await painted_after(start)) * 1000)
            await asyncio.sleep(0.01)
        result["key_during_refresh_ms"] = during
        while screen().fetching:
            await asyncio.sleep(0.01)
        result["rss_peak_mb"] = rss_mb()
    return result


def main() -> None:
    url, token, spawned = sys.argv[1], sys.argv[2], float(sys.argv[3])
    out = asyncio.run(probe(url, token, spawned))
    out["key_median_ms"] = statistics.median(out["key_ms"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
