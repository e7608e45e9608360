"""Over a real socket, the instance list is walked on the background loop with a read-only client."""

from __future__ import annotations

from typing import Any

from conftest import TOKEN

from cloudzy_tui.api import CloudzyClient

from .helpers import loaded, wait_for


async def test_list_walk_runs_off_the_ui_loop(make_app: Any, simulator: Any, served_simulator: str) -> None:
    client = CloudzyClient(served_simulator, TOKEN)
    list_client = CloudzyClient(served_simulator, TOKEN)
    app = make_app(client=client, list_client=list_client)
    assert list_client.read_only  # the background client can only read
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        visible = [r for r in simulator.instances.values() if r["status"] != "deleted"]
        assert len(screen.model) == len(visible)
        # A refresh goes through the same path and keeps working after an action on the main client.
        record = next(r for r in visible if r["status"] == "active" and not r.busy)
        simulator.instances[record.id]["hostname"] = "renamed"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.model.items[record.id].hostname == "renamed")
        offloop = app.offloop
        assert offloop is not None
    assert offloop.closed and not offloop.alive  # nothing left running
    assert list_client.is_closed
