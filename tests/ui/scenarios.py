"""What a person sees, scene by scene: used by the snapshot tests and by ``tests/screenshots.py``.

Each scenario drives a console on the seeded simulator (frozen clocks) to a state worth looking at. They only press
keys and wait; everything shown comes from the simulator's deterministic seed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from textual.pilot import Pilot

from cloudzy_tui.api.trace import RequestTrace, TraceEntry
from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen

Steps = Callable[[Pilot[Any]], Awaitable[None]]

#: the wall clock of the scenes (the console's own is frozen by its factory): 2026-07-01 12:00 UTC
FROZEN_AT = 1_782_907_200.0


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: Steps
    description: str = ""


async def _wait(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("scenario: condition not reached in time")
        await pilot.pause(0.02)
    await pilot.pause()


async def _idle(pilot: Pilot[Any]) -> None:
    """No worker busy (except the job tracker), the detail pane's pending load done, the screen repainted."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    screens = [s for s in pilot.app.screen_stack if isinstance(s, ResourceScreen)]
    while any(s.detail_pending for s in screens) or any(
        w.is_running and w.group not in ("jobs", "actions") for w in pilot.app.workers
    ):
        if loop.time() > deadline:
            raise AssertionError("scenario: workers did not finish")
        await asyncio.sleep(0.01)
    await pilot.pause()
    await pilot.pause()


async def loaded(pilot: Pilot[Any], name: str) -> ResourceScreen[Any]:
    def ready() -> bool:
        screen = pilot.app.screen
        return (
            isinstance(screen, ResourceScreen)
            and screen.spec.name == name
            and screen.loaded_once
            and not (screen.fetching)
        )

    await _wait(pilot, ready)
    await _idle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ResourceScreen)
    return screen


async def _select_hostname(pilot: Pilot[Any], hostname: str) -> None:
    screen = await loaded(pilot, "instances")
    key = next(k for k, item in screen.model.items.items() if item.hostname == hostname)
    screen.table.move_cursor_to_key(key)
    await _idle(pilot)


def resource(name: str) -> Steps:
    async def steps(pilot: Pilot[Any]) -> None:
        await loaded(pilot, "instances")
        if name != "instances":
            await pilot.press("colon", *name, "enter")
            await loaded(pilot, name)
        await _idle(pilot)

    return steps


def modal(keys: tuple[str, ...], hostname: str = "web-01", then: tuple[str, ...] = ()) -> Steps:
    async def steps(pilot: Pilot[Any]) -> None:
        await _select_hostname(pilot, hostname)
        await pilot.press(*keys)
        await _wait(pilot, lambda: not isinstance(pilot.app.screen, ResourceScreen))
        await _idle(pilot)
        if then:
            await pilot.press(*then)
            await _idle(pilot)

    return steps


async def detail_open(pilot: Pilot[Any]) -> None:
    await _select_hostname(pilot, "web-01")
    await pilot.press("enter")
    await _idle(pilot)


async def command_line(pilot: Pilot[Any]) -> None:
    await loaded(pilot, "instances")
    await pilot.press("colon", "s", "n")
    await _idle(pilot)


async def filtered(pilot: Pilot[Any]) -> None:
    await loaded(pilot, "instances")
    await pilot.press("slash", *"web")
    await _idle(pilot)


async def help_screen(pilot: Pilot[Any]) -> None:
    await loaded(pilot, "instances")
    await pilot.press("question_mark")
    await _idle(pilot)


async def jobs_view(pilot: Pilot[Any]) -> None:
    """Several jobs in flight: three instances powered off, one after the other."""
    jobs = pilot.app.jobs  # type: ignore[attr-defined]
    for n, hostname in enumerate(("web-01", "web-02", "web-03"), start=1):
        await _select_hostname(pilot, hostname)
        pilot.app.clear_notifications()  # the last one's toast would lie over the dialog's buttons at 80x24
        await pilot.press("p")
        await _idle(pilot)
        await pilot.click("#confirm")
        await _wait(pilot, lambda n=n: len(jobs.jobs) == n and all(j.status is not None for j in jobs.jobs))
    await _idle(pilot)
    pilot.app.clear_notifications()
    await pilot.press("J")
    await _idle(pilot)


async def add_traffic_error(pilot: Pilot[Any]) -> None:
    await _select_hostname(pilot, "web-01")
    await pilot.press("t")
    await _idle(pilot)
    await pilot.press("enter")
    await _idle(pilot)


def screen_modal(name: str, *keys: str, row: str | None = None) -> Steps:
    """On a resource screen (on the row labelled ``row``, else the first), press keys that open a dialog."""

    async def steps(pilot: Pilot[Any]) -> None:
        await resource(name)(pilot)
        if row is not None:
            screen = await loaded(pilot, name)
            key = next(k for k, item in screen.model.items.items() if screen.spec.label(item) == row)
            screen.table.move_cursor_to_key(key)
            await _idle(pilot)
        await pilot.press(*keys)
        await _wait(pilot, lambda: not isinstance(pilot.app.screen, ResourceScreen))
        await _idle(pilot)

    return steps


