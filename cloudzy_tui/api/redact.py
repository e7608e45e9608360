"""The secrets the client knows, and the one function that keeps them out of every text: :func:`scrub`.

The client registers what it must never show: its API token (the value of its ``API-Token`` header), every token
set later, and the passwords ``change-pass`` returns. Every text that comes from a server is scrubbed where the
client turns it into something else — :func:`cloudzy_tui.api.errors.shorten` scrubs *before* it cuts, and every
:class:`~cloudzy_tui.api.errors.CloudzyError` and :class:`~cloudzy_tui.api.errors.FieldError` scrubs what it is
built with — so no exception, message, event, toast, log line, export or audit entry made from it can hold a
secret. The logging filter (:mod:`cloudzy_tui.logs`) applies the same function to every line written, as a last
line of defence.

What is detected, for each secret:

* the secret itself, in any letter case (a host name is lower-cased by URL parsing, a message may be upper-cased);
* percent-encoded, wholly or partly, with either case of hex digits (``%74%6F%6B`` …), so a URL or a query string
  echoed back is covered;
* with whitespace, control characters, zero-width characters or bidi marks between any two of its characters —
  a secret split across lines or padded so that it survives as text once the console removes those characters
  (``ui/text.py::clean``) or folds whitespace;
* any mix of the above;
* cut: a text that *ends* with at least half of a secret's beginning (and :data:`MIN_FRAGMENT` characters), or
  *starts* with at least half of its end — a server or gateway that cut its own message inside the token (the
  scrub applies to each server string before the client composes messages from them, so "the end" is where the
  server's text ended).

Not detected: other encodings (base64, JSON ``\\u`` escapes inside a string the server double-encoded, HTML
entities, reversed text), and fragments in the middle of a text (a server sending pieces on purpose). Secrets
shorter than :data:`MIN_SECRET_LENGTH` are not registered: they would blank ordinary words, and no API token or
generated password is that short.

For successful replies, whose ``data`` may be megabytes of lists, the raw body is first searched (at C speed) for
each token as it is or percent-encoded; only a body that contains one is scrubbed string by string
(:meth:`SecretRegistry.scrub_data`). A token split across lines or case-changed inside ``data`` is not looked for
there (its ``detail`` is scrubbed in full, like every message).
"""

from __future__ import annotations

import re
import threading
from typing import Any, Literal

__all__ = ["MIN_SECRET_LENGTH", "REDACTED", "SECRETS", "SecretRegistry", "register_secret", "scrub"]

REDACTED = "***"
MIN_SECRET_LENGTH = 8
#: the shortest cut piece of a secret recognised at the end (or start) of a text
MIN_FRAGMENT = 12

Kind = Literal["token", "password"]

# What may sit between two characters of a secret and still leave it readable once the console cleans the text:
# whitespace (folded to one space), C0/C1 controls, zero-width characters and bidi marks (removed), and the same
# percent-encoded (a URL split across lines).
_GAP = (
    r"(?:[\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
    r"|%(?:[01][0-9a-f]|20|7f))*"
)


def _char(ch: str) -> str:
    """One character of a secret: itself or its percent-encoding (one %XX per UTF-8 byte)."""
    encoded = "".join(f"%{byte:02x}" for byte in ch.encode("utf-8"))
    return f"(?:{re.escape(ch)}|{encoded})"


def _pattern_for(secret: str) -> str:
    return _GAP.join(_char(ch) for ch in secret)


# What a cut may leave around the piece: half a percent-escape, an ellipsis.
_CUT_END = r"(?:%[0-9a-f]?)?" + _GAP + r"(?:…|\.\.\.)?" + _GAP + r"\Z"
_CUT_START = r"\A" + _GAP + r"(?:…|\.\.\.)?" + _GAP


