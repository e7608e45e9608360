"""The generic resource screen, driven by the keys a person presses, against the simulator."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from cloudzy_tui.ui.resources import ALL_SPECS
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.resource_table import ResourceTable

from .helpers import form_on_screen, loaded, resource_screen, settle, wait_for


async def test_opens_on_instances_with_rows(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        visible = [i for i in simulator.instances.values() if i.get("status") != "deleted"]
        assert len(screen.model) == len(visible)
        assert screen.table.row_count == len(visible)
        assert screen.table.cursor_key is not None


async def test_every_resource_screen_loads_from_the_command_line(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        for spec in ALL_SPECS:
            await pilot.press("colon")
            await pilot.press(*spec.name)
            await pilot.press("enter")
            screen = await loaded(pilot, spec.name)
            assert screen.last_error is None, (spec.name, screen.last_error)
            assert len(screen.model) > 0, f"{spec.name} shows no rows"


async def test_aliases_and_completion(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("colon", "f", "i", "p", "enter")
        assert (await loaded(pilot)).spec.name == "floating-ips"
        # Tab completes a prefix to the full name.
        await pilot.press("colon", "s", "n", "a", "p", "s", "h", "tab")
        box = pilot.app.screen.query_one(Input)
        assert box.value == "snapshots"
        await pilot.press("enter")
        assert (await loaded(pilot)).spec.name == "snapshots"
        # esc goes back along the history.
        await pilot.press("escape")
        assert (await loaded(pilot)).spec.name == "floating-ips"


async def test_filter_as_you_type_and_clear(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        total = screen.table.row_count
        hostname = next(iter(screen.model.items.values())).hostname
        await pilot.press("slash", *hostname)
        assert 1 <= screen.table.row_count < total
        shown = [screen.model.items[k].hostname for k in screen.table.order]
        assert all(hostname.lower() in h.lower() for h in shown)
        await pilot.press("enter")  # keep the filter, back to the table
        assert isinstance(pilot.app.focused, ResourceTable)
        await pilot.press("escape")  # clears it
        assert screen.table.row_count == total
        assert screen.filter_text == ""


async def test_column_filter_and_negation(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("slash", *"status:shutdown")
        statuses = {screen.model.items[k].status for k in screen.table.order}
        assert statuses == {"shutdown"}
        await pilot.press("escape")
        await pilot.press("slash", *"!status:shutdown")
        statuses = {screen.model.items[k].status for k in screen.table.order}
        assert "shutdown" not in statuses and statuses


async def test_sort_by_column_keeps_cursor_on_row(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("down", "down")
        key = screen.table.cursor_key
        await pilot.press("o")  # sort by the first column (hostname)
        assert screen.sort_column == "hostname"
        names = [screen.model.items[k].hostname.casefold() for k in screen.table.order]
        assert names == sorted(names)
        assert screen.table.cursor_key == key
        await pilot.press("O")
        names = [screen.model.items[k].hostname.casefold() for k in screen.table.order]
        assert names == sorted(names, reverse=True)


async def test_enter_opens_full_detail_and_escape_closes(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.has_class("detail-open")
        rendered = screen.detail.plain_text()
        item = screen.current_item
        assert item is not None
        assert "Snapshots" in rendered and "Backup profile" in rendered and "Floating IPs" in rendered
        await pilot.press("escape")
        assert not screen.has_class("detail-open")


async def test_refresh_keeps_cursor_and_applies_server_changes(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("down", "down", "down")
        key = screen.table.cursor_key
        assert key is not None
        # Something changes on the server: a hostname.
        simulator.instances[key]["hostname"] = "renamed-on-server"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.model.items[key].hostname == "renamed-on-server")
        assert screen.table.cursor_key == key


async def test_hostile_strings_render_literally(make_app: Any, simulator: Any) -> None:
    hostile = [
        "web[/bar]",
        "[@click=app.quit]x",
        "evil\x1b]0;pwned\x07\x1b[31mred",
        "rtl\u202eevil",
        "[link=http://x]y",
    ]
    ids = list(simulator.instances)[: len(hostile)]
    for instance_id, name in zip(ids, hostile, strict=True):
        simulator.instances[instance_id]["hostname"] = name
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        for instance_id in ids:
            assert screen.table.move_cursor_to_key(instance_id)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("escape")
        await pilot.press("slash", *"[/bar]")
        assert screen.table.row_count == 1
        assert pilot.app.is_running
        svg = pilot.app.export_screenshot()
        assert "\x1b" not in svg and "\u202e" not in svg


async def test_screen_of_each_resource_shows_detail(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, "instances")
        for spec in ALL_SPECS:
            pilot.app.show_resource(spec.name)
            screen = await loaded(pilot, spec.name)
            await settle(pilot)
            rendered = screen.detail.plain_text()
            assert "Nothing selected" not in rendered, spec.name
            assert isinstance(resource_screen(pilot), ResourceScreen)


async def test_rows_paint_while_a_slow_account_is_still_loading(make_app: Any, simulator: Any) -> None:
    # Regression: a screen attribute named `loading` collided with Textual's Widget.loading and blanked
    # the whole screen for as long as a load took (invisible with a fast in-process simulator).
    simulator.config.latency_ms = 150
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: resource_screen(pilot).fetching)
        await pilot.pause(0.05)
        text = pilot.app.export_screenshot()
        assert "Hostname" in text and "Instances" in text
        assert not resource_screen(pilot).loading  # Textual's own loading indicator is never set
        await loaded(pilot, "instances")


async def test_command_palette_lists_the_screens_actions(make_app: Any) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        titles = [a.title for a in screen.enabled_actions()]
        commands = [c.title for c in app.get_system_commands(screen)]
        for title in titles:
            assert f"Instances: {title}" in commands
        assert "Go to Snapshots" in commands
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(pilot.app))
        await pilot.press(*"go to keys", "enter")
        assert (await loaded(pilot)).spec.name == "ssh-keys"


async def test_copy_puts_the_ip_on_the_clipboard(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        item = screen.current_item
        await pilot.press("c")  # an instance offers its IPs, id and ssh command: the first (IPv4) highlighted
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CopyChoice")
        await pilot.press("enter")
        assert pilot.app.clipboard == (item.main_ip or item.id)


async def test_export_the_filtered_table(make_app: Any, tmp_path: Any, monkeypatch: Any) -> None:
    import csv
    import json

    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("slash", *"web", "enter")
        shown = screen.table.order
        await pilot.press("E")
        form = await form_on_screen(pilot)
        form.query_one("#field-path", Input).value = "web.csv"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: (tmp_path / "web.csv").exists())
        rows = list(csv.reader((tmp_path / "web.csv").open()))
        assert rows[0][0] == "Hostname"
        assert [r[0] for r in rows[1:]] == [screen.model.items[k].hostname for k in shown]
        await pilot.press("E")
        form = await form_on_screen(pilot)
        form.query_one("#field-path", Input).value = "web.json"
        from textual.widgets import Select

        form.query_one("#field-format", Select).value = "json"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: (tmp_path / "web.json").exists())
        data = json.loads((tmp_path / "web.json").read_text())
        assert [d["id"] for d in data] == shown and "vcpuCount" in data[0]


async def test_keymap_rebinds_an_action(make_app: Any, simulator: Any) -> None:
    from cloudzy_tui.ui.modals.confirm import ConfirmModal

    app = make_app(keymap={"instances.power_off": "P"})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["status"] == "active" and not r.busy)
        screen.table.move_cursor_to_key(record.id)
        await pilot.press("p")  # no longer power off
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))


async def test_live_refresh_runs_on_its_own_and_never_overlaps(make_app: Any, simulator: Any) -> None:
    app = make_app(refresh_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        key = screen.table.cursor_key
        simulator.instances[key]["hostname"] = "changed-behind-your-back"
        await wait_for(pilot, lambda: screen.model.items[key].hostname == "changed-behind-your-back")
        assert screen.table.cursor_key == key
        # One walk at a time: count overlapping list walks in the request log.
        walks = [r for r in simulator.requests if r.path == "/v1/instances" and "bookmark" not in r.query]
        assert len(walks) >= 2
        # While a modal is open the timer waits.
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        count = len([r for r in simulator.requests if r.path == "/v1/instances"])
        app.refresh_seconds = 30  # from now on, a re-armed timer would wait 30 s
        await pilot.pause(0.3)
        assert len([r for r in simulator.requests if r.path == "/v1/instances"]) == count
        # The refresh it missed happens as soon as the screen is back, not a whole period later.
        simulator.instances[key]["hostname"] = "changed-while-help-was-open"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.model.items[key].hostname == "changed-while-help-was-open")


async def test_empty_account_hints_how_to_start(make_app: Any, simulator: Any) -> None:
    for record in simulator.instances.values():
        record["status"] = "deleted"
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot, "instances")
        assert "press n to create one" in pilot.app.export_screenshot().replace("&#160;", " ")
