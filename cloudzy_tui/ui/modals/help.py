"""``?``: every key of the screen underneath, generated from the live bindings (so a rebound key shows as bound)."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from cloudzy_tui.ui.text import clean

HIDDEN_ACTIONS = {"help_quit", "command_palette"}


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__(classes="modal")
        self.target = target

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim")
        rows: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for active in self.target.active_bindings.values():
            binding = active.binding
            if binding.action in HIDDEN_ACTIONS or binding.system:
                continue
            description = binding.description or binding.action
            marker = (description, binding.action)
            if marker in seen:
                continue
            seen.add(marker)
            display = self.app.get_key_display(binding)
            state = "" if active.enabled else "not available now"
            reason = self._reason(binding.action)
            if reason:
                state = reason
            rows.append((display, description, state))
        for display, description, state in sorted(rows, key=lambda r: r[1].lower()):
            table.add_row(Text(display), Text(description), Text(state))
        return table

    def _reason(self, action: str) -> str:
        """Why an action of the screen underneath does not apply to the row under its cursor, if it does not."""
        from cloudzy_tui.ui.screens.resource import ResourceScreen

        match = re.fullmatch(r"act\('([a-z_]+)'\)", action)
        target = self.target
        if match is None or not isinstance(target, ResourceScreen):
            return ""
        spec_action = target.spec.action(match.group(1))
        item = target.current_item
        if spec_action is None or not spec_action.needs_item:
            return ""
        if item is None:
            return "select a row first"
        if spec_action.unavailable is not None:
            return clean(spec_action.unavailable(item) or "", max_length=70)
        return ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog help"):
            yield Label(Text("Keys", style="bold"), id="dialog-title")
            with VerticalScroll():
                yield Static(self._table())
                yield Static(
                    Text(
                        "Filter: text matches anywhere, col:value one column, !text excludes. "
                        ":name goes to a resource. ctrl+p lists every action by name.",
                        style="dim",
                    )
                )

    def action_close(self) -> None:
        self.dismiss(None)