def marked(hostnames: tuple[str, ...], *keys: str) -> Steps:
    """Mark these instances (``space`` on each), then press keys (an action on the marked rows)."""

    async def steps(pilot: Pilot[Any]) -> None:
        for hostname in hostnames:
            await _select_hostname(pilot, hostname)
            await pilot.press("space")
        await _idle(pilot)
        await pilot.press(*keys)
        await _wait(pilot, lambda: not isinstance(pilot.app.screen, ResourceScreen))
        await _idle(pilot)

    return steps


def wizard(*keys: str) -> Steps:
    async def steps(pilot: Pilot[Any]) -> None:
        await loaded(pilot, "instances")
        await pilot.press("n")
        await _wait(pilot, lambda: type(pilot.app.screen).__name__ == "CreateWizard")
        await _idle(pilot)
        for key in keys:
            await pilot.press(key)
            await _idle(pilot)

    return steps


SCENARIOS: list[Scenario] = [
    *[Scenario(spec.name, resource(spec.name), f"The {spec.title.lower()} screen") for spec in ALL_SPECS],
    Scenario("instance-detail", detail_open, "Enter: the full detail of an instance, with related objects"),
    Scenario("command-line", command_line, "':' goes to a resource, completing as you type"),
    Scenario("filter", filtered, "'/' filters as you type"),
    Scenario("help", help_screen, "'?' lists every key of the screen"),
    Scenario("confirm-power-off", modal(("p",)), "Power off asks first, Cancel focused"),
    Scenario("confirm-delete", modal(("D",)), "Delete requires typing the hostname"),
    Scenario("change-os", modal(("C",)), "Change OS: active systems, default marked, hostname to confirm"),
    Scenario("resize", modal(("z",), hostname="web-02"), "Resize: a fixed plan with specs and prices"),
    Scenario("add-traffic-error", add_traffic_error, "A form keeps what was typed and shows errors at the field"),
    Scenario("new-ssh-key", lambda p: _ssh_key_form(p), "A new SSH key: pasted or read from a .pub file"),
    Scenario("jobs", jobs_view, "'J': jobs in flight and finished"),
    Scenario("backup-schedule", modal(("b",), hostname="gitlab"), "The weekly backup schedule of an instance"),
    Scenario(
        "restore-snapshot",
        screen_modal("snapshots", "R", row="web-01-before-upgrade"),
        "Restore: type the name, it overwrites the instance",
    ),
    Scenario("allocate-floating-ip", screen_modal("floating-ips", "n"), "Allocate floating IPs: region and count"),
    Scenario("download-iso", screen_modal("isos", "n"), "Download a custom ISO from a URL"),
    Scenario("create-wizard", wizard(), "New instance: regions with their capabilities"),
    Scenario("create-wizard-plan", wizard("enter", "enter"), "New instance: products with specs and prices"),
    Scenario("create-wizard-software", wizard("enter", "enter", "enter"), "New instance: an OS or an application"),
    Scenario("pulse", lambda p: pulse(p), "':pulse': the account at a glance, every line a way in"),
    Scenario(
        "bulk-power-off",
        marked(("web-01", "web-02", "web-03", "staging-web", "dev-box"), "p"),
        "Marked rows (space): one confirmation lists every target and why some are refused",
    ),
    Scenario("activity", lambda p: activity(p), "':activity': this session's actions (t: the requests)"),
]


async def _ssh_key_form(pilot: Pilot[Any]) -> None:
    await resource("ssh-keys")(pilot)
    await pilot.press("n")
    await _idle(pilot)


class _SteadyTrace(RequestTrace):
    """A request trace on a frozen clock whose durations are all 12 ms: figures that do not move between runs."""

    def record(
        self,
        method: str,
        path: str,
        status: int | None,
        elapsed: float,
        attempt: int,
        outcome: str,
        error: str | None = None,
    ) -> TraceEntry:
        return super().record(method, path, status, 0.012, attempt, outcome, error)


async def pulse(pilot: Pilot[Any]) -> None:
    await loaded(pilot, "instances")
    app: Any = pilot.app
    app.client.trace = _SteadyTrace(clock=lambda: FROZEN_AT)  # from here on: the pulse's own requests
    await pilot.press("colon", *"pulse", "enter")
    await loaded(pilot, "pulse")


async def activity(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    audit = app.audit
    audit.clock = lambda: FROZEN_AT
    app.client.on_event = lambda event: audit.on_event(replace(event, elapsed=0.012))
    await jobs_view(pilot)
    await pilot.press("escape")
    await pilot.press("colon", *"activity", "enter")
    await loaded(pilot, "activity")


def by_name(name: str) -> Scenario:
    return next(s for s in SCENARIOS if s.name == name)
