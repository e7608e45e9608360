"""The create operation carries ``isoId`` and ``fromSnapshot`` to the API, and its outcome names the source, the
region and the plan (for every face: console toast, CLI stderr, MCP result)."""

from __future__ import annotations

from typing import Any

from conftest import make_client

from cloudzy_tui.ops import Policy, Session, operation


async def _create(simulator: Any, **source: Any) -> Any:
    client = make_client(simulator)
    session = Session(client, policy=Policy(local_hostname="console-host"))
    try:
        products = await session.catalog.products_for("us-utah")
        product = next(p for p in products if p.is_active and (p.specification.storage or 0) >= 80)
        params = {"hostnames": ["made-1"], "region": "us-utah", "product_id": product.id, **source}
        outcome = await session.execute(operation("create"), None, params, confirm=True)
        return outcome, product
    finally:
        await client.aclose()


async def test_create_from_an_iso_sends_iso_id_and_says_so(simulator: Any) -> None:
    iso = next(i for i in simulator.isos.values() if i["status"] == "READY" and i["regionId"] == "us-utah")
    outcome, product = await _create(simulator, iso_id=iso["id"])
    (post,) = [r for r in simulator.requests if r.method == "POST" and r.path == "/v1/instances"]
    assert post.body["isoId"] == iso["id"]
    assert outcome.message == f"Creating instance made-1 in Utah, {product.label}, from ISO {iso['name']}"


async def test_create_from_a_snapshot_sends_from_snapshot_and_says_so(simulator: Any) -> None:
    snapshot = next(s for s in simulator.snapshots.values() if s["name"] == "web-01-before-upgrade")
    outcome, _ = await _create(simulator, from_snapshot=snapshot["id"])
    (post,) = [r for r in simulator.requests if r.method == "POST" and r.path == "/v1/instances"]
    assert post.body["fromSnapshot"] == snapshot["id"]
    assert outcome.message.endswith(f"from snapshot {snapshot['name']}")
    assert "in Utah" in outcome.message
