"""``c`` on a row with several things worth copying (an instance: id, IPs, the ssh command): pick one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from cloudzy_tui.ui.text import clean


class CopyChoice(ModalScreen[str | None]):
    """Dismissed with the value chosen (arrows + Enter), None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="copy.cancel"),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__(classes="modal")
        self._title = title
        self._values = [value for _, value in choices]
        self._labels = [label for label, _ in choices]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(Text(self._title, style="bold"), id="dialog-title")
            options = []
            for n, (label, value) in enumerate(zip(self._labels, self._values, strict=True)):
                prompt = Text(f"{label:<12}", style="bold")
                prompt.append(clean(value, max_length=70))
                options.append(Option(prompt, id=f"copy-{n}"))
            yield OptionList(*options, id="copy-choices")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._values[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
