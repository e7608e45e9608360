"""SSH keys: the resource (find by id or exact name) and create, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import SshKey, SshKeyCreate
from cloudzy_tui.ops.model import Operation, Outcome
from cloudzy_tui.ops.resources import Field, Filter, Resource
from cloudzy_tui.text import clean

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


def key_type(k: SshKey) -> str:
    return (k.public_key or "").split(" ", 1)[0] if k.public_key else ""


def key_comment(k: SshKey) -> str:
    parts = (k.public_key or "").split()
    return " ".join(parts[2:]) if len(parts) > 2 else ""


async def key_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[SshKey]]:
    yield await session.client.ssh_keys.list(customer_id=filters.get("customer_id") or None)


async def fetch_key(session: Context, key_id: str) -> SshKey:
    return await session.client.ssh_keys.get(key_id)


SSH_KEYS: Resource[SshKey] = Resource(
    name="ssh-keys",
    title="SSH keys",
    singular="SSH key",
    aliases=("keys", "key", "ssh", "sshkeys"),
    key_of=lambda k: str(k.id),
    label=lambda k: k.name or str(k.id),
    pages=key_pages,
    fetch=fetch_key,
    names_of=lambda k: [k.name] if k.name else [],
    fields=[
        Field("id", "ID", lambda k: k.id),
        Field("name", "NAME", lambda k: k.name),
        Field("type", "TYPE", key_type),
        Field("fingerprint", "FINGERPRINT", lambda k: k.fingerprint),
        Field("comment", "COMMENT", key_comment),
    ],
    filters=[Filter("customer_id", "Customer id")],
)


async def create(session: Context, target: None, params: SshKeyCreate) -> Outcome:
    created = await session.client.ssh_keys.create(params)
    name = clean(params.name, max_length=60)
    if created is None:
        return Outcome(message=f"SSH key {name} added", data=None, reload=["ssh-keys"])
    return Outcome(
        message=f"SSH key {name} added ({clean(created.fingerprint) or key_type(created)})",
        data=created.model_dump(mode="json", by_alias=True),
        changed=[("ssh-keys", created)],
    )


async def delete(session: Context, k: SshKey, params: None) -> Outcome:
    result = await session.client.ssh_keys.delete(str(k.id))
    return Outcome(
        message=f"SSH key {clean(k.name or k.id, max_length=60)} deleted",
        data={"id": str(k.id), "detail": result.detail},
        removed=[("ssh-keys", str(k.id))],
    )


CREATE: Operation[SshKey] = Operation(
    "key-create",
    "ssh-keys",
    "Add SSH key",
    "Add an SSH public key",
    create,
    params=SshKeyCreate,
    needs_target=False,
)
DELETE: Operation[SshKey] = Operation(
    "key-delete",
    "ssh-keys",
    "Delete SSH key",
    "Delete the SSH key",
    delete,
    danger="confirm",
    describe=lambda k, p: (
        f"Delete the SSH key {clean(k.name, max_length=60)} "
        f"({clean(k.fingerprint) or clean(k.id)})?\nInstances that already have it keep it; new "
        "instances can no longer be given it."
    ),
    destroys=True,
)

OPERATIONS: list[Operation[Any]] = [CREATE, DELETE]
