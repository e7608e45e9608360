"""The one way a server string reaches a widget.

Every value that came from the API is data, never markup and never terminal control: ``safe_text`` strips C0/C1
control characters (ESC included, so no CSI colour or OSC title sequence can reach the terminal), bidi overrides and
isolates (which can make text read differently from what it is), and returns a ``rich.text.Text`` that Textual
renders literally (``[bold]`` or ``[@click=app.quit]`` stay visible brackets).
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

# C0 controls (except \t and \n, handled below), DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates and marks that reorder what is displayed.
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_WHITESPACE = re.compile(r"[\t\n\r\u2028\u2029]+")

MISSING = "—"


def clean(value: Any, *, max_length: int | None = None, single_line: bool = True) -> str:
    """A server value as a plain, printable string (no control characters, no bidi overrides)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    if single_line:
        text = _WHITESPACE.sub(" ", text)
    text = _BIDI.sub("", _CONTROL.sub("", text))
    if max_length is not None and len(text) > max_length:
        text = text[: max(0, max_length - 1)] + "…"
    return text


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


def join_text(*parts: Text | str, sep: str = " ") -> Text:
    """Join pieces of text; plain ``str`` parts here are our own literals, also taken literally."""
    out = Text(end="")
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.append(part if isinstance(part, Text) else Text(part))
    return out
