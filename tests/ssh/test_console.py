"""The console's ssh keys and ``:sessions`` with a fake tmux on PATH (it records its arguments)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ui.helpers import loaded, screen_text, settle, toasts, wait_for

from cloudzy_tui.ops import ssh
from cloudzy_tui.ui.modals.confirm import ConfirmModal

from .fakes import inside_fake_tmux, tmux_calls


@pytest.fixture
def tmux_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return inside_fake_tmux(tmp_path, monkeypatch)


async def _on(pilot: Any, simulator: Any, hostname: str) -> Any:
    screen = await loaded(pilot, "instances")
    record = next(r for r in simulator.instances.values() if r["hostname"] == hostname)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    return record


def _windows(log: Path) -> list[list[str]]:
    return [c for c in tmux_calls(log) if c[0] in ("new-window", "split-window")]


async def test_s_inside_tmux_opens_a_tagged_window_named_after_the_host(
    make_app: Any, simulator: Any, tmux_log: Path
) -> None:
    app = make_app()
    ran: list[list[str]] = []

    async def no_suspend(argv: list[str], *, banner: str = "") -> tuple[int, str]:
        ran.append(argv)
        return 0, ""

    app.run_external = no_suspend  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        record = await _on(pilot, simulator, "web-01")
        await pilot.press("s")
        await wait_for(pilot, lambda: any("opened in a tmux window" in t for t in toasts(pilot.app)))
        window = [
            "new-window",
            "-P",
            "-F",
            "#{pane_id} #{window_id}",
            "-n",
            "web-01",
            "--",
            ssh.pane_command(["ssh", f"root@{record['mainIp']}"]),
        ]
        assert _windows(tmux_log) == [window]
        calls = tmux_calls(tmux_log)
        pane = f"%{calls.index(window) + 1}"  # the fake answers -P with its call count (list-panes may come first)
        assert ["set-option", "-p", "-t", pane, "@cloudzy-instance", record.id] in calls
        assert ran == []  # the console was not suspended


async def test_palette_entries_choose_split_or_here(make_app: Any, simulator: Any, tmux_log: Path) -> None:
    app = make_app()
    ran: list[list[str]] = []

    async def no_suspend(argv: list[str], *, banner: str = "") -> tuple[int, str]:
        ran.append(argv)
        return 0, ""

    app.run_external = no_suspend  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        record = await _on(pilot, simulator, "web-02")
        screen = pilot.app.screen
        titles = {c.title for c in pilot.app.get_system_commands(screen)}
        wanted = {"Instances: ssh in a split", "Instances: ssh in a new window", "Instances: ssh here (suspend)"}
        assert wanted <= titles
        commands = {c.title: c for c in pilot.app.get_system_commands(screen)}
        commands["Instances: ssh in a split"].callback()
        await settle(pilot)
        assert _windows(tmux_log)[0][:6] == ["split-window", "-P", "-F", "#{pane_id} #{window_id}", "-t", "%0"]
        commands["Instances: ssh here (suspend)"].callback()
        await settle(pilot)
        assert ran == [["ssh", f"root@{record['mainIp']}"]]


async def test_s_is_refused_for_an_instance_that_is_not_active(make_app: Any, simulator: Any, tmux_log: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _on(pilot, simulator, "worker-02")
        await pilot.press("s")
        await settle(pilot)
        assert any("worker-02 is shutdown: power it on first" in t for t in toasts(pilot.app)), toasts(pilot.app)
        assert _windows(tmux_log) == []  # (the detail pane may list the open sessions: list-panes)


async def test_a_hostile_hostname_never_reaches_tmux_or_ssh_as_an_option(
    make_app: Any, simulator: Any, tmux_log: Path
) -> None:
    record = next(r for r in simulator.instances.values() if r["hostname"] == "web-03")
    record["hostname"] = "-oProxyCommand=touch /tmp/pwned"
    app = make_app(ssh_command="ssh {user}@{ip}")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _on(pilot, simulator, "-oProxyCommand=touch /tmp/pwned")
        await pilot.press("s")
        await wait_for(pilot, lambda: bool(_windows(tmux_log)))
        window = _windows(tmux_log)[0]
        # Named after the address (the hostname is not safe), the command is the template's with the IP.
        assert window[5] == record["mainIp"] and window[-1] == ssh.pane_command(["ssh", f"root@{record['mainIp']}"])
        assert not any("ProxyCommand" in word for call in tmux_calls(tmux_log) for word in call)


async def test_sessions_lists_switches_and_closes(
    make_app: Any, simulator: Any, tmux_log: Path, tmp_path: Path
) -> None:
    (tmp_path / "panes").write_text(
        "%7\t@4\tops:4.0\ti-1\tweb-01\t198.51.100.7\t1699990000\tdefault\t0\n"
        "%8\t@5\tops:5.0\ti-2\tdb-primary\t198.51.100.8\t1699999000\tdefault\t0\n"
    )
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("colon", *"sessions", "enter")
        screen = await loaded(pilot, "sessions")
        shown = screen_text(pilot.app)
        assert "web-01" in shown and "db-primary" in shown and "ops:4.0" in shown and "198.51.100.8" in shown
        assert screen.table.move_cursor_to_key("%8")
        await pilot.press("enter")
        await settle(pilot)
        assert ["switch-client", "-t", "%8"] in tmux_calls(tmux_log)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        assert "ops:5.0" in screen_text(pilot.app)
        await pilot.click("#confirm")
        await settle(pilot)
        assert ["kill-pane", "-t", "%8"] in tmux_calls(tmux_log)
        assert "%8" not in screen.model.items and "%7" in screen.model.items


async def test_sessions_outside_tmux_says_how_to_get_them(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("colon", *"sessions", "enter")
        await loaded(pilot, "sessions")
        await pilot.pause()
        shown = screen_text(pilot.app)
        assert "Not in tmux: run cloudzy-tui inside tmux" in shown, shown


async def test_the_instance_detail_marks_an_open_session(
    make_app: Any, simulator: Any, tmux_log: Path, tmp_path: Path
) -> None:
    record = next(r for r in simulator.instances.values() if r["hostname"] == "web-02")
    pane = f"%9\t@6\tops:6.0\t{record.id}\tweb-02\t{record['mainIp']}\t1700000000\tdefault\t0\n"
    (tmp_path / "panes").write_text(pane)
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await _on(pilot, simulator, "web-02")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "SSH sessions open (1)" in screen_text(pilot.app))
        assert "ops:6.0" in screen_text(pilot.app)


async def test_c_offers_the_ssh_command(make_app: Any, simulator: Any) -> None:
    app = make_app(ssh_command="ssh -p {port} {user}@{ip}")
    async with app.run_test(size=(120, 40)) as pilot:
        record = await _on(pilot, simulator, "web-01")
        await pilot.press("c")
        await wait_for(pilot, lambda: "ssh command" in screen_text(pilot.app))
        assert f"ssh -p 22 root@{record['mainIp']}" in screen_text(pilot.app)
        await pilot.press("down", "down", "down", "enter")
        await wait_for(pilot, lambda: bool(pilot.app.clipboard))
        assert pilot.app.clipboard == f"ssh -p 22 root@{record['mainIp']}"
