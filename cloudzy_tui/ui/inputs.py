"""What a person types or pastes into a field, cleaned before anything is sent: the one input-cleaning helper.

Control characters (NUL, BEL, VT, FF, ESC, the C1 range, DEL) and bidi overrides never reach the API: removed
from every paste before it reaches a field (``ui/typeahead.py`` calls :func:`clean_paste`), and again from every
text value a form hands to its submit (``ui/modals/form.py``). Typed control keys never insert anything (Textual
inserts printable characters only). In a single-line field, line breaks and tabs become one space (a trailing line
break, as a copied line carries, is dropped), so a paste is never cut at a control character; in a multi-line
field line breaks stay and tabs become a space.
"""

from __future__ import annotations

import re

# C0 controls except TAB/LF/CR (handled apart), DEL, C1 controls, bidi embeddings/overrides/isolates and marks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
# What separates lines or columns in a paste (the ones ``str.splitlines`` cuts at included).
_BREAKS = re.compile(r"[\t\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def clean_input(text: str, *, multiline: bool = False) -> str:
    """``text`` without control characters; line breaks folded to a space unless ``multiline``."""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
        text = text.replace("\t", " ")
        return _CONTROL.sub("", text)
    text = text.strip("\r\n")
    return _CONTROL.sub("", _BREAKS.sub(" ", text))


def has_control(text: str) -> bool:
    """True when ``text`` holds a character :func:`clean_input` would remove or fold."""
    return bool(_CONTROL.search(text) or _BREAKS.search(text))
