"""Catalogue (regions, products, OS, applications) and SSH keys through the client, against the simulator."""

from __future__ import annotations

import pytest

from cloudzy_tui.api import (
    ActionResult,
    ApiError,
    Application,
    CloudzyClient,
    NotFoundError,
    OperatingSystem,
    Product,
    Region,
    SshKey,
    SshKeyCreate,
)
from cloudzy_tui.sim import Simulator

from .conftest import ed25519_key, last, same_as, wire


async def test_regions(client: CloudzyClient, simulator: Simulator) -> None:
    regions = await client.regions.list()
    assert [r.id for r in regions] == list(simulator.regions)
    assert all(isinstance(r, Region) for r in regions)
    by_id = {r.id: r for r in regions}
    assert by_id["us-utah"].config.support_custom_plan and by_id["us-utah"].config.support_ipv6
    assert not by_id["nl-amsterdam"].config.support_ipv6
    assert by_id["de-frankfurt"].config.support_gpu
    assert by_id["sg-singapore"].is_out_of_stock and by_id["sg-singapore"].offerable
    assert not by_id["jp-tokyo"].offerable and not by_id["gb-london"].offerable
    assert by_id["us-newyork"].is_premium and by_id["us-newyork"].max_discount_percent == 10
    for region in regions:
        same_as(region, simulator.regions[region.id])
    assert wire(last(simulator)) == ("GET", "/v1/regions", {}, None)


async def test_products(client: CloudzyClient, simulator: Simulator) -> None:
    products = await client.products.list("de-frankfurt")
    expected = [p for p in simulator.products.values() if p["regionId"] == "de-frankfurt"]
    assert [p.id for p in products] == [p["id"] for p in expected]
    assert all(isinstance(p, Product) and p.region_id == "de-frankfurt" for p in products)
    gpu = next(p for p in products if p.plan_id == "gpu-8c-32g-a100")
    assert gpu.label == "8 vCPU · 32 GB RAM · 200 GB disk · 10 TB · 1x NVIDIA A100 80GB"
    assert gpu.plan is not None and gpu.plan.type == "gpu"
    assert gpu.monthly_price == expected[[p["id"] for p in expected].index(gpu.id)]["priceItems"][0]["monthlyPrice"]
    assert len(gpu.price_items) == 5
    for product, data in zip(products, expected, strict=True):
        same_as(product, data)
    assert wire(last(simulator)) == ("GET", "/v1/products", {"regionId": "de-frankfurt"}, None)


async def test_products_of_an_unknown_region_is_not_found(client: CloudzyClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.products.list("mars-1")
    assert info.value.detail == "Region 'mars-1' not found"


async def test_operating_systems(client: CloudzyClient, simulator: Simulator) -> None:
    oses = await client.os.list()
    assert [o.id for o in oses] == list(simulator.oses)
    assert all(isinstance(o, OperatingSystem) for o in oses)
    by_id = {o.id: o for o in oses}
    assert by_id["ubuntu-24.04"].is_default
    assert not by_id["centos-7"].is_active
    assert by_id["windows-server-2022"].min_ram == "2048"  # sent as a string on purpose
    assert by_id["windows-server-2022"].min_ram_value == 2048.0
    assert by_id["debian-12"].min_ram_value == 512.0
    for os_ in oses:
        same_as(os_, simulator.oses[os_.id])
    assert wire(last(simulator)) == ("GET", "/v1/os", {}, None)


async def test_applications(client: CloudzyClient, simulator: Simulator) -> None:
    apps = await client.applications.list()
    assert [a.id for a in apps] == list(simulator.applications)
    assert all(isinstance(a, Application) for a in apps)
    by_id = {a.id: a for a in apps}
    assert by_id["metatrader5"].price == 5.0 and by_id["metatrader5"].os_list == [
        "windows-server-2022",
        "windows-server-2019",
    ]
    assert by_id["ollama"].is_experimental
    for app in apps:
        same_as(app, simulator.applications[app.id])
    assert wire(last(simulator)) == ("GET", "/v1/applications", {}, None)


# ---------------------------------------------------------------------------------------------------- SSH keys


async def test_ssh_keys_list(client: CloudzyClient, simulator: Simulator) -> None:
    keys = await client.ssh_keys.list()
    assert [k.id for k in keys] == list(simulator.ssh_keys)
    assert all(isinstance(k, SshKey) and isinstance(k.id, int) for k in keys)
    assert {k.key_type for k in keys} == {"ssh-ed25519", "ssh-rsa"}
    for key in keys:
        same_as(key, simulator.ssh_keys[int(key.id)].data)
    assert wire(last(simulator)) == ("GET", "/v1/ssh-keys", {}, None)


async def test_ssh_keys_list_by_customer(client: CloudzyClient, simulator: Simulator) -> None:
    keys = await client.ssh_keys.list(customer_id=simulator.team_customer_id)
    assert [k.name for k in keys] == ["ops-team"]
    assert wire(last(simulator)) == ("GET", "/v1/ssh-keys", {"customerId": simulator.team_customer_id}, None)


async def test_ssh_key_create_get_delete(client: CloudzyClient, simulator: Simulator) -> None:
    public_key = ed25519_key(1)
    created = await client.ssh_keys.create(SshKeyCreate(name="contract key", public_key=public_key))
    assert created is not None and isinstance(created.id, int)
    assert created.name == "contract key" and created.public_key == public_key
    assert created.customer_id == simulator.customer_id
    assert created.fingerprint and created.fingerprint.startswith("SHA256:")
    assert created.id in simulator.ssh_keys
    assert wire(last(simulator)) == ("POST", "/v1/ssh-keys", {}, {"name": "contract key", "publicKey": public_key})

    fetched = await client.ssh_keys.get(created.id)
    assert fetched == created
    assert wire(last(simulator)) == ("GET", f"/v1/ssh-keys/{created.id}", {}, None)

    result = await client.ssh_keys.delete(created.id)
    assert isinstance(result, ActionResult) and result.ok and result.detail and result.data is None
    assert created.id not in simulator.ssh_keys
    assert wire(last(simulator)) == ("DELETE", f"/v1/ssh-keys/{created.id}", {}, None)
    with pytest.raises(NotFoundError) as info:
        await client.ssh_keys.get(created.id)
    assert info.value.detail == f"SSH key {created.id} not found"


async def test_ssh_key_wrapped_paste_is_sent_as_one_line(client: CloudzyClient, simulator: Simulator) -> None:
    one_line = ed25519_key(2)
    kind, blob, comment = one_line.split()
    pasted = f"  {kind} {blob[:30]}\n{blob[30:]} {comment}\n"
    created = await client.ssh_keys.create(SshKeyCreate(name="wrapped", public_key=pasted))
    assert created is not None and created.public_key == one_line
    assert last(simulator).body["publicKey"] == one_line


async def test_ssh_key_duplicate_is_a_conflict(client: CloudzyClient, simulator: Simulator) -> None:
    existing = simulator.ssh_keys[101].data
    with pytest.raises(ApiError) as info:
        await client.ssh_keys.create(SshKeyCreate(name="again", public_key=existing["publicKey"]))
    assert info.value.status == 409
    assert info.value.detail and existing["name"] in info.value.detail
    assert len(simulator.ssh_keys) == 4
