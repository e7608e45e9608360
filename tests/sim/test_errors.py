"""Error answers: 401, 404, 405, 422 (body, query, path), 460, and the 400/409 choices."""

from __future__ import annotations

import random

import httpx
import pytest

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator
from cloudzy_tui.sim.sshkeys import make_ed25519

from ._helpers import TOKEN, by_hostname, failed, invalid, locs, ok, product_id, raw_client


# ------------------------------------------------------------------------------------------------ 401
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
async def test_missing_or_wrong_token_is_401(sim: Simulator, token: str | None) -> None:
    async with raw_client(sim, token=token) as client:
        for method, path in [("GET", "/v1/instances"), ("POST", "/v1/snapshots"), ("DELETE", "/v1/iso/x")]:
            response = await client.request(method, path)
            failed(response, 401)
    # nothing was done on the way
    assert all(r.status == 401 for r in sim.requests)


# ------------------------------------------------------------------------------------------------ 404 / 405
async def test_unknown_routes_and_ids_are_404_envelopes(api: httpx.AsyncClient) -> None:
    failed(await api.get("/v1/does-not-exist"), 404)
    failed(await api.get("/v2/instances"), 404)
    for path in [
        "/v1/instances/nope",
        "/v1/snapshots/nope",
        "/v1/iso/nope",
        "/v1/images/nope",
        "/v1/backups/nope",
        "/v1/ssh-keys/999999",
    ]:
        detail = failed(await api.get(path), 404)
        assert "nope" in detail or "999999" in detail
    for path in ["/v1/instances/nope/poweron", "/v1/snapshots/nope/restore", "/v1/floating-ips/nope/release"]:
        failed(await api.post(path), 404)
    failed(await api.patch("/v1/floating-ips/nope", json={"autoRenew": True}), 404)
    failed(await api.delete("/v1/instances/nope"), 404)


async def test_paths_outside_developers_are_404(sim: Simulator) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=__import__("cloudzy_tui.sim").sim.create_app(sim)), base_url="http://sim"
    ) as client:
        response = await client.get("/")
        failed(response, 404)


