"""Opening, listing, switching to and closing ssh sessions in tmux: a fake tmux that records its arguments, and a
real tmux server of the test's own (private socket directory) where tmux is installed."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudzy_tui.ops import ssh

from .fakes import fake_tmux, path_with, tmux_calls

WEB = ssh.SshTarget("i-1", "web-01", "198.51.100.7")
DB = ssh.SshTarget("i-2", None, "2001:db8::2")  # a hostname that was not safe: named by its address


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    fake_tmux(bin_dir)
    log = tmp_path / "tmux.log"
    monkeypatch.setenv("PATH", path_with(bin_dir))
    monkeypatch.setenv("FAKE_TMUX_LOG", str(log))
    monkeypatch.setenv("TMUX", "/tmp/fake,1,0")
    monkeypatch.setenv("TMUX_PANE", "%0")
    return log


def test_one_window_each_named_after_the_host_and_tagged(fake: Path) -> None:
    opened = ssh.open_in_tmux(
        [(WEB, ["ssh", "root@198.51.100.7"]), (DB, ["ssh", "root@2001:db8::2"])],
        "window",
        profile="prod",
        now=lambda: 1700000000.0,
    )
    calls = tmux_calls(fake)
    windows = [c for c in calls if c[0] == "new-window"]
    assert windows == [
        [
            "new-window",
            "-P",
            "-F",
            "#{pane_id} #{window_id}",
            "-n",
            "web-01",
            "--",
            ssh.pane_command(["ssh", "root@198.51.100.7"]),
        ],
        [
            "new-window",
            "-P",
            "-F",
            "#{pane_id} #{window_id}",
            "-n",
            "2001:db8::2",
            "--",
            ssh.pane_command(["ssh", "root@2001:db8::2"]),
        ],
    ]
    assert [o.pane for o in opened] == ["%1", "%2"]
    tags = [c for c in calls if c[0] == "set-option"]
    assert ["set-option", "-p", "-t", "%1", "@cloudzy-instance", "i-1"] in tags
    assert ["set-option", "-p", "-t", "%1", "@cloudzy-address", "198.51.100.7"] in tags
    assert ["set-option", "-p", "-t", "%2", "@cloudzy-since", "1700000000"] in tags
    assert ["set-option", "-p", "-t", "%2", "@cloudzy-profile", "prod"] in tags


def test_a_split_beside_the_console(fake: Path) -> None:
    ssh.open_in_tmux([(WEB, ["ssh", "root@198.51.100.7"])], "split")
    first = tmux_calls(fake)[0]
    assert first == [
        "split-window",
        "-P",
        "-F",
        "#{pane_id} #{window_id}",
        "-t",
        "%0",
        "--",
        ssh.pane_command(["ssh", "root@198.51.100.7"]),
    ]


def test_tiled_panes_with_synchronized_input(fake: Path) -> None:
    three = [(WEB, ["ssh", "a"]), (DB, ["ssh", "b"]), (ssh.SshTarget("i-3", "c", "192.0.2.3"), ["ssh", "c"])]
    opened = ssh.open_in_tmux(three, "window", tiled=True, synchronize=True)
    calls = [c for c in tmux_calls(fake) if c[0] != "set-option" or c[1] == "-w"]
    assert calls[0][:1] == ["new-window"] and calls[0][-1] == ssh.pane_command(["ssh", "a"])
    window = opened[0].window
    assert [
        "split-window",
        "-t",
        window,
        "-P",
        "-F",
        "#{pane_id} #{window_id}",
        "--",
        ssh.pane_command(["ssh", "b"]),
    ] in calls
    assert ["select-layout", "-t", window, "tiled"] in calls
    assert calls[-1] == ["set-option", "-w", "-t", window, "synchronize-panes", "on"]
    assert len(opened) == 3


def test_the_command_reaches_tmux_as_one_quoted_shell_word(fake: Path) -> None:
    # tmux runs a single command argument with sh -c: every word quoted, nothing for the shell to expand.
    argv = ["ssh", "-o", "ProxyJump=jump host", "root@198.51.100.7"]
    ssh.open_in_tmux([(WEB, argv)], "window")
    sent = tmux_calls(fake)[0][-1]
    assert shlex.split(sent)[:2] == ["sh", "-c"] and shlex.split(sent)[4:] == argv


def test_sessions_are_read_back_from_the_tags(fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    panes = tmp_path / "panes"
    panes.write_text(
        "%3\t@2\tops:2.0\ti-1\tweb-01\t198.51.100.7\t1700000000\tdefault\t0\n"
        "%4\t@2\tops:2.1\t\t\t\t\t\t0\n"  # a pane the console did not open
        "%5\t@3\tops:3.0\ti-2\t\t2001:db8::2\t1700000100\tdefault\t1\n"  # dead (remain-on-exit): not listed
    )
    monkeypatch.setenv("FAKE_TMUX_PANES", str(panes))
    found = ssh.sessions()
    assert [(s.pane, s.where, s.instance_id, s.hostname, s.address, s.since) for s in found] == [
        ("%3", "ops:2.0", "i-1", "web-01", "198.51.100.7", 1700000000.0)
    ]
    ssh.switch_to(found[0])
    ssh.close(found[0])
    calls = tmux_calls(fake)
    assert ["switch-client", "-t", "%3"] in calls and ["kill-pane", "-t", "%3"] in calls


def test_tmux_failures_say_what_tmux_said(fake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TMUX_FAIL", "new-window")
    with pytest.raises(ssh.TmuxError, match="no server running"):
        ssh.open_in_tmux([(WEB, ["ssh", "x"])], "window")
    with pytest.raises(ssh.TmuxError, match="not a tmux pane id"):
        ssh.close(ssh.Session("-t", "@1", "", "i", "", "", None, ""))


# ------------------------------------------------------------------------------------------------ a real tmux


@pytest.fixture
def real_tmux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: the fake-tmux tests above cover the arguments only")
    sockets = tmp_path / "tmux"  # short enough for a unix socket path
    sockets.mkdir(mode=0o700)
    monkeypatch.setenv("TMUX_TMPDIR", str(sockets))
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("TMUX_PANE", raising=False)
    subprocess.run(["tmux", "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "120", "-y", "40"], check=True)
    try:
        yield
    finally:
        subprocess.run(["tmux", "kill-server"], check=False, capture_output=True)


def _wait(condition: object, what: str, timeout: float = 30.0, screen: Any = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            shown = f"; the screen shows:\n{screen()}" if screen is not None else ""
            raise AssertionError(f"{what} not reached within {timeout:.0f}s{shown}")
        time.sleep(0.05)


def test_with_a_real_tmux_open_list_close(real_tmux: None, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    # The "ssh" is a shell that records it ran with its arguments quoted as they were, then waits.
    argv = ["sh", "-c", 'printf "%s" "$1" > "$0"; exec sleep 600', str(marker), "it's $HOME; `id`"]
    three = [(WEB, argv), (DB, ["sleep", "600"]), (ssh.SshTarget("i-3", "c-3", "192.0.2.3"), ["sleep", "600"])]
    opened = ssh.open_in_tmux(three[:1], "window", profile="default")
    _wait(marker.exists, "the command ran in the new window")
    _wait(lambda: marker.read_text() == "it's $HOME; `id`", "the argument arrived unexpanded")
    names = subprocess.run(
        ["tmux", "list-windows", "-a", "-F", "#{window_name}"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "web-01" in names
    tiled = ssh.open_in_tmux(three[1:], "window", tiled=True, synchronize=True)
    sync = subprocess.run(
        ["tmux", "show-options", "-w", "-v", "-t", tiled[0].window, "synchronize-panes"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert sync == "on"
    found = {s.pane: s for s in ssh.sessions()}
    assert set(found) == {o.pane for o in opened + tiled}
    web = found[opened[0].pane]
    assert (web.instance_id, web.hostname, web.address, web.profile) == ("i-1", "web-01", "198.51.100.7", "default")
    assert web.since is not None and abs(web.since - time.time()) < 3600
    # A pane split by hand in a tagged window is not a session of ours.
    subprocess.run(["tmux", "split-window", "-t", opened[0].window, "sleep", "600"], check=True)
    assert len(ssh.sessions()) == 3
    ssh.close(web)
    assert {s.pane for s in ssh.sessions()} == {o.pane for o in tiled}


def test_with_a_real_tmux_a_failed_ssh_stays_readable(real_tmux: None) -> None:
    # ssh that fails at once (unreachable, refused): the pane says so and waits for Enter instead of vanishing.
    (failed,) = ssh.open_in_tmux([(WEB, ["sh", "-c", "echo 'ssh: connect to host: No route'; exit 255"])], "window")

    def shown() -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", failed.pane], capture_output=True, text=True)
        return done.stdout

    _wait(lambda: "exited with status 255" in shown(), "the failure shown in the pane")
    assert "No route" in shown()
    subprocess.run(["tmux", "send-keys", "-t", failed.pane, "Enter"], check=True)
    _wait(lambda: failed.pane not in {s.pane for s in ssh.sessions()}, "the pane closed after Enter")


def test_the_real_console_inside_a_real_tmux_opens_a_window_per_s(real_tmux: None, tmp_path: Path) -> None:
    """End to end: the console runs in a tmux pane (tmux sets $TMUX for it), s opens a tagged window running ssh
    (a fake one on PATH), :sessions lists it, and the console's own pane is still the console."""
    from .fakes import fake_ssh

    bin_dir = tmp_path / "bin"
    fake_ssh(bin_dir)
    log = tmp_path / "ssh.log"
    home = tmp_path / "home"
    home.mkdir()
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": path_with(bin_dir),
        "FAKE_SSH_LOG": str(log),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".state"),
        "PYTHONPATH": str(root),
        "TERM": "xterm-256color",
    }
    # The window s opens runs with tmux's environment, not the console's: the fake ssh by its path, its log known
    # to the tmux server.
    config = home / ".config" / "cloudzy-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'ssh_command = "{bin_dir / "ssh"} root@{{ip}}"\n')
    config.chmod(0o600)
    subprocess.run(["tmux", "set-environment", "-g", "FAKE_SSH_LOG", str(log)], check=True)
    command = ["env", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "cloudzy_tui", "--demo"]
    subprocess.run(
        ["tmux", "new-window", "-t", "t:", "-n", "console", "-c", str(root), shlex.join(command)], check=True
    )

    def console_text() -> str:
        done = subprocess.run(["tmux", "capture-pane", "-p", "-t", "t:console"], capture_output=True, text=True)
        return done.stdout

    def keys(*words: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", "t:console", *words], check=True)

    _wait(lambda: "db-primary" in console_text(), "the console on screen", timeout=60)
    # The first row (win-rdp) is shut down: refused, with the reason, and nothing run.
    keys("s")
    _wait(lambda: "win-rdp is shutdown" in console_text(), "the refusal", screen=console_text)
    assert not log.exists()
    keys("j")  # vpn-gw, active
    keys("s")
    _wait(lambda: log.exists() and "root@" in log.read_text(), "the fake ssh ran", timeout=60, screen=console_text)
    # the pane's tags are set one tmux option at a time after the window opens: wait until the last one is there
    _wait(lambda: [bool(s.profile) for s in ssh.sessions()] == [True], "the session's tags", screen=console_text)
    (found,) = ssh.sessions()
    assert found.hostname == "vpn-gw" and log.read_text().strip() == f"root@{found.address}"
    names = subprocess.run(
        ["tmux", "list-windows", "-t", "t", "-F", "#{window_name}"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found.hostname in names and "console" in names
    keys(":")
    _wait(lambda: "snapshots" in console_text(), "the command line")
    keys("-l", "sessions")
    keys("Enter")
    _wait(lambda: found.where.split(".")[0] in console_text(), "the session listed in :sessions")
    keys("q")
