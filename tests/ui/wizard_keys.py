"""Driving the create wizard with the keys a person presses: open it, walk its steps to the review, press Create, and
read what it shows (shared by tests/ui/test_create_wizard.py and test_create_wizard_failures.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.widgets import Button, Input, OptionList, Static

from cloudzy_tui.ui.modals.create_wizard import STEP_IDS, CreateWizard

from .helpers import loaded, wait_for


async def settle(pilot: Any, timeout: float = 5.0) -> None:
    """Let the wizard's workers finish (the action worker that opened it waits for it, the job tracker runs on)."""
    await wait_for(pilot, lambda: idle(pilot), timeout=timeout)
    await pilot.pause()


def posts_of(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.method != "GET"]


def creates_of(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.method == "POST" and r.path == "/v1/instances"]


def products_of(simulator: Any, region: str, plan_type: str = "regular") -> list[dict[str, Any]]:
    return [p for p in simulator.products.values() if p["regionId"] == region and p["plan"]["type"] == plan_type]


def wizard_of(pilot: Any) -> CreateWizard:
    screen = pilot.app.screen
    assert isinstance(screen, CreateWizard), f"not on the wizard: {screen!r}"
    return screen


def step_of(pilot: Any) -> str:
    return STEP_IDS[wizard_of(pilot).step]


def text_of(pilot: Any, selector: str) -> str:
    widget = wizard_of(pilot).query_one(selector, Static)
    return str(widget.render())


def error_of(pilot: Any, name: str) -> str:
    box = wizard_of(pilot).query_one(f"#err-{name}", Static)
    return str(box.render()) if box.display else ""


async def open_wizard(pilot: Any) -> CreateWizard:
    await loaded(pilot, "instances")
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CreateWizard))
    await settle(pilot)
    return wizard_of(pilot)


def idle(pilot: Any) -> bool:
    return not any(w.is_running and w.group not in ("jobs", "actions") for w in pilot.app.workers)


async def at_step(pilot: Any, step: str) -> None:
    """Wait until the wizard shows ``step`` and its workers are done."""
    await wait_for(pilot, lambda: idle(pilot) and step_of(pilot) == step)


async def highlight_value(pilot: Any, list_id: str, value: Any) -> None:
    """Move the highlight of a wizard list to ``value`` with the arrow keys (the list must be focused)."""
    wizard = wizard_of(pilot)
    widget = wizard.query_one(f"#{list_id}", OptionList)
    assert pilot.app.focused is widget, f"{list_id} is not focused ({pilot.app.focused!r})"
    values = wizard.form.values[list_id]
    target = next(i for i, o in enumerate(widget.options) if values[o.id] == value)
    for _ in range(len(widget.options)):
        if widget.highlighted == target:
            return
        await pilot.press("down" if (widget.highlighted or 0) < target else "up")
    assert widget.highlighted == target


async def type_keys(pilot: Any, text: str) -> None:
    await pilot.press(*text)


async def walk_to_review(
    pilot: Any,
    *,
    region: str = "us-utah",
    hostnames: str = "wa wb",
    product_index: int = 0,
    app: str | None = None,
    ssh_keys: int = 0,
    ipv6: bool = False,
    floating: str | None = None,
    cycle: str | None = None,
    hooks: dict[str, Callable[[Any], Awaitable[None]]] | None = None,
    source: str | None = None,
) -> None:
    """From the region step to the review, with keys only. ``hooks[step]`` runs when that step is reached (the
    plan and hostnames hooks replace the default choice/typing)."""
    hooks = hooks or {}
    await at_step(pilot, "region")
    await highlight_value(pilot, "region-list", region)
    await pilot.press("enter")
    await at_step(pilot, "class")
    await pilot.press("enter")  # the first class (default)
    await at_step(pilot, "plan")
    if "plan" in hooks:
        await hooks["plan"](pilot)
    else:
        await wait_for(pilot, lambda: wizard_of(pilot).draft.product_id is not None)
        for _ in range(product_index):
            await pilot.press("down")
        await pilot.press("enter")
    await at_step(pilot, "software")
    source_list = wizard_of(pilot).query_one("#source-list", OptionList)
    if source is not None:
        await highlight_value(pilot, "source-list", source)
        await pilot.press("enter")  # an ISO or a snapshot: straight to the next step
    else:
        if pilot.app.focused is source_list:
            await pilot.press("enter")  # start from an operating system (the first source)
        if app is not None:
            await highlight_value(pilot, "app-list", app)
        await pilot.press("enter")  # to the OS list
        if "software" in hooks:
            await hooks["software"](pilot)
        await pilot.press("enter")  # the preselected OS
    await at_step(pilot, "hostnames")
    if "hostnames" in hooks:
        await hooks["hostnames"](pilot)
    else:
        await type_keys(pilot, hostnames)
    await pilot.press("enter")
    await at_step(pilot, "ssh")
    for i in range(ssh_keys):
        if i:
            await pilot.press("down")
        await pilot.press("space")
    await pilot.press("ctrl+n")
    await at_step(pilot, "network")
    if "network" in hooks:
        await hooks["network"](pilot)
    if ipv6:
        await pilot.press("tab", "space")
    if floating is not None:
        wizard = wizard_of(pilot)
        wizard.query_one("#floating-ips", Input).focus()
        await pilot.pause()
        await pilot.press("backspace", *floating)
    await pilot.press("ctrl+n")
    await at_step(pilot, "billing")
    if cycle is not None:
        await highlight_value(pilot, "cycle-list", cycle)
    await pilot.press("ctrl+n")
    await at_step(pilot, "review")


async def press_create(pilot: Any) -> None:
    button = pilot.app.focused
    assert isinstance(button, Button) and button.id == "wizard-create"
    # A Button ignores Enter for 0.2 s after a press (its "active" effect); a person is never that fast.
    await wait_for(pilot, lambda: not button.has_class("-active"))
    await pilot.press("enter")
    await settle(pilot)
