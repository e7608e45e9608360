"""SSH keys from the keyboard: detail, create (pasted or from a .pub file, validated first), delete with confirm."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from textual.widgets import Input

from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal

from .helpers import form_on_screen, loaded, settle, wait_for


def ed25519(comment: str = "me@laptop") -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def _posts(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.method == "POST" and r.path == "/v1/ssh-keys"]


async def _open_form(pilot: Any) -> FormModal[Any]:
    pilot.app.show_resource("ssh-keys")
    await loaded(pilot, "ssh-keys")
    await pilot.press("n")
    form = await form_on_screen(pilot)
    return form


async def test_detail_shows_fingerprint_and_full_key(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, "instances")
        pilot.app.show_resource("ssh-keys")
        screen = await loaded(pilot, "ssh-keys")
        await pilot.press("enter")
        await settle(pilot)
        record = simulator.ssh_keys[int(screen.table.cursor_key)]
        text = screen.detail.plain_text(width=400)
        assert record["fingerprint"] in text and record["name"] in text
        assert record["publicKey"].split()[1] in text.replace("\n", "")


async def test_create_from_paste_and_invalid_key_stays_at_the_field(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        form = await _open_form(pilot)
        form.query_one("#field-name", Input).value = "laptop"
        form.query_one("#field-public_key", Input).value = "ssh-ed25519 not-base64!!"
        await pilot.click("#submit")
        await wait_for(pilot, lambda: bool(str(form.query_one("#error-public_key").render())))
        assert not _posts(simulator)  # validated before sending
        assert form.query_one("#field-name", Input).value == "laptop"  # nothing lost
        form.query_one("#field-public_key", Input).value = ed25519()
        await pilot.pause(0.25)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
        assert len(_posts(simulator)) == 1
        assert any(r["name"] == "laptop" for r in simulator.ssh_keys.values())
        screen = await loaded(pilot, "ssh-keys")
        await wait_for(pilot, lambda: any(k.name == "laptop" for k in screen.model.items.values()))


async def test_create_from_a_pub_file(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    pub = tmp_path / "id_ed25519.pub"
    pub.write_text(ed25519("from-file") + "\n")
    private = tmp_path / "id_ed25519"
    private.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nxxx\n-----END OPENSSH PRIVATE KEY-----\n")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        form = await _open_form(pilot)
        form.query_one("#field-name", Input).value = "file-key"
        form.query_one("#field-public_key", Input).value = str(private)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "private key" in str(form.query_one("#error-public_key").render()))
        assert not _posts(simulator)
        form.query_one("#field-public_key", Input).value = str(pub)
        await pilot.pause(0.25)
        await pilot.click("#submit")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
        sent = _posts(simulator)[-1].body
        assert sent["name"] == "file-key" and sent["publicKey"].endswith("from-file")


async def test_delete_asks_and_removes(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        pilot.app.show_resource("ssh-keys")
        screen = await loaded(pilot, "ssh-keys")
        key = screen.table.cursor_key
        before = len(simulator.ssh_keys)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: len(simulator.ssh_keys) == before - 1)
        assert int(key) not in simulator.ssh_keys
        await wait_for(pilot, lambda: key not in screen.model.items)
