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
    #: the view has been in front before: a resume is a return (the first one follows the mount, which loads)
    _shown = False

    def on_screen_resume(self) -> None:
        # Runs after ResourceScreen's own handler (Textual calls each class's handler along the MRO), which may
        # have started a load already (a refresh that fell due while away). Not on the first show either: the
        # mount's load is under way or just done. Reading again would race those (twice the requests for the
        # pulse, depending on which came first).
        if self._shown and self.loaded_once and not self.fetching and not self._load_started():
            self.reload()
        self._shown = True

    def _load_started(self) -> bool:
        return any(w.node is self and w.group == "load" and not w.is_finished for w in self.app.workers)


def local_screen_class(
    spec: ResourceSpec[Any], base: type[LocalViewScreen] = LocalViewScreen
) -> type[ResourceScreen[Any]]:
    """Like ``screen_class_for``: a subclass of ``base`` whose bindings are the spec's actions."""
    bindings: list[BindingType] = [
        Binding(a.key, f"act('{a.id}')", a.title, show=a.show, id=f"{spec.name}.{a.id}") for a in spec.actions
    ]
    name = "".join(part.capitalize() for part in spec.name.replace("-", "_").split("_")) + "Screen"
    return type(name, (base,), {"BINDINGS": bindings})