async def test_wrong_method_is_405(api: httpx.AsyncClient) -> None:
    response = await api.put("/v1/instances")
    failed(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


async def test_unknown_ids_in_bodies_are_404_naming_them(api: httpx.AsyncClient, sim: Simulator) -> None:
    product = product_id(sim, "us-utah", "regular-1c-1g")
    base = {"hostnames": ["x1"], "region": "us-utah", "productId": product}
    assert "mars-1" in failed(await api.post("/v1/instances", json={**base, "region": "mars-1"}), 404)
    assert "nope-prod" in failed(await api.post("/v1/instances", json={**base, "productId": "nope-prod"}), 404)
    assert "plan9" in failed(await api.post("/v1/instances", json={**base, "osId": "plan9"}), 404)
    assert "nope-app" in failed(await api.post("/v1/instances", json={**base, "appId": "nope-app"}), 404)
    assert "4242" in failed(await api.post("/v1/instances", json={**base, "sshKeyIds": [101, 4242]}), 404)
    assert "nope-iso" in failed(await api.post("/v1/instances", json={**base, "isoId": "nope-iso"}), 404)
    failed(await api.post("/v1/snapshots", json={"instanceId": "ghost"}), 404)
    failed(
        await api.post("/v1/backups", json={"instanceId": "ghost", "scheduleFrequency": "daily", "periodId": 7}), 404
    )
    failed(await api.post("/v1/floating-ips", json={"regionId": "mars-1", "count": 1}), 404)
    failed(await api.post("/v1/iso", json={"name": "x", "url": "https://example.com/x.iso", "regionId": "mars-1"}), 404)
    failed(await api.get("/v1/products", params={"regionId": "mars-1"}), 404)
    web = by_hostname(sim, "web-01")
    failed(await api.post(f"/v1/instances/{web}/change-os", json={"osId": "plan9"}), 404)
    # nothing was created by any of these
    assert not any(r["hostname"] == "x1" for r in sim.instances.values())


# ------------------------------------------------------------------------------------------------ 422
async def test_422_body_missing_fields(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/instances", json={})
    errors = invalid(response)
    assert {"loc": ["body", "hostnames"], "msg": "field required", "type": "value_error.missing"} in errors
    assert ["body", "region"] in [e["loc"] for e in errors]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"hostnames": [], "region": "us-utah"}, ["body", "hostnames"]),
        ({"hostnames": [f"h{i}" for i in range(11)], "region": "us-utah"}, ["body", "hostnames"]),
        ({"hostnames": ["ok-1", "ok-2", "bad_name!"], "region": "us-utah"}, ["body", "hostnames", 2]),
        ({"hostnames": ["a", "-b"], "region": "us-utah"}, ["body", "hostnames", 1]),
        ({"hostnames": ["dup", "DUP"], "region": "us-utah"}, ["body", "hostnames", 1]),
        ({"hostnames": "web", "region": "us-utah"}, ["body", "hostnames"]),
        ({"hostnames": [7], "region": "us-utah"}, ["body", "hostnames", 0]),
        ({"hostnames": ["a"], "region": 5}, ["body", "region"]),
        ({"hostnames": ["a"], "region": "us-utah", "floatingIPCount": 6}, ["body", "floatingIPCount"]),
        ({"hostnames": ["a"], "region": "us-utah", "floatingIPCount": -1}, ["body", "floatingIPCount"]),
        ({"hostnames": ["a"], "region": "us-utah", "floatingIPCount": "2"}, ["body", "floatingIPCount"]),
        ({"hostnames": ["a"], "region": "us-utah", "assignIpv4": "yes"}, ["body", "assignIpv4"]),
        ({"hostnames": ["a"], "region": "us-utah", "class": "huge"}, ["body", "class"]),
        ({"hostnames": ["a"], "region": "us-utah", "billingCycle": "weekly"}, ["body", "billingCycle"]),
        ({"hostnames": ["a"], "region": "us-utah", "featureIds": ["nested", "warp"]}, ["body", "featureIds", 1]),
        ({"hostnames": ["a"], "region": "us-utah", "sshKeyIds": ["abc"]}, ["body", "sshKeyIds", 0]),
        ({"hostnames": ["a"], "region": "us-utah", "extraResource": {"cpu": 0}}, ["body", "extraResource", "cpu"]),
        ({"hostnames": ["a"], "region": "us-utah", "extraResource": []}, ["body", "extraResource"]),
    ],
)
async def test_422_create_instance_fields(api: httpx.AsyncClient, body: dict[str, object], loc: list[object]) -> None:
    assert loc in locs(await api.post("/v1/instances", json=body))


async def test_422_custom_plan_needs_resources(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/instances", json={"hostnames": ["c"], "region": "us-utah", "extraResource": {"cpu": 2}}
    )
    assert ["body", "extraResource", "ramInGB"] in locs(response)
    over = await api.post(
        "/v1/instances",
        json={"hostnames": ["c"], "region": "us-newyork", "extraResource": {"cpu": 2, "ramInGB": 512, "diskInGB": 20}},
    )
    assert ["body", "extraResource", "ramInGB"] in locs(over)


async def test_422_malformed_and_non_object_bodies(api: httpx.AsyncClient) -> None:
    errors = invalid(await api.post("/v1/instances", content=b"{trunc", headers={"content-type": "application/json"}))
    assert errors[0]["loc"][0] == "body" and errors[0]["type"] == "value_error.jsondecode"
    errors = invalid(await api.post("/v1/snapshots", json=["instanceId"]))
    assert errors == [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]
    errors = invalid(await api.post("/v1/snapshots"))
    assert errors[0]["loc"] == ["body"] and errors[0]["type"] == "value_error.missing"


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 4}, ["query", "limit"]),
        ({"limit": 101}, ["query", "limit"]),
        ({"limit": "ten"}, ["query", "limit"]),
        ({"bookmark": "not-a-bookmark"}, ["query", "bookmark"]),
        ({"createdFrom": "yesterday"}, ["query", "createdFrom"]),
        ({"createdTo": "2025-13-45"}, ["query", "createdTo"]),
        ({"includeDeleted": "maybe"}, ["query", "includeDeleted"]),
    ],
)
async def test_422_instance_query(api: httpx.AsyncClient, params: dict[str, str | int], loc: list[object]) -> None:
    assert loc in locs(await api.get("/v1/instances", params=params))


