"""Histories of what was typed at the ``:`` command line and in the ``/`` filter (↑ older, ↓ newer), and the bell
that rings when a job ends while the terminal is not focused.

``History`` is plain Python: bounded, per session, no duplicates (a repeated entry moves to the newest place).
``ConsoleExtras`` is mixed into the App: it records filters as they are submitted, answers ↑/↓ in a resource
screen's filter box (the keys bubble up to the App: the box itself has no use for them), and rings the bell.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input

#: entries kept per history
HISTORY_LIMIT = 50


class History:
    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self.items: list[str] = []  # oldest first
        self._index: int | None = None  # into items while walking; None: at the draft
        self._draft = ""

    def add(self, text: str) -> None:
        text = text.strip()
        self.reset()
        if not text:
            return
        if text in self.items:
            self.items.remove(text)
        self.items.append(text)
        del self.items[: -self.limit]

    def reset(self) -> None:
        """Start walking from the newest entry again (the box was opened or submitted)."""
        self._index = None
        self._draft = ""

    def older(self, current: str) -> str | None:
        """The entry before the one shown (the newest first); ``None`` when there is none older."""
        if not self.items:
            return None
        if self._index is None:
            self._draft = current
            self._index = len(self.items) - 1
        elif self._index > 0:
            self._index -= 1
        else:
            return None
        return self.items[self._index]

    def newer(self, current: str) -> str | None:
        """The entry after the one shown; past the newest, what was being typed before ↑."""
        if self._index is None:
            return None
        if self._index < len(self.items) - 1:
            self._index += 1
            return self.items[self._index]
        self._index = None
        return self._draft


class ConsoleExtras:
    """Mixed into ``CloudzyApp``: the two histories and the bell. (Textual calls these handlers along the MRO.)"""

    #: ring the terminal's bell when a job ends while the terminal is not focused (config ``bell``)
    bell_on_jobs: bool = True

    @property
    def command_history(self) -> History:
        return self._history_named("command")

    @property
    def filter_history(self) -> History:
        return self._history_named("filter")

    def _history_named(self, name: str) -> History:
        histories: dict[str, History] = self.__dict__.setdefault("_typed_histories", {})
        if name not in histories:
            histories[name] = History()
        return histories[name]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.filter_history.add(event.value)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input) and event.widget.id == "filter":
            self.filter_history.reset()

    def on_key(self, event: events.Key) -> None:
        if event.key not in ("up", "down"):
            return
        app: Any = self
        box = app.focused
        if not isinstance(box, Input) or box.id != "filter":
            return
        history = self.filter_history
        value = history.older(box.value) if event.key == "up" else history.newer(box.value)
        event.stop()
        event.prevent_default()
        if value is not None:
            box.value = value
            box.cursor_position = len(value)

    def ring_if_away(self) -> None:
        """A job ended: ring the bell if the terminal is not focused (and the config allows it)."""
        app: Any = self
        if self.bell_on_jobs and not app.app_focus:
            app.bell()
