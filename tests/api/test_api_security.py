"""The token never leaks (repr, errors, events, logs), read-only mode sends nothing, ids cannot change the path."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from cloudzy_tui.api import (
    BackupProfileRequest,
    CloudzyClient,
    CloudzyError,
    CreateInstanceRequest,
    FloatingIpUpdate,
    ImageDownloadRequest,
    IsoDownloadRequest,
    ReadOnlyError,
    RequestEvent,
    ResizeRequest,
    SshKeyCreate,
    path_id,
)

from ._helpers import BASE, TOKEN, Recorder, envelope
from .test_api_requests import ED25519

MakeClient = Callable[..., CloudzyClient]

PASSWORD = "Sup3r-Secret-Pa55word"


def held(root: object, depth: int = 4) -> list[str]:
    """The repr of everything ``root`` holds, attribute by attribute (private ones too: a token may hide in any),
    down to ``depth`` objects deep, containers' items included."""
    seen: set[int] = set()
    found: list[str] = []

    def visit(value: object, level: int) -> None:
        if id(value) in seen or level > depth:
            return
        seen.add(id(value))
        found.append(repr(value))
        if isinstance(value, dict):
            children: list[object] = [*value.keys(), *value.values()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            children = list(value)
        else:
            children = list(getattr(value, "__dict__", {}).values())
        for child in children:
            visit(child, level + 1)

    visit(root, 0)
    return found


def test_repr_shows_the_base_url_never_the_token() -> None:
    client = CloudzyClient(BASE, TOKEN, transport=httpx.MockTransport(lambda r: envelope(None)))
    assert repr(client) == f"CloudzyClient(base_url='{BASE}')"
    assert client.base_url == BASE
    everything = [repr(client), str(client), *held(client)]
    assert len(everything) > 20  # the transport, the HTTP client and its auth were looked at, not only the client
    assert not [text for text in everything if TOKEN in text]
    client.read_only = True
    assert repr(client) == f"CloudzyClient(base_url='{BASE}', read_only=True)"


def test_token_may_be_a_secret_str_and_the_base_url_is_checked() -> None:
    client = CloudzyClient(BASE + "/", SecretStr(TOKEN))
    assert client.base_url == BASE and TOKEN not in repr(client)
    for bad in ("api.cloudzy.com/developers", "ftp://x/y", "https://", "https://user:pw@host/x", "https://h/x?a=1"):
        with pytest.raises(ValueError):
            CloudzyClient(bad, TOKEN)


async def test_an_empty_token_sends_no_header(make_client: MakeClient) -> None:
    rec = Recorder(envelope([]))
    await make_client(rec, token="").regions.list()
    assert "API-Token" not in rec.last.headers


async def test_secret_stays_out_of_errors_events_and_logs_at_debug(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[RequestEvent] = []
    errors: list[CloudzyError] = []
    replies: list[Any] = [
        httpx.Response(401, json={"detail": "bad token", "code": "FAILED"}),
        httpx.Response(404, json={"detail": "x", "code": "FAILED", "data": {"detail": "nope"}}),
        httpx.Response(422, json={"detail": [{"loc": ["body", "x"], "msg": "bad", "type": "t"}]}),
        httpx.Response(460, json={"detail": "money", "code": "B", "data": {"customerBalance": "1"}}),
        httpx.Response(429, headers={"Retry-After": "99"}),
        httpx.Response(500, text="<html>oops</html>"),
        httpx.Response(302, headers={"Location": "https://elsewhere.example/"}),
        httpx.Response(200, text="not json"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ]
    for reply in replies:
        client = make_client(Recorder(reply), on_event=events.append, max_retries=0)
        try:
            await client.instances.power_on("i-1")
        except CloudzyError as exc:
            errors.append(exc)
    assert len(errors) == len(replies)
    # A successful change-pass: the password is not logged either.
    client = make_client(Recorder(envelope({"password": PASSWORD})), on_event=events.append)
    assert await client.instances.change_password("i-1") == PASSWORD
    texts = [str(e) + repr(e) + repr(vars(e)) for e in errors]
    texts += [repr(e) for e in events]
    texts += [r.getMessage() + repr(r.args) for r in caplog.records]
    assert any(r.name == "cloudzy_tui.api" for r in caplog.records)
    assert len(events) == len(replies) + 1
    for text in texts:
        assert TOKEN not in text
        assert PASSWORD not in text
    api_logs = [r.getMessage() for r in caplog.records if r.name == "cloudzy_tui.api"]
    assert any("POST /v1/instances/i-1/change-pass -> 200" in m for m in api_logs)


@pytest.mark.parametrize(
    "reply", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), RuntimeError("transport bug")]
)
async def test_errors_do_not_chain_transport_exceptions(make_client: MakeClient, reply: Exception) -> None:
    # A chained httpx/transport exception would drag frames whose locals hold the request headers (and so the
    # token) into crash reports that print locals.
    with pytest.raises(CloudzyError) as exc:
        await make_client(Recorder(reply), max_retries=0).instances.power_on("i")
    assert exc.value.__cause__ is None and exc.value.__context__ is None
    assert type(reply).__name__ in exc.value.message or "connect" in exc.value.message or "time" in exc.value.message


async def test_events_carry_no_query_string(make_client: MakeClient) -> None:
    events: list[RequestEvent] = []
    rec = Recorder(envelope([]))
    await make_client(rec, on_event=events.append).products.list("secret-region")
    assert events[0].path == "/v1/products" and "secret-region" not in repr(events[0])


# -- read-only -------------------------------------------------------------------------------------------------

CREATE = CreateInstanceRequest(hostnames=["a"], region="r", product_id="p", os_id="o")
BACKUP = BackupProfileRequest(instance_id="i", schedule_frequency="daily", period_id=7)

MUTATIONS: list[tuple[str, Callable[[CloudzyClient], Any]]] = [
    ("instances.create", lambda c: c.instances.create(CREATE)),
    ("instances.delete", lambda c: c.instances.delete("i")),
    ("instances.power_on", lambda c: c.instances.power_on("i")),
    ("instances.power_off", lambda c: c.instances.power_off("i")),
    ("instances.reset", lambda c: c.instances.reset("i")),
    ("instances.resize", lambda c: c.instances.resize("i", ResizeRequest(type="FIXED", product_id="p"))),
    ("instances.change_os", lambda c: c.instances.change_os("i", "o")),
    ("instances.add_traffic", lambda c: c.instances.add_traffic("i", 1)),
    ("instances.change_password", lambda c: c.instances.change_password("i")),
    ("ssh_keys.create", lambda c: c.ssh_keys.create(SshKeyCreate(name="k", public_key=ED25519))),
    ("ssh_keys.delete", lambda c: c.ssh_keys.delete(1)),
    ("floating_ips.allocate", lambda c: c.floating_ips.allocate("r", 1)),
    ("floating_ips.update", lambda c: c.floating_ips.update("f", FloatingIpUpdate(auto_renew=False))),
    ("floating_ips.release", lambda c: c.floating_ips.release("f")),
    ("isos.download", lambda c: c.isos.download(IsoDownloadRequest(name="n", url="https://h/x", region_id="r"))),
    ("isos.delete", lambda c: c.isos.delete("x")),
    ("images.download", lambda c: c.images.download(ImageDownloadRequest(name="n", url="https://h/x", region_id="r"))),
    ("images.delete", lambda c: c.images.delete("x")),
    ("snapshots.create", lambda c: c.snapshots.create("i")),
    ("snapshots.delete", lambda c: c.snapshots.delete("s")),
    ("snapshots.restore", lambda c: c.snapshots.restore("s")),
    ("backups.create", lambda c: c.backups.create(BACKUP)),
    ("backups.update", lambda c: c.backups.update(BACKUP)),
    ("backups.delete", lambda c: c.backups.delete("i")),
]


@pytest.mark.parametrize(("name", "call"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_read_only_refuses_every_change_before_sending(
    make_client: MakeClient, name: str, call: Callable[[CloudzyClient], Any]
) -> None:
    events: list[RequestEvent] = []
    rec = Recorder(envelope(None))
    client = make_client(rec, read_only=True, on_event=events.append)
    with pytest.raises(ReadOnlyError) as exc:
        await call(client)
    assert rec.count == 0 and events == []
    assert "Read-only mode" in exc.value.message and exc.value.status is None


async def test_read_only_still_reads_and_can_be_switched(make_client: MakeClient) -> None:
    rec = Recorder(envelope([]), envelope(None))
    client = make_client(rec, read_only=True)
    assert await client.regions.list() == []
    client.read_only = False
    await client.instances.power_on("i")
    assert rec.count == 2
    client.read_only = True
    with pytest.raises(ReadOnlyError):
        await client.instances.power_on("i")
    assert rec.count == 2


# -- path escaping ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_id", "segment"),
    [
        ("abc-123", "abc-123"),
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a?b#c", "a%3Fb%23c"),
        ("sp ace", "sp%20ace"),
        ("ümlaut", "%C3%BCmlaut"),
        (42, "42"),
        ("%2F", "%252F"),
    ],
)
async def test_ids_are_escaped_into_one_path_segment(make_client: MakeClient, raw_id: Any, segment: str) -> None:
    rec = Recorder(envelope({"id": "x"}))
    await make_client(rec).instances.get(raw_id)
    assert rec.last.url.raw_path == f"/developers/v1/instances/{segment}".encode()
    assert path_id(raw_id) == segment


async def test_escaping_applies_to_action_paths_and_every_resource(make_client: MakeClient) -> None:
    rec = Recorder(*(envelope(None) for _ in range(4)))
    client = make_client(rec)
    await client.instances.power_off("../../v1/ssh-keys/1")
    await client.ssh_keys.delete("1/../2")
    await client.floating_ips.release("a/b")
    await client.backups.delete("../backups")
    assert [r.url.raw_path for r in rec.requests] == [
        b"/developers/v1/instances/..%2F..%2Fv1%2Fssh-keys%2F1/poweroff",
        b"/developers/v1/ssh-keys/1%2F..%2F2",
        b"/developers/v1/floating-ips/a%2Fb/release",
        b"/developers/v1/backups/..%2Fbackups",
    ]


async def test_empty_ids_are_refused(make_client: MakeClient) -> None:
    rec = Recorder(envelope(None))
    with pytest.raises(ValueError):
        await make_client(rec).instances.delete("")
    assert rec.count == 0


async def test_client_as_async_context_manager_closes() -> None:
    async with CloudzyClient(BASE, TOKEN, transport=httpx.MockTransport(lambda r: envelope([]))) as client:
        assert await client.os.list() == []
        assert not client.is_closed
    assert client.is_closed