async def test_422_other_queries(api: httpx.AsyncClient) -> None:
    errors = invalid(await api.get("/v1/products"))
    assert errors == [{"loc": ["query", "regionId"], "msg": "field required", "type": "value_error.missing"}]
    assert ["query", "page"] in locs(await api.get("/v1/snapshots", params={"page": 0}))
    assert ["query", "status"] in locs(await api.get("/v1/snapshots", params={"status": "DONE"}))
    assert ["query", "is_automated_backup"] in locs(await api.get("/v1/snapshots", params={"is_automated_backup": "x"}))
    assert ["query", "status"] in locs(await api.get("/v1/iso", params={"status": "ready-ish"}))
    assert ["query", "limit"] in locs(await api.get("/v1/images", params={"limit": 1000}))
    assert ["query", "expires_after"] in locs(await api.get("/v1/floating-ips", params={"expires_after": "soon"}))
    assert ["query", "include_deleted"] in locs(await api.get("/v1/floating-ips", params={"include_deleted": "2"}))
    assert ["query", "status"] in locs(await api.get("/v1/backups", params={"status": "ACTIVE"}))
    assert ["path", "id"] in locs(await api.get("/v1/ssh-keys/abc"))


async def test_422_other_bodies(api: httpx.AsyncClient, sim: Simulator) -> None:
    web = by_hostname(sim, "web-03")
    key = make_ed25519(random.Random(1), "")
    assert ["body", "publicKey"] in locs(await api.post("/v1/ssh-keys", json={"name": "k", "publicKey": "ssh-rsa AA"}))
    assert ["body", "publicKey"] in locs(await api.post("/v1/ssh-keys", json={"name": "k", "publicKey": "hello"}))
    assert ["body", "name"] in locs(await api.post("/v1/ssh-keys", json={"publicKey": key}))
    assert ["body", "count"] in locs(await api.post("/v1/floating-ips", json={"regionId": "us-utah", "count": 0}))
    assert ["body", "count"] in locs(await api.post("/v1/floating-ips", json={"regionId": "us-utah", "count": 6}))
    assert ["body", "autoRenew"] in locs(
        await api.patch(f"/v1/floating-ips/{next(iter(sim.floating_ips))}", json={"autoRenew": "sure"})
    )
    download = {"name": "x", "regionId": "us-utah"}
    assert ["body", "url"] in locs(await api.post("/v1/iso", json={**download, "url": "not a url"}))
    assert ["body", "url"] in locs(await api.post("/v1/images", json={**download, "url": "ftp://"}))
    assert ["body", "format"] in locs(
        await api.post(
            "/v1/images", json={"name": "x", "url": "https://example.com/a", "regionId": "us-utah", "format": "exe"}
        )
    )
    backup = {"instanceId": web, "scheduleFrequency": "daily", "periodId": 7}
    assert ["body", "scheduleFrequency"] in locs(
        await api.post("/v1/backups", json={**backup, "scheduleFrequency": "hourly"})
    )
    assert ["body", "scheduleWeekDays", 1] in locs(
        await api.post("/v1/backups", json={**backup, "scheduleWeekDays": ["Monday", "Funday"]})
    )
    assert ["body", "periodId"] in locs(await api.post("/v1/backups", json={**backup, "periodId": 5}))
    assert ["body", "periodId"] in locs(await api.post("/v1/backups", json={**backup, "periodId": "seven"}))
    assert ["body", "scheduleWeekDays"] in locs(
        await api.post("/v1/backups", json={**backup, "scheduleFrequency": "weekly", "scheduleWeekDays": []})
    )
    assert ["body", "type"] in locs(await api.post(f"/v1/instances/{web}/resize", json={"type": "BIGGER"}))
    assert ["body", "productId"] in locs(await api.post(f"/v1/instances/{web}/resize", json={"type": "FIXED"}))
    assert ["body", "extraResource"] in locs(await api.post(f"/v1/instances/{web}/resize", json={"type": "CUSTOM"}))
    assert ["body", "osId"] in locs(await api.post(f"/v1/instances/{web}/change-os", json={}))
    assert ["body", "amount"] in locs(await api.post(f"/v1/instances/{web}/add-traffic", json={"amount": 0}))
    assert ["body", "amount"] in locs(await api.post(f"/v1/instances/{web}/add-traffic", json={"amount": "1"}))
    # none of it changed anything
    assert sim.instances[web]["status"] == "active"
    assert web not in sim.backups


