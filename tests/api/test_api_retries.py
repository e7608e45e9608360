"""Retry policy: which methods and failures are retried, how often, how long the waits are, Retry-After,
and the POST rule (never resent once it may have reached the server)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from cloudzy_tui.api import (
    ApiError,
    BackupProfileRequest,
    CloudzyClient,
    FloatingIpUpdate,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestEvent,
    RequestTimeoutError,
    ServerError,
    backoff_delay,
    parse_retry_after,
)

from ._helpers import Recorder, envelope

MakeClient = Callable[..., CloudzyClient]

BACKUP = BackupProfileRequest(instance_id="i", schedule_frequency="daily", period_id=7)


def fail(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"detail": f"status {status}", "code": "FAILED"})


async def test_get_503_twice_then_ok_waits_with_backoff(make_client: MakeClient, sleeps: list[float]) -> None:
    events: list[RequestEvent] = []
    rec = Recorder(fail(503), fail(503), envelope([]))
    client = make_client(rec, on_event=events.append)
    assert await client.regions.list() == []
    assert rec.count == 3
    assert sleeps == [0.25, 0.5]  # rng() = 0.5 times 0.5 s, then 1 s
    assert [(e.attempt, e.status, e.outcome) for e in events] == [(1, 503, "retry"), (2, 503, "retry"), (3, 200, "ok")]
    assert events[0].error is not None and events[0].error.startswith("ServerError")
    assert events[2].error is None and all(e.elapsed >= 0 for e in events)
    assert all(e.method == "GET" and e.path == "/v1/regions" for e in events)


async def test_retries_are_bounded_by_max_retries(make_client: MakeClient, sleeps: list[float]) -> None:
    events: list[RequestEvent] = []
    rec = Recorder(*(fail(503) for _ in range(5)))
    with pytest.raises(ServerError):
        await make_client(rec, on_event=events.append).regions.list()
    assert rec.count == 3 and len(sleeps) == 2
    assert [e.outcome for e in events] == ["retry", "retry", "error"]

    rec = Recorder(fail(503))
    with pytest.raises(ServerError):
        await make_client(rec, max_retries=0).regions.list()
    assert rec.count == 1


def test_backoff_doubles_from_half_a_second_and_caps_at_eight() -> None:
    assert [backoff_delay(n, lambda: 1.0) for n in range(7)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert [backoff_delay(n, lambda: 0.0) for n in range(3)] == [0, 0, 0]
    assert backoff_delay(2, lambda: 0.25) == 0.5


async def test_backoff_values_in_a_long_run(make_client: MakeClient, sleeps: list[float]) -> None:
    rec = Recorder(*(fail(502) for _ in range(7)))
    with pytest.raises(ServerError):
        await make_client(rec, max_retries=6, rng=lambda: 1.0).regions.list()
    assert sleeps == [0.5, 1, 2, 4, 8, 8]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_get_retries_these_statuses(make_client: MakeClient, status: int) -> None:
    rec = Recorder(fail(status), envelope([]))
    await make_client(rec).regions.list()
    assert rec.count == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 460, 501])
async def test_get_does_not_retry_these_statuses(make_client: MakeClient, status: int) -> None:
    rec = Recorder(fail(status), envelope([]))
    with pytest.raises(Exception):  # noqa: B017 - the mapping is tested elsewhere
        await make_client(rec).regions.list()
    assert rec.count == 1


async def test_get_retries_a_500_but_a_post_does_not(make_client: MakeClient) -> None:
    rec = Recorder(fail(500), envelope([]))
    assert await make_client(rec).regions.list() == []
    assert rec.count == 2
    rec = Recorder(fail(500), envelope(None))
    with pytest.raises(Exception):  # noqa: B017 - ServerError; the mapping is tested elsewhere
        await make_client(rec).snapshots.create("i-1")
    assert rec.count == 1


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.ReadTimeout("slow read"),
        httpx.WriteTimeout("slow write"),
        httpx.PoolTimeout("pool"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset by peer"),
    ],
)
async def test_idempotent_methods_retry_network_failures(make_client: MakeClient, exc: Exception) -> None:
    rec = Recorder(exc, envelope([]))
    assert await make_client(rec).regions.list() == []
    assert rec.count == 2


async def test_put_patch_delete_are_retried_on_503_and_read_timeouts(make_client: MakeClient) -> None:
    rec = Recorder(fail(503), httpx.ReadTimeout("t"), envelope({"instanceId": "i"}))
    assert (await make_client(rec).backups.update(BACKUP)) is not None
    assert [r.method for r in rec.requests] == ["PUT", "PUT", "PUT"]

    rec = Recorder(httpx.ReadTimeout("t"), envelope(None))
    await make_client(rec).floating_ips.update("f", FloatingIpUpdate(auto_renew=True))
    assert [r.method for r in rec.requests] == ["PATCH", "PATCH"]

    rec = Recorder(fail(504), envelope(None))
    await make_client(rec).ssh_keys.delete(5)
    assert [r.method for r in rec.requests] == ["DELETE", "DELETE"]


async def test_exhausted_timeouts_and_connect_errors(make_client: MakeClient) -> None:
    rec = Recorder(*(httpx.ReadTimeout("t") for _ in range(3)))
    with pytest.raises(RequestTimeoutError) as exc_t:
        await make_client(rec).regions.list()
    assert rec.count == 3 and "did not answer in time" in exc_t.value.message
    rec = Recorder(*(httpx.ConnectError("refused") for _ in range(3)))
    with pytest.raises(NetworkError):
        await make_client(rec).regions.list()
    assert rec.count == 3


# -- POST ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("slow read"),
        httpx.WriteTimeout("slow write"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset by peer"),
    ],
)
async def test_post_that_may_have_arrived_is_never_resent(
    make_client: MakeClient, sleeps: list[float], exc: Exception
) -> None:
    events: list[RequestEvent] = []
    rec = Recorder(exc, envelope(None))
    with pytest.raises(OutcomeUnknownError) as err:
        await make_client(rec, on_event=events.append).instances.power_off("i-1")
    assert rec.count == 1 and sleeps == []
    assert "Check before trying again" in err.value.message
    assert err.value.method == "POST" and err.value.path == "/v1/instances/i-1/poweroff"
    assert [(e.status, e.outcome) for e in events] == [(None, "error")]


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("p")])
async def test_post_that_never_left_is_retried(make_client: MakeClient, exc: Exception) -> None:
    rec = Recorder(exc, exc, envelope(None))
    result = await make_client(rec).snapshots.restore("s-1")
    assert result.code == "OKAY" and rec.count == 3


async def test_post_429_is_retried(make_client: MakeClient, sleeps: list[float]) -> None:
    rec = Recorder(fail(429, **{"Retry-After": "2"}), envelope(None))
    await make_client(rec).instances.reset("i")
    assert rec.count == 2 and sleeps == [2.0]


async def test_post_5xx(make_client: MakeClient) -> None:
    for status in (500, 503):
        rec = Recorder(fail(status), envelope(None))
        with pytest.raises(ServerError):
            await make_client(rec).instances.reset("i")
        assert rec.count == 1
    for status in (502, 504):
        rec = Recorder(fail(status), envelope(None))
        with pytest.raises(OutcomeUnknownError) as exc:
            await make_client(rec).instances.reset("i")
        assert rec.count == 1 and exc.value.status == status
        assert "may or may not have been made" in exc.value.message


# -- Retry-After -----------------------------------------------------------------------------------------------


async def test_retry_after_is_honoured(make_client: MakeClient, sleeps: list[float]) -> None:
    rec = Recorder(fail(429, **{"Retry-After": "3"}), fail(503, **{"Retry-After": "0"}), envelope([]))
    await make_client(rec).regions.list()
    assert sleeps == [3.0, 0.0]


async def test_a_retry_after_over_thirty_seconds_is_reported_not_slept(
    make_client: MakeClient, sleeps: list[float]
) -> None:
    events: list[RequestEvent] = []
    rec = Recorder(fail(429, **{"Retry-After": "31"}), envelope([]))
    with pytest.raises(RateLimitedError) as exc:
        await make_client(rec, on_event=events.append).regions.list()
    assert exc.value.retry_after == 31.0 and rec.count == 1 and sleeps == []
    assert [e.outcome for e in events] == ["error"]


async def test_garbage_retry_after_falls_back_to_backoff(make_client: MakeClient, sleeps: list[float]) -> None:
    rec = Recorder(fail(429, **{"Retry-After": "whenever"}), envelope([]))
    await make_client(rec).regions.list()
    assert sleeps == [0.25]


def test_parse_retry_after() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("") is None and parse_retry_after("nan") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("tomorrow-ish") is None


# -- DELETE after an unknown outcome ---------------------------------------------------------------------------


async def test_delete_retried_after_unknown_outcome_then_404_counts_as_done(make_client: MakeClient) -> None:
    events: list[RequestEvent] = []
    not_found = httpx.Response(404, json={"detail": "x", "code": "FAILED", "data": {"detail": "Instance not found"}})
    rec = Recorder(httpx.ReadTimeout("t"), not_found)
    result = await make_client(rec, on_event=events.append).instances.delete("i-1")
    assert result.code == "OKAY" and result.data is None
    assert [(e.status, e.outcome) for e in events] == [(None, "retry"), (404, "ok")]

    rec = Recorder(fail(502), not_found)
    assert (await make_client(rec).snapshots.delete("s")).code == "OKAY"


async def test_delete_404_without_an_earlier_try_is_not_found(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(404, json={"detail": "gone", "code": "FAILED"}))
    with pytest.raises(NotFoundError):
        await make_client(rec).instances.delete("i-1")
    # A 503 means the server did not act: a 404 afterwards is a real "not found".
    rec = Recorder(fail(503), httpx.Response(404, json={"detail": "gone", "code": "FAILED"}))
    with pytest.raises(NotFoundError):
        await make_client(rec).instances.delete("i-1")


async def test_get_404_after_a_timeout_is_still_not_found(make_client: MakeClient) -> None:
    rec = Recorder(httpx.ReadTimeout("t"), httpx.Response(404, json={"detail": "gone"}))
    with pytest.raises(NotFoundError):
        await make_client(rec).instances.get("i-1")


async def test_non_okay_code_is_not_retried(make_client: MakeClient) -> None:
    rec = Recorder(envelope(None, code="FAILED", detail="busy"), envelope([]))
    with pytest.raises(ApiError):
        await make_client(rec).regions.list()
    assert rec.count == 1
