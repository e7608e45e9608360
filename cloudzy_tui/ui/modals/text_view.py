"""A scrollable, read-only text (raw JSON of a resource, a one-time password)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from cloudzy_tui.ui.text import clean


class TextViewModal(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="textview.close"),
        Binding("c", "copy", "Copy", id="textview.copy"),
    ]

    def __init__(self, title: str, text: str, *, copy_label: str = "Copy") -> None:
        super().__init__(classes="modal")
        self._title = title
        self._text = clean(text, max_length=200_000, single_line=False)
        self._copy_label = copy_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog wide"):
            yield Label(Text(self._title, style="bold"), id="dialog-title")
            with VerticalScroll(id="text-scroll"):
                yield Static(Text(self._text), id="text-body")
            with Horizontal(classes="buttons"):
                yield Button(self._copy_label, id="copy")
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self._text)
        self.notify("Copied to the clipboard (OSC 52).", markup=False, timeout=3)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
