"""Control characters never leave a form: the one input-cleaning helper and the form layer that applies it.

The pty tests (``test_forms.py``) paste into every free-text field; these check the layer under them: whatever
path a value took into a field (typed, pasted, set by code), a form's submit receives it without control
characters, in every text kind of field (text, secret, multi-line).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, TextArea

import cloudzy_tui.ui
from cloudzy_tui.ui.inputs import clean_input, has_control
from cloudzy_tui.ui.modals.form import FormField, FormModal

CONTROLS = ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2066"]


@pytest.mark.parametrize("control", CONTROLS)
def test_clean_input_removes_every_control_character(control: str) -> None:
    assert clean_input(f"web{control}01") in ("web01", "web 01")
    assert not has_control(clean_input(f"web{control}01"))
    assert not has_control(clean_input(f"web{control}01", multiline=True).replace("\n", ""))


def test_line_breaks_fold_in_one_line_and_stay_in_many() -> None:
    assert clean_input("web-01\n") == "web-01"  # a copied line's break
    assert clean_input("a\tb\r\nc\x0bd") == "a b c d"
    assert clean_input("ssh-ed25519 AAAA x\r\nsecond\tline", multiline=True) == "ssh-ed25519 AAAA x\nsecond line"


class FormApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.submitted: dict[str, Any] | None = None

    def on_mount(self) -> None:
        async def submit(values: dict[str, Any]) -> bool:
            self.submitted = values
            return True

        self.push_screen(
            FormModal(
                "Form",
                [
                    FormField("name", "Name"),
                    FormField("secret", "Secret", kind="secret"),
                    FormField("note", "Note", kind="textarea"),
                ],
                submit,
            )
        )


async def test_every_text_field_reaches_the_submit_without_control_characters() -> None:
    app = FormApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#field-name", Input).value = "web\x07-\x1b[31m01\x00"
        screen.query_one("#field-secret", Input).value = "pa\x0bss\x7f"
        screen.query_one("#field-note", TextArea).text = "line one\x07\nline\ttwo\x1b"
        await pilot.click("#submit")
        await pilot.pause()
        for _ in range(50):
            if app.submitted is not None:
                break
            await pilot.pause(0.02)
    assert app.submitted == {"name": "web-[31m01", "secret": "pa ss", "note": "line one\nline two"}


class FailingFormApp(App[None]):
    """A form whose submit fails with huge messages (a server echoing a 10,000-character URL back)."""

    CSS_PATH = str(Path(cloudzy_tui.ui.__file__).parent / "app.tcss")  # the console's dialog styles

    def on_mount(self) -> None:
        from cloudzy_tui.ui.modals.form import FormError

        async def submit(values: dict[str, Any]) -> bool:
            raise FormError({"url": "bad URL " + "u" * 10_000}, general="refused: " + "g" * 10_000)

        self.push_screen(
            FormModal("Download a custom ISO", [FormField("name", "Name"), FormField("url", "URL")], submit)
        )


async def test_huge_error_messages_never_hide_the_form() -> None:
    app = FailingFormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#submit")
        for _ in range(100):
            if app.screen.query_one("#form-error").display:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        svg = app.export_screenshot()
        shown = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
        assert "Download a custom ISO" in shown  # the title
        assert "Cancel" in shown  # the buttons
        assert "refused:" in shown  # and the message
        assert isinstance(app.focused, Input) and app.focused.id == "field-url"  # focus on the field in error
