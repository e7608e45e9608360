"""The MCP face in-process on the simulator (no subprocess: the finer points, fast): argument errors, the confirm
rule's edge cases (no target to name, a boolean instead of a name, the host the server runs on), read-only refusals
audited with the target as given, and a new password returned to the caller but never logged or audited."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from conftest import TOKEN, make_client

from cloudzy_tui.config import Settings
from cloudzy_tui.connect import Connected
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.mcp.face import McpFace
from cloudzy_tui.ops import Policy, Session

FaceFactory = Callable[..., McpFace]


@pytest.fixture
async def make_face(simulator: Any) -> AsyncIterator[FaceFactory]:
    faces: list[McpFace] = []

    def factory(*, read_only: bool = False, protected: tuple[str, ...] = (), local: str = "console-host") -> McpFace:
        client = make_client(simulator)
        session = Session(
            client,
            policy=Policy(read_only=read_only, protected=protected, local_hostname=local),
            audit=AuditLog(None, "test"),
            profile="test",
        )
        connected = Connected(
            client=client,
            session=session,
            audit=session.audit,
            profile_name="test",
            label="sim.test",
            read_only=read_only,
            connection=None,
            settings=Settings(),
            secrets=[TOKEN],
        )
        face = McpFace(connected)
        faces.append(face)
        return face

    yield factory
    for face in faces:
        await face.connected.aclose()


def _writes(simulator: Any) -> int:
    return sum(1 for r in simulator.requests if r.method != "GET")


async def test_read_only_refusals_are_audited_with_the_target_as_given_and_send_nothing(
    make_face: FaceFactory, simulator: Any
) -> None:
    face = make_face(read_only=True)
    assert not any(t.mutating for t in face.listed())
    assert any(t.mutating for t in face.tools)  # known, so a call is refused rather than unknown
    before = _writes(simulator)
    result = await face.call("delete", {"target": "web-01", "confirm": "web-01"})
    assert result.error and result.data["error"]["rule"] == "read-only"
    assert _writes(simulator) == before
    [entry] = face.audit.entries
    assert (entry["action"], entry["target"], entry["outcome"]) == ("mcp: Delete", "web-01", "refused")
    assert "Read-only" in face.instructions() and "--allow-writes" in face.instructions()


async def test_argument_errors_are_tool_errors_naming_the_field(make_face: FaceFactory) -> None:
    face = make_face()
    bad = await face.call("list_instances", {"status": "bogus"})
    assert bad.error and bad.data["error"]["kind"] == "invalid" and "status" in (bad.text or "")
    bad = await face.call("list_instances", {"created_from": "not a date"})
    assert bad.error and bad.data["error"]["kind"] == "invalid" and "createdFrom" in (bad.text or "")
    bad = await face.call("power_on", {"target": "worker-02", "colour": "red"})
    assert bad.error and "colour" in (bad.text or "")
    bad = await face.call("fip_allocate", {"target": "web-01", "regionId": "us-utah", "count": 1, "confirm": "yes"})
    assert bad.error and "takes no target" in (bad.text or "")
    bad = await face.call("power_off", {"confirm": "web-01"})
    assert bad.error and "needs a target" in (bad.text or "") and "hostname" in (bad.text or "")
    bad = await face.call("wait_for_job", {"job_id": 1, "timeout_seconds": 10_000})
    assert bad.error and "timeout_seconds" in (bad.text or "")
    products = await face.call("list_products", {"region_id": "us-utah", "limit": 3})
    assert not products.error and products.data["count"] == 3
    assert {p["regionId"] for p in products.data["items"]} == {"us-utah"}


async def test_confirm_must_be_the_name_as_a_string_never_a_boolean(make_face: FaceFactory, simulator: Any) -> None:
    face = make_face()
    before = _writes(simulator)
    result = await face.call("power_off", {"target": "web-01", "confirm": True})
    assert result.error and result.data["error"]["kind"] == "invalid" and "string" in (result.text or "")
    assert _writes(simulator) == before


async def test_an_operation_without_a_target_is_confirmed_with_yes(make_face: FaceFactory, simulator: Any) -> None:
    face = make_face()
    refused = await face.call("fip_allocate", {"regionId": "us-utah", "count": 1})
    assert refused.error and refused.data["error"]["rule"] == "confirmation"
    assert "confirm='yes'" in (refused.text or "") and "billed" in (refused.text or "")
    before = _writes(simulator)
    done = await face.call("fip_allocate", {"regionId": "us-utah", "count": 1, "confirm": "yes"})
    assert not done.error, done.text
    assert _writes(simulator) == before + 1
    assert done.data["data"][0]["regionId"] == "us-utah"
    assert [e["action"] for e in face.audit.entries] == ["mcp: Allocate floating IPs", "mcp: Allocate floating IPs"]


async def test_on_the_host_the_server_runs_on_the_hostname_is_asked_for(make_face: FaceFactory) -> None:
    face = make_face(local="web-01")
    refused = await face.call("reset", {"target": "web-01"})
    assert refused.error and refused.data["error"]["rule"] == "confirmation"
    assert "machine this console runs on" in (refused.text or "")
    assert "confirm='web-01' (hostname)" in (refused.text or "")


async def test_a_new_password_is_returned_once_and_never_logged_or_audited(
    make_face: FaceFactory, caplog: pytest.LogCaptureFixture
) -> None:
    face = make_face()
    with caplog.at_level(logging.DEBUG):
        result = await face.call("change_password", {"target": "web-01", "confirm": "web-01"})
    assert not result.error, result.text
    password = result.data["data"]["password"]
    assert isinstance(password, str) and password
    assert password not in result.data["message"]
    assert all(password not in r.getMessage() for r in caplog.records)
    assert any("change_password" in r.getMessage() for r in caplog.records)  # the call itself is logged
    assert all(password not in str(e) for e in face.audit.entries)
    assert [(e["action"], e["outcome"]) for e in face.audit.entries] == [("mcp: New password", "ok")]


async def test_api_errors_are_tool_errors_and_the_token_never_reaches_a_message(
    make_face: FaceFactory, simulator: Any
) -> None:
    face = make_face()
    face.connected.client.set_token("wrong-" + TOKEN)  # the API answers 401, its message could echo anything
    face.connected.secrets.append("wrong-" + TOKEN)
    result = await face.call("list_regions", {})
    assert result.error and result.data["error"]["kind"] == "api" and result.data["error"]["status"] == 401
    assert TOKEN not in (result.text or "")
