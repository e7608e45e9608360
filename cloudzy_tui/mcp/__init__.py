"""``cloudzy-tui mcp``: the operations served to AI agents over the Model Context Protocol (stdio).

Entry points for the command line (kept light: the SDK and the operations are imported only when serving):

* :func:`main` — ``main(argv) -> exit status``, as ``python -m cloudzy_tui.mcp ARGS`` runs it;
* :func:`add_arguments` + :func:`run` — for a parent ``argparse`` sub-command (``cloudzy-tui mcp ...``).

Writes are refused unless ``--allow-writes`` is given AND the profile is not read-only (a read-only profile stays
read-only). Exit status: 0 when the client closed the connection, 2 for a usage or configuration error (no token,
bad config file, the ``mcp`` extra not installed), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

ENVIRONMENT_HELP = (
    "environment: CLOUDZY_API_TOKEN (the API token), CLOUDZY_API_URL, CLOUDZY_PROFILE, CLOUDZY_TUI_CONFIG_DIR "
    "(config.toml), CLOUDZY_TUI_STATE_DIR (audit log, log file)"
)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of ``cloudzy-tui mcp`` (shared by ``python -m cloudzy_tui.mcp``)."""
    parser.add_argument("--profile", metavar="NAME", help="configuration profile to use")
    parser.add_argument("--api-url", metavar="URL", help="API base URL (default: CLOUDZY_API_URL or the profile's)")
    parser.add_argument(
        "--demo", action="store_true", help="serve the embedded Cloudzy API simulator (no token, no network)"
    )
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help="offer the operations that change things (refused anyway when the profile is read-only); "
        "without it the server is read-only",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo mode: simulator seed (default 1)")
    parser.add_argument(
        "--job-seconds", type=float, default=None, help="demo mode: seconds each asynchronous transition takes"
    )
    return parser


def build_parser(prog: str = "cloudzy-tui mcp") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve the Cloudzy operations to an AI agent over MCP (stdio). Read-only unless "
        "--allow-writes; destructive tools need confirm=<the target's exact name>.",
        epilog=ENVIRONMENT_HELP,
    )
    return add_arguments(parser)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    return run(args)


def _setup_logging() -> None:
    """The log file under the state dir (INFO), warnings also on stderr; never stdout (it is the protocol)."""
    from cloudzy_tui.config import log_path

    root = logging.getLogger("cloudzy_tui")
    root.setLevel(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(formatter)
    root.addHandler(handler)
    errors = logging.StreamHandler(sys.stderr)
    errors.setLevel(logging.WARNING)
    errors.setFormatter(formatter)
    root.addHandler(errors)


def run(args: argparse.Namespace) -> int:
    """Serve over stdio with the options parsed by :func:`add_arguments`; returns the exit status."""
    try:
        import mcp  # noqa: F401
    except ImportError:
        print("cloudzy-tui mcp: the MCP SDK is not installed: pip install 'cloudzy-tui[mcp]'", file=sys.stderr)
        return 2
    import asyncio

    from cloudzy_tui.config import ConfigError
    from cloudzy_tui.connect import NoTokenError, connect

    _setup_logging()
    try:
        connected = connect(
            profile=args.profile,
            api_url=args.api_url,
            read_only=not args.allow_writes,
            demo=args.demo,
            seed=args.seed,
            job_seconds=args.job_seconds,
        )
    except (ConfigError, NoTokenError) as exc:
        print(f"cloudzy-tui mcp: {exc}", file=sys.stderr)
        return 2
    if args.allow_writes and connected.read_only:
        print(f"cloudzy-tui mcp: profile {connected.profile_name!r} is read-only: writes stay refused", file=sys.stderr)

    from cloudzy_tui.mcp.face import McpFace
    from cloudzy_tui.mcp.server import serve_stdio

    face = McpFace(connected)
    try:
        asyncio.run(serve_stdio(face))
    except KeyboardInterrupt:
        return 130
    return 0
