"""``?``: every key of the screen underneath, generated from the live bindings (so a rebound key shows as bound),
grouped: navigate, this resource, global."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.text import clean

HIDDEN_ACTIONS = {"help_quit", "command_palette"}
NAVIGATE = "Navigate"
GLOBAL = "Global"
#: Screen keys that move around rather than act on the resource.
NAVIGATE_ACTIONS = {
    "back",
    "back('marks')",
    "start_filter",
    "sort_next",
    "sort_reverse",
    "toggle_mark",
    "toggle_mark('footer')",
    "mark_all",
}
#: Textual's own screen keys: the same on every screen.
GLOBAL_ACTIONS = {"app.focus_next", "app.focus_previous", "screen.copy_text"}
#: Keys that act on the list as a whole: not listed while a detail view is open.
LIST_ONLY_ACTIONS = {"start_filter", "sort_next", "sort_reverse", "server_filters", "export"}


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__(classes="modal")
        self.target = target

    def _rows(self) -> dict[str, list[tuple[list[str], str, str]]]:
        """The live bindings of the screen underneath, grouped: navigate / this resource / global. A binding with
        several keys (``up,k``) shows all of them; on a detail view the list-only keys (filter, sort, export)
        are left out."""
        target = self.target
        detail_open = isinstance(target, ResourceScreen) and target.has_class("detail-open")
        resource = target.spec.title if isinstance(target, ResourceScreen) else "This screen"
        groups: dict[str, list[tuple[list[str], str, str]]] = {NAVIGATE: [], resource: [], GLOBAL: []}
        index: dict[tuple[str, str, str], tuple[list[str], str, str]] = {}
        for active in target.active_bindings.values():
            binding = active.binding
            action = binding.action
            if action in HIDDEN_ACTIONS or binding.system:
                continue
            if detail_open and action in LIST_ONLY_ACTIONS:
                continue
            if isinstance(active.node, App) or action in GLOBAL_ACTIONS:
                group = GLOBAL
            elif not isinstance(active.node, Screen) or action in NAVIGATE_ACTIONS:
                group = NAVIGATE
            else:
                group = resource
            description = binding.description or action
            marker = (group, description, action.replace("read_only_refusal(", "act("))
            display = self.app.get_key_display(binding)
            if action == "screen.copy_text" and display != "^c":
                continue  # super+c beside ctrl+c says nothing more
            if marker in index:
                keys = index[marker][0]
                if display not in keys:
                    keys.append(display)
                continue
            if action.startswith("read_only_refusal("):
                state = "refused: the console is read-only"
            else:
                state = self._reason(action) or ("" if active.enabled else "not available now")
            row = ([display], description, state)
            index[marker] = row
            groups[group].append(row)
        return {name: rows for name, rows in groups.items() if rows}

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim")
        for number, (group, rows) in enumerate(self._rows().items()):
            if number:
                table.add_row("", "", "")
            table.add_row(Text(group, style="bold underline"), "", "")
            for keys, description, state in rows:
                table.add_row(Text(" ".join(keys)), Text(description), Text(state))
        return table

    def _reason(self, action: str) -> str:
        """Why an action of the screen underneath does not apply to the row under its cursor, if it does not."""
        match = re.fullmatch(r"act\('([a-z_]+)'\)", action)
        target = self.target
        if match is None or not isinstance(target, ResourceScreen):
            return ""
        spec_action = target.spec.action(match.group(1))
        item = target.current_item
        if spec_action is None or not spec_action.needs_item:
            return ""
        if target.marks:
            from cloudzy_tui.ui.bulk import bulk_kind

            if bulk_kind(spec_action) != "single":
                return f"on the {len(target.marks)} marked rows"
        if item is None:
            return "select a row first"
        reason = spec_action.unavailable(item) if spec_action.unavailable is not None else None
        if reason:
            return clean(reason, max_length=70)
        return "one row at a time: the row under the cursor" if target.marks else ""

    def compose(self) -> ComposeResult:
        on_list = not (isinstance(self.target, ResourceScreen) and self.target.has_class("detail-open"))
        with Vertical(id="dialog", classes="dialog help"):
            yield Label(Text("Keys", style="bold"), id="dialog-title")
            with VerticalScroll():
                yield Static(self._table())
                note = ":name goes to a resource. ctrl+p lists every action by name."
                if on_list:
                    note = "Filter: text matches anywhere, col:value one column, !text excludes. " + note
                yield Static(Text(note, style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
