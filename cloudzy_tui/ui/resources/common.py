"""Pieces shared by the resource specs: status colours, page adapters, small renderers."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import timestamp

GOOD = {"active", "ready", "okay"}
BAD = {"failed", "error", "deleted", "suspended", "terminated", "inactive"}
IDLE = {"shutdown", "stopped", "off", "pending"}


def status_text(status: Any) -> Text:
    """A status with a colour by meaning; values we do not know are shown as they came, uncoloured."""
    value = clean(status, max_length=40)
    if not value:
        return safe_text(None)
    low = value.lower()
    if low in GOOD:
        style = "green"
    elif low in BAD:
        style = "red"
    elif low in IDLE:
        style = "dim"
    elif low.endswith("ing") or low in {"in_progress", "preparing_disk", "initializing"}:
        style = "yellow"
    else:
        style = ""
    return Text(value, style=style)


def when(value: Any) -> Text:
    text = timestamp(value)
    return Text(text) if text else safe_text(None)
