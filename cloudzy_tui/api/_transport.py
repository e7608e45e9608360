"""The one transport every resource goes through: envelope, error mapping, retries, timeouts, events.

Policy (see also the package docstring):

* The envelope ``{"detail", "code", "data"}`` is read by HTTP status first, then by ``code``: a 2xx whose
  ``code`` is not ``OKAY`` is an :class:`ApiError`; a 2xx without ``code`` is accepted (tolerance).
  ``data`` may be anything, including ``null``; the resource that asked decides what it needs.
* Redirects are never followed (:class:`RedirectRefusedError`): the token must not travel to another host.
* Idempotent methods (GET, PUT, DELETE, PATCH — PATCH here only sets fields) are retried on connect errors,
  timeouts, dropped connections, 429, 502, 503 and 504, up to ``max_retries`` extra tries, waiting
  ``rng() * min(8, 0.5 * 2**n)`` seconds (full jitter) or what ``Retry-After`` asks for. A ``Retry-After``
  above 30 s is not slept through: :class:`RateLimitedError` is raised at once with ``retry_after`` set.
* POST is retried only when the request provably never reached the server: connect errors, connect/pool
  timeouts and 429. A POST whose outcome is unknown — read/write timeout, connection dropped after sending,
  or a gateway's 502/504 — raises :class:`OutcomeUnknownError` and is never resent.
* httpx's timeouts bound each connect, write and read, not a whole reply: a server trickling a byte at a time
  would hold a request for ever. Each attempt therefore also has a deadline (:func:`attempt_deadline`: the sum
  of the timeouts plus one more read; 125 s with the defaults), past which it counts as a read timeout.
* A DELETE that may already have taken effect (an earlier try of the same call got no answer, or a 502/504)
  and is then answered 404 counts as done.
* With a :class:`~cloudzy_tui.api.budget.RequestBudget` every attempt first waits for its slot in the budget
  (shared by every client of the app); a 429 pauses the budget for its ``Retry-After`` (or a short backoff), so
  every worker waits, and the retry of the request that got it waits in the budget with the others.
* Every HTTP attempt emits one :class:`RequestEvent` to ``on_event`` and one DEBUG log line on the
  ``cloudzy_tui.api`` logger (method, path, status, elapsed). Neither ever carries headers, bodies, the query
  string or the token.
* The token (the ``API-Token`` header's value) is registered with :mod:`cloudzy_tui.api.redact` when the transport
  is made and whenever it is replaced; every text taken from a reply (details, field errors, codes, a body's
  excerpt, a redirect's host) is scrubbed of it before it is cut or stored, and a successful reply whose body
  holds it has it replaced in every string of its ``data`` and ``detail``.

How a reply is read (JSON, a body that is not, the envelope's detail, a 422's field errors, a 460's balances) is
in :mod:`cloudzy_tui.api._replies`; this module decides what it means.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx
from pydantic import SecretStr

from cloudzy_tui import __version__
from cloudzy_tui.api import _replies as replies
from cloudzy_tui.api.budget import RequestBudget
from cloudzy_tui.api.errors import (
    ApiError,
    AuthError,
    CloudzyError,
    LowBalanceError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    ReadOnlyError,
    RedirectRefusedError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
    shorten,
)
from cloudzy_tui.api.redact import SECRETS, register_secret
from cloudzy_tui.api.trace import RequestTrace

logger = logging.getLogger("cloudzy_tui.api")

_tls_lock = threading.Lock()
_tls_context: ssl.SSLContext | None = None


def shared_tls_context() -> ssl.SSLContext:
    """The verifying TLS context every client of this process uses: httpx's default (certificates checked against
    its CA bundle, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``; host names checked), made once. Loading the CA bundle costs
    ~40 ms of CPU per client otherwise, paid again by every client a console makes (the list client, a profile
    switch, each test)."""
    global _tls_context
    with _tls_lock:
        if _tls_context is None:
            _tls_context = httpx.create_ssl_context(verify=True)
        return _tls_context


DEFAULT_BASE_URL = "https://api.cloudzy.com/developers"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
USER_AGENT = f"cloudzy-tui/{__version__}"

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: a POST answered with one of these may have been carried out by the server behind the gateway
POST_OUTCOME_UNKNOWN_STATUSES = frozenset({502, 504})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
#: a Retry-After longer than this is reported (RateLimitedError) instead of slept through
MAX_RETRY_AFTER = 30.0

Outcome = Literal["ok", "error", "retry"]
EventCallback = Callable[["RequestEvent"], None]
Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class RequestEvent:
    """One HTTP attempt, for the audit log, the status bar and request counting.

    ``path`` is the path below the base URL without the query string (``/v1/instances/abc``); ``status`` is
    ``None`` when no answer came; ``attempt`` counts from 1; ``outcome`` is ``"retry"`` when another attempt
    follows, ``"error"`` when the call failed, ``"ok"`` when it succeeded.
    """

    method: str
    path: str
    status: int | None
    elapsed: float
    attempt: int
    error: str | None
    outcome: Outcome


@dataclass(frozen=True)
class Envelope:
    """A successful reply, unwrapped."""

    status: int
    detail: str
    code: str
    data: Any


def path_id(value: object) -> str:
    """One path segment made from an id: everything escaped (``a/b`` → ``a%2Fb``) so that no id can change
    the path; ``.`` and ``..`` escaped too (URL normalisation would otherwise climb a level)."""
    text = str(value)
    if not text:
        raise ValueError("an id must not be empty")
    segment = quote(text, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return segment


def query_value(value: object) -> str:
    """A query parameter value as the API expects it: booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_params(params: Mapping[str, object] | None) -> dict[str, str]:
    """Query parameters with ``None`` values left out (httpx would send ``name=``)."""
    if not params:
        return {}
    return {key: query_value(value) for key, value in params.items() if value is not None}


