"""The one way a server string reaches a widget.

Every value that came from the API is data, never markup and never terminal control: ``safe_text`` strips C0/C1
control characters (ESC included, so no CSI colour or OSC title sequence can reach the terminal), bidi overrides and
isolates (which can make text read differently from what it is), and returns a ``rich.text.Text`` that Textual
renders literally (``[bold]`` or ``[@click=app.quit]`` stay visible brackets).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from cloudzy_tui.text import clean

__all__ = ["MISSING", "as_text", "clean", "safe_text"]

MISSING = "—"


def safe_text(
    value: Any,
    style: str = "",
    *,
    max_length: int | None = 2000,
    single_line: bool = True,
    missing: str = MISSING,
) -> Text:
    """A server value as literal ``Text``; ``None`` and empty strings become a dim dash."""
    text = clean(value, max_length=max_length, single_line=single_line)
    if not text:
        return Text(missing, style="dim")
    return Text(text, style=style, no_wrap=single_line, end="")


def as_text(value: Any) -> Text:
    """A cell or field value as text: ``Text`` is trusted as built, anything else goes through ``safe_text``.
    A whole float shows as an integer (JSON has one number type: a server may send ``4.0`` vCPUs)."""
    if isinstance(value, Text):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return safe_text(value)
