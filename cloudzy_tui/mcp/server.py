"""The MCP server: the tools of :mod:`cloudzy_tui.mcp.face` served over stdio with the official ``mcp`` SDK's
low-level ``Server`` (the tools are built from the operations' definitions, so the schemas are given, not
inferred from Python signatures).

Nothing but the protocol goes to stdout: the SDK's stdio transport points fd 1 at stderr while it serves, and
this module logs to the log file under the state dir (warnings also to stderr, which MCP clients keep as the
server's log).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import mcp_types as types
from mcp.server import Server
from mcp.server.stdio import stdio_server

from cloudzy_tui import __version__
from cloudzy_tui.mcp.face import McpFace, ToolResult
from cloudzy_tui.mcp.tools import ToolSpec

log = logging.getLogger("cloudzy_tui.mcp")


def mcp_tool(tool: ToolSpec) -> types.Tool:
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=tool.input_schema,
        annotations=types.ToolAnnotations(
            title=tool.title,
            read_only_hint=not tool.mutating,
            destructive_hint=tool.destructive if tool.mutating else None,
            idempotent_hint=False if tool.mutating else None,
        ),
    )


def mcp_result(result: ToolResult) -> types.CallToolResult:
    text = result.text if result.error and result.text else json.dumps(result.data, ensure_ascii=False)
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        structured_content=result.data,
        is_error=result.error,
    )


def build_server(face: McpFace) -> Server[Any]:
    """The SDK server whose tools are the face's."""

    async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[mcp_tool(t) for t in face.listed()])

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return mcp_result(await face.call(params.name, params.arguments))

    return Server(
        "cloudzy-tui",
        version=__version__,
        title="Cloudzy (cloudzy-tui)",
        instructions=face.instructions(),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


async def serve_stdio(face: McpFace) -> None:
    """Serve until the client closes stdin; the job tracker runs for as long, then the client is closed."""
    server = build_server(face)
    tracker = asyncio.create_task(face.jobs.run(), name="cloudzy-mcp-jobs")
    try:
        async with stdio_server() as (read_stream, write_stream):
            log.info(
                "MCP server ready (%s, %s)", face.connected.label, "read-only" if face.read_only else "writes allowed"
            )
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        tracker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tracker
        await face.connected.aclose()
        log.info("MCP server stopped")
