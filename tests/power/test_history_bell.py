"""``:`` and ``/`` keep their own histories (↑ older, ↓ newer); a job that ends while the terminal is not focused
rings the bell (unless the config says ``bell = false``)."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input
from ui.helpers import instance_record, loaded, screen_text, wait_for, writes

from cloudzy_tui.config import Settings
from cloudzy_tui.ui.history import History
from cloudzy_tui.ui.modals.command_line import CommandLine
from cloudzy_tui.ui.modals.confirm import ConfirmModal


def test_history_walks_back_and_forth_keeps_the_draft_and_is_bounded() -> None:
    history = History(limit=3)
    assert history.older("typing") is None
    for text in ("a", "b", "c", "b", "  ", "d"):
        history.add(text)
    assert history.items == ["c", "b", "d"]  # bounded; a repeat moves to the newest place; blanks are not kept
    assert history.older("dra") == "d"
    assert history.older("d") == "b"
    assert history.older("b") == "c"
    assert history.older("c") is None  # nothing older: the box keeps the oldest
    assert history.newer("c") == "b"
    assert history.newer("b") == "d"
    assert history.newer("d") == "dra"  # past the newest: what was being typed
    assert history.newer("dra") is None


async def _command(pilot: Any, text: str) -> None:
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CommandLine))


async def test_command_line_up_and_down_walk_this_sessions_commands(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, "instances")
        await _command(pilot, "snap")
        await loaded(pilot, "snapshots")
        await _command(pilot, "keys")
        await loaded(pilot, "ssh-keys")

        await pilot.press("colon")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
        box = pilot.app.screen.query_one(Input)
        await pilot.press("i")  # a draft
        await pilot.press("up")
        await wait_for(pilot, lambda: box.value == "keys")
        assert ":ssh-keys" in screen_text(pilot.app)  # the hint follows the value, as if typed
        await pilot.press("up")
        await wait_for(pilot, lambda: box.value == "snap")
        assert ":snapshots" in screen_text(pilot.app) and ":ssh-keys" not in screen_text(pilot.app)
        await pilot.press("up")  # nothing older
        await pilot.pause()
        assert box.value == "snap"
        await pilot.press("down", "down")
        await wait_for(pilot, lambda: box.value == "i")  # back to the draft
        await pilot.press("up", "enter")
        await loaded(pilot, "ssh-keys")


async def test_filter_has_a_history_of_its_own(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(pilot, "instances")
        total = screen.table.row_count
        await pilot.press("slash", *"web-0", "enter")
        await wait_for(pilot, lambda: 0 < screen.table.row_count < total)
        await pilot.press("escape")  # clears the filter
        await wait_for(pilot, lambda: screen.table.row_count == total)
        await pilot.press("slash", *"db", "enter")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.table.row_count == total)
        await _command(pilot, "snap")  # the command line's history is another one
        await loaded(pilot, "snapshots")
        await pilot.press("escape")  # back to the instances
        await loaded(pilot, "instances")

        await pilot.press("slash")
        box = screen.query_one("#filter", Input)
        await wait_for(pilot, lambda: box.has_focus)
        await pilot.press("up")
        await wait_for(pilot, lambda: box.value == "db")
        await pilot.press("up")
        await wait_for(pilot, lambda: box.value == "web-0")
        await wait_for(pilot, lambda: 0 < screen.table.row_count < total)  # the filter applies as it changes
        shown = screen_text(pilot.app)
        rows = [line for line in shown.splitlines() if "web-0" in line]
        assert len(rows) >= screen.table.row_count, shown
        assert "snap" not in (box.value,)
        await pilot.press("up")  # nothing older
        await pilot.pause()
        assert box.value == "web-0"


async def _finish_power_off(pilot: Any, simulator: Any, sim_clock: Any, hostname: str) -> None:
    screen = await loaded(pilot, "instances")
    record = instance_record(simulator, hostname)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
    await pilot.click("#confirm")
    await wait_for(pilot, lambda: bool(writes(simulator, prefix=f"/v1/instances/{record.id}")))
    job = next(j for j in pilot.app.jobs.jobs if j.target_id == record.id)
    sim_clock.advance(5)
    await wait_for(pilot, lambda: job.finished)


async def test_a_job_that_ends_while_the_terminal_is_not_focused_rings_the_bell(
    make_app: Any, simulator: Any, sim_clock: Any
) -> None:
    app = make_app()
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 30)) as pilot:
        await _finish_power_off(pilot, simulator, sim_clock, "web-02")
        assert rings == []  # focused: the toast says it

        app.post_message(events.AppBlur())
        await wait_for(pilot, lambda: not app.app_focus)
        await _finish_power_off_unfocused(pilot, simulator, sim_clock, "web-03", app)
        assert rings == [1]


async def _finish_power_off_unfocused(pilot: Any, simulator: Any, sim_clock: Any, hostname: str, app: Any) -> None:
    # The keys that start the job give the app its focus back (Textual does that for a key press): start it, then
    # leave the terminal, then let the job end.
    screen = await loaded(pilot, "instances")
    record = instance_record(simulator, hostname)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
    await pilot.click("#confirm")
    await wait_for(pilot, lambda: bool(writes(simulator, prefix=f"/v1/instances/{record.id}")))
    job = next(j for j in pilot.app.jobs.jobs if j.target_id == record.id)
    app.post_message(events.AppBlur())
    await wait_for(pilot, lambda: not app.app_focus)
    sim_clock.advance(5)
    await wait_for(pilot, lambda: job.finished)


async def test_bell_false_keeps_quiet(make_app: Any, simulator: Any, sim_clock: Any) -> None:
    app = make_app()
    app.bell_on_jobs = False
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 30)) as pilot:
        await _finish_power_off_unfocused(pilot, simulator, sim_clock, "web-03", app)
        assert rings == []


def test_config_has_bell_and_start_screen() -> None:
    assert Settings().bell is True and Settings().start_screen == "instances"
    settings = Settings.model_validate({"bell": False, "start_screen": "pulse"})
    assert settings.bell is False and settings.start_screen == "pulse"
