"""The ``:`` command line: a resource name or alias, completed as you type (Tab or → accepts); ``profile NAME``
switches profile (``profile`` alone lists them). It dismisses with the resource's name, or ``profile [NAME]``."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from cloudzy_tui.ui.history import History
from cloudzy_tui.ui.resources import EVERY_SPEC, resolve_resource


def command_words(profiles: list[str] | None = None) -> list[str]:
    words: list[str] = []
    for spec in EVERY_SPEC:
        words.append(spec.name)
        words.extend(spec.aliases)
    words.extend(f"profile {name}" for name in profiles or [])
    return words


def profile_argument(value: str) -> str | None:
    """``profile NAME`` / ``profiles`` / ``profile``: the NAME part ("" for the list); None: not a profile command."""
    word, _, rest = value.strip().lstrip(":").partition(" ")
    if word.lower() in ("profile", "profiles"):
        return rest.strip()
    return None


class CommandLine(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="command.cancel"),
        Binding("tab", "complete", "Complete", show=False, id="command.complete", priority=True),
        Binding("up", "history(-1)", "Older", show=False, id="command.history_older"),
        Binding("down", "history(1)", "Newer", show=False, id="command.history_newer"),
    ]

    def _profiles(self) -> list[str]:
        names = getattr(self.app, "profile_names", None)
        return list(names()) if callable(names) else []

    def compose(self) -> ComposeResult:
        self._profile_names = self._profiles()
        with Vertical(id="command-box"):
            yield Input(
                placeholder="instances, snapshots, backups, fip, isos, images, keys, regions, products, os, apps",
                suggester=SuggestFromList(command_words(self._profile_names), case_sensitive=False),
                id="command-input",
            )
            yield Static(self._hint(""), id="command-hint")

    def _hint(self, value: str) -> Text:
        argument = profile_argument(value)
        typed = value.strip().lstrip(":").lower()
        if argument is not None or (len(typed) >= 4 and "profile".startswith(typed)):
            return self._profile_hint(argument or "")
        value = value.strip().lstrip(":").lower()
        text = Text()
        for spec in EVERY_SPEC:
            names = (spec.name, *spec.aliases)
            if value and not any(n.startswith(value) for n in names):
                continue
            text.append(f":{spec.name}", style="bold")
            if spec.aliases:
                text.append(" (" + ", ".join(spec.aliases) + ")", style="dim")
            text.append("  ")
        return text if text.plain else Text("no resource starts with that", style="dim")

    def _profile_hint(self, typed: str) -> Text:
        names = getattr(self, "_profile_names", [])
        if not names:
            return Text("no profiles to switch to (--demo, or none in the config)", style="dim")
        current = getattr(self.app, "profile_name", None)
        text = Text(":profile ", style="bold")
        for name in names:
            if typed and not name.startswith(typed):
                continue
            text.append(name, style="bold reverse" if name == current else "")
            text.append("  ")
        text.append("(Enter alone lists them)", style="dim")
        return text

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#command-hint", Static).update(self._hint(event.value))

    def on_mount(self) -> None:
        history = self._history()
        if history is not None:
            history.reset()

    def _history(self) -> History | None:
        history = getattr(self.app, "command_history", None)
        return history if isinstance(history, History) else None

    def action_history(self, step: int) -> None:
        """↑ the previous command typed this session, ↓ the next (past the newest: what was being typed)."""
        history = self._history()
        if history is None:
            return
        box = self.query_one(Input)
        value = history.older(box.value) if step < 0 else history.newer(box.value)
        if value is not None:
            box.value = value
            box.cursor_position = len(value)

    def action_complete(self) -> None:
        box = self.query_one(Input)
        if box._suggestion:
            box.value = box._suggestion
            box.cursor_position = len(box.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip().lstrip(":")
        if not name:
            self.dismiss(None)
            return
        profile = profile_argument(name)
        if profile is not None:
            history = self._history()
            if history is not None:
                history.add(name)
            self.dismiss(f"profile {profile}".strip())
            return
        spec = resolve_resource(name)
        if spec is None:
            self.query_one("#command-hint", Static).update(Text(f"unknown resource: {name[:40]}", style="bold red"))
            return
        history = self._history()
        if history is not None:
            history.add(name)
        self.dismiss(spec.name)

    def action_cancel(self) -> None:
        self.dismiss(None)
