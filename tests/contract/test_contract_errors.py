"""Every error status the simulator really sends, as the client maps it: 401, 404, 405, 422 (body, query, path),
460, 400/409, 429 and 5xx, faults that took effect before the reply was lost, dropped connections and HTML
bodies from a gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from cloudzy_tui.api import (
    ApiError,
    AuthError,
    BackupProfileRequest,
    CloudzyClient,
    CreateInstanceRequest,
    ExtraResourceRequest,
    FloatingIpUpdate,
    ImageDownloadRequest,
    IsoDownloadRequest,
    LowBalanceError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    ResizeRequest,
    ServerError,
    SnapshotFilters,
    SshKeyCreate,
    ValidationError,
)
from cloudzy_tui.api._transport import Transport
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app

from .conftest import BASE_URL, Connect, Sleeps, ed25519_key, host, product_id

NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
    b"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@pytest.fixture
async def raw(simulator: Simulator, sleeps: Sleeps) -> AsyncIterator[Transport]:
    """The transport the client sends through (it maps every answer to the client's errors), on its own: for the
    requests no typed method sends (a method the API lacks, a query the typed filters cannot spell)."""
    transport = Transport(
        base_url=BASE_URL,
        token=SecretStr(simulator.config.token),
        transport=httpx.ASGITransport(app=create_app(simulator)),
        sleep=sleeps,
    )
    yield transport
    await transport.aclose()


def statuses(sim: Simulator) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in sim.requests]


# ---------------------------------------------------------------------------------------------------- 401


async def test_wrong_token_is_an_auth_error(connect: Connect, simulator: Simulator) -> None:
    client = connect(token="not-the-token")
    with pytest.raises(AuthError) as info:
        await client.regions.list()
    exc = info.value
    assert exc.status == 401 and exc.detail == "Invalid API token" and exc.code == "FAILED"
    assert "not-the-token" not in str(exc) and "401" in str(exc)
    assert statuses(simulator) == [("GET", "/v1/regions", 401)]  # not retried


async def test_missing_token_is_an_auth_error(connect: Connect, simulator: Simulator) -> None:
    client = connect(token="")
    with pytest.raises(AuthError) as info:
        await client.instances.power_off(host(simulator, "web-01").id)
    assert info.value.detail == "Missing API-Token header"
    assert host(simulator, "web-01").data["status"] == "active"


# ---------------------------------------------------------------------------------------------------- 404


@pytest.mark.parametrize(
    ("call", "detail"),
    [
        (lambda c: c.instances.get("nope"), "Instance 'nope' not found"),
        (lambda c: c.instances.power_on("nope"), "Instance 'nope' not found"),
        (lambda c: c.instances.delete("nope"), "Instance 'nope' not found"),
        (lambda c: c.snapshots.get("nope"), "Snapshot 'nope' not found"),
        (lambda c: c.snapshots.restore("nope"), "Snapshot 'nope' not found"),
        (lambda c: c.snapshots.create("nope"), "Instance 'nope' not found"),
        (lambda c: c.isos.get("nope"), "ISO 'nope' not found"),
        (lambda c: c.images.delete("nope"), "Image 'nope' not found"),
        (lambda c: c.ssh_keys.get(999), "SSH key 999 not found"),
        (lambda c: c.floating_ips.release("nope"), "Floating IP 'nope' not found"),
        (lambda c: c.backups.get("nope"), "No backup profile for instance 'nope'"),
        (lambda c: c.floating_ips.allocate("mars-1", 1), "Region 'mars-1' not found"),
    ],
)
async def test_unknown_ids_are_not_found_with_the_simulators_detail(
    client: CloudzyClient,
    simulator: Simulator,
    call,
    detail: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(NotFoundError) as info:
        await call(client)
    assert info.value.status == 404 and info.value.detail == detail and info.value.code == "FAILED"
    assert detail in str(info.value)
    assert len(simulator.requests) == 1


async def test_unknown_reference_in_a_body_is_not_found(client: CloudzyClient, simulator: Simulator) -> None:
    before = len(simulator.instances)
    req = CreateInstanceRequest(
        hostnames=["x"], region="us-utah", product_id=product_id(simulator, "us-utah", "regular-1c-2g"), os_id="plan9"
    )
    with pytest.raises(NotFoundError) as info:
        await client.instances.create(req)
    assert info.value.detail == "Operating system 'plan9' not found"
    assert len(simulator.instances) == before


async def test_an_id_cannot_climb_out_of_its_path_segment(client: CloudzyClient, simulator: Simulator) -> None:
    with pytest.raises(NotFoundError):
        await client.instances.get("../regions")
    assert simulator.requests[-1].path == "/v1/instances/../regions"
    with pytest.raises(NotFoundError) as info:
        await client.instances.get("..")
    assert info.value.detail == "Instance '..' not found"


async def test_a_deleted_instance_is_not_found(client: CloudzyClient, simulator: Simulator) -> None:
    old = host(simulator, "old-test")
    with pytest.raises(NotFoundError):
        await client.instances.get(old.id)


# ---------------------------------------------------------------------------------------------------- 405


async def test_wrong_method_is_an_api_error(raw: Transport) -> None:
    with pytest.raises(ApiError) as info:
        await raw.request("PUT", "/v1/instances")
    assert info.value.status == 405 and info.value.detail == "Method PUT not allowed on /v1/instances"


# ---------------------------------------------------------------------------------------------------- 422


async def test_422_query_limit_out_of_range(raw: Transport) -> None:
    with pytest.raises(ValidationError) as info:
        await raw.request("GET", "/v1/instances", params={"limit": 200})
    exc = info.value
    assert exc.status == 422 and exc.code is None
    [fe] = exc.for_field("limit")
    assert fe.loc == ("query", "limit") and fe.field == "limit" and "100" in fe.message
    assert fe.type == "value_error.number.not_le"
    assert "limit" in str(exc)


async def test_422_products_without_region(raw: Transport, client: CloudzyClient) -> None:
    with pytest.raises(ValidationError) as info:
        await raw.request("GET", "/v1/products")
    [fe] = info.value.field_errors
    assert (fe.loc, fe.field, fe.message) == (("query", "regionId"), "regionId", "field required")
    with pytest.raises(ValueError):  # the typed method refuses before sending
        await client.products.list("")


async def test_422_bad_instance_query(raw: Transport) -> None:
    with pytest.raises(ValidationError) as info:
        await raw.request("GET", "/v1/instances", params={"createdFrom": "yesterday", "limit": 4})
    assert {fe.field for fe in info.value.field_errors} == {"createdFrom", "limit"}
    assert info.value.for_field("createdFrom")[0].type == "value_error.datetime"


async def test_422_snapshot_status_is_an_enum(client: CloudzyClient, simulator: Simulator) -> None:
    with pytest.raises(ValidationError) as info:
        await client.snapshots.list_all(SnapshotFilters(status="DONE"))
    [fe] = info.value.field_errors
    assert fe.loc == ("query", "status") and "ACTIVE" in fe.message
    assert simulator.requests[-1].query["status"] == "DONE"


async def test_422_iso_status_is_an_enum(client: CloudzyClient) -> None:
    with pytest.raises(ValidationError) as info:
        await client.isos.list_all(status="ready")
    assert info.value.for_field("status")


async def test_422_too_long_hostname_bypassing_client_validation(client: CloudzyClient, simulator: Simulator) -> None:
    before = len(simulator.instances)
    req = CreateInstanceRequest.model_construct(
        hostnames=["ok-name", "x" * 64],
        region="us-utah",
        product_id=product_id(simulator, "us-utah", "regular-1c-2g"),
        os_id="debian-12",
    )
    with pytest.raises(ValidationError) as info:
        await client.instances.create(req)
    [fe] = info.value.field_errors
    assert fe.loc == ("body", "hostnames", 1) and (fe.field, fe.index) == ("hostnames", 1)
    assert fe.path == "hostnames[1]" and "hostname" in fe.message
    assert info.value.for_field("hostnames") == [fe]
    assert len(simulator.instances) == before


async def test_422_several_body_errors_at_once(client: CloudzyClient, simulator: Simulator) -> None:
    req = CreateInstanceRequest.model_construct(
        hostnames=[f"h{i}" for i in range(11)],
        region="",
        floating_ip_count=9,
        extra_resource=ExtraResourceRequest.model_construct(cpu=0, ram_in_gb=1),
        os_id="debian-12",
    )
    with pytest.raises(ValidationError) as info:
        await client.instances.create(req)
    fields = {fe.path for fe in info.value.field_errors}
    assert {"hostnames", "region", "floatingIPCount", "extraResource.cpu"} <= fields
    assert info.value.for_field("extraResource.cpu")
    assert len(info.value.field_errors) == 4 and str(info.value).endswith("(and 1 more)")


async def test_422_invalid_public_key_bypassing_client_validation(client: CloudzyClient) -> None:
    req = SshKeyCreate.model_construct(name="bad", public_key="ssh-ed25519 AAAA")
    with pytest.raises(ValidationError) as info:
        await client.ssh_keys.create(req)
    [fe] = info.value.for_field("publicKey")
    assert fe.loc == ("body", "publicKey") and "SSH public key" in fe.message


async def test_422_backup_period_the_client_allows_but_the_api_does_not(
    client: CloudzyClient, simulator: Simulator
) -> None:
    target = host(simulator, "web-02").id
    with pytest.raises(ValidationError) as info:
        await client.backups.create(BackupProfileRequest(instance_id=target, schedule_frequency="daily", period_id=10))
    [fe] = info.value.for_field("periodId")
    assert "7, 14, 30, 60, 90" in fe.message
    assert target not in simulator.backups


async def test_422_path_id_that_is_not_an_integer(client: CloudzyClient) -> None:
    with pytest.raises(ValidationError) as info:
        await client.ssh_keys.get("abc")
    [fe] = info.value.field_errors
    assert fe.loc == ("path", "id") and fe.field == "id"


async def test_422_custom_resources_beyond_the_region_threshold(client: CloudzyClient, simulator: Simulator) -> None:
    req = CreateInstanceRequest(
        hostnames=["huge"],
        region="us-newyork",
        os_id="debian-12",
        extra_resource=ExtraResourceRequest(cpu=4, ram_in_gb=512, disk_in_gb=50),
    )
    with pytest.raises(ValidationError) as info:
        await client.instances.create(req)
    [fe] = info.value.for_field("extraResource.ramInGB")
    assert "64" in fe.message


# ---------------------------------------------------------------------------------------------------- 460


async def test_460_low_balance_on_create(client: CloudzyClient, simulator: Simulator) -> None:
    simulator.balance = 12.5
    pid = product_id(simulator, "us-utah", "regular-2c-4g")
    price = simulator.price_item(simulator.products[pid], "monthly")["monthlyPrice"]
    before = len(simulator.instances)
    req = CreateInstanceRequest(
        hostnames=["a", "b"], region="us-utah", product_id=pid, os_id="debian-12", billing_cycle="monthly"
    )
    with pytest.raises(LowBalanceError) as info:
        await client.instances.create(req)
    exc = info.value
    assert exc.status == 460 and exc.code == "BALANCE_IS_NOT_SUFFICIENT"
    assert isinstance(exc.minimum_required_balance, float) and isinstance(exc.customer_balance, float)
    assert exc.minimum_required_balance == round(2 * price, 2)
    assert exc.customer_balance == 12.5  # sent as the string "12.50"
    assert exc.days == 30 and exc.active_instance_count == simulator.active_instance_count()
    assert f"{2 * price:.2f}" in str(exc) and "12.50" in str(exc)
    assert len(simulator.instances) == before
    assert len(simulator.requests) == 1


async def test_460_low_balance_on_resize(client: CloudzyClient, simulator: Simulator) -> None:
    simulator.balance = 1.0
    record = host(simulator, "web-01")
    req = ResizeRequest(type="FIXED", product_id=product_id(simulator, "us-utah", "regular-16c-32g"))
    with pytest.raises(LowBalanceError) as info:
        await client.instances.resize(record.id, req)
    assert info.value.customer_balance == 1.0 and (info.value.minimum_required_balance or 0) > 1.0
    assert record.data["status"] == "active" and record.data["vcpuCount"] == 2


# ---------------------------------------------------------------------------------------------------- 400 / 409


@pytest.mark.parametrize(
    ("region", "plan", "detail"),
    [
        ("jp-tokyo", "regular-1c-2g", "Region Tokyo is not active"),
        ("sg-singapore", "regular-1c-2g", "Region Singapore is out of stock"),
        ("nl-amsterdam", None, "Region Amsterdam does not offer custom plans: choose a productId"),
    ],
)
async def test_400_impossible_create(
    client: CloudzyClient, simulator: Simulator, region: str, plan: str | None, detail: str
) -> None:
    extra = None if plan else ExtraResourceRequest(cpu=1, ram_in_gb=1, disk_in_gb=20)
    req = CreateInstanceRequest(
        hostnames=["x"],
        region=region,
        os_id="debian-12",
        extra_resource=extra,
        product_id=product_id(simulator, region, plan) if plan else None,
    )
    with pytest.raises(ApiError) as info:
        await client.instances.create(req)
    exc = info.value
    assert type(exc) is ApiError and exc.status == 400 and exc.code == "FAILED" and exc.detail == detail
    assert detail in str(exc)


async def test_400_disk_shrink(client: CloudzyClient, simulator: Simulator) -> None:
    record = host(simulator, "db-primary")
    req = ResizeRequest(type="FIXED", product_id=product_id(simulator, "us-newyork", "regular-1c-2g"))
    with pytest.raises(ApiError) as info:
        await client.instances.resize(record.id, req)
    assert info.value.status == 400 and info.value.detail and "cannot shrink" in info.value.detail


@pytest.mark.parametrize(
    ("hostname", "method", "detail"),
    [
        ("web-01", "power_on", "Instance web-01 is already active"),
        ("worker-02", "power_off", "Instance worker-02 is already shutdown"),
        ("dev-box", "reset", "Instance dev-box is preparing_disk; wait until it settles before resetting it"),
    ],
)
async def test_409_state_conflicts(
    client: CloudzyClient, simulator: Simulator, hostname: str, method: str, detail: str
) -> None:
    record = host(simulator, hostname)
    before = record.data["status"]
    with pytest.raises(ApiError) as info:
        await getattr(client.instances, method)(record.id)
    assert info.value.status == 409 and info.value.detail == detail and info.value.code == "FAILED"
    assert record.data["status"] == before


# ---------------------------------------------------------------------------------------------------- 429


async def test_429_from_the_rate_limit_is_waited_out_for_a_get(
    connect: Connect, simulator: Simulator, sleeps: Sleeps
) -> None:
    simulator.config.rate_limit = 2
    client = connect()
    for _ in range(3):
        assert len(await client.os.list()) == len(simulator.oses)
    assert [s for _, _, s in statuses(simulator)] == [200, 200, 429, 200]
    assert sleeps.waits == [1.0]  # the simulator's Retry-After: 1, on its clock


async def test_429_rate_limit_that_never_lifts(connect: Connect, simulator: Simulator) -> None:
    simulator.config.rate_limit = 1
    waits: list[float] = []

    async def frozen(seconds: float) -> None:  # the clock does not move: the window never refills
        waits.append(seconds)

    client = connect(sleep=frozen)
    await client.os.list()
    with pytest.raises(RateLimitedError) as info:
        await client.os.list()
    assert info.value.retry_after == 1.0 and info.value.status == 429
    assert info.value.code == "TOO_MANY_REQUESTS"
    assert waits == [1.0, 1.0]
    assert [s for _, _, s in statuses(simulator)] == [200, 429, 429, 429]


async def test_429_on_a_post_is_retried_because_it_was_not_processed(
    connect: Connect, simulator: Simulator, sleeps: Sleeps
) -> None:
    simulator.faults.add(method="POST", path_prefix="/v1/ssh-keys", status=429, retry_after=1)
    client = connect()
    created = await client.ssh_keys.create(SshKeyCreate(name="after 429", public_key=ed25519_key(3)))
    assert created is not None
    assert statuses(simulator) == [("POST", "/v1/ssh-keys", 429), ("POST", "/v1/ssh-keys", 200)]
    assert sleeps.waits == [1.0]
    assert [k.data["name"] for k in simulator.ssh_keys.values()].count("after 429") == 1


async def test_429_asking_for_a_long_wait_is_reported_not_slept(
    connect: Connect, simulator: Simulator, sleeps: Sleeps
) -> None:
    simulator.faults.add(method="GET", status=429, retry_after=120)
    client = connect()
    with pytest.raises(RateLimitedError) as info:
        await client.regions.list()
    assert info.value.retry_after == 120.0
    assert sleeps.waits == [] and len(simulator.requests) == 1


# ---------------------------------------------------------------------------------------------------- 5xx


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_on_a_get_are_retried(
    connect: Connect, simulator: Simulator, sleeps: Sleeps, status: int
) -> None:
    simulator.faults.add(method="GET", path_prefix="/v1/instances", status=status, times=2)
    client = connect(rng=lambda: 0.5)
    page = await anext(client.instances.pages(page_size=5))
    assert len(page.items) == 5
    assert [s for _, _, s in statuses(simulator)] == [status, status, 200]
    assert sleeps.waits == [0.25, 0.5]  # full jitter: rng() * 0.5 * 2**n


async def test_gateway_errors_beyond_the_retries(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", status=503, times=None, retry_after=1)
    client = connect()
    with pytest.raises(ServerError) as info:
        await client.regions.list()
    assert info.value.status == 503 and info.value.detail == "Service Unavailable (simulated fault)"
    assert len(simulator.requests) == 3  # one try and max_retries=2


async def test_500_on_a_get_is_retried_and_a_lasting_one_reported(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", status=500)
    client = connect()
    assert await client.regions.list()  # one transient 500: the read is simply tried again
    assert len(simulator.requests) == 2
    simulator.faults.add(method="GET", status=500, times=None)
    with pytest.raises(ServerError) as info:
        await client.regions.list()
    assert info.value.status == 500


@pytest.mark.parametrize("status", [502, 504])
async def test_gateway_error_on_a_post_is_an_unknown_outcome_and_never_resent(
    connect: Connect, simulator: Simulator, sleeps: Sleeps, status: int
) -> None:
    record = host(simulator, "web-01")
    simulator.faults.add(method="POST", status=status)
    client = connect()
    with pytest.raises(OutcomeUnknownError) as info:
        await client.instances.power_off(record.id)
    assert info.value.status == status
    assert "check" in str(info.value).lower()
    assert statuses(simulator) == [("POST", f"/v1/instances/{record.id}/poweroff", status)]
    assert sleeps.waits == []
    assert record.data["status"] == "active"  # the fault came before the handler: nothing happened


@pytest.mark.parametrize("status", [500, 503])
async def test_server_error_on_a_post_is_not_resent(connect: Connect, simulator: Simulator, status: int) -> None:
    simulator.faults.add(method="POST", status=status)
    client = connect()
    before = len(simulator.snapshots)
    with pytest.raises(ServerError) as info:
        await client.snapshots.create(host(simulator, "web-02").id)
    assert not isinstance(info.value, OutcomeUnknownError) and info.value.status == status
    assert len(simulator.requests) == 1
    assert len(simulator.snapshots) == before


async def test_random_error_rate_on_a_get(connect: Connect) -> None:
    sim = Simulator(SimConfig(seed=1, token="t", clock=FakeClock(), error_rate=1.0))
    client = connect(sim)
    with pytest.raises(ServerError) as info:
        await client.regions.list()
    assert info.value.status in (500, 502, 503)
    assert 1 <= len(sim.requests) <= 3


# ---------------------------------------------------------------------------------------------------- after=True


async def test_post_applied_but_reply_lost(connect: Connect, simulator: Simulator) -> None:
    record = host(simulator, "web-01")
    simulator.faults.add(method="POST", path_prefix="/v1/instances", status=504, after=True)
    client = connect()
    with pytest.raises(OutcomeUnknownError) as info:
        await client.instances.power_off(record.id)
    assert info.value.status == 504
    assert len(simulator.requests) == 1
    assert record.data["status"] == "stopping"  # it did happen


async def test_ssh_key_created_but_reply_lost_then_retried_by_hand(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="POST", path_prefix="/v1/ssh-keys", status=502, after=True)
    client = connect()
    req = SshKeyCreate(name="lost reply", public_key=ed25519_key(4))
    with pytest.raises(OutcomeUnknownError):
        await client.ssh_keys.create(req)
    assert [k.data["name"] for k in simulator.ssh_keys.values()].count("lost reply") == 1
    with pytest.raises(ApiError) as info:  # the user tries again: the API knows the key already
        await client.ssh_keys.create(req)
    assert info.value.status == 409


async def test_delete_applied_but_reply_lost_counts_as_done(
    connect: Connect, simulator: Simulator, sleeps: Sleeps
) -> None:
    snapshot = next(s for s in simulator.snapshots.values() if s.data["status"] == "FAILED")
    simulator.faults.add(method="DELETE", status=502, after=True)
    client = connect(rng=lambda: 0.0)
    result = await client.snapshots.delete(snapshot.id)
    assert result.ok
    assert snapshot.id not in simulator.snapshots
    assert [s for _, _, s in statuses(simulator)] == [502, 404]  # the retry found it gone


async def test_put_applied_but_reply_lost_is_retried(connect: Connect, simulator: Simulator) -> None:
    target = host(simulator, "web-01").id
    simulator.faults.add(method="PUT", status=504, after=True)
    client = connect(rng=lambda: 0.0)
    profile = await client.backups.update(
        BackupProfileRequest(instance_id=target, schedule_frequency="daily", period_id=30)
    )
    assert profile is not None and profile.period_id == 30
    assert [s for _, _, s in statuses(simulator)] == [504, 200]
    assert simulator.backups[target].data["periodId"] == 30


# ---------------------------------------------------------------------------------------------------- reset=True


async def test_dropped_connection_on_a_get_is_retried(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", reset=True)
    client = connect(rng=lambda: 0.0)
    assert len(await client.regions.list()) == len(simulator.regions)
    assert [s for _, _, s in statuses(simulator)] == [0, 200]


async def test_dropped_connection_every_time_on_a_get(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", reset=True, times=None)
    client = connect(rng=lambda: 0.0)
    with pytest.raises(NetworkError) as info:
        await client.regions.list()
    assert info.value.status is None and "sim.test" in str(info.value)
    assert len(simulator.requests) == 3


async def test_dropped_connection_on_a_post_is_an_unknown_outcome(connect: Connect, simulator: Simulator) -> None:
    record = host(simulator, "worker-02")
    simulator.faults.add(method="POST", reset=True)
    client = connect()
    with pytest.raises(OutcomeUnknownError):
        await client.instances.power_on(record.id)
    assert len(simulator.requests) == 1 and record.data["status"] == "shutdown"


async def test_dropped_connection_after_the_change_was_made(connect: Connect, simulator: Simulator) -> None:
    record = host(simulator, "worker-02")
    simulator.faults.add(method="POST", reset=True, after=True)
    client = connect()
    with pytest.raises(OutcomeUnknownError):
        await client.instances.power_on(record.id)
    assert len(simulator.requests) == 1 and record.data["status"] == "starting"


# ---------------------------------------------------------------------------------------------------- HTML bodies


async def test_html_gateway_page_on_a_get(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", status=502, body=NGINX_502, times=None)
    client = connect()
    with pytest.raises(ServerError) as info:
        await client.regions.list()
    text = str(info.value)
    assert "502" in text and "HTML page" in text and "<" not in text
    assert info.value.detail is None


async def test_html_gateway_page_on_a_post(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="POST", status=502, body=NGINX_502)
    client = connect()
    with pytest.raises(OutcomeUnknownError) as info:
        await client.instances.reset(host(simulator, "web-01").id)
    assert "HTML page" in str(info.value) and "<" not in str(info.value)


async def test_html_page_with_200(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", status=200, body=b"<!DOCTYPE html><html><body>Welcome</body></html>")
    client = connect()
    with pytest.raises(MalformedResponseError) as info:
        await client.os.list()
    assert "HTTP 200" in str(info.value) and "HTML page" in str(info.value)


async def test_html_page_with_200_on_a_post(connect: Connect, simulator: Simulator) -> None:
    record = host(simulator, "web-01")
    simulator.faults.add(method="POST", status=200, body=b"<html>ok</html>", after=True)
    client = connect()
    with pytest.raises(MalformedResponseError) as info:
        await client.instances.power_off(record.id)
    assert "probably made" in str(info.value)
    assert record.data["status"] == "stopping"


async def test_html_404_hints_at_the_url(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", status=404, body=b"<html><body><h1>404 Not Found</h1></body></html>")
    client = connect()
    with pytest.raises(NotFoundError) as info:
        await client.os.list()
    assert "HTML page" in str(info.value) and "API URL" in str(info.value)


async def test_truncated_json_body(connect: Connect, simulator: Simulator) -> None:
    simulator.faults.add(method="GET", status=200, body=b'{"detail": "ok", "code": "OKAY", "data": [')
    client = connect()
    with pytest.raises(MalformedResponseError) as info:
        await client.regions.list()
    assert "could not be parsed" in str(info.value)


# ---------------------------------------------------------------------------------------------------- looser client
# Where the client's own checks are looser than the simulator's (today), the simulator's 422 must land on the right
# field. The requests are built with ``model_construct`` so that these tests keep testing the mapping if the client's
# checks are tightened later.


async def test_floating_ip_note_longer_than_the_simulator_accepts(client: CloudzyClient, simulator: Simulator) -> None:
    target = next(iter(simulator.floating_ips.values()))
    with pytest.raises(ValidationError) as info:
        await client.floating_ips.update(target.id, FloatingIpUpdate.model_construct(customer_note="n" * 300))
    assert info.value.for_field("customerNote")[0].type == "value_error.any_str.max_length"
    assert target.data["customerNote"] is None


async def test_download_name_longer_than_the_simulator_accepts(client: CloudzyClient, simulator: Simulator) -> None:
    before = len(simulator.isos)
    with pytest.raises(ValidationError) as info:
        await client.isos.download(
            IsoDownloadRequest.model_construct(name="n" * 101, url="https://a.example.com/x.iso", region_id="us-utah")
        )
    assert info.value.for_field("name")
    assert len(simulator.isos) == before


async def test_image_format_outside_the_simulators_list(client: CloudzyClient) -> None:
    with pytest.raises(ValidationError) as info:
        await client.images.download(
            ImageDownloadRequest.model_construct(
                name="n", url="https://a.example.com/x", region_id="us-utah", format="qcow3", decompress="lzma"
            )
        )
    assert {fe.field for fe in info.value.field_errors} == {"format", "decompress"}


async def test_custom_plan_without_disk(client: CloudzyClient) -> None:
    req = CreateInstanceRequest.model_construct(
        hostnames=["a"], region="us-utah", os_id="debian-12", extra_resource=ExtraResourceRequest(cpu=1, ram_in_gb=1)
    )
    with pytest.raises(ValidationError) as info:
        await client.instances.create(req)
    [fe] = info.value.for_field("extraResource.diskInGB")
    assert fe.field == "extraResource" and fe.message == "field required for a custom plan"


# ---------------------------------------------------------------------------------------------------- idempotent PATCH


async def test_patch_is_retried_after_a_gateway_error(connect: Connect, simulator: Simulator) -> None:
    target = next(iter(simulator.floating_ips.values()))
    simulator.faults.add(method="PATCH", status=504, after=True)
    client = connect(rng=lambda: 0.0)
    updated = await client.floating_ips.update(target.id, FloatingIpUpdate(customer_note="twice is fine"))
    assert updated is not None and updated.customer_note == "twice is fine"
    assert [s for _, _, s in statuses(simulator)] == [504, 200]


async def test_restoring_a_snapshot_of_a_deleted_instance(client: CloudzyClient, simulator: Simulator) -> None:
    snapshot = next(s for s in simulator.snapshots.values() if s.data["isInstanceDeleted"])
    with pytest.raises(ApiError) as info:
        await client.snapshots.restore(snapshot.id)
    assert info.value.status == 409 and info.value.detail and "deleted" in info.value.detail
