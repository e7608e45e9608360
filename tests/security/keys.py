"""A valid SSH public key for the tests (a well-formed ed25519 blob)."""

from __future__ import annotations

import base64


def ed25519(comment: str = "me@laptop") -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"
