"""Every dialog of every resource, opened on its hostile row: server strings stay literal in each.

``tests/ui/test_hostile.py`` seeds hostile strings (markup that would crash or act, escapes, bidi overrides, huge
and wide text) on a row of every resource; it opens the instance dialogs only. Here every item action of every
spec that changes something is opened on that row (and on a shut-down hostile instance, for power on): the dialog
must open (a markup error would leave only an error toast), show the row's name literally when it names it, let no
control character reach the terminal, send nothing when cancelled, and leave the console running.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from ui.helpers import loaded, settle, wait_for
from ui.test_hostile import BAD, LITERAL_TAIL, hostile, seed_hostile

from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen

# What the item actions of each resource are expected to open on the hostile rows (all of them: a new action that
# opens nothing, or is never available on a hostile row, fails the coverage check below).
ITEM_ACTIONS = {
    (spec.name, action.id) for spec in ALL_SPECS for action in spec.actions if action.needs_item and action.mutating
}


def _dialog_text(modal: ModalScreen[Any]) -> str:
    """What the dialog's own widgets paint (not the screen behind it)."""
    return (
        "\n".join(str(widget.render()) for widget in modal.query(Static) if not isinstance(widget, Label))
        + "\n"
        + ("\n".join(str(widget.render()) for widget in modal.query(Label)))
    )


def _writes(simulator: Any) -> int:
    return sum(1 for r in simulator.requests if r.method != "GET")


def _rows(simulator: Any) -> dict[str, list[str]]:
    """resource -> keys of its hostile rows; a shut-down hostile instance too (power on needs one)."""
    rows = {name: [key] for name, (key, _tag) in seed_hostile(simulator).items()}
    down = next(
        r
        for r in simulator.instances.values()
        if r["status"] == "shutdown" and not r.busy and "[bold]" not in str(r["hostname"])
    )
    down["hostname"] = hostile("down")
    rows["instances"].append(down.id)
    restorable = next(
        s
        for s in simulator.snapshots.values()
        if not s.automated and s["status"] == "ACTIVE" and not s["isInstanceDeleted"] and s.id not in rows["snapshots"]
    )
    restorable["name"] = hostile("restorable")
    rows["snapshots"].append(restorable.id)
    return rows


# Item actions that act at once, without a dialog (nothing is lost by them): their toast is checked instead.
NO_DIALOG = {("instances", "snapshot"), ("instances", "power_on")}


@pytest.mark.parametrize("name", sorted({name for name, _ in ITEM_ACTIONS}))
async def test_every_dialog_on_the_hostile_rows(make_app: Any, simulator: Any, name: str) -> None:
    rows = _rows(simulator)[name]
    spec = next(s for s in ALL_SPECS if s.name == name)
    app = make_app(initial_resource=name, local_hostname="console-host")
    opened: set[str] = set()
    posted: list[str] = []  # every toast, as posted (a toast on screen may expire before it is read)
    real_notify = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        posted.append(str(message))
        real_notify(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        screen = await loaded(pilot, name)
        await settle(pilot)
        for key in rows:
            for action in spec.actions:
                if not (action.needs_item and action.mutating) or action.id in opened:
                    continue  # each dialog once, on the first hostile row where it is offered
                assert screen.table.move_cursor_to_key(key), (name, key)
                await pilot.pause()
                item = screen.current_item
                if screen.action_state(action, item) is not True:
                    continue
                before_writes = _writes(simulator)
                before_toasts = len(posted)
                await pilot.press(action.key)
                await wait_for(
                    pilot,
                    lambda n=before_toasts: isinstance(pilot.app.screen, ModalScreen) or len(posted) > n,
                    timeout=10,
                )
                await pilot.pause(0.1)
                modal = pilot.app.screen
                toasts = posted[before_toasts:]
                label = spec.label(item)
                if (name, action.id) in NO_DIALOG:
                    assert not isinstance(modal, ModalScreen), (name, action.id)
                    assert toasts and not any("rror" in t for t in toasts), (name, action.id, toasts)
                    for toast in toasts:
                        assert not any(bad in toast for bad in BAD), (name, action.id, toast)
                        assert "[bold]" not in toast or label[: label.index("[/x]")] in toast, (name, toast)
                    opened.add(action.id)
                    await settle(pilot)
                    continue
                assert isinstance(modal, ModalScreen), (name, action.id, toasts)
                opened.add(action.id)
                shown = _dialog_text(modal)
                if isinstance(modal, ConfirmModal) and "[bold]" in label:
                    # The row's name, literally: the markup is text, the tail of the attack is there.
                    literal = label[: label.index("[/x]")] if "[/x]" in label else label[:12]
                    assert literal in shown, (name, action.id, shown[:400])
                    assert LITERAL_TAIL in shown or "…" in shown, (name, action.id, shown[:400])
                svg = pilot.app.export_screenshot()
                for bad in BAD:
                    assert bad not in svg, (name, action.id, repr(bad))
                painted = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", svg, flags=re.S)))
                assert all(len(line) <= 200 for line in painted.splitlines())
                # Cancel (Esc, as many times as the dialog has levels): nothing sent.
                for _ in range(5):
                    if isinstance(pilot.app.screen, ResourceScreen):
                        break
                    await pilot.press("escape")
                    await pilot.pause(0.1)
                await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResourceScreen))
                await settle(pilot)
                assert _writes(simulator) == before_writes, (name, action.id)
                assert pilot.app.is_running and pilot.app.return_code is None
    expected = {a for n, a in ITEM_ACTIONS if n == name}
    assert opened == expected, f"{name}: never opened {sorted(expected - opened)}"
