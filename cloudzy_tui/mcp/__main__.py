"""``python -m cloudzy_tui.mcp [--demo] [--allow-writes] ...``: the MCP server on its own (see the package)."""

from cloudzy_tui.mcp import main

if __name__ == "__main__":
    raise SystemExit(main())
