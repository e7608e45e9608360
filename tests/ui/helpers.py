"""Helpers for driving the console with Pilot."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.screens.resource import ResourceScreen

S = TypeVar("S", bound=Screen[Any])

LONG_LIVED_GROUPS = {"jobs"}


async def settle(pilot: Pilot[Any], rounds: int = 3, timeout: float = 10.0) -> None:
    """Let workers finish (all but the long-lived job tracker) and the screen repaint."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for _ in range(rounds):
        while any(w.is_running and w.group not in LONG_LIVED_GROUPS for w in pilot.app.workers):
            if loop.time() > deadline:
                busy = [f"{w.group}:{w.name}" for w in pilot.app.workers if w.is_running]
                raise AssertionError(f"workers still running: {busy}")
            await asyncio.sleep(0.01)
        await pilot.pause()


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Pause until ``predicate()`` holds (fails the test after ``timeout`` seconds: generous, a limit for a test that
    hangs, never a performance check — a loaded 2-core machine runs several of these at once)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)
    await pilot.pause()


def resource_screen(pilot: Pilot[Any]) -> ResourceScreen[Any]:
    screen = pilot.app.screen
    assert isinstance(screen, ResourceScreen), f"not on a resource screen: {screen!r}"
    return screen


async def loaded(pilot: Pilot[Any], name: str | None = None) -> ResourceScreen[Any]:
    """Wait until the current resource screen (optionally a given one) finished its first load."""

    def ready() -> bool:
        screen = pilot.app.screen
        return (
            isinstance(screen, ResourceScreen)
            and (name is None or screen.spec.name == name)
            and screen.loaded_once
            and not screen.fetching
        )

    await wait_for(pilot, ready)
    return resource_screen(pilot)


def instance_record(simulator: Any, hostname: str) -> Any:
    """The simulator's record of the instance with this hostname."""
    return next(r for r in simulator.instances.values() if r["hostname"] == hostname)


def writes(simulator: Any, prefix: str = "", suffix: str = "") -> list[Any]:
    """The non-GET requests the simulator received (optionally: whose path starts/ends so)."""
    return [
        r for r in simulator.requests if r.method != "GET" and r.path.startswith(prefix) and r.path.endswith(suffix)
    ]


def toasts(app: Any) -> list[str]:
    """The messages of the notifications the app is showing."""
    return [n.message for n in app.shown_toasts()]


async def select_instance(pilot: Pilot[Any], simulator: Any, hostname: str) -> Any:
    """Put the instances screen's cursor on this hostname; returns the simulator's record."""
    screen = await loaded(pilot, "instances")
    record = instance_record(simulator, hostname)
    assert screen.table.move_cursor_to_key(record.id)
    await pilot.pause()
    return record


def screen_text(app: Any) -> str:
    """What the terminal shows, as text (the SVG screenshot without its markup)."""
    svg = app.export_screenshot()
    svg = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def form_on_screen(pilot: Pilot[Any], kind: type[S] = FormModal) -> S:  # type: ignore[assignment]
    """Wait until a form (a ``FormModal``, or ``kind``) is the screen in front; returns it."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, kind)
    return form
