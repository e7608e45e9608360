"""The envelope and the mapping of every kind of answer to the right exception with a useful message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from cloudzy_tui.api import (
    ApiError,
    AuthError,
    CloudzyClient,
    CloudzyError,
    LowBalanceError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RedirectRefusedError,
    ServerError,
    ValidationError,
)

from ._helpers import TOKEN, Recorder, body_of, envelope

MakeClient = Callable[..., CloudzyClient]

REGION = {"id": "r1", "name": "Frankfurt"}


async def test_success_envelope_is_unwrapped(make_client: MakeClient) -> None:
    rec = Recorder(envelope([REGION]))
    regions = await make_client(rec).regions.list()
    assert [r.id for r in regions] == ["r1"]


async def test_null_data_and_missing_code_are_tolerated(make_client: MakeClient) -> None:
    rec = Recorder(envelope(None), httpx.Response(200, json={"data": [REGION]}))
    client = make_client(rec)
    assert await client.regions.list() == []
    assert [r.id for r in await client.regions.list()] == ["r1"]


async def test_no_content_is_a_success(make_client: MakeClient) -> None:
    result = await make_client(Recorder(httpx.Response(204))).snapshots.delete("s1")
    assert result.code == "OKAY" and result.data is None


async def test_non_okay_code_on_200_is_an_api_error(make_client: MakeClient) -> None:
    rec = Recorder(envelope(None, detail="Instance is locked", code="FAILED"))
    with pytest.raises(ApiError) as exc:
        await make_client(rec).instances.power_on("i-1")
    assert exc.value.code == "FAILED" and exc.value.detail == "Instance is locked"
    assert "Instance is locked" in exc.value.message and exc.value.status == 200


async def test_requests_carry_token_user_agent_and_json(make_client: MakeClient) -> None:
    rec = Recorder(envelope(None))
    await make_client(rec).instances.change_os("i-1", "debian-12")
    req = rec.last
    assert req.headers["API-Token"] == TOKEN
    assert req.headers["User-Agent"] == "cloudzy-tui/0.1.0"
    assert req.headers["Content-Type"] == "application/json"
    assert req.headers["Accept"] == "application/json"
    assert body_of(req) == {"osId": "debian-12"}
    assert TOKEN not in str(req.url)


async def test_query_omits_none_and_sends_booleans_as_true_false(make_client: MakeClient) -> None:
    from cloudzy_tui.api import SnapshotFilters

    rec = Recorder(envelope({"snapshots": [], "total": 0}))
    pages = make_client(rec).snapshots.pages(SnapshotFilters(is_automated_backup=True))
    async for _ in pages:
        pass
    assert dict(rec.last.url.params) == {"is_automated_backup": "true", "limit": "100", "page": "1"}
    rec = Recorder(envelope([]))
    await make_client(rec).ssh_keys.list()
    assert rec.last.url.query == b""


# -- error statuses --------------------------------------------------------------------------------------------


async def test_401(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(401, json={"detail": "Invalid token", "code": "FAILED", "data": None}))
    with pytest.raises(AuthError) as exc:
        await make_client(rec).regions.list()
    assert exc.value.message.startswith("The API refused the token (401)")
    assert "Invalid token" in exc.value.message and exc.value.status == 401
    assert rec.count == 1


async def test_404_reference_format_uses_data_detail(make_client: MakeClient) -> None:
    body = {"detail": "Error message", "code": "FAILED", "data": {"statusCode": 404, "detail": "Resource not found"}}
    rec = Recorder(httpx.Response(404, json=body))
    with pytest.raises(NotFoundError) as exc:
        await make_client(rec).instances.get("nope")
    assert exc.value.detail == "Resource not found" and exc.value.status == 404
    assert exc.value.message == "Not found (404): Resource not found"
    assert exc.value.path == "/v1/instances/nope" and exc.value.method == "GET"


async def test_404_html_suggests_checking_the_url(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(404, text="<html><body>nginx</body></html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(NotFoundError) as exc:
        await make_client(rec).regions.list()
    assert "HTML page" in exc.value.message and "API URL" in exc.value.message


async def test_422_reference_format_with_body_query_and_list_index(make_client: MakeClient) -> None:
    body = {
        "detail": [
            {"loc": ["body", "hostnames"], "msg": "field required", "type": "value_error.missing"},
            {"loc": ["body", "hostnames", 1], "msg": "invalid hostname", "type": "value_error"},
            {"loc": ["query", "limit"], "msg": "ensure this value is less than or equal to 100", "type": "x"},
            {"loc": ["body", "extraResource", "cpu"], "msg": "must be positive", "type": "value_error"},
        ]
    }
    rec = Recorder(httpx.Response(422, json=body))
    with pytest.raises(ValidationError) as exc:
        await make_client(rec).regions.list()
    err = exc.value
    assert err.status == 422
    fes = err.field_errors
    assert [(fe.field, fe.index) for fe in fes] == [("hostnames", None), ("hostnames", 1), ("limit", None),
                                                    ("extraResource", None)]  # fmt: skip
    assert fes[0].loc == ("body", "hostnames") and fes[0].type == "value_error.missing"
    assert fes[1].path == "hostnames[1]" and fes[3].path == "extraResource.cpu"
    assert [fe.message for fe in err.for_field("hostnames")] == ["field required", "invalid hostname"]
    assert err.for_field("extraResource.cpu")[0].message == "must be positive"
    assert err.message.startswith("The API rejected the request (422): hostnames: field required")
    assert "(and 1 more)" in err.message


async def test_422_with_a_plain_detail(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(422, json={"detail": "Hostname already taken", "code": "FAILED", "data": None}))
    with pytest.raises(ValidationError) as exc:
        await make_client(rec).regions.list()
    assert exc.value.field_errors == [] and "Hostname already taken" in exc.value.message


async def test_460_low_balance_reference_body(make_client: MakeClient) -> None:
    body = {
        "detail": "You don't have enough balance for the selected product.",
        "code": "BALANCE_IS_NOT_SUFFICIENT",
        "data": {
            "minimumRequiredBalance": 203.09,
            "customerBalance": "153.00",
            "numberOfDaysBalanceValidatedAgainst": 5,
            "activeInstanceCount": 8,
        },
    }
    rec = Recorder(httpx.Response(460, json=body))
    with pytest.raises(LowBalanceError) as exc:
        await make_client(rec).instances.power_on("i")
    err = exc.value
    assert err.message == "Balance too low: 203.09 required, 153.00 available"
    assert err.minimum_required_balance == 203.09 and err.customer_balance == 153.0
    assert err.days == 5 and err.active_instance_count == 8
    assert err.code == "BALANCE_IS_NOT_SUFFICIENT" and err.status == 460
    assert rec.count == 1


async def test_460_without_numbers(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(460, json={"detail": "Not enough money", "code": "X", "data": None}))
    with pytest.raises(LowBalanceError) as exc:
        await make_client(rec).instances.power_on("i")
    assert exc.value.message == "Balance too low: Not enough money"
    assert exc.value.customer_balance is None


async def test_429_with_retry_after_seconds_and_date_and_without(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "12"}, json={"detail": "slow down"}))
    with pytest.raises(RateLimitedError) as exc:
        await make_client(rec, max_retries=0).regions.list()
    assert exc.value.retry_after == 12.0 and "12 s" in exc.value.message and exc.value.status == 429

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    rec = Recorder(httpx.Response(429, headers={"Retry-After": when}))
    with pytest.raises(RateLimitedError) as exc:
        await make_client(rec, max_retries=0).regions.list()
    assert exc.value.retry_after is not None and 100 < exc.value.retry_after <= 120

    rec = Recorder(httpx.Response(429))
    with pytest.raises(RateLimitedError) as exc:
        await make_client(rec, max_retries=0).regions.list()
    assert exc.value.retry_after is None and "Too many requests (429)" in exc.value.message


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_a_server_error(make_client: MakeClient, status: int) -> None:
    rec = Recorder(httpx.Response(status, json={"detail": "database on fire", "code": "FAILED", "data": None}))
    with pytest.raises(ServerError) as exc:
        await make_client(rec, max_retries=0).regions.list()
    assert exc.value.status == status and "database on fire" in exc.value.message
    assert f"HTTP {status}" in exc.value.message


async def test_502_html_page_says_what_came_back(make_client: MakeClient) -> None:
    html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>" + "x" * 100_000 + "</html>"
    rec = Recorder(httpx.Response(502, text=html, headers={"Content-Type": "text/html"}))
    with pytest.raises(ServerError) as exc:
        await make_client(rec, max_retries=0).regions.list()
    assert "HTTP 502 Bad Gateway" in exc.value.message and "with an HTML page" in exc.value.message
    assert len(exc.value.message) < 200


@pytest.mark.parametrize(
    ("response", "said"),
    [
        (httpx.Response(200, text="<html><body>Welcome to nginx!</body></html>"), "with an HTML page"),
        (httpx.Response(200, text="<!doctype html><p>hi", headers={"Content-Type": "text/html"}), "an HTML page"),
        (httpx.Response(200, content=b""), "an empty body"),
        (
            httpx.Response(200, content=b'{"detail": "ok", "code": "OKAY", "data": [{"id": "r1", "na'),
            "could not be parsed",
        ),
        (httpx.Response(200, text="OK " * 10_000, headers={"Content-Type": "text/plain"}), "a non-JSON body"),
        (httpx.Response(200, json=[1, 2, 3]), "not the documented envelope (a list)"),
        (httpx.Response(200, json="OKAY"), "not the documented envelope (a string)"),
        (httpx.Response(400, text="<html>Bad Request</html>"), "HTTP 400 with an HTML page"),
    ],
)
async def test_malformed_bodies(make_client: MakeClient, response: httpx.Response, said: str) -> None:
    with pytest.raises(MalformedResponseError) as exc:
        await make_client(Recorder(response)).regions.list()
    assert said in exc.value.message
    assert len(exc.value.message) < 200
    assert exc.value.message.startswith("The API answered HTTP")


async def test_malformed_success_of_a_change_says_it_probably_happened(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(200, text="<html>done</html>"))
    with pytest.raises(MalformedResponseError) as exc:
        await make_client(rec).instances.reset("i")
    assert "probably made" in exc.value.message and rec.count == 1


async def test_other_4xx_are_api_errors(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(400, json={"detail": "Instance is not powered off", "code": "FAILED"}))
    with pytest.raises(ApiError) as exc:
        await make_client(rec).instances.change_os("i", "o")
    assert exc.value.status == 400 and "Instance is not powered off" in exc.value.message
    rec = Recorder(httpx.Response(403, json={"detail": "Not your instance", "code": "FAILED"}))
    with pytest.raises(ApiError) as exc:
        await make_client(rec).instances.get("i")
    assert "403" in exc.value.message and "Not your instance" in exc.value.message


async def test_server_text_is_sanitised_in_messages(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(400, json={"detail": "bad\x1b]0;pwned\x07 thing\u202e" + "y" * 5000}))
    with pytest.raises(ApiError) as exc:
        await make_client(rec).regions.list()
    assert "\x1b" not in exc.value.message and "\x07" not in exc.value.message and "\u202e" not in exc.value.message
    assert len(exc.value.message) < 300


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_are_not_followed_and_the_token_stays(make_client: MakeClient, status: int) -> None:
    seen_hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen_hosts.append(request.url.host)
        if request.url.host == "evil.example":
            return envelope([])
        return httpx.Response(status, headers={"Location": "https://evil.example/steal?x=1"})

    with pytest.raises(RedirectRefusedError) as exc:
        await make_client(handler).regions.list()
    assert seen_hosts == ["api.test"]
    assert exc.value.location_host == "evil.example" and exc.value.status == status
    assert "evil.example" in exc.value.message and "/steal" not in exc.value.message
    assert TOKEN not in exc.value.message


async def test_relative_redirect_names_the_api_host(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(301, headers={"Location": "/developers/v2/regions"}))
    with pytest.raises(RedirectRefusedError) as exc:
        await make_client(rec).regions.list()
    assert exc.value.location_host == "api.test" and rec.count == 1


async def test_connect_error_becomes_network_error(make_client: MakeClient) -> None:
    rec = Recorder(httpx.ConnectError("Name or service not known"))
    with pytest.raises(NetworkError) as exc:
        await make_client(rec, max_retries=0).regions.list()
    assert "Could not connect to api.test" in exc.value.message and exc.value.status is None


async def test_a_transport_bug_is_reported_not_leaked_raw(make_client: MakeClient) -> None:
    rec = Recorder(RuntimeError("boom"))
    with pytest.raises(NetworkError) as exc:
        await make_client(rec).regions.list()
    assert "RuntimeError: boom" in exc.value.message
    assert rec.count == 1


async def test_every_error_is_a_cloudzy_error_with_status_and_detail(make_client: MakeClient) -> None:
    rec = Recorder(httpx.Response(418, json={"detail": "teapot", "code": "FAILED"}))
    with pytest.raises(CloudzyError) as exc:
        await make_client(rec).regions.list()
    assert exc.value.status == 418 and exc.value.detail == "teapot" and str(exc.value) == exc.value.message


async def test_an_observer_that_raises_does_not_break_the_call(make_client: MakeClient) -> None:
    def bad_observer(_: object) -> None:
        raise RuntimeError("observer bug")

    client = make_client(Recorder(envelope([REGION])), on_event=bad_observer)
    assert len(await client.regions.list()) == 1


async def test_single_object_with_a_wrong_shape_is_malformed_not_a_pydantic_trace(make_client: MakeClient) -> None:
    for data in ([{"id": "i"}], "i-1", None, {"hostname": "no id"}):
        rec = Recorder(envelope(data))
        with pytest.raises(MalformedResponseError) as exc:
            await make_client(rec).instances.get("i-1")
        assert "instance" in exc.value.message and "pydantic" not in exc.value.message.lower()
        assert exc.value.__cause__ is None


async def test_lists_skip_malformed_items_with_a_warning(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="cloudzy_tui.api")
    rec = Recorder(envelope({"os": [{"id": "a"}, "junk", {"name": "no id"}, {"id": "b"}]}))
    assert [o.id for o in await make_client(rec).os.list()] == ["a", "b"]
    assert any("skipped 2 malformed operating system" in r.getMessage() for r in caplog.records)


async def test_list_under_an_unexpected_key_or_wrong_type(make_client: MakeClient) -> None:
    rec = Recorder(envelope({"items": [{"id": "a"}], "count": 1}))
    assert [a.id for a in await make_client(rec).applications.list()] == ["a"]
    rec = Recorder(envelope({"applications": {"id": "a"}}))
    with pytest.raises(MalformedResponseError):
        await make_client(rec).applications.list()
    rec = Recorder(envelope("nonsense"))
    with pytest.raises(MalformedResponseError):
        await make_client(rec).applications.list()


async def test_every_client_verifies_tls_with_one_shared_context() -> None:
    """Clients share one TLS context (the CA bundle is loaded once per process, not per client), and it is httpx's
    verifying default: certificates and host names are checked."""
    import ssl

    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.api._transport import shared_tls_context

    context = shared_tls_context()
    assert context is shared_tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    first = CloudzyClient("https://api.example.test/developers", "sim-token")
    second = CloudzyClient("https://api.example.test/developers", "sim-token")
    try:
        # (httpx keeps the context in its connection pool; pinned httpx < 0.29)
        used = [c._transport._client._transport._pool._ssl_context for c in (first, second)]  # type: ignore[attr-defined]
        assert used == [context, context]
    finally:
        await first.aclose()
        await second.aclose()
