"""A paste shows where it ends: the field scrolls to its cursor after a paste, as after a typed key.

Textual 8.2.8's ``Input`` skips that scroll until the field's first change, so a key pasted into a field nobody had
typed in stayed out of sight (``ui/textual_fixes.py``). Every free-text field of the console is checked through a
real terminal in ``tests/terminal/test_forms.py``; here the fix and its canary on a bare ``Input``.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from cloudzy_tui.ui import textual_fixes

from .helpers import screen_text, wait_for

PASTED = "p" * 80 + "END"


class OneField(App[None]):
    CSS = "Input { width: 24; }"

    def compose(self) -> ComposeResult:
        yield Input(id="field")


async def _paste_into_a_fresh_field() -> tuple[bool, str]:
    """Paste into a field nobody typed in; whether the cursor ended in view, and what is painted."""
    app = OneField()
    async with app.run_test(size=(40, 5)) as pilot:
        field = app.query_one(Input)
        field.post_message(events.Paste(PASTED))
        await wait_for(pilot, lambda: field.value == PASTED)
        await pilot.pause()
        await pilot.pause()
        return field.scroll_x == field.max_scroll_x > 0, screen_text(app)


async def test_a_paste_into_a_fresh_field_scrolls_to_its_end() -> None:
    textual_fixes.apply()
    in_view, painted = await _paste_into_a_fresh_field()
    assert in_view
    assert "pEND" in painted


@pytest.mark.xfail(
    strict=True,
    reason="Textual 8.2.8's Input does not scroll to the cursor after a paste into a field not yet changed; an XPASS "
    "means Textual fixed it and the paste work-around in ui/textual_fixes.py can go",
)
async def test_textual_input_alone_scrolls_after_a_first_paste(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Input, "_on_paste", textual_fixes.ORIGINAL_INPUT_ON_PASTE)
    in_view, painted = await _paste_into_a_fresh_field()
    assert in_view and "pEND" in painted
