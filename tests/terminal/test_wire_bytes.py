"""What one keypress costs the terminal link (issue 11.2), measured on the real program in a pseudo-terminal.

Before: every cursor move repainted the whole table (and its scrollbars, and the whole detail pane): 15.7 KB per
``j`` at 80x24, 64 KB at 160x50 with the detail pane. Now only the two rows, the detail lines and the status text
that changed are repainted, and only the cells that differ from what the terminal shows are written
(``ui/partial_output.py``). Byte counts depend on what is drawn, not on timing: each press waits until the program
has written everything (quiet for a moment), and the medians are far from the limits either way.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
from conftest import TOKEN

from .harness import Terminal, console

QUIET = 0.4
PAGE_DOWN = "\x1b[6~"


def _press(term: Terminal, key: str, times: int) -> list[int]:
    figures = []
    for _ in range(times):
        mark = term.wait_quiet(QUIET)
        term.write(key)
        term.wait_for(lambda t, start=mark: t.bytes_since(start) > 0, what=f"a repaint after {key!r}")
        figures.append(term.wait_quiet(QUIET) - mark)
    return figures


def _loaded(term: Terminal) -> None:
    term.wait_for(
        lambda t: re.search(r"Instances\s+\d+", t.text()) is not None and "loading" not in t.text(),
        what="the instance list",
    )
    # quiet for as long as between two key presses: the status line's clock repaints every second, so a longer
    # quiet is never reached (the wait would only end at its 30 s limit)
    term.wait_quiet(QUIET)


@pytest.mark.parametrize(
    ("columns", "rows", "limit", "pane"),
    [(80, 24, 1_000, False), (160, 50, 3_000, True)],
)
def test_bytes_per_cursor_move(
    served_simulator: str, tmp_path: Path, columns: int, rows: int, limit: int, pane: bool
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("refresh_seconds = 0\n")
    env = {"CLOUDZY_API_URL": served_simulator, "CLOUDZY_API_TOKEN": TOKEN, "CLOUDZY_TUI_CONFIG_DIR": str(config)}
    with console((), columns=columns, rows=rows, env=env, home=tmp_path) as term:
        _loaded(term)
        if pane:
            term.wait_for(lambda t: "hostname" in t.text(), what="the detail pane beside the table")
        down = _press(term, "j", 7)
        assert statistics.median(down) <= limit, f"bytes per cursor-down at {columns}x{rows}: {down}"
        # PageDown scrolls a screen of rows: at most that screen's rows repainted (not the pane's every line twice).
        page = _press(term, PAGE_DOWN, 1)[0]
        table_rows = rows - 4
        assert page <= table_rows * 260 + limit, f"bytes for PageDown at {columns}x{rows}: {page}"
        # And what the terminal shows is the list, moved: the cursor row is on screen.
        assert "Instances" in term.text()
