"""When each frame an in-process console paints is ready to write: the clock of the in-process benchmarks.

Every frame Textual paints goes through ``App._display``. Headless, Textual skips turning the frame into terminal
output; :class:`FrameClock` does it (as a terminal run would) and records when each frame is ready to write.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


class FrameClock:
    def __init__(self, app: Any) -> None:
        self.writes: list[float] = [0.0]
        original_display = app._display

        def display(screen: Any, renderable: Any) -> None:
            original_display(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)
                self.writes.append(time.perf_counter())

        app._display = display

    async def painted_after(
        self, start: float, condition: Callable[[], bool] | None = None, timeout: float = 30.0
    ) -> float:
        """Seconds from ``start`` to the first frame written after it once ``condition`` holds (NaN: not in time)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.writes[-1] > start and (condition is None or condition()):
                return self.writes[-1] - start
            await asyncio.sleep(0)
        return float("nan")