# ------------------------------------------------------------------------------------------------ 460
async def test_460_low_balance_body(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=3, token=TOKEN, clock=clock, balance=50.0))
    big = product_id(sim, "us-utah", "regular-4c-8g")  # 39.95 / month
    async with raw_client(sim) as api:
        response = await api.post(
            "/v1/instances", json={"hostnames": ["a", "b"], "region": "us-utah", "productId": big}
        )
        assert response.status_code == 460
        body = response.json()
        assert body["detail"] == "You don't have enough balance for the selected product."
        assert body["code"] == "BALANCE_IS_NOT_SUFFICIENT"
        assert set(body["data"]) == {
            "minimumRequiredBalance",
            "customerBalance",
            "numberOfDaysBalanceValidatedAgainst",
            "activeInstanceCount",
        }
        assert body["data"]["minimumRequiredBalance"] == pytest.approx(79.9)
        assert body["data"]["customerBalance"] == "50.00"
        assert isinstance(body["data"]["numberOfDaysBalanceValidatedAgainst"], int)
        assert body["data"]["activeInstanceCount"] == sim.active_instance_count()
        before = len(sim.instances)
        # one fits, and then holds 39.95 of the balance: the next one does not fit
        ok(await api.post("/v1/instances", json={"hostnames": ["a"], "region": "us-utah", "productId": big}))
        second = await api.post("/v1/instances", json={"hostnames": ["b"], "region": "us-utah", "productId": big})
        assert second.status_code == 460
        assert second.json()["data"]["customerBalance"] == "10.05"
        assert len(sim.instances) == before + 1


async def test_460_on_resize_to_a_pricier_plan(clock: FakeClock) -> None:
    sim = Simulator(SimConfig(seed=3, token=TOKEN, clock=clock, balance=20.0))
    web = by_hostname(sim, "web-01")  # regular-2c-4g in Utah
    async with raw_client(sim) as api:
        response = await api.post(
            f"/v1/instances/{web}/resize",
            json={"type": "FIXED", "productId": product_id(sim, "us-utah", "regular-8c-16g")},
        )
        assert response.status_code == 460
        assert response.json()["code"] == "BALANCE_IS_NOT_SUFFICIENT"
        assert sim.instances[web]["status"] == "active"
        ok(
            await api.post(
                f"/v1/instances/{web}/resize",
                json={"type": "FIXED", "productId": product_id(sim, "us-utah", "regular-4c-8g")},
            )
        )


