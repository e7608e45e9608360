"""Signals and suspension through a real pseudo-terminal: the terminal always comes back as ``q`` leaves it.

``kill -TERM`` / ``kill -HUP`` (a dropped SSH link) / ``kill -INT`` end the console with the terminal restored (the
termios settings the program found, the main screen, mouse tracking off, the cursor shown) and the status
128+signal; Ctrl-Z suspends (the screen handed back, the process stopped) and ``fg`` (SIGCONT) repaints; a crash
exits non-zero with the report.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from terminal.harness import ROOT, Terminal, console, restored

RESTORED = {"alternate_screen": False, "cursor_hidden": False, "mouse": False}


def _up(t: Terminal) -> None:
    t.wait_text("web-01")
    state = t.terminal_state()
    assert state["alternate_screen"] is True and state["mouse"] is True, state


@pytest.mark.parametrize("how", ["q", "SIGTERM", "SIGHUP", "SIGINT"])
def test_the_terminal_comes_back_as_q_leaves_it(tmp_path: Path, how: str) -> None:
    with console(home=tmp_path) as t:
        _up(t)
        if how == "q":
            t.write("q")
            expected = 0
        else:
            signum = getattr(signal, how)
            t.signal(signum)
            expected = 128 + signum
        status = t.wait_exit()
        assert status == expected, t.output[-2000:]
        assert restored(t.initial_mode, t.mode()) == []
        assert t.terminal_state() == RESTORED


def _process_state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def test_ctrl_z_suspends_and_fg_repaints(tmp_path: Path) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to see the process stopped")
    with console(home=tmp_path) as t:
        _up(t)
        t.write("\x1a")  # Ctrl-Z
        t.wait_for(lambda t: _process_state(t.process.pid) == "T", what="the console stopped")
        # What it wrote before stopping may still be in the pty, not yet read by the harness (seen under load)
        t.wait_for(lambda t: t.terminal_state()["alternate_screen"] is False, what="the alternate screen left")
        assert restored(t.initial_mode, t.mode()) == []
        mark = t.mark()
        t.signal(signal.SIGCONT)  # what the shell's `fg` sends
        t.wait_for(lambda t: t.terminal_state()["alternate_screen"] is True, what="the screen taken back")
        t.wait_for(lambda t: "web-01" in t.text() and t.bytes_since(mark) > 1000, what="the screen repainted")
        t.write("q")
        assert t.wait_exit() == 0
        assert t.terminal_state() == RESTORED


def test_a_crash_exits_non_zero_with_the_report(tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "from cloudzy_tui.ui.app import CloudzyApp\n"
        "def on_mount(self):\n"
        "    raise RuntimeError('on_mount exploded')\n"
        "CloudzyApp.on_mount = on_mount\n"
    )
    with console(home=tmp_path, env={"PYTHONPATH": f"{hook}:{ROOT}"}) as t:
        status = t.wait_exit()
        assert status == 1, t.text()
        assert b"on_mount exploded" in t.output
        assert restored(t.initial_mode, t.mode()) == []
        assert t.terminal_state()["alternate_screen"] is False
