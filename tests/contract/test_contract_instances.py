"""The eleven instance endpoints through ``client.instances``: returned models, simulator state, wire requests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudzy_tui.api import (
    ActionResult,
    CloudzyClient,
    CreateInstanceRequest,
    ExtraResourceRequest,
    Instance,
    InstanceFilters,
    NotFoundError,
    ResizeRequest,
)
from cloudzy_tui.sim import FakeClock, Simulator

from .conftest import advance, host, last, product_id, same_as, wire


async def test_list_first_page(client: CloudzyClient, simulator: Simulator) -> None:
    pages = client.instances.pages(page_size=10)
    page = await anext(pages)
    await pages.aclose()
    assert len(page.items) == 10
    assert all(isinstance(i, Instance) for i in page.items)
    newest_first = [r.data["id"] for r in simulator.instances_newest_first() if r.data["status"] != "deleted"][:10]
    assert [i.id for i in page.items] == newest_first
    assert isinstance(page.next, str) and page.next
    assert wire(last(simulator)) == ("GET", "/v1/instances", {"limit": "10"}, None)


async def test_create_fixed_plan(client: CloudzyClient, simulator: Simulator) -> None:
    pid = product_id(simulator, "us-utah", "regular-2c-4g")
    available = simulator.available_balance()
    req = CreateInstanceRequest(
        hostnames=["contract-1"],
        region="us-utah",
        product_id=pid,
        os_id="ubuntu-24.04",
        assign_ipv4=True,
        ssh_key_ids=[101],
        floating_ip_count=1,
        extra_resource=ExtraResourceRequest(disk_in_gb=20),
    )
    created = await client.instances.create(req)

    assert len(created) == 1
    inst = created[0]
    assert (inst.hostname, inst.region, inst.product_id) == ("contract-1", "us-utah", pid)
    assert inst.status == "preparing_disk"
    assert inst.instance_class == "default"
    assert (inst.vcpu_count, inst.ram, inst.disk) == (2, 4096, 100)
    assert inst.os is not None and inst.os.id == "ubuntu-24.04"
    assert inst.main_ip and inst.main_ipv6 is None
    assert inst.extra_resource is not None and inst.extra_resource.disk_in_gb == 20

    record = simulator.instances[inst.id]
    assert record.data["status"] == "preparing_disk"
    assert record.ssh_key_ids == [101]
    attached = [f for f in simulator.floating_ips.values() if f.data["instanceId"] == inst.id]
    assert len(attached) == 1 and attached[0].data["regionId"] == "us-utah"
    assert simulator.available_balance() < available
    same_as(inst, record.data)

    assert wire(last(simulator)) == (
        "POST",
        "/v1/instances",
        {},
        {
            "hostnames": ["contract-1"],
            "region": "us-utah",
            "productId": pid,
            "osId": "ubuntu-24.04",
            "assignIpv4": True,
            "sshKeyIds": [101],
            "floatingIPCount": 1,
            "extraResource": {"diskInGB": 20},
        },
    )


async def test_create_several_custom_plan(client: CloudzyClient, simulator: Simulator) -> None:
    req = CreateInstanceRequest(
        hostnames=["c-a", "c-b"],
        region="us-newyork",
        extra_resource=ExtraResourceRequest(cpu=2, ram_in_gb=4, disk_in_gb=40, bandwidth_in_tb=1),
        app_id="docker",
        instance_class="default",
        billing_cycle="monthly",
    )
    created = await client.instances.create(req)
    assert [i.hostname for i in created] == ["c-a", "c-b"]
    for inst in created:
        assert inst.product_id is None
        assert (inst.vcpu_count, inst.ram, inst.disk) == (2, 4096, 40)
        assert inst.app_id == "docker"
        assert inst.os is not None and inst.os.id == "ubuntu-24.04"  # the app's first OS
        assert simulator.instances[inst.id].data["status"] == "preparing_disk"
    body = last(simulator).body
    assert body["extraResource"] == {"cpu": 2, "ramInGB": 4, "diskInGB": 40, "bandwidthInTB": 1}
    assert body["class"] == "default" and body["billingCycle"] == "monthly" and "productId" not in body


async def test_get(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "web-01")
    inst = await client.instances.get(record.id)
    assert inst.id == record.id and inst.hostname == "web-01"
    assert inst.features == ["monitoring"]
    assert inst.customer_note == "Public website, behind the load balancer"
    assert inst.inserted_at_dt == datetime.fromtimestamp(int(record.created), UTC)
    same_as(inst, record.data)
    assert wire(last(simulator)) == ("GET", f"/v1/instances/{record.id}", {}, None)


async def test_get_every_seeded_instance_round_trips(client: CloudzyClient, simulator: Simulator) -> None:
    listed = await client.instances.list_all(InstanceFilters(include_deleted=True))
    assert len(listed) == len(simulator.instances)
    for inst in listed:
        same_as(inst, simulator.instances[inst.id].data)


async def test_delete(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "web-01")
    result = await client.instances.delete(record.id)
    assert isinstance(result, ActionResult) and result.ok and result.detail and result.data is None
    assert record.data["status"] == "deleted"
    assert all(s.data["isInstanceDeleted"] for s in simulator.snapshots.values() if s.data["instanceId"] == record.id)
    assert not any(f.data["instanceId"] == record.id for f in simulator.floating_ips.values())
    assert record.id not in simulator.backups
    assert wire(last(simulator)) == ("DELETE", f"/v1/instances/{record.id}", {}, None)
    with pytest.raises(NotFoundError):
        await client.instances.get(record.id)


async def test_resize_fixed(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    record = host(simulator, "web-01")
    bigger = product_id(simulator, "us-utah", "regular-4c-8g")
    result = await client.instances.resize(record.id, ResizeRequest(type="FIXED", product_id=bigger))
    assert result.ok and result.detail == "Resize started"
    assert isinstance(result.data, dict) and result.data["status"] == "resizing"
    assert record.data["status"] == "resizing"
    assert wire(last(simulator)) == (
        "POST",
        f"/v1/instances/{record.id}/resize",
        {},
        {"type": "FIXED", "productId": bigger, "instanceId": record.id},
    )
    advance(simulator, sim_clock)
    after = await client.instances.get(record.id)
    assert (after.status, after.vcpu_count, after.ram, after.disk, after.product_id) == ("active", 4, 8192, 160, bigger)


async def test_resize_custom(client: CloudzyClient, simulator: Simulator, sim_clock: FakeClock) -> None:
    record = host(simulator, "api-gateway")  # a custom plan in Utah
    req = ResizeRequest(type="custom", extra_resource=ExtraResourceRequest(cpu=8, ram_in_gb=16, disk_in_gb=200))
    result = await client.instances.resize(record.id, req)
    assert result.ok and result.detail
    assert record.data["status"] == "resizing"
    assert last(simulator).body == {
        "type": "CUSTOM",
        "instanceId": record.id,
        "extraResource": {"cpu": 8, "ramInGB": 16, "diskInGB": 200},
    }
    advance(simulator, sim_clock)
    after = await client.instances.get(record.id)
    assert (after.status, after.vcpu_count, after.ram, after.disk) == ("active", 8, 16384, 200)


async def test_change_os(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "web-02")
    result = await client.instances.change_os(record.id, "debian-12")
    assert result.ok and result.detail
    assert record.data["status"] == "preparing_disk" and record.data["osId"] == "debian-12"
    assert wire(last(simulator)) == ("POST", f"/v1/instances/{record.id}/change-os", {}, {"osId": "debian-12"})


@pytest.mark.parametrize(
    ("method", "hostname", "action", "status"),
    [
        ("power_off", "web-01", "poweroff", "stopping"),
        ("power_on", "worker-02", "poweron", "starting"),
        ("reset", "web-03", "reset", "resetting"),
        ("reset", "staging-web", "reset", "resetting"),
    ],
)
async def test_power_actions(
    client: CloudzyClient, simulator: Simulator, method: str, hostname: str, action: str, status: str
) -> None:
    record = host(simulator, hostname)
    result = await getattr(client.instances, method)(record.id)
    assert isinstance(result, ActionResult) and result.ok and result.detail
    assert isinstance(result.data, dict) and result.data["id"] == record.id and result.data["status"] == status
    assert record.data["status"] == status
    assert wire(last(simulator)) == ("POST", f"/v1/instances/{record.id}/{action}", {}, None)


async def test_add_traffic(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "nextcloud")
    before = record.data["extraResource"]["bandwidthInTB"]
    result = await client.instances.add_traffic(record.id, 2)
    assert result.ok and result.detail
    assert record.data["extraResource"]["bandwidthInTB"] == before + 2
    assert record.data["networkStatus"] == "active"
    assert wire(last(simulator)) == ("POST", f"/v1/instances/{record.id}/add-traffic", {}, {"amount": 2.0})


async def test_change_password(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "web-01")
    password = await client.instances.change_password(record.id)
    assert isinstance(password, str) and len(password) >= 12
    again = await client.instances.change_password(record.id)
    assert again != password
    assert wire(last(simulator)) == ("POST", f"/v1/instances/{record.id}/change-pass", {}, None)


async def test_create_without_an_install_source(client: CloudzyClient, simulator: Simulator) -> None:
    """The client insists on an OS/app/ISO/snapshot; the simulator (like the reference, where ``osId`` is optional)
    falls back to its default OS. Built with ``model_construct`` to reach the simulator."""
    req = CreateInstanceRequest.model_construct(
        hostnames=["bare"], region="us-utah", product_id=product_id(simulator, "us-utah", "regular-1c-2g")
    )
    [inst] = await client.instances.create(req)
    default = next(o["id"] for o in simulator.oses.values() if o["isDefault"])
    assert inst.os_id == default and simulator.instances[inst.id].data["osId"] == default
    assert last(simulator).body == {"hostnames": ["bare"], "region": "us-utah", "productId": req.product_id}
