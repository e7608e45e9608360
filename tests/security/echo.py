"""A server that echoes the API token back in everything it can, and the check that it never got through.

``EchoServer`` is an ``httpx.MockTransport`` handler (no simulator: it imports nothing of ``cloudzy_tui``). It
answers the console's list, detail, action and form requests with the token it received (the ``API-Token``
header) put back in the envelope's ``detail``, ``data.detail``, ``code``, every 422 field error's ``loc`` and
``msg``, a text/plain body, a redirect's ``Location`` host and headers of its own — in one of these forms:

* ``plain``: as it is;
* ``percent``: percent-encoded, every byte (``%74%65…``, upper-case hex) — a URL echoed back;
* ``split``: cut across lines (``\\n``, ``\\r\\n``, tabs, a NUL and a zero-width space between its characters);
* ``long``: as it is, inside a 10 KB detail, ending on its 200th character (where messages are cut);
* ``mixed``: lower-cased, half percent-encoded (lower-case hex), with a soft hyphen inside.

:func:`exposed` says whether a text shows the token: it removes what a screen or a reader would not see between
characters, percent-decodes, compares without case, and also catches a fragment (any 12 characters of it) — the
old cut-before-scrub left all of it but the last character.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import httpx

TOKEN = "Echo-SECRET-token-4f7a9c2e1b"
FORMS = ("plain", "percent", "split", "long", "mixed")

_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+")
FRAGMENT = 12


def encoded(token: str, form: str) -> str:
    """The token as the server puts it back."""
    if form == "plain":
        return token
    if form == "percent":
        return "".join(f"%{b:02X}" for b in token.encode())
    if form == "split":
        seps = ["\n", "\r\n", "\t", "\x00", "\u200b", "  "]
        return "".join(ch + seps[i % len(seps)] for i, ch in enumerate(token[:-1])) + token[-1]
    if form == "long":
        return token
    if form == "mixed":
        lower = token.lower()
        half = len(lower) // 2
        return lower[:half] + "\u00ad" + "".join(f"%{b:02x}" for b in lower[half:].encode())
    raise ValueError(form)


def sentence(token: str, form: str) -> str:
    """A server message that contains the token in the given form."""
    shown = encoded(token, form)
    if form == "long":
        # The token ends on character 200, where messages are cut: a cut before the scrub leaves all of it but its
        # last character (what the console did).
        head = "x" * (199 - len(" API-Token ") - len(shown) + 1)
        text = f"{head} API-Token {shown} is not allowed here "
        return text + "y" * (10_000 - len(text))
    return f"API-Token {shown} is not allowed here"


def normalise(text: str) -> str:
    previous = None
    while previous != text:  # percent-decoding may reveal more to decode
        previous, text = text, unquote(text)
    return _INVISIBLE.sub("", text).lower()


def exposed(text: str, token: str = TOKEN) -> bool:
    """Whether ``text`` shows the token, or any ``FRAGMENT`` characters of it, in any form above."""
    flat = normalise(text)
    secret = token.lower().replace("-", "")
    flat = flat.replace("-", "")
    return any(secret[i : i + FRAGMENT] in flat for i in range(len(secret) - FRAGMENT + 1))


def instance(n: int, hostname: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-00000000000{n}",
        "hostname": hostname,
        "status": "active",
        "vcpuCount": 2,
        "ram": 4096,
        "disk": 80,
        "region": "us-utah",
        "mainIp": f"192.0.2.{n}",
        "insertedAt": "2025-10-01T12:00:00Z",
        **extra,
    }


ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f me@laptop"


class EchoServer:
    """``failing`` holds the request kinds answered with an error; everything else answers well (with the token in
    some data when ``echo_in_data`` is set)."""

    def __init__(self, form: str = "plain") -> None:
        self.form = form
        self.failing: set[str] = {"list", "catalog", "detail", "action", "form", "redirect", "text"}
        self.echo_in_data = False
        self.auth_fails = False
        self.requests: list[tuple[str, str]] = []

    # --------------------------------------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("API-Token", "")
        path = request.url.path.removeprefix("/developers")
        self.requests.append((request.method, path))
        say = sentence(token, self.form)
        echo_headers = {"X-Echo-Token": encoded(token, "percent"), "WWW-Authenticate": f"API-Token {token}"}
        if self.auth_fails:
            return self._error(401, say, echo_headers)
        kind = self._kind(request.method, path)
        if kind in self.failing:
            if kind == "list":
                return self._error(400, say, echo_headers)
            if kind == "catalog":
                if path.endswith("/os"):
                    return httpx.Response(503, text=f"upstream said: {say}", headers=echo_headers)
                return self._error(500 if path.endswith("/regions") else 403, say, echo_headers, code=say[:60])
            if kind == "detail":
                return self._error(404, say, echo_headers, data={"detail": say})
            if kind == "action":
                return self._error(409, say, echo_headers)
            if kind == "form":
                return httpx.Response(
                    422,
                    json={
                        "detail": [
                            {"loc": ["body", "name"], "msg": say, "type": "value_error"},
                            {"loc": ["body", "publicKey"], "msg": say, "type": say[:60]},
                            {"loc": ["body", say[:80]], "msg": say, "type": "value_error"},
                        ]
                    },
                    headers=echo_headers,
                )
            if kind == "redirect":
                host = encoded(token, "plain").lower()
                return httpx.Response(302, headers={"Location": f"https://{host}.evil.example/{say[:40]}"})
            if kind == "text":
                return httpx.Response(502, text=say, headers={**echo_headers, "Content-Type": "text/plain"})
        return self._ok(request.method, path, token)

    @staticmethod
    def _kind(method: str, path: str) -> str:
        if path in ("/v1/regions", "/v1/os", "/v1/applications") or path.startswith("/v1/products"):
            return "catalog"
        if method == "GET" and path == "/v1/instances":
            return "list"
        if method == "GET" and path.startswith("/v1/instances/"):
            return "detail"
        if method == "GET" and path.startswith("/v1/floating-ips"):
            return "redirect"
        if method == "GET" and path.startswith("/v1/snapshots"):
            return "text"
        if method == "POST" and path == "/v1/ssh-keys":
            return "form"
        if method != "GET":
            return "action"
        return "ok"

    def _error(
        self, status: int, say: str, headers: dict[str, str], *, code: str = "FAILED", data: Any = None
    ) -> httpx.Response:
        return httpx.Response(status, json={"detail": say, "code": code, "data": data}, headers=headers)

    def _ok(self, method: str, path: str, token: str) -> httpx.Response:
        data: Any
        if path == "/v1/instances":
            hosts = ["alpha", "bravo"]
            if self.echo_in_data:
                hosts += [f"host-{token}", f"note-{encoded(token, 'percent')}"]
            data = {"instances": [instance(i + 1, h) for i, h in enumerate(hosts)], "bookmark": None}
        elif path.startswith("/v1/instances/"):
            data = instance(1, "alpha")
        elif path == "/v1/ssh-keys":
            name = f"key-{token}" if self.echo_in_data else "laptop"
            data = [{"id": 1, "name": name, "publicKey": ED25519, "fingerprint": "SHA256:abc"}]
        elif path.startswith("/v1/ssh-keys/"):
            data = {"id": 1, "name": "laptop", "publicKey": ED25519, "fingerprint": "SHA256:abc"}
        else:
            data = []
        detail = f"ok {token}" if self.echo_in_data else "ok"
        return httpx.Response(200, content=json.dumps({"detail": detail, "code": "OKAY", "data": data}).encode())


def client_for(server: EchoServer, token: str = TOKEN, **kwargs: Any) -> Any:
    from cloudzy_tui.api import CloudzyClient

    async def no_sleep(_: float) -> None:
        return None

    kwargs.setdefault("sleep", no_sleep)
    kwargs.setdefault("max_retries", 0)
    return CloudzyClient("https://api.echo.example/developers", token, transport=httpx.MockTransport(server), **kwargs)
