"""The pulse screen: the one resource screen, where Enter on a figure opens what it counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.css.query import NoMatches
from textual.widgets import Input

from cloudzy_tui.ops.pulse import PulseLine
from cloudzy_tui.ui.screens.local_view import LocalViewScreen
from cloudzy_tui.ui.screens.resource import ResourceScreen

if TYPE_CHECKING:
    from cloudzy_tui.ui.services import ScreenHost


class PulseScreen(LocalViewScreen):
    def open_detail(self) -> None:
        line = self.current_item
        if isinstance(line, PulseLine) and line.goto is not None:
            open_line(self.cloudzy, line)
        else:
            super().open_detail()


def open_line(app: ScreenHost, line: PulseLine) -> None:
    """Show the resource a figure counts, with its filter (replacing any filter typed there) and row."""
    if line.goto == "jobs":
        app.action_jobs()
        return
    assert line.goto is not None
    if not app.show_resource(line.goto, select=line.select):
        return
    screen = app.screen_for(line.goto)
    if isinstance(screen, ResourceScreen):
        apply_filter(app, screen, line.filter)


def apply_filter(app: ScreenHost, screen: ResourceScreen[Any], text: str, tries: int = 50) -> None:
    """Put ``text`` in the screen's filter box (Esc clears it, as a typed one); the rows follow as it changes."""
    if not screen.is_mounted:
        screen.filter_text = text  # its first ordering uses it
        if tries > 0:
            app.call_after_refresh(apply_filter, app, screen, text, tries - 1)
        return
    try:
        box = screen.query_one("#filter", Input)
    except NoMatches:
        return
    if box.value != text:
        box.value = text  # Input.Changed: the screen filters and says so in its status bar
    elif screen.filter_text != text:
        screen.filter_text = text
    box.display = bool(text)
