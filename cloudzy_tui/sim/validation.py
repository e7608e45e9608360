"""Hand validation of JSON bodies and query strings, reporting errors the way the API does (422).

Messages and ``type`` strings follow pydantic v1 (what FastAPI sent when the reference was written):
``value_error.missing``, ``type_error.integer``, ``value_error.number.not_ge`` ... Every problem found
in a request is reported at once, each with its ``loc`` (``["body", "hostnames", 2]``,
``["query", "limit"]``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from cloudzy_tui.sim.errors import ErrorItem, ValidationFailed, error_item

T = TypeVar("T")
Loc = tuple[str | int, ...]

_MISSING = object()
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def parse_json_body(raw: bytes, *, required: bool = True) -> dict[str, Any]:
    """Decode a request body that must be a JSON object (empty allowed when not ``required``)."""
    if not raw.strip():
        if required:
            raise ValidationFailed([error_item(["body"], "field required", "value_error.missing")])
        return {}
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        pos = exc.pos if isinstance(exc, json.JSONDecodeError) else 0
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "body is not valid UTF-8"
        raise ValidationFailed([error_item(["body", pos], msg, "value_error.jsondecode")]) from None
    if not isinstance(value, dict):
        raise ValidationFailed([error_item(["body"], "value is not a valid dict", "type_error.dict")])
    return value


def is_valid_hostname(name: str) -> bool:
    if not name or len(name) > 253:
        return False
    return all(_LABEL.match(label) for label in name.split("."))


def parse_datetime(text: str) -> datetime:
    """ISO-8601 date or date-time; naive values are UTC."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class Reader:
    """Reads typed fields from a JSON object (``coerce=False``) or a query string (``coerce=True``),
    collecting errors in ``errors`` (shared with nested readers)."""

    def __init__(
        self,
        src: Mapping[str, Any],
        loc: Loc = ("body",),
        *,
        coerce: bool = False,
        errors: list[ErrorItem] | None = None,
    ) -> None:
        self.src = src
        self.loc = loc
        self.coerce = coerce
        self.errors: list[ErrorItem] = [] if errors is None else errors

    # -- plumbing ---------------------------------------------------------------------------
    def error(self, key: str | int | Loc, msg: str, type_: str) -> None:
        path = key if isinstance(key, tuple) else (key,)
        self.errors.append(error_item([*self.loc, *path], msg, type_))

    def check(self) -> None:
        """Raise ``ValidationFailed`` if anything was wrong."""
        if self.errors:
            raise ValidationFailed(list(self.errors))

    def _raw(self, key: str, required: bool) -> Any:
        value = self.src.get(key, _MISSING)
        if value is _MISSING or (value is None and required):
            if required:
                self.error(key, "field required", "value_error.missing")
            return _MISSING
        return value

    # -- scalars ----------------------------------------------------------------------------
    def text(
        self,
        key: str,
        *,
        required: bool = False,
        default: str | None = None,
        min_len: int = 0,
        max_len: int | None = None,
        strip: bool = True,
    ) -> str | None:
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, str):
            self.error(key, "str type expected", "type_error.str")
            return default
        if strip:
            value = value.strip()
        if len(value) < min_len:
            self.error(key, f"ensure this value has at least {min_len} characters", "value_error.any_str.min_length")
            return default
        if max_len is not None and len(value) > max_len:
            self.error(key, f"ensure this value has at most {max_len} characters", "value_error.any_str.max_length")
            return default
        return value

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        default: int | None = None,
        ge: int | None = None,
        le: int | None = None,
    ) -> int | None:
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return default
        parsed = self._to_int(value)
        if parsed is None:
            self.error(key, "value is not a valid integer", "type_error.integer")
            return default
        return self._bounds(key, parsed, ge, le, default)

    def number(
        self,
        key: str,
        *,
        required: bool = False,
        default: float | None = None,
        gt: float | None = None,
        ge: float | None = None,
        le: float | None = None,
    ) -> float | None:
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return default
        parsed: float | None = None
        if isinstance(value, bool):
            parsed = None
        elif isinstance(value, int | float):
            parsed = float(value)
        elif self.coerce and isinstance(value, str):
            try:
                parsed = float(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed != parsed:  # NaN
            self.error(key, "value is not a valid float", "type_error.float")
            return default
        if gt is not None and not parsed > gt:
            self.error(key, f"ensure this value is greater than {gt:g}", "value_error.number.not_gt")
            return default
        return self._bounds(key, parsed, ge, le, default)

    def boolean(self, key: str, *, required: bool = False, default: bool | None = None) -> bool | None:
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool):
            return value
        if self.coerce and isinstance(value, str):
            low = value.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
        self.error(key, "value could not be parsed to a boolean", "type_error.bool")
        return default

    def choice(
        self,
        key: str,
        choices: Iterable[str],
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        allowed = list(choices)
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, str) or value not in allowed:
            self.enum_error(key, allowed)
            return default
        return value

    def enum_error(self, key: str | int | Loc, allowed: list[str]) -> None:
        permitted = ", ".join(repr(c) for c in allowed)
        self.error(key, f"value is not a valid enumeration member; permitted: {permitted}", "type_error.enum")

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required, max_len=2048)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https", "ftp"):
            self.error(key, "invalid or missing URL scheme", "value_error.url.scheme")
            return None
        try:
            host = parts.hostname
        except ValueError:
            host = None
        if not host:
            self.error(key, "URL host invalid", "value_error.url.host")
            return None
        return value

    def timestamp(self, key: str) -> datetime | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            return parse_datetime(value)
        except ValueError:
            self.error(key, "invalid datetime format", "value_error.datetime")
            return None

    # -- containers -------------------------------------------------------------------------
    def array(
        self,
        key: str,
        item: Callable[[Any, Loc], T | None],
        *,
        required: bool = False,
        min_items: int | None = None,
        max_items: int | None = None,
    ) -> list[T] | None:
        """A JSON array; ``item(value, loc)`` converts one element (returning None after recording
        an error with ``self.error(loc, ...)``)."""
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, list):
            self.error(key, "value is not a valid list", "type_error.list")
            return None
        if min_items is not None and len(value) < min_items:
            self.error(key, f"ensure this value has at least {min_items} items", "value_error.list.min_items")
            return None
        if max_items is not None and len(value) > max_items:
            self.error(key, f"ensure this value has at most {max_items} items", "value_error.list.max_items")
            return None
        out: list[T] = []
        ok = True
        for index, element in enumerate(value):
            converted = item(element, (key, index))
            if converted is None:
                ok = False
            else:
                out.append(converted)
        return out if ok else None

    def mapping(self, key: str, *, required: bool = False) -> Reader | None:
        value = self._raw(key, required)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self.error(key, "value is not a valid dict", "type_error.dict")
            return None
        return Reader(value, (*self.loc, key), coerce=self.coerce, errors=self.errors)

    # -- element converters for list() --------------------------------------------------------
    def int_item(self, value: Any, loc: Loc) -> int | None:
        parsed = self._to_int(value)
        if parsed is None:
            self.error(loc, "value is not a valid integer", "type_error.integer")
        return parsed

    def enum_item(self, allowed: list[str]) -> Callable[[Any, Loc], str | None]:
        def convert(value: Any, loc: Loc) -> str | None:
            if not isinstance(value, str) or value not in allowed:
                self.enum_error(loc, allowed)
                return None
            return value

        return convert

    # -- helpers ----------------------------------------------------------------------------
    def _to_int(self, value: Any) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if self.coerce and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return None
        return None

    def _bounds(self, key: str, value: Any, ge: Any, le: Any, default: Any) -> Any:
        if ge is not None and value < ge:
            self.error(key, f"ensure this value is greater than or equal to {ge}", "value_error.number.not_ge")
            return default
        if le is not None and value > le:
            self.error(key, f"ensure this value is less than or equal to {le}", "value_error.number.not_le")
            return default
        return value
