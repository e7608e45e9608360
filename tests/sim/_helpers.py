"""Helpers for the simulator tests: raw httpx against the ASGI app (never the project's client)."""

from __future__ import annotations

from typing import Any

import httpx

from cloudzy_tui.sim import Simulator, create_app

TOKEN = "sim-test-token"
BASE_URL = "http://sim/developers"


def raw_client(sim: Simulator, token: str | None = TOKEN) -> httpx.AsyncClient:
    headers = {"API-Token": token} if token is not None else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sim)), base_url=BASE_URL, headers=headers)


def ok(response: httpx.Response) -> Any:
    """Assert a success envelope and return ``data``."""
    assert response.status_code == 200, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"detail", "code", "data"}
    assert body["code"] == "OKAY"
    assert isinstance(body["detail"], str) and body["detail"]
    return body["data"]


def failed(response: httpx.Response, status: int) -> str:
    """Assert the standard FAILED envelope with ``status``; return the detail."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["code"] == "FAILED"
    assert body["data"] == {"statusCode": status, "detail": body["detail"]}
    assert isinstance(body["detail"], str) and body["detail"]
    return str(body["detail"])


def invalid(response: httpx.Response) -> list[dict[str, Any]]:
    """Assert a 422 validation body and return its error list."""
    assert response.status_code == 422, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"detail"}
    errors = body["detail"]
    assert errors and all(set(e) == {"loc", "msg", "type"} for e in errors)
    return list(errors)


def locs(response: httpx.Response) -> list[list[Any]]:
    return [e["loc"] for e in invalid(response)]


def by_hostname(sim: Simulator, hostname: str) -> str:
    return next(r.id for r in sim.instances.values() if r["hostname"] == hostname)


def product_id(sim: Simulator, region: str, plan: str) -> str:
    return next(p["id"] for p in sim.products.values() if p["regionId"] == region and p["planId"] == plan)
