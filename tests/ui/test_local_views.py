"""The console's own views (activity, requests, pulse) are read again each time they come back to the front, and
once (not twice) when they are first shown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from cloudzy_tui.ui.resources.activity import ACTIVITY
from cloudzy_tui.ui.resources.base import ResourceSpec

from .helpers import loaded, settle


async def test_a_local_view_loads_once_when_first_shown_and_again_when_back(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    original = ResourceSpec.load

    def counting(self: ResourceSpec[Any], app: Any, filters: dict[str, Any]) -> AsyncIterator[Sequence[Any]]:
        if self is ACTIVITY:
            loads.append("activity")
        return original(self, app, filters)

    monkeypatch.setattr(ResourceSpec, "load", counting)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("colon", *"activity", "enter")
        await loaded(pilot, "activity")
        await settle(pilot)
        assert loads == ["activity"], "the first show reads the view once"
        await pilot.press("escape")  # back along the history (no dialog over the view on the way out)
        await loaded(pilot, "instances")
        await pilot.press("colon", *"activity", "enter")
        await loaded(pilot, "activity")
        await settle(pilot)
        assert loads == ["activity", "activity"], "back to the front: read again"
