"""Server strings as plain, printable text: the one cleaning every face uses (console, CLI, MCP). No Rich here.

``clean`` strips C0/C1 control characters (ESC included, so no CSI colour or OSC title sequence can reach a
terminal), bidi overrides and isolates (which can make text read differently from what it is), and folds line
breaks. The console's ``ui/text.py::safe_text`` builds on it to return literal Rich ``Text``.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls (except \t and \n, handled below), DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates and marks that reorder what is displayed.
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_WHITESPACE = re.compile(r"[\t\n\r\u2028\u2029]+")


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
