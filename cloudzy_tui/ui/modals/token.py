"""Enter an API token (masked), for this session, without restarting: the API refused the token, or the profile
being switched to has none."""

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

    def __init__(self, title: str | None = None, message: str | None = None) -> None:
        super().__init__()
        self._title = title or "The API refused the token (401)"
        self._message = message or (
            "Enter another API token for this session (from the Cloudzy panel's API settings). "
            "It is kept in memory only; to keep it, set CLOUDZY_API_TOKEN or save it in a profile."
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog danger"):
            yield Label(Text(self._title, style="bold"), id="dialog-title")
            yield Static(Text(self._message), id="dialog-message")
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
