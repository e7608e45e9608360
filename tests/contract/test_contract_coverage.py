"""One pass over the whole API: every route the simulator serves is reached through a typed client method, and
every call the client makes lands on a route (no 404/405 from a wrong path or method)."""

from __future__ import annotations

import re

from cloudzy_tui.api import (
    BackupProfileRequest,
    CloudzyClient,
    CreateInstanceRequest,
    FloatingIpUpdate,
    ImageDownloadRequest,
    IsoDownloadRequest,
    ResizeRequest,
    SshKeyCreate,
)
from cloudzy_tui.sim import FakeClock, Simulator
from cloudzy_tui.sim.app import ROUTES

from .conftest import Connect, advance, ed25519_key, host, product_id, recording, snapshot_named


def route_of(method: str, path: str) -> tuple[str, str] | None:
    for route_method, template, _handler in ROUTES:
        pattern = "^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$"
        if route_method == method and re.match(pattern, path):
            return route_method, template
    return None


async def test_every_route_is_reached_through_the_client(
    client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock
) -> None:
    assert len(ROUTES) == 41
    web01, web02, web03 = (host(simulator, h).id for h in ("web-01", "web-02", "web-03"))
    worker02 = host(simulator, "worker-02").id

    # instances
    await client.instances.list_all()
    [made] = await client.instances.create(
        CreateInstanceRequest(
            hostnames=["tour"],
            region="us-utah",
            product_id=product_id(simulator, "us-utah", "regular-1c-2g"),
            os_id="debian-12",
        )
    )
    await client.instances.get(made.id)
    await client.instances.power_off(web01)
    await client.instances.power_on(worker02)
    await client.instances.reset(web03)
    await client.instances.add_traffic(web01, 1)
    await client.instances.change_os(web02, "ubuntu-22.04")
    advance(simulator, sim_clock, 2)
    await client.instances.change_password(web01)
    await client.instances.resize(
        web03, ResizeRequest(type="FIXED", product_id=product_id(simulator, "nl-amsterdam", "regular-4c-8g"))
    )
    await client.instances.delete(made.id)
    # catalogue
    await client.regions.list()
    await client.products.list("us-utah")
    await client.os.list()
    await client.applications.list()
    # SSH keys
    await client.ssh_keys.list()
    key = await client.ssh_keys.create(SshKeyCreate(name="tour", public_key=ed25519_key(9)))
    assert key is not None
    await client.ssh_keys.get(key.id)
    await client.ssh_keys.delete(key.id)
    # floating IPs
    await client.floating_ips.list_all()
    [ip] = await client.floating_ips.allocate("us-utah", 1)
    await client.floating_ips.update(ip.id, FloatingIpUpdate(customer_note="tour"))
    await client.floating_ips.release(ip.id)
    # ISOs and images
    await client.isos.list_all()
    iso = await client.isos.download(
        IsoDownloadRequest(name="t", url="https://x.example.com/t.iso", region_id="us-utah")
    )
    assert iso is not None
    await client.isos.get(iso.id)
    await client.isos.delete(iso.id)
    await client.images.list_all()
    image = await client.images.download(
        ImageDownloadRequest(name="t", url="https://x.example.com/t.raw", region_id="us-utah")
    )
    assert image is not None
    await client.images.get(image.id)
    await client.images.delete(image.id)
    # snapshots
    await client.snapshots.list_all()
    snap = await client.snapshots.create(web02)
    assert snap is not None
    await client.snapshots.get(snap.id)
    await client.snapshots.restore(snapshot_named(simulator, "gitlab-before-16.11-upgrade"))
    advance(simulator, sim_clock)
    await client.snapshots.delete(snap.id)
    # backups
    await client.backups.list()
    request = BackupProfileRequest(instance_id=web02, schedule_frequency="daily", period_id=7)
    await client.backups.create(request)
    await client.backups.get(web02)
    await client.backups.update(request.model_copy(update={"period_id": 14}))
    await client.backups.delete(web02)

    hit = [route_of(r.method, r.path) for r in simulator.requests]
    assert None not in hit, [(r.method, r.path) for r in simulator.requests if route_of(r.method, r.path) is None]
    assert all(r.status == 200 for r in simulator.requests), [
        (r.method, r.path, r.status) for r in simulator.requests if r.status != 200
    ]
    assert set(hit) == {(m, t) for m, t, _ in ROUTES}


async def test_wire_headers_and_bodies(connect: Connect, simulator: Simulator) -> None:
    """Every request carries ``API-Token``; requests with a body send it as JSON; bodiless actions send nothing."""
    transport = recording(simulator)
    client = connect(transport=transport)
    web01 = host(simulator, "web-01").id
    await client.regions.list()
    await client.instances.power_off(web01)
    await client.snapshots.create(host(simulator, "web-02").id)
    await client.floating_ips.update(next(iter(simulator.floating_ips)), FloatingIpUpdate(auto_renew=True))
    token = simulator.config.token
    for request, _reply in transport.exchanges:
        assert request.headers["API-Token"] == token
        assert token not in str(request.url)
        assert "json" in request.headers["Accept"]
        if request.method in ("POST", "PUT", "PATCH") and request.content:
            assert request.headers["Content-Type"] == "application/json"
    bodies = {(r.method, r.url.path): r.content for r, _ in transport.exchanges}
    assert bodies[("POST", f"/developers/v1/instances/{web01}/poweroff")] == b""
    assert all(r.status == 200 for r in simulator.requests)
