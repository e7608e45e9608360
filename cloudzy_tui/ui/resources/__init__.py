"""Every resource the console shows, as a spec for the one generic resource screen (``ALL_SPECS``: the account's;
``CONSOLE_SPECS``: the console's own, such as ``:sessions``)."""

from __future__ import annotations

from typing import Any

from cloudzy_tui.ui.resources.activity import ACTIVITY, TRACE
from cloudzy_tui.ui.resources.backups import BACKUPS
from cloudzy_tui.ui.resources.base import ResourceSpec
from cloudzy_tui.ui.resources.catalog import APPLICATIONS, OPERATING_SYSTEMS, PRODUCTS, REGIONS
from cloudzy_tui.ui.resources.floating_ips import FLOATING_IPS
from cloudzy_tui.ui.resources.instances import INSTANCES
from cloudzy_tui.ui.resources.media import IMAGES, ISOS
from cloudzy_tui.ui.resources.pulse import PULSE
from cloudzy_tui.ui.resources.sessions import SESSIONS
from cloudzy_tui.ui.resources.snapshots import SNAPSHOTS
from cloudzy_tui.ui.resources.ssh_keys import SSH_KEYS

ALL_SPECS: list[ResourceSpec[Any]] = [
    INSTANCES,
    SNAPSHOTS,
    BACKUPS,
    FLOATING_IPS,
    ISOS,
    IMAGES,
    SSH_KEYS,
    REGIONS,
    PRODUCTS,
    OPERATING_SYSTEMS,
    APPLICATIONS,
]
# The console's own lists (not the account's): the ssh sessions it opened, the account at a glance, what this
# session did and sent. Reachable from the ':' command line and the palette like the others.
CONSOLE_SPECS: list[ResourceSpec[Any]] = [SESSIONS, PULSE, ACTIVITY, TRACE]
EVERY_SPEC: list[ResourceSpec[Any]] = [*ALL_SPECS, *CONSOLE_SPECS]


def resolve_resource(name: str) -> ResourceSpec[Any] | None:
    """A spec by name or alias (case-insensitive, a leading ``:`` allowed), or by a unique prefix."""
    wanted = name.strip().lstrip(":").lower()
    if not wanted:
        return None
    for spec in EVERY_SPEC:
        if wanted == spec.name or wanted in spec.aliases:
            return spec
    matches = [s for s in EVERY_SPEC if s.name.startswith(wanted) or any(a.startswith(wanted) for a in s.aliases)]
    return matches[0] if len(matches) == 1 else None
