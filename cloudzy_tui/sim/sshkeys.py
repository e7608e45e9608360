"""OpenSSH public keys: generate syntactically valid ones from a seeded RNG, parse, fingerprint.

The fingerprint is what ``ssh-keygen -lf`` prints: ``SHA256:`` + unpadded base64 of sha256(key blob).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import struct

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
_ECDSA_POINT_LEN = {"nistp256": 65, "nistp384": 97, "nistp521": 133}


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    if raw[0] & 0x80:
        raw = b"\x00" + raw
    return _string(raw)


def make_ed25519(rng: random.Random, comment: str) -> str:
    blob = _string(b"ssh-ed25519") + _string(rng.randbytes(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def make_rsa(rng: random.Random, comment: str, bits: int = 2048) -> str:
    modulus = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
    blob = _string(b"ssh-rsa") + _mpint(65537) + _mpint(modulus)
    return f"ssh-rsa {base64.b64encode(blob).decode()} {comment}"


class _Cursor:
    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.pos = 0

    def string(self) -> bytes:
        if self.pos + 4 > len(self.blob):
            raise ValueError("truncated key blob")
        (length,) = struct.unpack(">I", self.blob[self.pos : self.pos + 4])
        start = self.pos + 4
        end = start + length
        if end > len(self.blob):
            raise ValueError("truncated key blob")
        self.pos = end
        return self.blob[start:end]

    def done(self) -> bool:
        return self.pos == len(self.blob)


def parse_public_key(text: str) -> tuple[str, bytes, str]:
    """``"type base64 [comment]"`` -> (type, blob, comment); ``ValueError`` with a reason otherwise."""
    parts = text.strip().split(None, 2)
    if len(parts) < 2:
        raise ValueError("expected '<type> <base64 key> [comment]'")
    key_type, encoded = parts[0], parts[1]
    comment = parts[2] if len(parts) > 2 else ""
    if key_type not in KEY_TYPES:
        raise ValueError(f"unsupported key type {key_type[:40]!r}")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("key data is not valid base64") from None
    cursor = _Cursor(blob)
    if cursor.string() != key_type.encode():
        raise ValueError("key data does not match the key type")
    if key_type == "ssh-ed25519":
        if len(cursor.string()) != 32:
            raise ValueError("an ed25519 key is 32 bytes")
    elif key_type == "ssh-rsa":
        exponent = int.from_bytes(cursor.string(), "big")
        modulus = int.from_bytes(cursor.string(), "big")
        if exponent < 3 or modulus.bit_length() < 1024:
            raise ValueError("RSA keys must be at least 1024 bits")
    elif key_type.startswith("ecdsa-"):
        curve = cursor.string().decode(errors="replace")
        if key_type != f"ecdsa-sha2-{curve}" or len(cursor.string()) != _ECDSA_POINT_LEN.get(curve, -1):
            raise ValueError("malformed ECDSA key")
    else:  # security-key types: key material then the application string
        cursor.string()
        if key_type.startswith("sk-ecdsa"):
            cursor.string()
        cursor.string()
    if not cursor.done():
        raise ValueError("trailing data after the key")
    return key_type, blob, comment


def fingerprint(blob: bytes) -> str:
    digest = hashlib.sha256(blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")
