"""The MCP server driven end to end through the official SDK's stdio client: ``python -m cloudzy_tui.mcp`` as a
subprocess on the embedded simulator (``--demo``), in a temporary home. Read-only by default, writes with
``--allow-writes``, protected instances and read-only profiles from a config file, destructive tools confirmed by
the target's name, jobs waited to their end."""

from __future__ import annotations

from pathlib import Path

from .helpers import failed, mcp_server, ok, write_config

FAST_JOBS = ("--job-seconds", "0.3")


async def _instance(client: object, name: str) -> dict[str, object]:
    return ok(await client.call_tool("describe_instance", {"target": name}))  # type: ignore[attr-defined]


async def test_read_only_by_default_lists_and_describes_and_refuses_writes(tmp_path: Path) -> None:
    async with mcp_server(tmp_path, "--demo") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name in (
            "list_instances",
            "describe_instance",
            "list_snapshots",
            "describe_snapshot",
            "list_floating_ips",
            "list_regions",
            "describe_product",
            "list_jobs",
            "job_status",
            "wait_for_job",
        ):
            assert name in tools, name
        # Read-only: the operations are not offered.
        assert not {"power_off", "delete", "snapshot", "fip_release", "create"} & set(tools)
        for tool in tools.values():
            assert tool.input_schema["type"] == "object" and tool.description
            assert tool.annotations is not None and tool.annotations.read_only_hint is True
        listing = tools["list_instances"].input_schema["properties"]
        assert listing["limit"]["maximum"] == 1000
        assert "shutdown" in listing["status"]["anyOf"][0]["enum"]

        page = ok(await client.call_tool("list_instances", {"limit": 2}))
        assert page["count"] == 2 and len(page["items"]) == 2 and page["truncated"] is True
        assert all("hostname" in item and "id" in item for item in page["items"])  # the API's names
        shut = ok(await client.call_tool("list_instances", {"status": "shutdown", "limit": 1000}))
        assert shut["truncated"] is False and shut["items"]
        assert {i["status"] for i in shut["items"]} == {"shutdown"}

        web01 = await _instance(client, "web-01")
        assert web01["hostname"] == "web-01" and web01["status"] == "active"
        assert ok(await client.call_tool("describe_instance", {"target": web01["id"]}))["hostname"] == "web-01"

        # A mutating tool called anyway: refused by the session's read-only rule, a clear tool error.
        error = failed(await client.call_tool("power_off", {"target": "web-01", "confirm": "web-01"}))
        assert error["kind"] == "refused" and error["rule"] == "read-only"
        assert "read-only" in error["message"] and "--allow-writes" in error["message"]
        assert (await _instance(client, "web-01"))["status"] == "active"

        missing = failed(await client.call_tool("describe_instance", {"target": "no-such-host"}))
        assert missing["kind"] == "not_found" and "no-such-host" in missing["message"]
        assert failed(await client.call_tool("no_such_tool", {}))["kind"] == "unknown_tool"


