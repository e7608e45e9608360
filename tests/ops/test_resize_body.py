"""A resize's body names the instance too (``instanceId``, required by the reference): it must be the target's.

Otherwise the protected-instance rule, checked on the target, could be stepped around by a caller (a script, an
agent) that targets an unprotected instance and names a protected one in the body.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_client

from cloudzy_tui.ops import Policy, Refused, Session, operation, resource_named


async def _bigger_product(client: Any, instance: Any) -> Any:
    """A product of the instance's region with at least its disk (disks do not shrink)."""
    products = await client.products.list(instance.region)
    return next(
        p
        for p in products
        if p.id != instance.product_id
        and p.is_active
        and p.specification
        and (p.specification.storage or 0) >= (instance.disk or 0)
    )


async def test_a_resize_naming_another_instance_in_its_body_is_refused_and_sends_nothing(simulator: Any) -> None:
    client = make_client(simulator)
    session = Session(client, policy=Policy(local_hostname="console-host", protected=["db-*"]))
    try:
        web01 = await session.find(resource_named("instances"), "web-01")
        db = await session.find(resource_named("instances"), "db-primary")
        product = await _bigger_product(client, web01)
        writes = sum(1 for r in simulator.requests if r.method != "GET")
        with pytest.raises(Refused) as refused:
            await session.execute(
                operation("resize"),
                web01,
                {"type": "FIXED", "product_id": product.id, "instance_id": str(db.id)},
                confirm="web-01",
            )
        assert refused.value.rule == "target"
        assert "instanceId" in refused.value.message
        assert sum(1 for r in simulator.requests if r.method != "GET") == writes
    finally:
        await client.aclose()


async def test_a_resize_naming_its_own_target_in_the_body_goes_through(simulator: Any) -> None:
    client = make_client(simulator)
    session = Session(client, policy=Policy(local_hostname="console-host"))
    try:
        web01 = await session.find(resource_named("instances"), "web-01")
        bigger = await _bigger_product(client, web01)
        outcome = await session.execute(
            operation("resize"),
            web01,
            {"type": "FIXED", "product_id": bigger.id, "instance_id": str(web01.id)},
            confirm="web-01",
        )
        assert outcome.jobs and outcome.jobs[0].id == str(web01.id)
    finally:
        await client.aclose()
