"""``s`` outside tmux, as a person runs it: the real console in a pseudo-terminal, a fake ``ssh`` first on PATH.

The console says what it connects to before handing the terminal over; Ctrl-C while ssh runs ends ssh only (the
child gets SIGINT, the console does not die); the console comes back with the terminal in the mode it had, and
``q`` then leaves the terminal as it found it."""

from __future__ import annotations

import termios
from pathlib import Path

from terminal.harness import console, restored

from .fakes import fake_ssh, path_with


def test_ctrl_c_in_ssh_ends_ssh_only_and_the_console_comes_back(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_ssh(bin_dir)
    log = tmp_path / "ssh.log"
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": path_with(bin_dir), "FAKE_SSH_LOG": str(log)}
    with console(("--demo",), columns=120, rows=40, env=env, home=home) as term:
        term.wait_text("web-01")
        term.wait_text("db-primary")
        console_mode = term.mode()
        # The first row (hostname order) is an active instance: put the cursor on web-01 with the filter.
        term.write("/")
        term.wait_for(lambda t: "filter" in t.text().lower(), what="the filter bar")
        term.write("web-01")
        term.wait_gone("db-primary")
        term.write("\r")
        # the filter input gave the keyboard back: the instances' own keys are in the footer again
        term.wait_for(lambda t: "s SSH" in t.lines()[-1], what="the instances' footer")
        assert term.mode()[3] & termios.ICANON == 0  # raw mode
        term.write("s")
        term.wait_text("fake-ssh connected to root@")
        screen = term.text()
        assert "connecting to web-01" in screen and "Ctrl-C to come back" in screen, screen
        # ssh has the terminal in the mode a shell leaves it (line editing, signals on).
        mode = term.mode()
        assert mode[3] & termios.ISIG and mode[3] & termios.ICANON
        term.write("\x03")  # Ctrl-C, through the terminal's line discipline: SIGINT to the foreground group
        term.wait_for(lambda t: log.exists() and "SIGINT" in log.read_text(), what="the fake ssh got SIGINT")
        term.wait_text("exited with status 130")
        assert term.process.isalive()
        term.wait_text("web-01")
        assert restored(console_mode, term.mode()) == [], "the console's terminal mode is not back"
        assert term.terminal_state()["alternate_screen"] is True
        term.write("q")
        assert term.wait_exit() == 0
        assert restored(term.initial_mode, term.mode()) == []
        assert term.terminal_state()["alternate_screen"] is False
    lines = log.read_text().splitlines()
    assert lines[0].startswith("root@") and lines[1] == "SIGINT"


def test_a_shut_down_instance_is_refused_with_the_reason(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_ssh(bin_dir)
    log = tmp_path / "ssh.log"
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": path_with(bin_dir), "FAKE_SSH_LOG": str(log)}
    with console(("--demo",), columns=120, rows=40, env=env, home=home) as term:
        term.wait_text("worker-02")
        term.write("/")
        term.wait_for(lambda t: "filter" in t.text().lower(), what="the filter bar")
        term.write("worker-02")
        term.wait_gone("web-01")
        term.write("\r")
        # the filter input gave the keyboard back: the instances' own keys are in the footer again
        term.wait_for(lambda t: "s SSH" in t.lines()[-1], what="the instances' footer")
        assert term.mode()[3] & termios.ICANON == 0  # raw mode
        term.write("s")
        term.wait_text("power it on first")
        assert "worker-02 is shutdown" in term.text()
        assert not log.exists()
        term.write("q")
        assert term.wait_exit() == 0
