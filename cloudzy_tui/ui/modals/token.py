"""The API refused the token: enter another one (masked), for this session, without restarting."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class TokenModal(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="token.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label(Text("The API refused the token (401)", style="bold"), id="dialog-title")
            yield Static(
                Text(
                    "Enter another API token for this session (from the Cloudzy panel's API settings). "
                    "It is kept in memory only; to keep it, set CLOUDZY_API_TOKEN or save it in a profile."
                ),
                id="dialog-message",
            )
            yield Input(password=True, placeholder="API token", id="token-input")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Use this token", id="use", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#token-input", Input).focus()

    @on(Button.Pressed, "#use")
    @on(Input.Submitted, "#token-input")
    def _use(self) -> None:
        value = self.query_one("#token-input", Input).value.strip()
        if value:
            self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
