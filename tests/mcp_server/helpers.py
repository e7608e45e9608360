"""Driving the MCP server as an agent would: ``python -m cloudzy_tui.mcp ...`` spawned by the official SDK's stdio
client, in a temporary HOME/config/state (nothing written to the real home), no network beyond loopback."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

#: The longest any one request may take before the test fails (a hung server must not hang the suite).
READ_TIMEOUT = 60.0


def server_env(base: Path, **extra: str) -> dict[str, str]:
    """A temporary home, config dir and state dir for the server (the SDK adds PATH and the like)."""
    env = {
        "HOME": str(base / "home"),
        "CLOUDZY_TUI_CONFIG_DIR": str(base / "config"),
        "CLOUDZY_TUI_STATE_DIR": str(base / "state"),
    }
    env.update(extra)
    return env


def write_config(base: Path, text: str) -> Path:
    path = base / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cloudzy_tui.mcp", *args]


@asynccontextmanager
async def mcp_server(base: Path, *args: str, env: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """A connected SDK client to a server started with ``args``; the server's stderr goes to
    ``base/server-stderr.txt``. On the way out the SDK closes stdin and ends the process (tree)."""
    command = server_command(*args)
    params = StdioServerParameters(
        command=command[0], args=command[1:], env=server_env(base, **(env or {})), cwd=str(base)
    )
    with open(base / "server-stderr.txt", "w", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=READ_TIMEOUT) as client:
            yield client


def ok(result: Any) -> dict[str, Any]:
    """The data of a successful call (its text content is the same JSON)."""
    text = result.content[0].text if result.content else ""
    assert not result.is_error, text
    assert json.loads(text) == result.structured_content
    data: dict[str, Any] = result.structured_content
    return data


def failed(result: Any) -> dict[str, Any]:
    """The error of a failed call: ``{kind, message, rule?}`` (its text content is the message)."""
    assert result.is_error, result.structured_content
    error: dict[str, Any] = result.structured_content["error"]
    assert result.content[0].text == error["message"]
    return error
