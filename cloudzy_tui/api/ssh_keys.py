"""SSH keys: model, the create request (with public-key validation) and ``client.ssh_keys``."""

from __future__ import annotations

import base64
import binascii
import builtins

from pydantic import Field, field_validator

from cloudzy_tui.api._base import (
    Resource,
    action_result,
    extract_items,
    parse_list,
    parse_one,
    parse_optional,
)
from cloudzy_tui.api._transport import path_id
from cloudzy_tui.api.models import ActionResult, CloudzyModel, RequestModel

__all__ = ["SSH_KEY_TYPES", "SshKey", "SshKeyCreate", "SshKeys", "normalize_public_key"]

#: the key types accepted in ``publicKey``
SSH_KEY_TYPES: tuple[str, ...] = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)

NAME_MAX = 64


class SshKey(CloudzyModel):
    """An SSH key of the account. ``id`` is an integer on the wire (kept as sent: ``int`` or ``str``)."""

    id: int | str
    name: str | None = None
    public_key: str | None = None
    customer_id: str | None = None
    #: not in the reference schema, sent in practice
    fingerprint: str | None = None

    @property
    def key_type(self) -> str | None:
        """The key's type (``ssh-ed25519``, ...), from ``public_key``."""
        if not self.public_key:
            return None
        parts = self.public_key.split()
        return parts[0] if parts else None


def _blob_fields(blob: bytes) -> list[bytes] | None:
    """The SSH wire-format strings (uint32 length + bytes) making up ``blob``; ``None`` if it is not one."""
    fields: list[bytes] = []
    pos = 0
    while pos < len(blob):
        if pos + 4 > len(blob):
            return None
        size = int.from_bytes(blob[pos : pos + 4], "big")
        pos += 4
        if pos + size > len(blob):
            return None
        fields.append(blob[pos : pos + size])
        pos += size
    return fields


def _valid_blob(key_type: str, text: str) -> bool:
    try:
        blob = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    fields = _blob_fields(blob)
    if not fields or len(fields) < 2:
        return False
    if fields[0] != key_type.encode():
        return False
    return key_type != "ssh-ed25519" or len(fields[1]) == 32


def normalize_public_key(value: str) -> str:
    """``type base64-blob [comment]`` checked and tidied: surrounding whitespace and line breaks (a key pasted
    wrapped over several lines) removed, the base64 blob decoded and its embedded type compared with the
    declared one. Raises ``ValueError`` with a sentence saying what is wrong."""
    text = value.strip()
    if not text:
        raise ValueError("paste a public key (the contents of a .pub file)")
    if "PRIVATE KEY" in text:
        raise ValueError("this is a private key: paste the public key (the .pub file) instead")
    if text.startswith("---- BEGIN SSH2 PUBLIC KEY"):
        raise ValueError("this key is in SSH2 (RFC 4716) format: convert it with 'ssh-keygen -i -f key.pub'")
    tokens = text.split()
    key_type = tokens[0]
    if key_type not in SSH_KEY_TYPES:
        raise ValueError(f"unsupported key type '{key_type[:40]}': use one of {', '.join(SSH_KEY_TYPES[:5])}, ...")
    if len(tokens) < 2:
        raise ValueError("the key has no base64 part after its type")
    # The blob may have been wrapped over several lines: join tokens until they make a valid blob.
    for end in range(2, len(tokens) + 1):
        blob = "".join(tokens[1:end])
        if _valid_blob(key_type, blob):
            comment = " ".join(tokens[end:])
            return f"{key_type} {blob} {comment}".rstrip()
    raise ValueError(
        f"the key's base64 part is damaged or does not hold a {key_type} key (was it cut off when copied?)"
    )


class SshKeyCreate(RequestModel):
    """``POST /v1/ssh-keys``: a ``name`` (1-64 characters) and a ``public_key`` (normalised, see
    :func:`normalize_public_key`); optionally the ``customer_id`` it belongs to."""

    name: str = Field(min_length=1, max_length=NAME_MAX)
    public_key: str
    customer_id: str | None = None

    @field_validator("public_key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        return normalize_public_key(value)


class SshKeys(Resource):
    """``client.ssh_keys``."""

    async def list(self, customer_id: str | None = None) -> builtins.list[SshKey]:
        path = "/v1/ssh-keys"
        env = await self._t.request("GET", path, params={"customerId": customer_id})
        return parse_list(SshKey, extract_items(env.data, "sshKeys", path=path), what="SSH key")

    async def get(self, key_id: int | str) -> SshKey:
        path = f"/v1/ssh-keys/{path_id(key_id)}"
        env = await self._t.request("GET", path)
        return parse_one(SshKey, env.data, what="an SSH key", path=path)

    async def create(self, req: SshKeyCreate) -> SshKey | None:
        """The created key, or ``None`` if the API did not return it."""
        if not isinstance(req, SshKeyCreate):
            raise TypeError(f"expected a SshKeyCreate, got {type(req).__name__}")
        env = await self._t.request("POST", "/v1/ssh-keys", json=req.to_wire())
        return parse_optional(SshKey, env.data, what="SSH key")

    async def delete(self, key_id: int | str) -> ActionResult:
        return action_result(await self._t.request("DELETE", f"/v1/ssh-keys/{path_id(key_id)}"))