def _fragment_patterns(secret: str) -> list[str]:
    """A text ending with the first ``k`` characters of ``secret`` (``k`` at least half of it and at least
    ``MIN_FRAGMENT``), and a text starting with its last ``k``, as regular expressions."""
    least = max(MIN_FRAGMENT, (len(secret) + 1) // 2)
    if len(secret) <= least:
        return []
    chars = [_char(ch) for ch in secret]
    # head: c1 .. c_least, then optionally c_least+1, then optionally c_least+2 ... (nested, so only a prefix)
    tail = ""
    for piece in reversed(chars[least:-1]):  # a whole secret is matched by the main pattern already
        tail = f"(?:{_GAP}{piece}{tail})?"
    head = _GAP.join(chars[:least]) + tail + _CUT_END
    # start: optionally ... c_{n-least}, then c_{n-least+1} .. c_n (nested the other way)
    lead = ""
    for piece in chars[1 : len(chars) - least]:
        lead = f"(?:{lead}{piece}{_GAP})?"
    start = _CUT_START + lead + _GAP.join(chars[len(chars) - least :])
    return [head, start]


def _percent_all(secret: str, upper: bool) -> bytes:
    text = "".join(f"%{byte:02X}" if upper else f"%{byte:02x}" for byte in secret.encode("utf-8"))
    return text.encode("ascii")


def _percent_reserved(secret: str) -> bytes:
    from urllib.parse import quote

    return quote(secret, safe="").encode("ascii")


class SecretRegistry:
    """The secrets of this process's clients. Thread-safe: the list client runs on a thread of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, Kind] = {}
        self._pattern: re.Pattern[str] | None = None
        self._needles: tuple[bytes, ...] = ()
        self._encoded_needles: tuple[bytes, ...] = ()

    def add(self, value: str | None, kind: Kind = "token") -> None:
        """Never show ``value`` again (nor its encodings). Too short or blank values are ignored."""
        if not value:
            return
        candidates = {value, value.strip()}
        with self._lock:
            changed = False
            for candidate in candidates:
                if len(candidate) < MIN_SECRET_LENGTH or candidate in self._secrets:
                    continue
                self._secrets[candidate] = kind
                changed = True
            if changed:
                self._rebuild()

    def _rebuild(self) -> None:
        secrets = sorted(self._secrets, key=len, reverse=True)  # a secret inside another: the longer first
        alternatives = [_pattern_for(s) for s in secrets]
        alternatives += [fragment for s in secrets for fragment in _fragment_patterns(s)]
        self._pattern = re.compile("|".join(alternatives), re.IGNORECASE)
        plain: set[bytes] = set()
        encoded: set[bytes] = set()
        for secret, kind in self._secrets.items():
            if kind != "token":
                continue
            plain.add(secret.encode("utf-8"))
            encoded.update((_percent_all(secret, True), _percent_all(secret, False), _percent_reserved(secret)))
        self._needles = tuple(plain)
        self._encoded_needles = tuple(encoded - plain)

    def __len__(self) -> int:
        return len(self._secrets)

    def __repr__(self) -> str:  # never the values
        return f"<SecretRegistry: {len(self._secrets)} secret(s)>"

    def scrub(self, text: str) -> str:
        """``text`` with every registered secret (in every form above) replaced by ``***``."""
        pattern = self._pattern
        if pattern is None or len(text) < MIN_SECRET_LENGTH:
            return text
        return pattern.sub(REDACTED, text)

    def appears_in(self, content: bytes) -> bool:
        """Whether a raw reply body holds a token as it is or percent-encoded: a few substring searches at C speed
        (~0.1 ms per 64 KB page), the encoded forms only when the body holds a ``%`` at all."""
        if any(needle in content for needle in self._needles):
            return True
        return b"%" in content and any(needle in content for needle in self._encoded_needles)

    def scrub_data(self, value: Any) -> Any:
        """A parsed JSON value with every string (keys included) scrubbed."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_data(item) for item in value]
        if isinstance(value, dict):
            return {self.scrub(str(k)) if isinstance(k, str) else k: self.scrub_data(v) for k, v in value.items()}
        return value


#: the process-wide registry: every client registers its token here, every scrub reads it
SECRETS = SecretRegistry()


def scrub(text: object) -> str:
    """``str(text)`` with every secret the clients know replaced by ``***``. The one function to use."""
    return SECRETS.scrub(text if isinstance(text, str) else str(text))


def register_secret(value: str | None, kind: Kind = "token") -> None:
    """Never show ``value``: scrubbed from every server text, exception, log line and file from now on."""
    SECRETS.add(value, kind)
