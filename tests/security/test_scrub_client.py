"""The token is scrubbed at the source: whatever a server puts it in, in whatever form, no exception, event or log
line the client makes holds it (nor a fragment of it).

A server that echoes the token in every error field, header and body (``echo.EchoServer``) is called through the
client for every kind of failure, in each form, and everything the client produced is searched: ``str``, ``repr``,
``args`` and every attribute of the exception (field errors included), the request events, and every log record at
DEBUG (without the log file's filter: the source must be clean on its own).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient, CloudzyError, RequestEvent, SshKeyCreate
from cloudzy_tui.api import ValidationError as ApiValidationError

from .echo import FORMS, TOKEN, EchoServer, client_for, exposed
from .keys import ed25519

CALLS: dict[str, Any] = {
    "list": lambda c: c.instances.list_all(),
    "catalog-regions": lambda c: c.regions.list(),
    "catalog-os": lambda c: c.os.list(),
    "catalog-applications": lambda c: c.applications.list(),
    "detail": lambda c: c.instances.get("00000000-0000-4000-8000-000000000001"),
    "action": lambda c: c.instances.power_off("00000000-0000-4000-8000-000000000001"),
    "form": lambda c: c.ssh_keys.create(SshKeyCreate(name="laptop", public_key=ed25519())),
    "redirect": lambda c: c.floating_ips.list_all(),
    "text": lambda c: c.snapshots.list_all(),
}


def _everything(exc: CloudzyError) -> list[str]:
    texts = [str(exc), repr(exc), repr(exc.args), repr(vars(exc))]
    if isinstance(exc, ApiValidationError):
        texts += [repr(fe) + str(fe) + fe.path for fe in exc.field_errors]
    return texts


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("call", sorted(CALLS))
async def test_no_error_event_or_log_line_holds_the_token(
    form: str, call: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cloudzy_tui")
    server = EchoServer(form)
    events: list[RequestEvent] = []
    async with client_for(server, on_event=events.append) as client:
        with pytest.raises(CloudzyError) as info:
            await CALLS[call](client)
    assert server.requests, "nothing was sent"
    texts = _everything(info.value)
    texts += [repr(e) for e in events]
    texts += [r.getMessage() + repr(r.args) for r in caplog.records]
    leaks = [t[:300] for t in texts if exposed(t)]
    assert not leaks, leaks
    assert events and all(e.error for e in events)


@pytest.mark.parametrize("form", FORMS)
async def test_a_401_that_echoes_the_token(form: str) -> None:
    server = EchoServer(form)
    server.auth_fails = True
    async with client_for(server) as client:
        with pytest.raises(CloudzyError) as info:
            await client.instances.list_all()
    assert info.value.status == 401
    assert not any(exposed(t) for t in _everything(info.value))


async def test_a_token_set_later_is_scrubbed_too() -> None:
    later = "rotated-LATER-token-77aa11"
    server = EchoServer("plain")
    async with client_for(server) as client:
        client.set_token(later)
        with pytest.raises(CloudzyError) as info:
            await client.instances.list_all()
    assert later not in str(info.value) and "***" in str(info.value)


async def test_successful_replies_echoing_the_token_in_data_and_detail() -> None:
    server = EchoServer("plain")
    server.failing = set()
    server.echo_in_data = True
    async with client_for(server) as client:
        instances = await client.instances.list_all()
        keys = await client.ssh_keys.list()
        result = await client.instances.power_on("00000000-0000-4000-8000-000000000001")
    dumped = [i.model_dump_json() for i in instances] + [k.model_dump_json() for k in keys]
    assert not any(exposed(text) for text in dumped), dumped
    assert {i.hostname for i in instances} >= {"host-***", "note-***"}
    assert not exposed(result.detail or "")


async def test_a_change_pass_password_is_scrubbed_from_later_errors() -> None:
    password = "N3w-root-PASSWORD-x9"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/change-pass"):
            return httpx.Response(200, json={"detail": "ok", "code": "OKAY", "data": {"password": password}})
        return httpx.Response(400, json={"detail": f"password {password} rejected", "code": "FAILED"})

    async with CloudzyClient(
        "https://api.echo.example/developers", TOKEN, transport=httpx.MockTransport(handler), max_retries=0
    ) as client:
        assert await client.instances.change_password("i-1") == password  # shown once, as it is
        with pytest.raises(CloudzyError) as info:
            await client.instances.power_on("i-1")
    assert password not in str(info.value) and "***" in str(info.value)
