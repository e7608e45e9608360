"""The HTTP face of the simulator: a Starlette app serving the Cloudzy API under ``/developers/v1/...`` (the
endpoints are ``routes.py``) and, outside the API, the simulator's own ``/_sim/requests``.

Every API request goes through, in order: counted per endpoint (``sim.request_counts()``) and recorded in
``sim.requests`` -> ``latency_ms`` -> rate limit (429) -> programmable fault (``sim.faults``) -> random
``error_rate`` fault -> token check (401) -> route lookup (404 / 405) -> due transitions applied -> handler.
Faults therefore never let a request take effect, except a programmable fault with ``after=True``, which
replaces the reply of a request that was applied.

``/_sim/requests`` is **not part of the Cloudzy API**: it lives outside ``/developers``, needs no token, is not
counted, logged, delayed, rate-limited or faulted, and answers plain JSON (no API envelope, with a ``note``
saying so). ``GET`` gives the request counters ``{"note", "total", "since", "endpoints": {"GET /v1/instances":
n, ...}}`` (``since``: epoch seconds on the simulator's clock); ``DELETE`` gives the same and starts the
counters afresh (a benchmark measures a window between two of them).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cloudzy_tui.sim.config import SimConfig
from cloudzy_tui.sim.errors import ApiError, ValidationFailed
from cloudzy_tui.sim.faults import FaultRule
from cloudzy_tui.sim.routes import PREFIX, ROUTES, Ctx, Resolved, resolve
from cloudzy_tui.sim.state import Simulator
from cloudzy_tui.sim.traffic import RequestRecord, endpoint

__all__ = ["CONTROL_PREFIX", "PREFIX", "REQUESTS_PATH", "ROUTES", "SimDispatcher", "create_app"]

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
#: the simulator's own endpoints, outside the API (see the module docstring)
CONTROL_PREFIX = "/_sim"
REQUESTS_PATH = "/_sim/requests"
CONTROL_NOTE = "cloudzy-tui simulator only: not part of the Cloudzy API"


# ---------------------------------------------------------------------------------------------------- responses
def envelope_error(status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    text = detail or HTTPStatus(status).phrase
    return JSONResponse(
        {"detail": text, "code": "FAILED", "data": {"statusCode": status, "detail": text}},
        status_code=status,
        headers=headers,
    )


_HTML_ERROR = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n<center><h1>{status} {phrase}</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def html_error(status: int) -> Response:
    phrase = HTTPStatus(status).phrase
    return Response(_HTML_ERROR.format(status=status, phrase=phrase), status_code=status, media_type="text/html")


def random_server_error(sim: Simulator) -> Response:
    choice = sim.rng_faults.randrange(4)
    if choice == 0:
        return envelope_error(500, "Internal server error (simulated)")
    if choice == 1:
        return envelope_error(503, "Service temporarily unavailable (simulated)", {"Retry-After": "1"})
    return html_error(502 if choice == 2 else 503)


class ConnectionDropped(Response):
    """Starts a reply, sends a few bytes, then drops the connection."""

    def __init__(self, on_socket: bool) -> None:
        super().__init__(status_code=200)
        self.on_socket = on_socket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"detail": "', "more_body": True})
        if self.on_socket:
            return  # the server closes a connection whose reply never completed
        import httpx  # in-process: what httpx raises when a peer hangs up mid-reply

        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (simulated by sim.faults)"
        )


def fault_response(rule: FaultRule, on_socket: bool) -> Response:
    if rule.reset:
        return ConnectionDropped(on_socket)
    status = rule.status or 503
    headers = {"Retry-After": f"{rule.retry_after:g}"} if rule.retry_after is not None else {}
    if rule.body is not None:
        media = "text/html" if rule.body.lstrip()[:1] == b"<" else "application/json"
        return Response(rule.body, status_code=status, media_type=media, headers=headers)
    return envelope_error(status, f"{HTTPStatus(status).phrase} (simulated fault)", headers)


# ---------------------------------------------------------------------------------------------------- /_sim
def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def control_response(sim: Simulator, method: str, path: str) -> Response:
    """The answer of a ``/_sim/...`` request (never counted nor logged)."""
    if (path.rstrip("/") or "/") != REQUESTS_PATH:
        return JSONResponse(
            {
                "note": CONTROL_NOTE,
                "detail": f"Not Found: {path} (the simulator's own endpoint is GET or DELETE {REQUESTS_PATH})",
            },
            status_code=404,
        )
    if method == "GET":
        counts = sim.request_counts()
    elif method == "DELETE":
        counts = sim.reset_request_counts()
    else:
        return JSONResponse(
            {"note": CONTROL_NOTE, "detail": f"Method {method} not allowed on {REQUESTS_PATH}"},
            status_code=405,
            headers={"Allow": "GET, DELETE"},
        )
    return JSONResponse({"note": CONTROL_NOTE, **counts.as_json()})


# ---------------------------------------------------------------------------------------------------- dispatch
class SimDispatcher:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        #: set by the socket server: a dropped connection then closes the socket instead of raising
        self.on_socket = False

    async def handle(self, request: Request) -> Response:
        sim = self.sim
        full_path = request.url.path
        method = request.method.upper()
        if is_control_path(full_path):
            return control_response(sim, method, full_path)
        if full_path == PREFIX or full_path.startswith(PREFIX + "/"):
            path = full_path[len(PREFIX) :]
            under_api = True
        else:
            path, under_api = full_path, False
        path = path.rstrip("/") or "/"
        query = dict(request.query_params)
        raw = await request.body()
        route = resolve(method, path) if under_api else Resolved()
        sim.request_counter.add(endpoint(method, route.template))
        record = RequestRecord(method, path, query, 0, _json_or_none(raw))
        sim.requests.append(record)
        try:
            response = await self._answer(request, method, path, query, raw, under_api, route)
        except Exception:
            record.status = 500
            raise
        record.status = 0 if isinstance(response, ConnectionDropped) else response.status_code
        return response

    async def _answer(
        self,
        request: Request,
        method: str,
        path: str,
        query: dict[str, str],
        raw: bytes,
        under_api: bool,
        route: Resolved,
    ) -> Response:
        sim = self.sim
        config = sim.config
        if config.latency_ms and config.latency_ms > 0:
            await asyncio.sleep(config.latency_ms / 1000)
        if not sim.rate_limiter.allow(sim.now(), int(config.rate_limit or 0)):
            return JSONResponse(
                {
                    "detail": "Too many requests: slow down",
                    "code": "TOO_MANY_REQUESTS",
                    "data": {
                        "statusCode": 429,
                        "detail": f"more than {config.rate_limit} requests per second",
                        "retryAfter": 1,
                    },
                },
                status_code=429,
                headers={"Retry-After": "1"},
            )
        rule = sim.faults.take(method, path)
        if rule is not None and rule.delay_ms > 0:
            await asyncio.sleep(rule.delay_ms / 1000)
        if rule is not None and not rule.after and (rule.status is not None or rule.reset):
            return fault_response(rule, self.on_socket)
        if config.error_rate > 0 and sim.rng_faults.random() < config.error_rate:
            return random_server_error(sim)
        response = self._route(request, method, path, query, raw, under_api, route)
        if rule is not None and rule.after and (rule.status is not None or rule.reset):
            return fault_response(rule, self.on_socket)
        return response

    def _route(
        self,
        request: Request,
        method: str,
        path: str,
        query: dict[str, str],
        raw: bytes,
        under_api: bool,
        route: Resolved,
    ) -> Response:
        sim = self.sim
        if not under_api:
            return envelope_error(404, f"Not Found: {request.url.path} (the API lives under {PREFIX}/v1)")
        token = request.headers.get("api-token")
        if not token:
            return envelope_error(401, "Missing API-Token header")
        if token != sim.config.token:
            return envelope_error(401, "Invalid API token")
        if route.handler is None:
            if route.allowed:
                return envelope_error(
                    405, f"Method {method} not allowed on {path}", {"Allow": ", ".join(route.allowed)}
                )
            return envelope_error(404, f"Not Found: {path}")
        sim.refresh()
        try:
            detail, data = route.handler(Ctx(sim, route.params, query, raw))
        except ValidationFailed as exc:
            return JSONResponse(exc.body(), status_code=422)
        except ApiError as exc:
            return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers or None)
        return JSONResponse({"detail": detail, "code": "OKAY", "data": data})


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def create_app(sim: Simulator | SimConfig | None = None) -> Starlette:
    """The ASGI app. Pass a ``Simulator`` (or a ``SimConfig`` to build one); the simulator is at
    ``app.state.sim`` either way."""
    if sim is None or isinstance(sim, SimConfig):
        sim = Simulator(sim)
    dispatcher = SimDispatcher(sim)
    app = Starlette(routes=[Route("/{path:path}", dispatcher.handle, methods=ALL_METHODS)])
    app.state.sim = sim
    app.state.dispatcher = dispatcher
    return app
