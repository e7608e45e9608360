"""Helpers for the API client tests: a recording ``httpx.MockTransport``, envelopes, a client factory whose
retry sleeps are recorded instead of waited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient

from ._helpers import BASE, TOKEN, Handler


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
async def make_client(sleeps: list[float]) -> AsyncIterator[Callable[..., CloudzyClient]]:
    clients: list[CloudzyClient] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def factory(handler: Handler, **kwargs: Any) -> CloudzyClient:
        kwargs.setdefault("token", TOKEN)
        kwargs.setdefault("sleep", fake_sleep)
        kwargs.setdefault("rng", lambda: 0.5)
        client = CloudzyClient(BASE, transport=httpx.MockTransport(handler), **kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()
