"""The tools are derived from the operations layer, all of them: a list and a describe per resource, one tool per
operation (schema from its parameters model, ``target`` when it acts on an object, ``confirm`` when it must be
confirmed), and the job tools. Every schema is valid JSON Schema; the package stays light to import and apart from
the other faces."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from cloudzy_tui.mcp.tools import RESERVED, build_tools, needs_confirm
from cloudzy_tui.ops import OPERATIONS, RESOURCES, Operation, Outcome


def test_every_resource_and_operation_has_its_tools() -> None:
    names = {t.name for t in build_tools()}
    for resource in RESOURCES:
        slug = resource.name.replace("-", "_")
        assert f"list_{slug}" in names, resource.name
        assert any(n.startswith("describe_") and slug.startswith(n.removeprefix("describe_")) for n in names)
    for op in OPERATIONS:
        assert op.tool_name in names, op.name
    assert {"list_jobs", "job_status", "wait_for_job"} <= names
    assert len(names) == 2 * len(RESOURCES) + len(OPERATIONS) + 3


def test_every_input_schema_is_a_valid_json_schema_of_an_object() -> None:
    for tool in build_tools():
        Draft202012Validator.check_schema(tool.input_schema)
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.input_schema.get("additionalProperties") is False, tool.name
        assert tool.description and tool.title, tool.name


def _ed25519_key() -> str:
    def field(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data

    return "ssh-ed25519 " + base64.b64encode(field(b"ssh-ed25519") + field(bytes(range(32)))).decode() + " me@host"


#: Valid parameters of every operation that takes some (by their API names, as an agent sends them).
VALID: dict[str, dict[str, Any]] = {
    "create": {"hostnames": ["web-09"], "region": "us-utah", "productId": "regular-2c-4g", "osId": "ubuntu-24.04"},
    "resize": {"type": "FIXED", "productId": "regular-4c-8g"},
    "change-os": {"osId": "debian-12"},
    "add-traffic": {"amount": 1.5},
    "backup-schedule": {"scheduleFrequency": "weekly", "scheduleWeekDays": ["Monday"], "periodId": 7},
    "fip-allocate": {"regionId": "us-utah", "count": 2},
    "fip-update": {"autoRenew": True, "customerNote": "blue/green"},
    "iso-download": {"name": "netinst", "url": "https://example.invalid/netinst.iso", "regionId": "us-utah"},
    "image-download": {
        "name": "golden",
        "url": "https://example.invalid/golden.qcow2",
        "regionId": "us-utah",
        "format": "qcow2",
    },
    "key-create": {"name": "laptop", "publicKey": _ed25519_key()},
}


def test_every_operation_with_parameters_has_an_example() -> None:
    assert {op.name for op in OPERATIONS if op.params is not None} == set(VALID)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda o: o.name)
def test_an_operation_tool_is_its_parameters_plus_target_and_confirm(op: Operation[Any]) -> None:
    tool = next(t for t in build_tools() if t.name == op.tool_name)
    schema = tool.input_schema
    expected: set[str] = set()
    required: set[str] = set()
    if op.params is not None:
        params = op.params.model_json_schema(by_alias=True)
        expected |= set(params["properties"])
        required |= set(params.get("required", []))
    if op.needs_target:
        expected.add("target")
        required.add("target")
    if needs_confirm(op):
        expected.add("confirm")
    assert set(schema["properties"]) == expected
    assert set(schema["required"]) == required
    assert "confirm" not in schema["required"]  # missing: refused with what to pass, not a schema error
    assert tool.mutating == op.mutating and tool.destructive == (op.danger != "none")
    assert op.summary in tool.description
    # Arguments the parameters model accepts are valid for the schema too (nested models' $defs resolve), and
    # what the schema says is wrong, the model refuses as well.
    arguments = {**({"target": "web-01"} if op.needs_target else {}), **VALID.get(op.name, {})}
    validator = Draft202012Validator(schema)
    validator.validate(arguments)
    if op.params is not None:
        op.params.model_validate(VALID[op.name])
        assert list(validator.iter_errors({**arguments, "unknown": 1}))
    if needs_confirm(op):
        validator.validate({**arguments, "confirm": "web-01"})


def test_a_parameter_named_like_an_mcp_argument_is_a_definition_error() -> None:
    class Clashing(BaseModel):
        confirm: str

    async def body(session: Any, target: Any, params: Any) -> Outcome:
        return Outcome(message="")

    clashing = Operation("clash", "instances", "Clash", "A clash", body, params=Clashing)
    assert "confirm" in RESERVED
    with pytest.raises(ValueError, match="clash with the MCP arguments"):
        build_tools(operations=[clashing])


def test_the_list_tools_validate_their_filters() -> None:
    tool = next(t for t in build_tools() if t.name == "list_instances")
    assert tool.arguments is not None
    assert tool.arguments.model_validate({"status": "shutdown", "limit": 5}).limit == 5  # type: ignore[attr-defined]
    validator = Draft202012Validator(tool.input_schema)
    assert not list(validator.iter_errors({"status": "shutdown", "include_deleted": True}))
    assert list(validator.iter_errors({"status": "bogus"}))
    assert list(validator.iter_errors({"limit": 0}))
    assert list(validator.iter_errors({"colour": "red"}))


def _modules_after_import(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


def test_the_package_is_light_and_the_server_knows_nothing_of_the_other_faces() -> None:
    light = _modules_after_import("cloudzy_tui.mcp")  # what a parent CLI pays to offer the sub-command
    assert "mcp" not in light and not any(m.startswith("cloudzy_tui.ops") for m in light)
    server = _modules_after_import("cloudzy_tui.mcp.server")
    assert "mcp" in server
    for forbidden in ("textual", "rich"):
        assert forbidden not in server, forbidden
    for prefix in ("cloudzy_tui.ui", "cloudzy_tui.cli", "cloudzy_tui.sim"):
        assert not any(m == prefix or m.startswith(prefix + ".") for m in server), prefix
