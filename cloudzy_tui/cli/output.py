"""Output formats of the scripting CLI: aligned tables, CSV, JSON and a minimal YAML emitter. No dependencies.

Server strings are data: table and CSV cells go through ``text.clean`` (no control character, no escape
sequence, no bidi override reaches the terminal); JSON and YAML are ASCII only (anything else is escaped as
``\\uXXXX``, which every JSON and YAML reader decodes), so neither can carry a raw escape sequence either.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from cloudzy_tui.text import clean

#: table cells longer than this are cut (``-o wide`` cuts nothing)
CUT = 40


def cell(value: Any, cut: int | None = None) -> str:
    """A plain value as one printable line (``None`` → empty)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value, max_length=cut)


def width(text: str) -> int:
    """Columns the text takes in a terminal (wide East Asian characters take two; combining marks none)."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, cut: int | None = CUT) -> str:
    """Left-aligned columns separated by two spaces; an empty value shows as ``-``."""
    cells = [[cell(v, cut) or "-" for v in row] for row in rows]
    head = [clean(h) for h in headers]
    widths = [width(h) for h in head]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], width(text))
    lines = []
    for row in [head, *cells]:
        padded = [text + " " * (widths[i] - width(text)) for i, text in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def key_values(pairs: Sequence[tuple[str, Any]]) -> str:
    """``LABEL  value`` lines, labels aligned (nothing cut)."""
    labels = [clean(k) for k, _ in pairs]
    pad = max((width(label) for label in labels), default=0)
    lines = [
        f"{label}{' ' * (pad - width(label))}  {cell(v) or '-'}".rstrip()
        for label, (_, v) in zip(labels, pairs, strict=True)
    ]
    return "\n".join(lines) + "\n"


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([clean(h) for h in headers])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def json_text(data: Any) -> str:
    """Indented JSON, ASCII only, keys in the API's order."""
    return json.dumps(data, indent=2, ensure_ascii=True, allow_nan=False, default=str) + "\n"


# ------------------------------------------------------------------------------------------------ YAML

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# Plain scalars YAML 1.1 or 1.2 readers would take for something other than a string.
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


def _string(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar (the same escapes), and ASCII only.
    return json.dumps(text, ensure_ascii=True)


def _key(key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.match(text) and text.lower() not in _RESERVED:
        return text
    return _string(text)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return _string(str(value))


def _inline(value: Any) -> str | None:
    """The value on the same line as its key or dash, or ``None`` when it needs a block."""
    if isinstance(value, dict):
        return "{}" if not value else None
    if isinstance(value, list | tuple):
        return "[]" if not value else None
    return _scalar(value)


def _block(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            inline = _inline(item)
            if inline is not None:
                lines.append(f"{pad}{_key(key)}: {inline}")
            else:
                lines.append(f"{pad}{_key(key)}:")
                lines.extend(_block(item, indent + 1))
        return lines
    if isinstance(value, list | tuple):
        lines = []
        for item in value:
            inline = _inline(item)
            if inline is not None:
                lines.append(f"{pad}- {inline}")
            else:
                nested = _block(item, indent + 1)
                lines.append(f"{pad}- {nested[0][len(pad) + 2 :]}")
                lines.extend(nested[1:])
        return lines
    return [pad + _scalar(value)]


def yaml_text(data: Any) -> str:
    """A YAML document of JSON-like data (dicts, lists, strings, numbers, booleans, null), ASCII only."""
    inline = _inline(data)
    if inline is not None:
        return inline + "\n"
    return "\n".join(_block(data, 0)) + "\n"
