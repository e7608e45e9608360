"""How the console presents a catalog object wherever it appears (one function per object, not one per screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from cloudzy_tui.api import Region

__all__ = ["region_flags"]

#: (flag, style) of a region's states, in the order they are shown: why it cannot be used first
_REGION_FLAGS: tuple[tuple[str, str], ...] = (
    ("inactive", "bold red"),
    ("hidden", "dim"),
    ("out of stock", "bold yellow"),
    ("premium", "bold magenta"),
)


def region_flags(region: Region) -> Text:
    """The region's states as words (``inactive``, ``hidden``, ``out of stock``, ``premium``) separated by two
    spaces; empty when it is an ordinary available region. The regions table and the create wizard both show it."""
    states = {
        "inactive": not region.is_active,
        "hidden": region.is_hidden,
        "out of stock": region.is_out_of_stock,
        "premium": region.is_premium,
    }
    text = Text()
    for flag, style in _REGION_FLAGS:
        if states[flag]:
            if text:
                text.append("  ")
            text.append(flag, style=style)
    return text