def normalize_base_url(base_url: str) -> str:
    text = str(base_url).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"the API URL must start with https:// (or http://) and name a host, got {shorten(text, 80)!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError("the API URL must not contain a query string or fragment")
    if parts.username or parts.password:
        raise ValueError("the API URL must not contain credentials")
    return text


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (seconds or HTTP-date); ``None`` if absent/bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN check
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def attempt_deadline(timeout: httpx.Timeout | float | None) -> float | None:
    """The longest one attempt may take end to end: connect + pool + write + 2 x read (``None``: no read timeout,
    no deadline). It only ends a reply that keeps the connection busy without ever finishing it."""
    if timeout is None:
        return None
    limits = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    if limits.read is None:
        return None
    return sum(t for t in (limits.connect, limits.pool, limits.write) if t is not None) + 2 * limits.read


def backoff_delay(retry_number: int, rng: Callable[[], float]) -> float:
    """Full-jitter exponential backoff: ``rng() * min(8, 0.5 * 2**n)`` for the n-th retry (from 0)."""
    return rng() * min(BACKOFF_CAP, BACKOFF_BASE * 2**retry_number)


class _TokenAuth(httpx.Auth):
    """Adds ``API-Token`` to each request as it is sent; the raw token lives only inside the SecretStr."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token.get_secret_value():
            request.headers["API-Token"] = self._token.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "<API-Token auth>"


@dataclass
class _Failure:
    error: CloudzyError
    retryable: bool
    #: the request may have been carried out by the server
    maybe_applied: bool
    retry_after: float | None = None
    status: int | None = None


class Transport:
    """Sends requests for the resources; owns the ``httpx.AsyncClient``."""

    def __init__(
        self,
        *,
        base_url: str,
        token: SecretStr,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        read_only: bool = False,
        on_event: EventCallback | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        trace: RequestTrace | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.base_url = normalize_base_url(base_url)
        self.max_retries = max_retries
        self.read_only = read_only
        self.on_event = on_event
        #: every request as it ended (bounded), for the console's trace and health figures
        self.trace = trace if trace is not None else RequestTrace()
        self._sleep = sleep
        self._rng = rng
        #: the request budget shared with every other client of the app (None: unlimited)
        self.budget = budget
        #: HTTP attempts made so far (what a walk cost: the difference before and after it)
        self.sent = 0
        self._host = urlsplit(self.base_url).hostname or ""
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            verify=shared_tls_context(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            auth=_TokenAuth(token),
        )
        self._auth = self._client.auth
        self._deadline = attempt_deadline(timeout)
        register_secret(token.get_secret_value())

    def set_token(self, token: SecretStr) -> None:
        """Use another token from the next request on (after a 401, without restarting)."""
        register_secret(token.get_secret_value())
        auth = self._auth
        assert isinstance(auth, _TokenAuth)
        auth._token = token

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r})"

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    async def aclose(self) -> None:
        await self._client.aclose()

    # ------------------------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, object] | None = None,
        json: Any = None,
    ) -> Envelope:
        """Send one API call (with retries as the policy allows) and return its unwrapped envelope."""
        method = method.upper()
        if self.read_only and method != "GET":
            raise ReadOnlyError(
                f"Read-only mode: {method} {path} was not sent. Start without --read-only to make changes.",
                method=method,
                path=path,
            )
        query = clean_params(params)
        idempotent = method in IDEMPOTENT_METHODS
        maybe_applied = False
        attempt = 0
        while True:
            attempt += 1
            if self.budget is not None:
                await self.budget.acquire()
            self.sent += 1
            started = time.perf_counter()
            failure: _Failure
            try:
                async with asyncio.timeout(self._deadline):
                    response = await self._client.request(method, path, params=query or None, json=json)
            except httpx.HTTPError as exc:
                failure = self._failure_from_exception(exc, method, path, idempotent)
                response = None
            except TimeoutError:  # the attempt's deadline: a reply that never ends is a reply not given in time
                failure = self._failure_from_exception(
                    httpx.ReadTimeout("no complete reply before the deadline"), method, path, idempotent
                )
                response = None
            except Exception as exc:  # a custom transport's own bug: report it, never resend a POST
                failure = self._failure_from_unexpected(exc, method, path, idempotent)
                response = None
            elapsed = time.perf_counter() - started

            if response is not None:
                try:
                    envelope = self._envelope(response, method, path)
                except CloudzyError as exc:
                    failure = self._classify_status_error(exc, response, method, idempotent)
                    if isinstance(exc, LowBalanceError):
                        self.trace.note_balance(exc.customer_balance, exc.minimum_required_balance, path)
                else:
                    self._emit(method, path, response.status_code, elapsed, attempt, None, "ok")
                    return envelope

            if maybe_applied and method == "DELETE" and isinstance(failure.error, NotFoundError):
                # An earlier try may have deleted it already: the object being gone is what was asked for.
                self._emit(method, path, failure.status, elapsed, attempt, None, "ok")
                return Envelope(
                    status=404,
                    detail=failure.error.detail or "Already deleted",
                    code="OKAY",
                    data=None,
                )
            maybe_applied = maybe_applied or failure.maybe_applied

            retries_done = attempt - 1
            if failure.status == 429 and self.budget is not None:
                # the server says the account is over its rate: every worker waits, not only this request
                wait = failure.retry_after if failure.retry_after is not None else backoff_delay(0, self._rng) + 1.0
                self.budget.pause(wait)
            if failure.retryable and retries_done < self.max_retries:
                if failure.retry_after is not None and failure.retry_after > MAX_RETRY_AFTER:
                    self._emit(
                        method, path, failure.status, elapsed, attempt, replies.event_error(failure.error), "error"
                    )
                    raise failure.error
                delay = (
                    failure.retry_after if failure.retry_after is not None else backoff_delay(retries_done, self._rng)
                )
                self._emit(method, path, failure.status, elapsed, attempt, replies.event_error(failure.error), "retry")
                logger.debug("%s %s: retrying in %.2fs (%s)", method, path, delay, type(failure.error).__name__)
                if failure.status == 429 and self.budget is not None:
                    continue  # the budget's pause is the wait (shared with every other request)
                await self._sleep(delay)
                continue
            self._emit(method, path, failure.status, elapsed, attempt, replies.event_error(failure.error), "error")
            raise failure.error

    # ------------------------------------------------------------------------------------------------

    def _emit(
        self,
        method: str,
        path: str,
        status: int | None,
        elapsed: float,
        attempt: int,
        error: str | None,
        outcome: Outcome,
    ) -> None:
        logger.debug(
            "%s %s -> %s in %.3fs (attempt %d, %s)",
            method,
            path,
            status if status is not None else "no answer",
            elapsed,
            attempt,
            outcome,
        )
        if outcome != "retry":
            self.trace.record(method, path, status, elapsed, attempt, outcome, error)
        if self.on_event is None:
            return
        event = RequestEvent(
            method=method,
            path=path,
            status=status,
            elapsed=elapsed,
            attempt=attempt,
            error=error,
            outcome=outcome,
        )
        try:
            self.on_event(event)
        except Exception:  # an observer must not break the call it observes
            logger.exception("on_event callback failed")

    def _failure_from_exception(self, exc: httpx.HTTPError, method: str, path: str, idempotent: bool) -> _Failure:
        where: dict[str, Any] = dict(method=method, path=path)
        host = self._host
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            err: CloudzyError = RequestTimeoutError(
                f"Could not connect to {host} in time. Check the network and the API URL.", **where
            )
            return _Failure(err, retryable=True, maybe_applied=False)
        if isinstance(exc, httpx.ConnectError):
            reason = shorten(exc, 120) or type(exc).__name__
            err = NetworkError(f"Could not connect to {host}: {reason}. Check the network and the API URL.", **where)
            return _Failure(err, retryable=True, maybe_applied=False)
        if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
            timed_out = isinstance(exc, httpx.TimeoutException)
            if not idempotent:
                what = "did not answer in time" if timed_out else "dropped the connection before answering"
                err = OutcomeUnknownError(
                    f"{method} {path}: the API {what}, so it is not known whether the change was made. "
                    "Check before trying again.",
                    **where,
                )
                return _Failure(err, retryable=False, maybe_applied=True)
            if timed_out:
                err = RequestTimeoutError(f"The API did not answer in time ({method} {path}). Try again.", **where)
            else:
                reason = shorten(exc, 120) or type(exc).__name__
                err = NetworkError(f"The connection to {host} failed: {reason}.", **where)
            return _Failure(err, retryable=True, maybe_applied=True)
        # UnsupportedProtocol, ProxyError, LocalProtocolError, InvalidURL, DecodingError, ...
        reason = shorten(exc, 120) or type(exc).__name__
        if isinstance(exc, httpx.DecodingError):
            if not idempotent:
                err = OutcomeUnknownError(
                    f"{method} {path}: the API's answer could not be decoded ({reason}); check whether the "
                    "change "
                    "was made before trying again.",
                    **where,
                )
                return _Failure(err, retryable=False, maybe_applied=True)
            # It was sent and answered: the answer is what is wrong (a bad gzip or charset), not the network.
            err = MalformedResponseError(
                f"The API's answer to {method} {path} could not be decoded ({reason}).", **where
            )
            return _Failure(err, retryable=False, maybe_applied=True)
        err = NetworkError(f"The request could not be sent: {reason}.", **where)
        return _Failure(err, retryable=False, maybe_applied=False)

    def _failure_from_unexpected(self, exc: Exception, method: str, path: str, idempotent: bool) -> _Failure:
        reason = f"{type(exc).__name__}: {shorten(exc, 120)}"
        if not idempotent:
            err: CloudzyError = OutcomeUnknownError(
                f"{method} {path} failed unexpectedly ({reason}); check whether the change was made before "
                "trying again.",
                method=method,
                path=path,
            )
        else:
            err = NetworkError(f"The request failed unexpectedly ({reason}).", method=method, path=path)
        # Not chained (``__cause__``): the transport's frames hold the request, headers and all.
        logger.debug("%s %s: transport raised %s", method, path, type(exc).__name__)
        return _Failure(err, retryable=False, maybe_applied=not idempotent)

    def _classify_status_error(
        self, exc: CloudzyError, response: httpx.Response, method: str, idempotent: bool
    ) -> _Failure:
        status = response.status_code
        retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
        if status == 429:
            return _Failure(exc, retryable=True, maybe_applied=False, retry_after=retry_after, status=status)
        if status in RETRY_STATUSES:
            maybe = status in POST_OUTCOME_UNKNOWN_STATUSES
            if not idempotent:
                if maybe:
                    unknown = OutcomeUnknownError(
                        f"{exc.message} The change may or may not have been made: check before trying again.",
                        status=status,
                        detail=exc.detail,
                        code=exc.code,
                        method=exc.method,
                        path=exc.path,
                    )
                    return _Failure(unknown, retryable=False, maybe_applied=True, status=status)
                return _Failure(exc, retryable=False, maybe_applied=False, status=status)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return _Failure(exc, retryable=True, maybe_applied=maybe, retry_after=retry_after, status=status)
        if status == 500 and method == "GET":
            # A read changes nothing: a transient server error is worth another try (writes are not retried).
            return _Failure(exc, retryable=True, maybe_applied=False, status=status)
        return _Failure(exc, retryable=False, maybe_applied=False, status=status)

    # ------------------------------------------------------------------------------------------------

    def _envelope(self, response: httpx.Response, method: str, path: str) -> Envelope:
        """The unwrapped reply of a 2xx, or the exception its status/body means."""
        status = response.status_code
        where: dict[str, Any] = dict(status=status, method=method, path=path)
        body = replies.parse_json(response.content)
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            try:
                target = shorten(urlsplit(location).hostname or self._host, 80)
            except ValueError:  # an unparsable Location ("http://[x"): no host to name
                target = "an unparsable address"
            raise RedirectRefusedError(
                f"The API answered with a redirect (HTTP {status}) to {target}. Redirects are not "
                "followed, so "
                f"the token never leaves {self._host}: check the API URL (https, path /developers).",
                location_host=target,
                **where,
            )
        if 200 <= status < 300:
            if body is replies.NOT_JSON:
                if status == 204 or (not response.content.strip() and status != 200):
                    return Envelope(status=status, detail="", code="OKAY", data=None)
                raise MalformedResponseError(
                    f"The API answered HTTP {status} with {replies.describe_body(response)} instead of JSON."
                    + replies.maybe_done(method),
                    **where,
                )
            if not isinstance(body, dict):
                raise MalformedResponseError(
                    f"The API answered HTTP {status} with JSON that is not the documented envelope "
                    f"(a {replies.json_kind(body)})." + replies.maybe_done(method),
                    **where,
                )
            if SECRETS.appears_in(response.content):
                body = SECRETS.scrub_data(body)  # a server echoing the token in its data: every string
            code = body.get("code")
            code_text = "OKAY" if code is None else shorten(code, 60)
            detail_text = replies.detail_text(body) or ""
            if code_text.upper() != "OKAY":
                raise ApiError(
                    f"The API refused the request ({code_text}): {detail_text or 'no reason given'}",
                    detail=detail_text or None,
                    code=code_text,
                    **where,
                )
            return Envelope(status=status, detail=detail_text, code=code_text, data=body.get("data"))
        raise self._status_error(response, body, where)

    def _status_error(self, response: httpx.Response, body: Any, where: dict[str, Any]) -> CloudzyError:
        status = response.status_code
        reason = httpx.codes.get_reason_phrase(status) or "error"
        is_json = body is not replies.NOT_JSON
        env = body if isinstance(body, dict) else {}
        detail = replies.detail_text(env) if env else None
        code = shorten(env["code"], 60) if env.get("code") is not None else None
        where = {**where, "detail": detail, "code": code}
        body_note = "" if is_json else f" with {replies.describe_body(response)}"

        if status == 401:
            extra = f": {detail.rstrip('.')}" if detail else ""
            return AuthError(
                f"The API refused the token (401){extra}. Check the token in your profile or CLOUDZY_API_TOKEN.",
                **where,
            )
        if status == 404:
            if detail:
                return NotFoundError(f"Not found (404): {detail}", **where)
            hint = " — is the API URL right?" if not is_json else ""
            return NotFoundError(f"Not found (404){body_note}{hint}", **where)
        if status == 422:
            field_errors = replies.field_errors(env)
            if field_errors:
                shown = "; ".join(str(fe) for fe in field_errors[:3])
                more = f" (and {len(field_errors) - 3} more)" if len(field_errors) > 3 else ""
                text = f"{shown}{more}"
            else:
                text = detail or f"invalid request{body_note}"
            return ValidationError(f"The API rejected the request (422): {text}", field_errors=field_errors, **where)
        if status == 460:
            return replies.low_balance(env, detail, where)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = f" The API asked to wait {retry_after:.0f} s." if retry_after is not None else " Wait a moment."
            return RateLimitedError(f"Too many requests (429).{wait}", retry_after=retry_after, **where)
        if status >= 500:
            said = f": {detail}" if detail else body_note
            return ServerError(f"The API failed (HTTP {status} {reason}){said}. Try again later.", **where)
        if not is_json:
            return MalformedResponseError(f"The API answered HTTP {status}{body_note}.", **where)
        if status == 403:
            return ApiError(f"The API refused this request (403 Forbidden): {detail or 'no reason given'}", **where)
        return ApiError(f"The API refused the request (HTTP {status} {reason}): {detail or 'no reason given'}", **where)


# ------------------------------------------------------------------------------------------------
# Body helpers
