"""SSH keys: list, detail with the full public key, create (pasted or from a file), delete."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import SshKey
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import ssh_keys as key_ops
from cloudzy_tui.ops.ssh_keys import key_comment, key_type
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome
from cloudzy_tui.ui.resources.base import ActionCall, Column, ResourceSpec, Section, View, op_action
from cloudzy_tui.ui.text import safe_text

if TYPE_CHECKING:
    pass

MAX_KEY_FILE = 64 * 1024


def key_detail(k: SshKey, view: View) -> list[Section]:
    return [
        Section(
            "SSH key",
            rows=[
                ("name", k.name),
                ("id", k.id),
                ("type", key_type(k)),
                ("fingerprint", k.fingerprint),
                ("comment", key_comment(k)),
                ("customer", k.customer_id),
            ],
        ),
        Section("Public key", body=safe_text(k.public_key, single_line=False, max_length=20000)),
    ]


def read_key_source(value: str) -> str:
    """The public key itself, or the contents of the file it names (``~/.ssh/id_ed25519.pub``)."""
    text = value.strip()
    looks_like_path = text.startswith(("~", "/", "./", "../")) or (text.endswith(".pub") and " " not in text)
    if not looks_like_path:
        return text
    path = Path(text).expanduser()
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise ValueError(f"{path} is too large to be a public key")
        content = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    if "PRIVATE KEY" in content:
        raise ValueError(f"{path} is a private key; give the .pub file")
    return content


async def create_key(call: ActionCall[SshKey]) -> None:
    from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal

    op = key_ops.CREATE
    if not await check(call.app, op, None):
        return

    async def submit(values: dict[str, Any]) -> Outcome:
        try:
            public_key = read_key_source(values["public_key"])
        except ValueError as exc:
            raise FormError({"public_key": str(exc)}) from None
        params = {"name": values["name"], "public_key": public_key}
        return await execute_in_form(call.app, op, None, params, values)

    outcome = await call.app.ask(
        FormModal(
            "New SSH key",
            [
                FormField("name", "Name", required=True, placeholder="laptop"),
                FormField(
                    "public_key",
                    "Public key, or the path of a .pub file",
                    required=True,
                    placeholder="ssh-ed25519 AAAA… or ~/.ssh/id_ed25519.pub",
                    aliases=("publicKey",),
                ),
            ],
            submit,
            submit_label="Create",
        )
    )
    if outcome is not None:
        await show_outcome(call.app, op, outcome)


SSH_KEYS: ResourceSpec[SshKey] = ResourceSpec(
    resource=key_ops.SSH_KEYS,
    columns=[
        Column("name", "Name", lambda k, v: k.name, min_width=6, max_width=28),
        Column("id", "Id", lambda k, v: k.id, justify="right", max_width=8),
        Column("type", "Type", lambda k, v: key_type(k), max_width=20),
        Column("fingerprint", "Fingerprint", lambda k, v: k.fingerprint, max_width=52),
        Column("comment", "Comment", lambda k, v: key_comment(k), max_width=30, flex=True),
    ],
    detail=key_detail,
    actions=[
        op_action(key_ops.CREATE, "n", id="create", title="New", run=create_key),
        op_action(key_ops.DELETE, "D", id="delete", title="Delete"),
    ],
    copy_value=lambda k: k.public_key or str(k.id),
    empty_hint="No SSH keys yet: press n to add one (paste it or give ~/.ssh/id_ed25519.pub).",
    refresh_interval=60.0,
)