async def test_writes_power_off_needs_the_hostname_and_its_job_is_waited_to_its_end(tmp_path: Path) -> None:
    async with mcp_server(tmp_path, "--demo", "--allow-writes", *FAST_JOBS) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        power_off = tools["power_off"]
        assert set(power_off.input_schema["properties"]) == {"target", "confirm"}
        assert power_off.input_schema["required"] == ["target"]
        assert power_off.annotations is not None and power_off.annotations.destructive_hint is True
        assert "osId" in tools["change_os"].input_schema["properties"]  # the params model, by its API names

        # Without confirm: refused, and told exactly what to pass.
        error = failed(await client.call_tool("power_off", {"target": "web-01"}))
        assert error["rule"] == "confirmation"
        assert "confirm='web-01'" in error["message"] and "shuts down" in error["message"]
        # A wrong one (case matters): refused the same way, the instance untouched.
        error = failed(await client.call_tool("power_off", {"target": "web-01", "confirm": "WEB-01"}))
        assert error["rule"] == "confirmation" and "'WEB-01' does not match" in error["message"]
        assert (await _instance(client, "web-01"))["status"] == "active"

        done = ok(await client.call_tool("power_off", {"target": "web-01", "confirm": "web-01"}))
        assert done["message"] == "Powering off web-01"
        assert done["data"]["instance"]["hostname"] == "web-01"
        [job] = done["jobs"]
        assert job["kind"] == "instance" and job["state"] == "running" and job["label"] == "web-01"

        waited = ok(await client.call_tool("wait_for_job", {"job_id": job["id"], "timeout_seconds": 50}))
        assert waited["done"] is True and waited["state"] == "succeeded" and waited["status"] == "shutdown"
        assert waited["object"]["hostname"] == "web-01"
        # The effect, seen through the read tools.
        assert (await _instance(client, "web-01"))["status"] == "shutdown"
        shut = ok(await client.call_tool("list_instances", {"status": "shutdown", "limit": 1000}))
        assert "web-01" in {i["hostname"] for i in shut["items"]}
        status = ok(await client.call_tool("job_status", {"job_id": job["id"]}))
        assert status["state"] == "succeeded"
        assert [j["id"] for j in ok(await client.call_tool("list_jobs", {}))["jobs"]] == [job["id"]]
        assert failed(await client.call_tool("job_status", {"job_id": 999}))["kind"] == "not_found"


async def test_a_destructive_delete_needs_the_exact_hostname_and_ends_gone(tmp_path: Path) -> None:
    async with mcp_server(tmp_path, "--demo", "--allow-writes", *FAST_JOBS) as client:
        error = failed(await client.call_tool("delete", {"target": "staging-web"}))
        assert error["rule"] == "confirmation" and "confirm='staging-web'" in error["message"]
        assert "cannot be undone" in error["message"]
        error = failed(await client.call_tool("delete", {"target": "staging-web", "confirm": "yes"}))
        assert error["rule"] == "confirmation"
        assert (await _instance(client, "staging-web"))["status"] == "shutdown"

        done = ok(await client.call_tool("delete", {"target": "staging-web", "confirm": "staging-web"}))
        [job] = done["jobs"]
        waited = ok(await client.call_tool("wait_for_job", {"job_id": job["id"], "timeout_seconds": 50}))
        assert waited["done"] is True and waited["state"] == "succeeded"
        remaining = ok(await client.call_tool("list_instances", {"limit": 1000}))
        assert "staging-web" not in {i["hostname"] for i in remaining["items"]}


async def test_protected_instances_and_what_is_attached_to_them_are_refused_with_writes(tmp_path: Path) -> None:
    write_config(tmp_path, '[profiles.guarded]\nprotected = ["web-*"]\n')
    async with mcp_server(tmp_path, "--demo", "--profile", "guarded", "--allow-writes", *FAST_JOBS) as client:
        error = failed(await client.call_tool("power_off", {"target": "web-01", "confirm": "web-01"}))
        assert error["rule"] == "protected"
        assert "web-01" in error["message"] and "'web-*'" in error["message"]
        assert (await _instance(client, "web-01"))["status"] == "active"
        # A floating IP attached to web-01 is protected with it.
        web01 = await _instance(client, "web-01")
        fips = ok(await client.call_tool("list_floating_ips", {"limit": 1000}))["items"]
        address = next(f["ipAddress"] for f in fips if f.get("instanceId") == web01["id"])
        error = failed(await client.call_tool("fip_release", {"target": address, "confirm": address}))
        assert error["rule"] == "protected"
        # An instance the pattern does not match is not.
        done = ok(await client.call_tool("power_off", {"target": "db-replica-1", "confirm": "db-replica-1"}))
        assert done["jobs"]


async def test_a_read_only_profile_stays_read_only_with_allow_writes(tmp_path: Path) -> None:
    write_config(tmp_path, "[profiles.viewer]\nread_only = true\n")
    async with mcp_server(tmp_path, "--demo", "--profile", "viewer", "--allow-writes") as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "list_instances" in names and "power_off" not in names
        error = failed(await client.call_tool("power_off", {"target": "web-01", "confirm": "web-01"}))
        assert error["rule"] == "read-only"
    assert "is read-only: writes stay refused" in (tmp_path / "server-stderr.txt").read_text(encoding="utf-8")
