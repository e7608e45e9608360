"""Read-only mode, protected instances, the host the console runs on, the audit log, a refused token, crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN, make_client

from cloudzy_tui.api import ReadOnlyError
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.token import TokenModal
from cloudzy_tui.ui.resources import ALL_SPECS

from .helpers import loaded, settle, wait_for


def _non_get(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.method != "GET"]


async def test_read_only_hides_and_refuses_every_mutation(make_app: Any, simulator: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        mutating = 0
        for spec in ALL_SPECS:
            app.show_resource(spec.name)
            screen = await loaded(pilot, spec.name)
            for action in spec.actions:
                if not action.mutating:
                    continue
                mutating += 1
                # Hidden from the footer, the help and the palette...
                assert screen.check_action("act", (action.id,)) is False, (spec.name, action.id)
                assert action not in screen.enabled_actions()
                # ...its key does nothing...
                await pilot.press(action.key)
                # ...and the dispatcher refuses it even when called directly.
                screen.dispatch_action(action, screen.current_item)
                await settle(pilot)
                assert not isinstance(pilot.app.screen, ConfirmModal)
        assert mutating >= 10
        assert "READ-ONLY" in screen.query_one("#status").render().__str__() or app.read_only
        assert _non_get(simulator) == []
        # The client itself refuses too: nothing leaves.
        instance_id = next(iter(simulator.instances))
        with pytest.raises(ReadOnlyError):
            await app.client.instances.power_off(instance_id)
        assert _non_get(simulator) == []


def _rows_tied_to(screen: Any, hostnames: set[str], ids: set[str]) -> list[str]:
    """Keys of the rows of ``screen`` whose instance (the row itself, or what it is attached to) is one of these."""
    resource = screen.spec.resource
    keys = []
    for key, item in screen.model.items.items():
        ref = resource.instance_of(item) if resource.instance_of is not None else None
        if ref is not None and (ref.id in ids or (ref.hostname or "") in hostnames):
            keys.append(key)
    return keys


async def test_protected_instances_refuse_every_key_on_them_or_on_what_is_attached(
    make_app: Any, simulator: Any
) -> None:
    """Every mutating key of every screen, on every row that is or belongs to a protected instance (an active one and
    a shut-down one): refused with the pattern named, no dialog, nothing sent."""
    protected = {"db-primary", "win-rdp"}
    ids = {r.id for r in simulator.instances.values() if r["hostname"] in protected}
    app = make_app(protected=["db-*", "win-rdp"])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        tried: set[tuple[str, str]] = set()
        for spec in ALL_SPECS:
            app.show_resource(spec.name)
            screen = await loaded(pilot, spec.name)
            for key in _rows_tied_to(screen, protected, ids):
                for action in spec.actions:
                    if not action.mutating or not action.needs_item:
                        continue
                    assert screen.table.move_cursor_to_key(key)
                    await pilot.pause()
                    if action.unavailable(screen.current_item) is not None:
                        continue  # refused for its state before the rails are even asked (tested elsewhere)
                    app.clear_notifications()
                    await pilot.press(action.key)
                    await settle(pilot)
                    assert pilot.app.screen is screen, (spec.name, action.id)  # no dialog, no form
                    messages = [n.message for n in pilot.app.shown_toasts()]
                    assert any("protected" in m and ("'db-*'" in m or "'win-rdp'" in m) for m in messages), (
                        spec.name,
                        action.id,
                        messages,
                    )
                    tried.add((spec.name, action.id))
        assert _non_get(simulator) == []
    # Every kind of row tied to an instance was tried: the instance itself, its snapshots, backups, floating IPs.
    assert {name for name, _ in tried} == {"instances", "snapshots", "backups", "floating-ips"}
    assert ("instances", "power_on") in tried and ("instances", "power_off") in tried
    assert ("floating-ips", "release") in tried and ("snapshots", "restore") in tried


async def test_a_snapshot_of_a_protected_instance_is_refused_in_the_form(make_app: Any, simulator: Any) -> None:
    """``n`` on snapshots asks for the instance: choosing a protected one is refused at submit, nothing sent."""
    from textual.widgets import Button, Select

    from cloudzy_tui.ui.modals.form import FormModal

    app = make_app(protected=["db-*"])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        app.show_resource("snapshots")
        await loaded(pilot, "snapshots")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
        form = pilot.app.screen
        record = next(r for r in simulator.instances.values() if r["hostname"] == "db-primary")
        form.query_one("#field-instance", Select).value = record.id
        form.query_one("#submit", Button).press()
        await wait_for(pilot, lambda: "protected" in str(form.query_one("#form-error").render()))
        assert pilot.app.screen is form
        assert _non_get(simulator) == []


async def test_the_host_the_console_runs_on_needs_its_hostname(make_app: Any, simulator: Any) -> None:
    app = make_app(local_hostname="web-01.example.net")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["hostname"] == "web-01")
        screen.table.move_cursor_to_key(record.id)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        modal = pilot.app.screen
        assert modal.query("#require-input")  # power off now needs the hostname typed
        assert modal.query_one("#confirm").disabled


async def test_audit_log_records_mutations_without_secrets(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.jsonl"
    app = make_app(audit=AuditLog(path, "prod"), profile_name="prod")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["status"] == "active" and not r.busy)
        screen.table.move_cursor_to_key(record.id)
        await pilot.press("w")  # change password: the reply holds a password
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: bool(app.audit.entries))
        await pilot.press("escape")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["profile"] == "prod" and entry["action"] == "New password"
    assert entry["target"] == record["hostname"] and entry["method"] == "POST"
    assert entry["path"].endswith("/change-pass") and entry["status"] == 200 and entry["outcome"] == "ok"
    text = path.read_text()
    assert TOKEN not in text and 'password":' not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_refused_token_offers_another_without_restarting(make_app: Any, simulator: Any) -> None:

    app = make_app(client=make_client(simulator), secrets=[TOKEN])
    simulator.config.token = "rotated-token-42"
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TokenModal))
        await pilot.press(*"rotated-token-42", "enter")
        screen = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: len(screen.model) > 0)
        assert screen.last_error is None
        svg = pilot.app.export_screenshot()
        assert "rotated-token-42" not in svg and TOKEN not in svg


def test_crash_report_has_no_locals_and_no_token(make_app: Any, simulator: Any) -> None:
    app = make_app(secrets=[TOKEN])

    def explode() -> None:
        token_copy = TOKEN  # a local holding the token, as a careless frame might
        raise RuntimeError(f"boom {token_copy}")

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot, "instances")
            app.call_later(explode)
            await pilot.pause(0.2)

    import asyncio

    printed: list[str] = []
    app._print_error_renderables = lambda: printed.extend(  # type: ignore[method-assign]
        segment.text for renderable in app._exit_renderables for segment in renderable.segments
    )
    with pytest.raises(RuntimeError):
        asyncio.run(run())
    rendered = "".join(printed)
    assert "RuntimeError" in rendered
    assert TOKEN not in rendered
    assert "boom ***" in rendered
    assert "token_copy = '" not in rendered  # no locals panel


async def test_token_absent_from_every_log_line(make_app: Any, simulator: Any, caplog: Any) -> None:
    import logging

    caplog.set_level(logging.DEBUG)  # everything: ours, httpx, httpcore
    app = make_app(secrets=[TOKEN])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        record = next(r for r in simulator.instances.values() if r["status"] == "active" and not r.busy)
        screen.table.move_cursor_to_key(record.id)
        await pilot.press("enter")
        await settle(pilot)
        simulator.faults.add(method="POST", status=503)
        await pilot.press("escape", "p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await settle(pilot)
        svg = pilot.app.export_screenshot()
    assert caplog.records  # logging did happen
    assert TOKEN not in caplog.text
    assert TOKEN not in svg
