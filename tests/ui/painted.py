"""What the console paints: the compositor's full frame as text, the way ``export_screenshot`` takes it.

A Rich renderable built in a test can look right while the widget holding it is laid out a line short (issue 13):
these helpers read what the screen actually paints, cell by cell, so a test asserts on what a person sees.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.geometry import Region


def painted_lines(app: Any) -> list[str]:
    """Every row of the current screen as painted (one string per row, the terminal's width)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    frame = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(frame)
    text = console.export_text(styles=False)
    lines = text.split("\n")[:height]
    return [line.ljust(width) for line in lines]


def painted_region(app: Any, region: Region) -> list[str]:
    """The painted text inside ``region`` (screen coordinates), one string per row."""
    lines = painted_lines(app)
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]
