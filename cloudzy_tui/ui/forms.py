"""Turning errors into messages at the fields where they happened (client-side and server 422 alike)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pydantic

from cloudzy_tui.api import CloudzyError, FieldError, field_errors_from_pydantic
from cloudzy_tui.api import ValidationError as ApiValidationError
from cloudzy_tui.ui.text import clean


@dataclass
class RoutedErrors:
    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.general.append(message)
        else:
            self.by_field.setdefault(name, []).append(message)

    @property
    def empty(self) -> bool:
        return not self.by_field and not self.general


def _field_candidates(error: FieldError) -> list[str]:
    """``extraResource.cpu`` then ``extraResource`` for loc ("body", "extraResource", "cpu")."""
    parts = [str(p) for p in error.loc if not isinstance(p, int)]
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    names = [".".join(parts[: i + 1]) for i in range(len(parts))][::-1]
    if error.field and error.field not in names:
        names.append(error.field)
    return names


def _message(error: FieldError) -> str:
    text = clean(error.message, max_length=300)
    if error.index is not None:
        return f"item {error.index + 1}: {text}"
    return text


def route_field_errors(errors: Iterable[FieldError], known: dict[str, str]) -> RoutedErrors:
    """Send each error to the form field it names. ``known`` maps a JSON name (or dotted path) to a field id."""
    routed = RoutedErrors()
    for error in errors:
        target = next((known[name] for name in _field_candidates(error) if name in known), None)
        if target is None:
            where = ".".join(str(p) for p in error.loc if p not in ("body", "query", "path"))
            routed.add(None, f"{where}: {_message(error)}" if where else _message(error))
        else:
            routed.add(target, _message(error))
    return routed


def route_exception(exc: BaseException, known: dict[str, str]) -> RoutedErrors:
    """Any error from building a request or sending it, as messages for fields and for the form."""
    if isinstance(exc, pydantic.ValidationError):
        return route_field_errors(field_errors_from_pydantic(exc), known)
    if isinstance(exc, ApiValidationError):
        routed = route_field_errors(exc.field_errors, known)
        if routed.empty:
            routed.add(None, clean(exc.message, max_length=500))
        return routed
    routed = RoutedErrors()
    if isinstance(exc, CloudzyError):
        routed.add(None, clean(exc.message, max_length=500))
    else:
        routed.add(None, f"Unexpected error: {clean(type(exc).__name__)}: {clean(str(exc), max_length=300)}")
    return routed
