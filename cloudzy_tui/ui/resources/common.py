"""Pieces shared by the resource specs: status colours, page adapters, small renderers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from rich.text import Text

from cloudzy_tui.ui.format import timestamp
from cloudzy_tui.ui.text import clean, safe_text

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


async def pages_of(iterator: AsyncIterator[Any]) -> AsyncIterator[Sequence[Any]]:
    """``Page`` objects from the client as plain lists of items."""
    async for page in iterator:
        yield list(page.items)


async def one_page(items: Sequence[Any]) -> AsyncIterator[Sequence[Any]]:
    yield list(items)


def flag(value: Any, yes: str = "yes", no: str = "") -> str:
    return yes if value else no


def clean_filters(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if v not in (None, "", False)}
