"""Which screen class shows a spec. A spec names its kind of screen (``extra["screen"]``) and never imports one:
the screens sit above the specs.

* ``"resource"`` (the default): the one resource screen with the spec's actions as bindings;
* ``"local"``: a console's own view (``:activity``, ``:requests``), read again each time it comes to the front;
* ``"pulse"``: ``:pulse``, whose Enter opens what a figure counts.
"""

from __future__ import annotations

from typing import Any

from cloudzy_tui.ui.resources.base import ResourceSpec
from cloudzy_tui.ui.screens.local_view import local_screen_class
from cloudzy_tui.ui.screens.pulse import PulseScreen
from cloudzy_tui.ui.screens.resource import ResourceScreen, screen_class_for


def screen_class(spec: ResourceSpec[Any]) -> type[ResourceScreen[Any]]:
    kind = spec.extra.get("screen", "resource")
    if kind == "local":
        return local_screen_class(spec)
    if kind == "pulse":
        return local_screen_class(spec, PulseScreen)
    if kind != "resource":
        raise ValueError(f"{spec.name}: no screen of kind {kind!r}")
    return screen_class_for(spec)
