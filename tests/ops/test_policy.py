"""The rails of the operations layer, applied to EVERY operation (not a sample): read-only, protected instances
(the target, or what it is attached to), the typed confirmation (exact, case-sensitive), the host the console runs
on, availability, and that nothing reaches the API when a rule refuses.

Targets come from the seeded simulator through the client (black box): web-01 (active, with a floating IP, a
snapshot and a daily backup profile), db-primary (active, with a floating IP, snapshots and a weekly profile).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from conftest import make_client

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.ops import OPERATIONS, Policy, Refused, Session, operation, resource_named

Target = tuple[Any, dict[str, Any] | None]
Factory = Callable[[Session], Awaitable[Target]]


async def _instance(session: Session, name: str = "web-01") -> Any:
    return await session.find(resource_named("instances"), name)


async def _snapshot_of(session: Session, hostname: str) -> Any:
    instance = await _instance(session, hostname)
    snaps = await resource_named("snapshots").all(session, {"instance_id": instance.id})
    return next(s for s in snaps if (s.status or "").upper() == "ACTIVE")


async def _fip_of(session: Session, hostname: str) -> Any:
    instance = await _instance(session, hostname)
    fips = await resource_named("floating-ips").all(session)
    return next(f for f in fips if str(f.instance_id) == str(instance.id))


async def _backup_of(session: Session, hostname: str) -> Any:
    instance = await _instance(session, hostname)
    return await resource_named("backups").find(session, instance.id)


# Every mutating operation that touches an instance, with a target on web-01 (or attached to it) and parameters.
# The test below fails when an operation is added without being classified here or in NO_INSTANCE.
ON_WEB_01: dict[str, Factory] = {
    "power-off": lambda s: _with(_instance(s)),
    "reset": lambda s: _with(_instance(s)),
    "resize": lambda s: _resize_target(s),
    "change-os": lambda s: _with(_instance(s), {"os_id": "debian-12"}),
    "add-traffic": lambda s: _with(_instance(s), {"amount": 1}),
    "change-password": lambda s: _with(_instance(s)),
    "delete": lambda s: _with(_instance(s)),
    "snapshot": lambda s: _with(_instance(s)),
    "snapshot-delete": lambda s: _with(_snapshot_of(s, "web-01")),
    "snapshot-restore": lambda s: _with(_snapshot_of(s, "web-01")),
    "backup-schedule": lambda s: _with(_instance(s), {"schedule_frequency": "daily", "period_id": 7}),
    "backup-delete": lambda s: _with(_backup_of(s, "web-01")),
    "fip-update": lambda s: _with(_fip_of(s, "web-01"), {"customer_note": "x"}),
    "fip-release": lambda s: _with(_fip_of(s, "web-01")),
}
# power-on needs a shut-down instance: web-01 is powered off first (see the test).
NEEDS_SHUTDOWN = {"power-on"}
# Mutating operations that touch no existing instance (they create one, or concern the account).
NO_INSTANCE = {
    "create",
    "fip-allocate",
    "iso-download",
    "iso-delete",
    "image-download",
    "image-delete",
    "key-create",
    "key-delete",
}


async def _resize_target(session: Session) -> Target:
    """web-01 and a product of its region with at least its disk (disks do not shrink)."""
    web01 = await _instance(session)
    products = await session.client.products.list(web01.region)
    bigger = next(
        p
        for p in products
        if p.id != web01.product_id
        and p.is_active
        and p.specification
        and (p.specification.storage or 0) >= (web01.disk or 0)
    )
    return web01, {"type": "FIXED", "product_id": bigger.id}


async def _product_in(session: Session, region: str) -> str:
    return next(p.id for p in await session.client.products.list(region) if p.is_active)


async def _with(item: Awaitable[Any], params: dict[str, Any] | None = None) -> Target:
    return await item, params


def _session(simulator: Any, **policy: Any) -> tuple[Session, CloudzyClient]:
    client = make_client(simulator)
    return Session(client, policy=Policy(local_hostname="console-host", **policy)), client


def _writes(simulator: Any) -> int:
    return sum(1 for r in simulator.requests if r.method != "GET")


def test_every_operation_is_classified() -> None:
    """A new operation must say whether it touches an instance (so the protected rule is tested on it)."""
    mutating = {o.name for o in OPERATIONS if o.mutating}
    assert mutating == set(ON_WEB_01) | NEEDS_SHUTDOWN | NO_INSTANCE
    for name in set(ON_WEB_01) | NEEDS_SHUTDOWN:
        assert operation(name).instance_of is not None, name
    for name in NO_INSTANCE:
        assert operation(name).instance_of is None, name


@pytest.mark.parametrize("name", sorted(ON_WEB_01))
async def test_protected_instance_refuses_every_operation_on_it_or_attached_to_it(simulator: Any, name: str) -> None:
    session, client = _session(simulator, protected=["web-*"])
    try:
        target, params = await ON_WEB_01[name](session)
        op = operation(name)
        before = _writes(simulator)
        with pytest.raises(Refused) as refused:
            await session.execute(op, target, params, confirm=session.confirmation(op, target).require or True)
        assert refused.value.rule == "protected"
        assert "'web-*'" in refused.value.message and "web-01" in refused.value.message
        assert _writes(simulator) == before
    finally:
        await client.aclose()


@pytest.mark.parametrize("name", sorted(ON_WEB_01))
async def test_protected_by_id_too(simulator: Any, name: str) -> None:
    probe, probe_client = _session(simulator)
    web01 = await _instance(probe)
    await probe_client.aclose()
    session, client = _session(simulator, protected=[web01.id])
    try:
        target, params = await ON_WEB_01[name](session)
        with pytest.raises(Refused) as refused:
            await session.execute(operation(name), target, params, confirm=True)
        assert refused.value.rule == "protected"
    finally:
        await client.aclose()


async def test_power_on_of_a_protected_shut_down_instance_is_refused(simulator: Any, sim_clock: Any) -> None:
    free, free_client = _session(simulator)
    web01 = await _instance(free)
    await free.execute(operation("power-off"), web01, confirm=True)
    await free_client.aclose()
    sim_clock.advance(60)
    session, client = _session(simulator, protected=["WEB-01"])  # patterns are case-insensitive
    try:
        web01 = await _instance(session)
        assert (web01.status or "").lower() == "shutdown"
        before = _writes(simulator)
        with pytest.raises(Refused) as refused:
            await session.execute(operation("power-on"), web01)
        assert refused.value.rule == "protected"
        assert _writes(simulator) == before
    finally:
        await client.aclose()


async def test_an_unprotected_instance_is_not_refused(simulator: Any) -> None:
    session, client = _session(simulator, protected=["web-*"])
    try:
        db = await _instance(session, "db-primary")
        outcome = await session.execute(operation("snapshot"), db)
        assert "db-primary" in outcome.message and outcome.jobs
    finally:
        await client.aclose()


async def test_protection_fails_closed_when_the_instance_cannot_be_looked_up(simulator: Any) -> None:
    """A floating IP names only its instance's id: with hostname patterns, the instance is looked up; if that
    lookup fails, the operation is refused (never allowed by default)."""
    probe, probe_client = _session(simulator)
    fip = await _fip_of(probe, "web-01")
    await probe_client.aclose()
    session, client = _session(simulator, protected=["web-*"])  # a new session: it has seen no instance yet
    try:
        assert session.catalog.known_hostname(fip.instance_id) is None
        simulator.config.error_rate = 1.0
        with pytest.raises(Refused) as refused:
            await session.execute(operation("fip-release"), fip, confirm=True)
        assert refused.value.rule == "protected" and "could not check" in refused.value.message
    finally:
        simulator.config.error_rate = 0.0
        await client.aclose()


@pytest.mark.parametrize("name", sorted(o.name for o in OPERATIONS if o.mutating))
async def test_read_only_refuses_every_mutating_operation_before_any_request(simulator: Any, name: str) -> None:
    session, client = _session(simulator, read_only=True)
    try:
        op = operation(name)
        target = None
        if op.needs_target:
            factory = ON_WEB_01.get(name)
            target = (await factory(session))[0] if factory else await _any_target(session, op.resource, op)
        before = len(simulator.requests)
        with pytest.raises(Refused) as refused:
            await session.execute(op, target, None, confirm=True)
        assert refused.value.rule == "read-only"
        assert len(simulator.requests) == before  # not even a GET: refused before anything
    finally:
        await client.aclose()


async def _any_target(session: Session, resource: str, op: Any = None) -> Any:
    items = await resource_named(resource).all(session)
    return next(i for i in items if op is None or op.unavailable is None or op.unavailable(i) is None)


TYPED = sorted(o.name for o in OPERATIONS if o.danger == "type")
CONFIRMED = sorted(o.name for o in OPERATIONS if o.danger == "confirm")


@pytest.mark.parametrize("name", TYPED)
async def test_typed_confirmation_is_exact_and_case_sensitive(simulator: Any, name: str) -> None:
    session, client = _session(simulator)
    try:
        target, params = await ON_WEB_01[name](session)
        op = operation(name)
        confirmation = session.confirmation(op, target)
        assert confirmation.level == "type" and confirmation.require
        before = _writes(simulator)
        for wrong in (None, True, confirmation.require.upper(), f" {confirmation.require}", confirmation.require[:-1]):
            if wrong == confirmation.require:
                continue
            with pytest.raises(Refused) as refused:
                await session.execute(op, target, params, confirm=wrong)
            assert refused.value.rule == "confirmation"
        assert _writes(simulator) == before
        outcome = await session.execute(op, target, params, confirm=confirmation.require)
        assert outcome.message
        assert _writes(simulator) > before
    finally:
        await client.aclose()


@pytest.mark.parametrize("name", CONFIRMED)
async def test_confirmed_operations_need_a_yes(simulator: Any, name: str) -> None:
    session, client = _session(simulator)
    try:
        op = operation(name)
        if name in ON_WEB_01:
            target, params = await ON_WEB_01[name](session)
        elif op.needs_target:
            target, params = await _any_target(session, op.resource, op), None
        else:
            target, params = None, dict(_CREATE_PARAMS[name])
            if name == "create":
                params["product_id"] = await _product_in(session, "us-utah")
        before = _writes(simulator)
        for answer in (None, False, "yes"):
            with pytest.raises(Refused) as refused:
                await session.execute(op, target, params, confirm=answer)
            assert refused.value.rule == "confirmation"
        assert _writes(simulator) == before
        await session.execute(op, target, params, confirm=True)
        assert _writes(simulator) > before
    finally:
        await client.aclose()


_CREATE_PARAMS: dict[str, dict[str, Any]] = {
    "create": {"hostnames": ["new-01"], "region": "us-utah", "os_id": "debian-12"},
    "fip-allocate": {"region_id": "us-utah", "count": 1},
}


DISRUPTIVE = sorted(o.name for o in OPERATIONS if o.disruptive and o.name in ON_WEB_01)


@pytest.mark.parametrize("name", DISRUPTIVE)
async def test_the_host_the_console_runs_on_needs_its_hostname_typed(simulator: Any, name: str) -> None:
    client = make_client(simulator)
    session = Session(client, policy=Policy(local_hostname="web-01.example.net"))
    try:
        target, params = await ON_WEB_01[name](session)
        op = operation(name)
        confirmation = session.confirmation(op, target)
        assert confirmation.level == "type"
        assert "runs on" in confirmation.message
        with pytest.raises(Refused):
            await session.execute(op, target, params, confirm=True)
    finally:
        await client.aclose()


async def test_state_rules_refuse_without_a_request(simulator: Any) -> None:
    session, client = _session(simulator)
    try:
        web01 = await _instance(session)
        before = len(simulator.requests)
        with pytest.raises(Refused) as refused:
            await session.execute(operation("power-on"), web01)
        assert refused.value.rule == "unavailable" and "only for shutdown" in refused.value.message
        assert len(simulator.requests) == before
    finally:
        await client.aclose()


async def test_refusals_are_audited(simulator: Any) -> None:
    session, client = _session(simulator, read_only=True)
    try:
        web01 = await _instance(session)
        with pytest.raises(Refused):
            await session.execute(operation("reset"), web01, confirm=True)
        entry = session.audit.entries[-1]
        assert entry["outcome"] == "refused" and entry["action"] == "Reset" and entry["target"] == "web-01"
    finally:
        await client.aclose()
