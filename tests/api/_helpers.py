"""Shared helpers of the API client tests (no fixtures here: see conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

TOKEN = "tok-SECRET-9f8e7d6c5b4a"
BASE = "https://api.test/developers"

Handler = Callable[[httpx.Request], httpx.Response]


def envelope(data: Any = None, *, detail: str = "ok", code: str = "OKAY", status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"detail": detail, "code": code, "data": data})


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


class Recorder:
    """A MockTransport handler that records requests and answers from a queue (or one function)."""

    def __init__(self, *responses: httpx.Response | Exception | Handler) -> None:
        self.queue: list[httpx.Response | Exception | Handler] = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.queue:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        item = self.queue[0] if len(self.queue) == 1 and callable(self.queue[0]) else self.queue.pop(0)
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return item
        return item(request)

    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]
