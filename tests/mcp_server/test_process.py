"""The server as a process: nothing but JSON-RPC on stdout (an older client's initialize handshake, spoken by
hand), a clean exit when the client closes stdin, exit 2 without a token; and against a simulator served on a
loopback socket with a profile and a token: the audit log names every call ``mcp: ...`` and holds neither the
token nor a new password."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import TOKEN

from .helpers import failed, mcp_server, ok, server_command, server_env, write_config

DEADLINE = 60.0


def _env(base: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), **server_env(base, **extra)}


def _read_line(proc: subprocess.Popen[bytes], selector: selectors.BaseSelector) -> bytes:
    assert proc.stdout is not None
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if selector.select(timeout=deadline - time.monotonic()):
            return proc.stdout.readline()
    raise AssertionError("no reply from the server")


def _send(proc: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(message).encode() + b"\n")
    proc.stdin.flush()


def test_stdout_carries_only_the_protocol_and_the_server_ends_when_stdin_closes(tmp_path: Path) -> None:
    with open(tmp_path / "stderr.txt", "wb") as errlog:
        proc = subprocess.Popen(
            server_command("--demo"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errlog,
            env=_env(tmp_path),
            cwd=tmp_path,
        )
    try:
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        _send(
            proc,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "by-hand", "version": "0"},
                },
            },
        )
        init = json.loads(_read_line(proc, selector))
        assert init["id"] == 1 and init["result"]["serverInfo"]["name"] == "cloudzy-tui"
        assert "Read-only" in init["result"]["instructions"]
        _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        listed = json.loads(_read_line(proc, selector))
        assert listed["id"] == 2 and "list_instances" in {t["name"] for t in listed["result"]["tools"]}
        _send(
            proc,
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "describe_region", "arguments": {"target": "us-utah"}},
            },
        )
        call = json.loads(_read_line(proc, selector))
        assert call["id"] == 3 and call["result"]["isError"] is False
        assert call["result"]["structuredContent"]["id"] == "us-utah"
        assert proc.stdin is not None
        proc.stdin.close()
        assert proc.wait(timeout=DEADLINE) == 0
        rest = proc.stdout.read()
        for line in rest.splitlines():  # whatever else came out is protocol too
            assert json.loads(line)["jsonrpc"] == "2.0"
        selector.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_no_token_is_a_usage_error_with_nothing_on_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        server_command(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=DEADLINE,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"CLOUDZY_API_TOKEN" in done.stderr and b"--demo" in done.stderr


async def test_every_mutating_call_is_audited_as_mcp_and_no_secret_is_written(
    tmp_path: Path, served_simulator: str
) -> None:
    write_config(tmp_path, f'[profiles.e2e]\napi_url = "{served_simulator}"\n')
    async with mcp_server(tmp_path, "--profile", "e2e", "--allow-writes", env={"CLOUDZY_API_TOKEN": TOKEN}) as client:
        assert ok(await client.call_tool("describe_instance", {"target": "web-01"}))["hostname"] == "web-01"
        assert failed(await client.call_tool("power_off", {"target": "web-01"}))["rule"] == "confirmation"
        assert (
            failed(await client.call_tool("reset", {"target": "no-such-host", "confirm": "x"}))["kind"] == "not_found"
        )
        assert (
            failed(await client.call_tool("add_traffic", {"target": "web-01", "amount": -1, "confirm": "web-01"}))[
                "kind"
            ]
            == "invalid"
        )
        ok(await client.call_tool("power_off", {"target": "web-01", "confirm": "web-01"}))
        changed = ok(await client.call_tool("change_password", {"target": "web-02", "confirm": "web-02"}))
        password = changed["data"]["password"]
        assert isinstance(password, str) and len(password) >= 8  # returned once, to the caller who asked

    state = tmp_path / "state"
    audit = state / "audit.jsonl"
    assert audit.stat().st_mode & 0o777 == 0o600
    lines = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert all(line["action"].startswith("mcp: ") and line["profile"] == "e2e" for line in lines)
    by_action = [(line["action"], line["target"], line["outcome"]) for line in lines]
    assert ("mcp: Power off", "web-01", "refused") in by_action  # not confirmed: refused by the session
    assert ("mcp: Reset", "no-such-host", "refused") in by_action  # unknown target: nothing sent, still a line
    assert ("mcp: Add traffic", "web-01", "refused") in by_action  # invalid parameters: likewise
    sent = [line for line in lines if line["method"] == "POST"]
    assert [(line["action"], line["target"], line["outcome"]) for line in sent] == [
        ("mcp: Power off", "web-01", "ok"),
        ("mcp: New password", "web-02", "ok"),
    ]
    written = [audit, state / "cloudzy-tui.log", tmp_path / "server-stderr.txt"]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert TOKEN not in text, path
        assert password not in text, path
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*"))  # the temp HOME untouched


def test_without_the_sdk_installed_the_command_says_which_extra_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['mcp'] = None  # as if the [mcp] extra were not installed\n"
        "from cloudzy_tui.mcp import main; raise SystemExit(main(['--demo']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        timeout=DEADLINE,
    )
    assert done.returncode == 2 and done.stdout == b""
    assert b"pip install 'cloudzy-tui[mcp]'" in done.stderr
