"""The client's exceptions: one class per meaning, each with a message a person can act on.

Every exception derives from :class:`CloudzyError` and carries

* ``message`` — one or two sentences for a toast or a status line (``str(exc)`` is the same text);
* ``status`` — the HTTP status the API answered, or ``None`` when no answer came back;
* ``detail`` — the server's own ``detail`` text when there was one (already shortened), else ``None``.

No exception text ever contains the API token, request headers or a request/response body beyond a short,
sanitised excerpt. This holds by construction: every exception and every :class:`FieldError` passes what it is
built with (message, detail, code, path, field messages and locations) through :func:`cloudzy_tui.api.redact.scrub`,
and :func:`shorten` scrubs *before* it cuts (a cut first would leave all of a secret but its end).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api.redact import scrub

if TYPE_CHECKING:  # pragma: no cover
    import pydantic

__all__ = [
    "ApiError",
    "AuthError",
    "CloudzyError",
    "FieldError",
    "LowBalanceError",
    "MalformedResponseError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitedError",
    "ReadOnlyError",
    "RedirectRefusedError",
    "RequestTimeoutError",
    "ServerError",
    "ValidationError",
    "field_errors_from_pydantic",
    "shorten",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _scrub_optional(text: str | None) -> str | None:
    return None if text is None else scrub(text)


def shorten(text: object, limit: int = 200) -> str:
    """A server-provided string made safe to put in a message: secrets scrubbed (first: before anything can cut
    one), controls removed, whitespace folded, cut."""
    s = _CONTROL.sub(" ", scrub(text))
    s = " ".join(s.split())
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


class CloudzyError(Exception):
    """Base class of every error the Cloudzy client raises."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        detail: str | None = None,
        code: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        # Scrubbed here, whoever builds the exception: every text below may hold server text.
        message = scrub(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = _scrub_optional(detail)
        #: the envelope's ``code`` when the API sent one (``FAILED``, ``BALANCE_IS_NOT_SUFFICIENT``, ...)
        self.code = _scrub_optional(code)
        #: the request this error belongs to (``path`` never includes the query string)
        self.method = method
        self.path = _scrub_optional(path)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthError(CloudzyError):
    """401: the token is missing, wrong, expired or revoked."""


class NotFoundError(CloudzyError):
    """404: the object does not exist (any more)."""


@dataclass(frozen=True)
class FieldError:
    """One field-level validation problem, from a server 422 or from client-side validation.

    ``loc`` is the full location (``("body", "hostnames", 1)``); ``field`` is the JSON name of the top-level
    field it concerns (``"hostnames"``) or ``None`` for a whole-request problem; ``index`` is the list index
    inside that field when there is one.
    """

    loc: tuple[str | int, ...]
    field: str | None
    index: int | None
    message: str
    type: str | None = None

    def __post_init__(self) -> None:
        # A 422's locations and messages are server text: scrubbed however the error was built.
        loc = tuple(item if isinstance(item, int) else scrub(item) for item in self.loc)
        object.__setattr__(self, "loc", loc)
        object.__setattr__(self, "field", _scrub_optional(self.field))
        object.__setattr__(self, "message", scrub(self.message))
        object.__setattr__(self, "type", _scrub_optional(self.type))

    @property
    def path(self) -> str:
        """The location below ``body``/``query``/``path``: ``extraResource.cpu``, ``hostnames[1]``."""
        parts: list[str] = []
        for item in _strip_loc_prefix(self.loc):
            if isinstance(item, int):
                parts.append(f"[{item}]")
            else:
                parts.append(("." if parts else "") + item)
        return "".join(parts)

    def __str__(self) -> str:
        where = self.path
        return f"{where}: {self.message}" if where else self.message


_LOC_PREFIXES = ("body", "query", "path", "header", "cookie")


def _strip_loc_prefix(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    items = tuple(loc)
    if items and items[0] in _LOC_PREFIXES:
        return items[1:]
    return items


def field_error_from_loc(loc: Iterable[Any], message: str, type_: str | None = None) -> FieldError:
    """Build a :class:`FieldError` from a FastAPI/pydantic style ``loc``."""
    clean: tuple[str | int, ...] = tuple(
        item if isinstance(item, int) and not isinstance(item, bool) else str(item) for item in loc
    )
    rest = _strip_loc_prefix(clean)
    field: str | None = None
    index: int | None = None
    for pos, item in enumerate(rest):
        if isinstance(item, str):
            field = item
            for later in rest[pos + 1 :]:
                if isinstance(later, int):
                    index = later
                    break
            break
    return FieldError(loc=clean, field=field, index=index, message=message, type=type_)


class ValidationError(CloudzyError):
    """422: the API rejected the request's fields. ``field_errors`` says which and why.

    Not to be confused with ``pydantic.ValidationError``, which the request models raise on construction;
    :func:`field_errors_from_pydantic` turns that one into the same list of :class:`FieldError`.
    """

    def __init__(self, message: str, *, field_errors: Sequence[FieldError] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors: list[FieldError] = list(field_errors)

    def for_field(self, name: str) -> list[FieldError]:
        """The errors about JSON field ``name`` (top-level name like ``hostnames`` or a path like
        ``extraResource.cpu``)."""
        return [fe for fe in self.field_errors if name in (fe.field, fe.path)]


class LowBalanceError(CloudzyError):
    """460: the account balance does not cover the order."""

    def __init__(
        self,
        message: str,
        *,
        minimum_required_balance: float | None = None,
        customer_balance: float | None = None,
        days: int | None = None,
        active_instance_count: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.minimum_required_balance = minimum_required_balance
        self.customer_balance = customer_balance
        #: ``numberOfDaysBalanceValidatedAgainst``
        self.days = days
        self.active_instance_count = active_instance_count


class RateLimitedError(CloudzyError):
    """429: too many requests. ``retry_after`` is the wait the server asked for, in seconds, if it said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(CloudzyError):
    """5xx: the API (or a gateway in front of it) failed."""


class ApiError(CloudzyError):
    """Any other refusal: a 4xx without a more specific class, or a 2xx whose ``code`` is not ``OKAY``."""


class NetworkError(CloudzyError):
    """No answer: DNS failure, connection refused or reset, TLS failure."""


class RequestTimeoutError(CloudzyError):
    """The API did not answer in time (for a request that is safe to repeat)."""


class OutcomeUnknownError(CloudzyError):
    """A request that changes something may have reached the API, but no answer came back.

    It was not sent again automatically: check whether it took effect before trying again.
    """


class MalformedResponseError(CloudzyError):
    """The API answered with something that is not the JSON envelope it documents."""


class ReadOnlyError(CloudzyError):
    """The client is in read-only mode and refused a request that would change something."""


class RedirectRefusedError(CloudzyError):
    """The API answered with a redirect. Redirects are never followed: the token must stay with its host."""

    def __init__(self, message: str, *, location_host: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location_host = _scrub_optional(location_host)


def field_errors_from_pydantic(exc: pydantic.ValidationError) -> list[FieldError]:
    """Client-side validation errors of a request model, in the same shape as a server 422.

    ``loc`` uses the JSON names (the models' aliases). Cross-field rules put the field they concern in the
    error's context (``ctx["field"]``) so that it lands on the right form field too.
    """
    out: list[FieldError] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc: tuple[Any, ...] = tuple(err.get("loc", ()))
        ctx: Mapping[str, Any] = err.get("ctx") or {}
        if not loc and isinstance(ctx.get("field"), str):
            loc = tuple(str(ctx["field"]).split("."))
        message = str(err.get("msg", "invalid value"))
        # pydantic prefixes messages of ValueError-based validators with "Value error, ".
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        out.append(field_error_from_loc(("body", *loc), message, str(err.get("type") or "") or None))
    return out
