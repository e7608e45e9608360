"""Ask before doing something that cannot be taken back.

A plain confirmation opens with Cancel focused (a reflexive Enter never destroys anything). An irreversible action
asks for the name to be typed: the dialog opens with focus on that field, so a name typed ahead lands in it; Enter
confirms only when what was typed is exactly the name (case-sensitive, nothing trimmed), otherwise it says so and
stays open; Esc cancels.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from cloudzy_tui.ui.text import safe_text

Answer = TypeVar("Answer")


class TypedConfirmation(ModalScreen[Answer]):
    """What every confirmation shares (this one and ``BulkConfirmModal``): focus at once on the field to type in, or
    on Cancel; the confirm button enabled only on an exact match; Enter on a mismatch rings and says so, and stays.

    A subclass sets ``_require`` (None: nothing to type), composes ``#require-input``, ``#require-prompt``,
    ``#confirm`` and ``#cancel``, and gives ``_prompt`` and ``_answer`` (what a match dismisses with)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
    ]

    _require: str | None = None

    def _prompt(self, *, mismatch: bool = False, typed: str = "") -> Text:
        raise NotImplementedError

    def _answer(self, typed: str) -> Answer:
        raise NotImplementedError

    def on_mount(self) -> None:
        # Set at once (not ``widget.focus()``, which is deferred): keys typed ahead go to the right place.
        if self._require is not None:
            self.set_focus(self.query_one("#require-input", Input))
        else:
            # Cancel is focused: a reflexive Enter must never destroy anything.
            self.set_focus(self.query_one("#cancel", Button))

    def _matches(self, value: str) -> bool:
        return self._require is not None and value == self._require

    @on(Input.Changed, "#require-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = not self._matches(event.value)
        self.query_one("#require-prompt", Static).update(self._prompt())

    @on(Input.Submitted, "#require-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._matches(event.value):
            self.dismiss(self._answer(event.value))
            return
        self.app.bell()
        self.query_one("#require-prompt", Static).update(self._prompt(mismatch=bool(event.value), typed=event.value))


class ConfirmModal(TypedConfirmation[bool]):
    """Returns True only when the user pressed the confirm button (after typing ``require`` if given)."""

    def __init__(
        self,
        title: str,
        message: Text | str,
        *,
        confirm_label: str = "Confirm",
        danger: bool = True,
        require: str | None = None,
        require_label: str = "name",
    ) -> None:
        super().__init__(classes="modal")
        self._title = title
        self._message = message if isinstance(message, Text) else Text(message)
        self._confirm_label = confirm_label
        self._danger = danger
        self._require = require
        self._require_label = require_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog danger" if self._danger else "dialog"):
            yield Label(Text(self._title, style="bold"), id="dialog-title")
            yield Static(self._message, id="dialog-message")
            if self._require is not None:
                yield Static(self._prompt(), id="require-prompt")
                yield Input(placeholder=self._require_label, id="require-input")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", variant="default")
                yield Button(
                    self._confirm_label,
                    id="confirm",
                    variant="error" if self._danger else "primary",
                    disabled=self._require is not None,
                )

    def _answer(self, typed: str) -> bool:
        return True

    def _prompt(self, *, mismatch: bool = False, typed: str = "") -> Text:
        prompt = Text("Type the ")
        prompt.append(self._require_label)
        prompt.append(" ")
        prompt.append_text(safe_text(self._require, style="bold"))
        prompt.append(" to confirm:")
        if mismatch:
            prompt.append(f"  that is not the {self._require_label} (case counts)", style="bold red")
        return prompt

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
