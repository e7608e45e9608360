"""The console's own views (activity, requests, pulse): the one resource screen over data this process keeps.

They differ from an API resource in one way: what they show changes with every action, so the list is read
again each time the view comes back to the front (it costs no request).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType

from cloudzy_tui.ui.resources.base import ResourceSpec
from cloudzy_tui.ui.screens.resource import ResourceScreen


class LocalViewScreen(ResourceScreen[Any]):
    def on_screen_resume(self) -> None:
        # Runs after ResourceScreen's own handler (Textual calls each class's handler along the MRO).
        if self.loaded_once and not self.fetching:
            self.reload()


def local_screen_class(
    spec: ResourceSpec[Any], base: type[LocalViewScreen] = LocalViewScreen
) -> type[ResourceScreen[Any]]:
    """Like ``screen_class_for``: a subclass of ``base`` whose bindings are the spec's actions."""
    bindings: list[BindingType] = [
        Binding(a.key, f"act('{a.id}')", a.title, show=a.show, id=f"{spec.name}.{a.id}") for a in spec.actions
    ]
    name = "".join(part.capitalize() for part in spec.name.replace("-", "_").split("_")) + "Screen"
    return type(name, (base,), {"BINDINGS": bindings})
