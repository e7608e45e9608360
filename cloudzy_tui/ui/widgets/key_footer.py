"""The key footer: the screen's active bindings on one line, whole items only, most important first.

Why not Textual's ``Footer``: in Textual 8.2.8 it rebuilds one ``FooterKey`` widget per key each time its screen
resumes, a dialog closes or the focus moves, and each of those registers a watcher on the footer's ``compact``
reactive (``data_bind``). Textual prunes dead watchers only when ``compact`` changes, which never happens, so every
key ever built stays alive with its styles and caches (Textualize/textual#6666): the console grew ~4 MB per screen
round trip. It also cuts the last label at the border (``q Qui``, ``D D``).

This footer is one widget with no children and no data binding. It reads ``screen.active_bindings`` (so binding
ids, a user keymap, read-only hiding and ``check_action`` all apply as for Textual's footer) when the screen says
its bindings changed (``Screen.bindings_updated_signal``), repaints only when what it shows changed, and renders
one line of ``Text``. When the line is too narrow, whole items are dropped, least important first (see
``PRIORITY``); a label is never cut. Everything dropped is still listed by ``?`` and ``ctrl+p``. A mouse click on
an item presses its key, as with Textual's footer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.screen import Screen
from textual.widget import Widget

# Lower is kept longer. Bindings not named here: a screen's own (its primary actions, e.g. a resource's New,
# Power off, Delete; a dialog's Close) rank SCREEN_RANK, the app's APP_RANK; the command palette PALETTE_RANK.
ALWAYS = 0
SCREEN_RANK = 10
APP_RANK = 30
PALETTE_RANK = 40
PRIORITY: dict[str, int] = {
    "app.help": ALWAYS,
    "app.quit": ALWAYS,
    "jobs.close": ALWAYS,
    "app.command_line": 20,
    "app.jobs": 22,
    "resource.filter": 30,
    "resource.refresh": 32,
    "resource.server_filters": 34,
    "resource.sort": 36,
    "resource.copy": 38,
}


@dataclass(frozen=True)
class FooterItem:
    """One key as shown: ``key`` is what a click presses (after the keymap), ``display`` what is painted."""

    key: str
    display: str
    description: str
    enabled: bool
    rank: int
    order: int
    palette: bool = False

    @property
    def width(self) -> int:
        # " key " then "description " (the look of Textual's footer: two spaces between items)
        return cell_len(self.display) + 2 + (cell_len(self.description) + 1 if self.description else 0)


def fit(items: tuple[FooterItem, ...], width: int) -> list[FooterItem]:
    """The items that fit in ``width`` cells, chosen by rank (then order), returned in display order.

    Strict by rank: once an item does not fit, every less important rank is dropped (a lower-ranked key never
    shows while a more important one is missing); items of that same rank that still fit are kept.
    """
    chosen: list[FooterItem] = []
    used = 0
    cutoff: int | None = None
    for item in sorted(items, key=lambda i: (i.rank, i.order)):
        if cutoff is not None and item.rank > cutoff:
            break
        if used + item.width <= width:
            chosen.append(item)
            used += item.width
        else:
            cutoff = item.rank
    return sorted(chosen, key=lambda i: (i.palette, i.order))


class KeyFooter(Widget, can_focus=False):
    """The active bindings of this widget's screen, as one line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(
        self,
        *,
        priority: Mapping[str, int] | None = None,
        show_command_palette: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.priority: Mapping[str, int] = PRIORITY if priority is None else priority
        self.show_command_palette = show_command_palette
        self.items: tuple[FooterItem, ...] = ()
        self._spans: list[tuple[int, int, FooterItem]] = []
        self._screen: Screen[Any] | None = None

    # ------------------------------------------------------------------ bindings

    def on_mount(self) -> None:
        screen = self.screen
        self._screen = screen
        screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.update_items()

    def on_unmount(self) -> None:
        if self._screen is not None:
            self._screen.bindings_updated_signal.unsubscribe(self)
            self._screen = None

    def _bindings_changed(self, _screen: Screen[Any]) -> None:
        self.update_items()

    def rank(self, binding_id: str | None, from_app: bool) -> int:
        if binding_id is not None and binding_id in self.priority:
            return self.priority[binding_id]
        return APP_RANK if from_app else SCREEN_RANK

    def collect(self) -> tuple[FooterItem, ...]:
        """What the screen's live bindings offer now (shown bindings, one per action, in binding order)."""
        if not self.is_attached:
            return ()
        app = self.app
        active = self.screen.active_bindings
        items: list[FooterItem] = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append(
                FooterItem(
                    key=binding.key,
                    display=app.get_key_display(binding),
                    description=binding.description,
                    enabled=enabled,
                    rank=self.rank(binding.id, node is app),
                    order=len(items),
                )
            )
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            palette = active.get(app.COMMAND_PALETTE_BINDING)
            if palette is not None and palette.binding.action not in seen:
                items.append(
                    FooterItem(
                        key=palette.binding.key,
                        display=app.get_key_display(palette.binding),
                        description=palette.binding.description,
                        enabled=palette.enabled,
                        rank=PALETTE_RANK,
                        order=len(items),
                        palette=True,
                    )
                )
        return tuple(items)

    def update_items(self) -> None:
        """Read the bindings again; repaint only if what is shown changed."""
        items = self.collect()
        if items != self.items:
            self.items = items
            self.refresh()

    # ------------------------------------------------------------------ painting

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh()

    def render(self) -> RenderResult:
        width = self.size.width
        base = self.rich_style
        key_style = base + self.get_component_rich_style("key-footer--key")
        description_style = base + self.get_component_rich_style("key-footer--description")
        dim = Style(dim=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterItem]] = []
        shown = fit(self.items, width)
        for item in shown:
            if item.palette:
                line.append(" " * max(0, width - line.cell_len - item.width), base)
            start = line.cell_len
            extra = Style() if item.enabled else dim
            line.append(f" {item.display} ", key_style + extra)
            if item.description:
                line.append(f"{item.description} ", description_style + extra)
            spans.append((start, line.cell_len, item))
        self._spans = spans
        return line

    def shown_items(self) -> list[FooterItem]:
        """What the last paint showed, in order."""
        return [item for _start, _end, item in self._spans]

    # ------------------------------------------------------------------ mouse

    def on_click(self, event: events.Click) -> None:
        for start, end, item in self._spans:
            if start <= event.x < end:
                event.stop()
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
