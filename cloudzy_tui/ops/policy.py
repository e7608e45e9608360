"""The rails, stated once: read-only, protected instances, the host the console runs on. No Textual.

:class:`Policy` holds the profile's settings; :meth:`cloudzy_tui.ops.session.Session.execute` applies it to every
operation of every face. The rule for protected instances (issue 12): **every mutating operation whose target is,
or is attached to, a protected instance is refused** — power, reset, resize, change OS, delete, password, traffic,
snapshots of it (take, restore, delete), its backup schedule, floating IPs attached to it (release, update) — with
a message naming the pattern that matched. When the instance an object is attached to cannot be looked up, the
operation is refused too (the rail fails closed).
"""

from __future__ import annotations

import fnmatch
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field

from cloudzy_tui.text import clean


@dataclass(frozen=True)
class Policy:
    """``protected``: instance ids, or hostname patterns matched case-insensitively (``db-*``)."""

    read_only: bool = False
    protected: Sequence[str] = ()
    local_hostname: str = field(default_factory=lambda: socket.gethostname().lower())

    def __post_init__(self) -> None:
        object.__setattr__(self, "protected", tuple(p.strip() for p in self.protected if p and p.strip()))
        object.__setattr__(self, "local_hostname", (self.local_hostname or "").lower().rstrip("."))

    def protected_by(self, instance_id: str | None, hostname: str | None) -> str | None:
        """The pattern that protects this instance, or ``None``."""
        for pattern in self.protected:
            if instance_id and pattern == str(instance_id):
                return pattern
            if hostname and fnmatch.fnmatchcase(hostname.lower(), pattern.lower()):
                return pattern
        return None

    def is_local_host(self, hostname: str | None) -> bool:
        """True when an instance's hostname is this machine's (the console may be running on it)."""
        if not hostname or not self.local_hostname:
            return False
        name = hostname.lower().rstrip(".")
        local = self.local_hostname
        return name == local or name.split(".")[0] == local.split(".")[0]

    def protected_message(self, title: str, name: str, pattern: str) -> str:
        return (
            f"{title}: refused, {clean(name, max_length=60)} is a protected instance "
            f"(matches {clean(pattern, max_length=60)!r} in the profile's 'protected' list)."
        )
