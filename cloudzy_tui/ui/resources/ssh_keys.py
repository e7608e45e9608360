"""SSH keys: list, detail with the full public key, create (pasted or from a file), delete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api import SshKey, SshKeyCreate
from cloudzy_tui.ui.resources.base import Action, ActionCall, Column, FilterField, ResourceSpec, Section, View
from cloudzy_tui.ui.text import clean, safe_text

if TYPE_CHECKING:
    from cloudzy_tui.ui.app import CloudzyApp

MAX_KEY_FILE = 64 * 1024


async def load_keys(app: CloudzyApp, filters: dict[str, Any]) -> AsyncIterator[Sequence[SshKey]]:
    yield await app.client.ssh_keys.list(customer_id=filters.get("customer_id") or None)


async def fetch_key(app: CloudzyApp, key: SshKey) -> SshKey:
    return await app.client.ssh_keys.get(key.id)


def key_type(k: SshKey) -> str:
    return (k.public_key or "").split(" ", 1)[0] if k.public_key else ""


def key_comment(k: SshKey) -> str:
    parts = (k.public_key or "").split()
    return " ".join(parts[2:]) if len(parts) > 2 else ""


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

    async def submit(values: dict[str, Any]) -> SshKey | None:
        try:
            public_key = read_key_source(values["public_key"])
        except ValueError as exc:
            raise FormError({"public_key": str(exc)}) from None
        request = SshKeyCreate(name=values["name"], public_key=public_key)
        return await call.app.client.ssh_keys.create(request)

    created = await call.app.ask(
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
    if created is None:
        return
    call.app.toast(f"SSH key {clean(created.name) if created.name else ''} created")
    call.screen.reload()


async def delete_key(call: ActionCall[SshKey]) -> None:
    k = call.target
    message = Text("Delete the SSH key ")
    message.append_text(safe_text(k.name, style="bold"))
    message.append(f" ({clean(k.fingerprint) or clean(k.id)})?\n")
    message.append("Instances that already have it keep it; new instances can no longer be given it.")
    if not await call.app.confirm("Delete SSH key", message, confirm_label="Delete"):
        return
    result = await call.app.client.ssh_keys.delete(k.id)
    call.app.toast(result.detail or "SSH key deleted")
    call.screen.remove_item(str(k.id))


SSH_KEYS: ResourceSpec[SshKey] = ResourceSpec(
    name="ssh-keys",
    title="SSH keys",
    singular="SSH key",
    aliases=("keys", "key", "ssh", "sshkeys"),
    key_of=lambda k: str(k.id),
    label_of=lambda k: k.name or str(k.id),
    columns=[
        Column("name", "Name", lambda k, v: k.name, min_width=6, max_width=28),
        Column("id", "Id", lambda k, v: k.id, justify="right", max_width=8),
        Column("type", "Type", lambda k, v: key_type(k), max_width=20),
        Column("fingerprint", "Fingerprint", lambda k, v: k.fingerprint, max_width=52),
        Column("comment", "Comment", lambda k, v: key_comment(k), max_width=30, flex=True),
    ],
    load=load_keys,
    fetch_one=fetch_key,
    detail=key_detail,
    actions=[
        Action("create", "n", "New", create_key, "Add an SSH public key", needs_item=False),
        Action("delete", "D", "Delete", delete_key, "Delete the SSH key"),
    ],
    copy_value=lambda k: k.public_key or str(k.id),
    filters=[FilterField("customer_id", "Customer id")],
    empty_hint="No SSH keys yet: press n to add one (paste it or give ~/.ssh/id_ed25519.pub).",
    refresh_interval=60.0,
)