# ------------------------------------------------------------------------------------------------ 400 / 409
async def test_400_impossible_requests(api: httpx.AsyncClient, sim: Simulator) -> None:
    def body(region: str, plan: str | None = "regular-1c-2g", **extra: object) -> dict[str, object]:
        out: dict[str, object] = {"hostnames": ["z"], "region": region, **extra}
        if plan:
            out["productId"] = product_id(
                sim,
                region
                if region in ("us-utah", "nl-amsterdam", "de-frankfurt", "sg-singapore", "jp-tokyo")
                else "us-utah",
                plan,
            )
        return out

    assert "not active" in failed(await api.post("/v1/instances", json=body("jp-tokyo")), 400)
    assert "out of stock" in failed(await api.post("/v1/instances", json=body("sg-singapore")), 400)
    assert "IPv6" in failed(await api.post("/v1/instances", json=body("nl-amsterdam", assignIpv6=True)), 400)
    assert "custom" in failed(
        await api.post(
            "/v1/instances", json=body("nl-amsterdam", None, extraResource={"cpu": 1, "ramInGB": 1, "diskInGB": 20})
        ),
        400,
    )
    assert "GPU" in failed(
        await api.post(
            "/v1/instances",
            json=body(
                "us-utah", None, extraResource={"cpu": 1, "ramInGB": 2, "diskInGB": 20}, **{"class": "gpu-provided"}
            ),
        ),
        400,
    )
    other_region = product_id(sim, "de-frankfurt", "regular-1c-2g")
    assert "not offered" in failed(
        await api.post("/v1/instances", json={"hostnames": ["z"], "region": "us-utah", "productId": other_region}), 400
    )
    assert "RAM" in failed(
        await api.post("/v1/instances", json=body("us-utah", "regular-1c-1g", osId="windows-server-2022")), 400
    )
    assert "no longer offered" in failed(await api.post("/v1/instances", json=body("us-utah", osId="centos-7")), 400)
    web = by_hostname(sim, "web-01")
    assert "shrink" in failed(
        await api.post(
            f"/v1/instances/{web}/resize",
            json={"type": "FIXED", "productId": product_id(sim, "us-utah", "regular-1c-1g")},
        ),
        400,
    )
    assert "region" in failed(
        await api.post(
            f"/v1/instances/{web}/resize",
            json={
                "type": "CUSTOM",
                "regionId": "nl-amsterdam",
                "extraResource": {"cpu": 4, "ramInGB": 8, "diskInGB": 200},
            },
        ),
        400,
    )


async def test_409_state_conflicts(api: httpx.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    web = by_hostname(sim, "web-01")
    stopped = by_hostname(sim, "worker-02")
    assert "already active" in failed(await api.post(f"/v1/instances/{web}/poweron"), 409)
    assert "already shutdown" in failed(await api.post(f"/v1/instances/{stopped}/poweroff"), 409)
    ok(await api.post(f"/v1/instances/{web}/poweroff"))
    # transitional: every action is refused with a clear message
    for action, body in [
        ("poweron", None),
        ("poweroff", None),
        ("reset", None),
        ("change-pass", None),
        ("change-os", {"osId": "debian-12"}),
        ("resize", {"type": "FIXED", "productId": product_id(sim, "us-utah", "regular-4c-8g")}),
    ]:
        detail = failed(await api.post(f"/v1/instances/{web}/{action}", json=body), 409)
        assert "stopping" in detail and "web-01" in detail
    failed(await api.post("/v1/snapshots", json={"instanceId": web}), 409)
    clock.advance(3)
    assert ok(await api.get(f"/v1/instances/{web}"))["status"] == "shutdown"

    snap = ok(await api.post("/v1/snapshots", json={"instanceId": stopped}))
    assert "in progress" in failed(await api.post("/v1/snapshots", json={"instanceId": stopped}), 409)
    failed(await api.post(f"/v1/snapshots/{snap['id']}/restore"), 409)
    failed(await api.delete(f"/v1/snapshots/{snap['id']}"), 409)

    profile_owner = next(iter(sim.backups))
    failed(
        await api.post("/v1/backups", json={"instanceId": profile_owner, "scheduleFrequency": "daily", "periodId": 7}),
        409,
    )
    failed(await api.put("/v1/backups", json={"instanceId": stopped, "scheduleFrequency": "daily", "periodId": 7}), 404)
    existing = next(iter(sim.ssh_keys.values()))
    failed(await api.post("/v1/ssh-keys", json={"name": "again", "publicKey": existing["publicKey"]}), 409)
    released = next(f for f in sim.floating_ips.values() if f["isDeleted"])
    failed(await api.post(f"/v1/floating-ips/{released.id}/release"), 409)
    failed(await api.patch(f"/v1/floating-ips/{released.id}", json={"autoRenew": True}), 409)
    attached_iso = next(i["isoId"] for i in sim.instances.values() if i["isoId"] and not i.deleted)
    failed(await api.delete(f"/v1/iso/{attached_iso}"), 409)
    deleted_iso = next(i.id for i in sim.isos.values() if i["status"] == "DELETED")
    failed(await api.delete(f"/v1/iso/{deleted_iso}"), 409)
