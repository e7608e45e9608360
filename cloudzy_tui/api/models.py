"""Shared model machinery: the tolerant response base, the strict request base, ``Page``, ``ActionResult``,
the reference's enum value lists and the epoch/ISO time helpers.

Response models (:class:`CloudzyModel`) are deliberately forgiving, because the client must work against any
server that speaks the reference:

* unknown fields are kept (``extra="allow"``; read them with ``model.model_extra`` or ``getattr``);
* numbers arriving where strings are expected become strings (ids), strings of digits become numbers,
  ``"true"``/``1`` become booleans (pydantic's lax mode);
* a field whose value cannot be coerced (or is ``null`` where the model has a non-null default) is dropped —
  the field falls back to its default — and a warning is logged once per model and field;
  one bad element of a list of objects is dropped rather than the whole list;
* only the identifying field of each object is required. An object that lacks it cannot be shown: a list call
  skips it with a warning, a single-object call raises
  :class:`~cloudzy_tui.api.errors.MalformedResponseError`.

Request models (:class:`RequestModel`) are the opposite: strict, validated on construction, ``extra="forbid"``
(a misspelt keyword is an error, not silently sent), and ``model_dump(by_alias=True, exclude_none=True)`` (or
:meth:`RequestModel.to_wire`) is exactly the JSON body. Validation errors are
``pydantic.ValidationError`` with JSON field names in ``loc``;
:func:`~cloudzy_tui.api.errors.field_errors_from_pydantic` turns them into
:class:`~cloudzy_tui.api.errors.FieldError` lists shaped like a server 422.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

logger = logging.getLogger("cloudzy_tui.api")

__all__ = [
    "BACKUP_STATUSES",
    "BILLING_CYCLES",
    "INSTANCE_CLASSES",
    "INSTANCE_FEATURES",
    "INSTANCE_STATUSES",
    "MEDIA_STATUSES",
    "PLAN_TYPES",
    "SCHEDULE_FREQUENCIES",
    "SNAPSHOT_STATUSES",
    "TERMINAL_MEDIA_STATUSES",
    "TERMINAL_SNAPSHOT_STATUSES",
    "TRANSITIONAL_INSTANCE_STATUSES",
    "WEEKDAYS",
    "ActionResult",
    "CloudzyModel",
    "Page",
    "RequestModel",
    "epoch_to_datetime",
    "iso_to_datetime",
]

# ------------------------------------------------------------------------------------------------
# The reference's enum value lists. Model fields stay ``str`` so that values not listed here survive.

INSTANCE_CLASSES: tuple[str, ...] = ("default", "cpu-optimized", "gpu-provided")
BILLING_CYCLES: tuple[str, ...] = ("hourly", "monthly", "quarterly", "semi-annually", "annually")
INSTANCE_FEATURES: tuple[str, ...] = (
    "nested",
    "ide",
    "metatrader4",
    "metatrader5",
    "vpn-vless",
    "vpn-vmess",
    "vpn-ss",
    "vpn-mtproto",
    "monitoring",
)
PLAN_TYPES: tuple[str, ...] = ("FIXED", "CUSTOM")
SNAPSHOT_STATUSES: tuple[str, ...] = ("ACTIVE", "IN_PROGRESS", "FAILED", "RESTORING")
#: IsoStatusEnum / ImageStatusEnum
MEDIA_STATUSES: tuple[str, ...] = ("DOWNLOADING", "READY", "FAILED", "DELETED")
BACKUP_STATUSES: tuple[str, ...] = ("active", "inactive", "pending")
SCHEDULE_FREQUENCIES: tuple[str, ...] = ("daily", "weekly")
WEEKDAYS: tuple[str, ...] = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
#: instance statuses seen in practice (the API's list is open)
INSTANCE_STATUSES: tuple[str, ...] = ("active", "shutdown", "preparing_disk", "initializing")

#: statuses after which a snapshot / ISO / image no longer changes by itself
TERMINAL_SNAPSHOT_STATUSES: frozenset[str] = frozenset({"ACTIVE", "FAILED"})
TERMINAL_MEDIA_STATUSES: frozenset[str] = frozenset({"READY", "FAILED", "DELETED"})
#: instance statuses that are known to be on the way to something else
TRANSITIONAL_INSTANCE_STATUSES: frozenset[str] = frozenset({"preparing_disk", "initializing"})

# ------------------------------------------------------------------------------------------------
# Time helpers

_MS_THRESHOLD = 1e11  # 1e11 s is the year 5138; 1e11 ms is 1973: anything above is milliseconds


def epoch_to_datetime(value: object) -> datetime | None:
    """An aware UTC datetime from an epoch value in seconds or milliseconds (values above 1e11 are
    milliseconds). Accepts ints, floats, strings of digits (``"1700000000"``, ``"1700000000.5"``) and, for
    tolerance, ISO-8601 strings. Returns ``None`` for ``None``, booleans, garbage and out-of-range values."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    number: float
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return iso_to_datetime(text)
    else:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    if number > _MS_THRESHOLD:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso_to_datetime(value: object) -> datetime | None:
    """An aware datetime from an ISO-8601 string (``Z``/offset; naive means UTC); ``None`` on garbage."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# ------------------------------------------------------------------------------------------------
# Bases

_warned: set[tuple[str, str]] = set()
_WARNED_MAX = 1000


def _warn_once(model: str, key: str, problem: str) -> None:
    token = (model, key)
    if token in _warned:
        return
    if len(_warned) < _WARNED_MAX:
        _warned.add(token)
    logger.warning("API reply: ignored %s.%s (%s); further such values are ignored silently", model, key, problem)


class CloudzyModel(BaseModel):
    """Base of every response model: tolerant (see the module docstring)."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        alias_generator=to_camel,
        coerce_numbers_to_str=True,
        validate_default=False,
    )

    @model_validator(mode="wrap")
    @classmethod
    def _tolerate_bad_fields(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            if not isinstance(data, dict):
                raise
            cleaned = _drop_bad_values(cls, data, exc)
            if cleaned is None:
                raise
            return handler(cleaned)


def _field_for_key(model: type[BaseModel], key: object) -> tuple[str, Any] | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return name, info
    return None


def _drop_bad_values(model: type[BaseModel], data: dict[str, Any], exc: ValidationError) -> dict[str, Any] | None:
    """``data`` without the values that failed validation, or ``None`` if a required field is at fault."""
    drop_keys: set[str] = set()
    drop_items: dict[str, set[int]] = {}
    for err in exc.errors(include_url=False, include_input=False):
        loc = err.get("loc", ())
        if not loc:
            return None
        key = loc[0]
        found = _field_for_key(model, key)
        if found is None or not isinstance(key, str) or key not in data:
            return None
        _name, info = found
        value = data[key]
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(value, list):
            drop_items.setdefault(key, set()).add(loc[1])
            continue
        if info.is_required():
            return None
        drop_keys.add(key)
    cleaned = dict(data)
    for key in drop_keys:
        cleaned.pop(key, None)
        _warn_once(model.__name__, key, "a value of the wrong type")
    for key, indexes in drop_items.items():
        if key in drop_keys:
            continue
        cleaned[key] = [item for i, item in enumerate(data[key]) if i not in indexes]
        _warn_once(model.__name__, key, f"{len(indexes)} malformed list element(s)")
    return cleaned


class RequestModel(BaseModel):
    """Base of every request body / query model: strict, validated on construction, JSON names on the wire."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="forbid",
        alias_generator=to_camel,
        str_strip_whitespace=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _python_names_to_json_names(cls, data: Any) -> Any:
        # Validation errors then name fields by their JSON name whichever spelling the caller used.
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        for key, value in data.items():
            info = cls.model_fields.get(key) if isinstance(key, str) else None
            out[info.alias if info is not None and info.alias else key] = value
        return out

    def to_wire(self) -> dict[str, Any]:
        """The JSON body: JSON names, ``None`` fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def cross_field_error(field_name: str, message: str) -> PydanticCustomError:
    """An error of a rule spanning several fields, attributed to JSON field ``field_name`` (see
    :func:`~cloudzy_tui.api.errors.field_errors_from_pydantic`)."""
    # Braces would be read as template placeholders by pydantic-core.
    safe = message.replace("{", "(").replace("}", ")")
    return PydanticCustomError("value_error", safe, {"field": field_name})


def choice_validator(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    """An after-validator accepting one of ``allowed`` case-insensitively (returned canonically spelt)."""
    lookup = {a.lower(): a for a in allowed}

    def check(value: str) -> str:
        canonical = lookup.get(value.strip().lower())
        if canonical is None:
            raise ValueError(f"{what} must be one of: {', '.join(allowed)}")
        return canonical

    return check


# ------------------------------------------------------------------------------------------------
# Page and ActionResult

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list call. ``next`` is the bookmark (instances) or the next page number, ``None`` on the
    last page. ``total`` is what the server said the full count is, when it said."""

    items: list[T] = field(default_factory=list)
    total: int | None = None
    next: str | int | None = None


@dataclass
class ActionResult:
    """The reply of an action (delete, power, restore, ...): the server's ``detail`` (toast it), ``code`` and
    the raw ``data`` (the affected object, or ``None``)."""

    detail: str
    code: str
    data: Any = None

    @property
    def ok(self) -> bool:
        return self.code.upper() == "OKAY"
