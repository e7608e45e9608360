"""``cloudzy-tui serve``: the same console in a browser, through ``textual-serve``.

Each browser tab that connects starts one console process (``python -m cloudzy_tui`` with the console options
given here) whose screen travels over a websocket. What this module guarantees:

* it binds the loopback interface unless told otherwise, and refuses any other address without ``--public``
  (whoever reaches the port drives the account: there is no login and no TLS);
* the token never appears on a command line, in the page or in its URL: the console processes find it where the
  console always does (``CLOUDZY_API_TOKEN``, inherited, or the profile's token in the config file); a token typed
  at the prompt here is handed to them in ``CLOUDZY_API_TOKEN`` of their environment, never in argv;
* ``s`` (ssh) says it is not available in the browser (``CloudzyApp.run_external``).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "cloudzy-tui"

PUBLIC_WARNING = (
    "cloudzy-tui serve: WARNING: serving on {host}, not on loopback. Whoever reaches http://{host}:{port}/ "
    "drives this Cloudzy account with your token: there is no login and no TLS. Put it behind an authenticating "
    "HTTPS proxy, or use an SSH tunnel to a loopback port instead (ssh -L {port}:127.0.0.1:{port} host)."
)


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` and ``::1``; any other name or address is not."""
    text = host.strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def console_command(args: argparse.Namespace) -> list[str]:
    """The console each browser session runs: this Python, this package, the console options (never a token)."""
    argv = [sys.executable, "-m", "cloudzy_tui"]
    if getattr(args, "profile", None):
        argv += ["--profile", args.profile]
    if getattr(args, "api_url", None):
        argv += ["--api-url", args.api_url]
    if getattr(args, "read_only", False):
        argv.append("--read-only")
    if getattr(args, "demo", False):
        argv += ["--demo", "--seed", str(args.seed)]
        if getattr(args, "job_seconds", None) is not None:
            argv += ["--job-seconds", str(args.job_seconds)]
    if getattr(args, "log_level", None):
        argv += ["--log-level", args.log_level]
    return argv


def _token_for_sessions(args: argparse.Namespace) -> int | None:
    """Make sure the console processes will find a token (``None``: they will); else an exit status."""
    if getattr(args, "demo", False):
        return None
    from cloudzy_tui.config import ConfigError, resolve, token_for

    try:
        connection = resolve(profile=args.profile, api_url=args.api_url, read_only=args.read_only)
    except ConfigError as exc:
        print(f"cloudzy-tui: {exc}", file=sys.stderr)
        return 2
    if token_for(connection) is not None:
        return None  # in the environment (inherited) or in the config file (read by each console)
    from cloudzy_tui.ui.run import _prompt_token

    token, save = _prompt_token(connection.profile_name, connection.api_url)
    if token is None:
        print(
            "cloudzy-tui serve: no API token. Set CLOUDZY_API_TOKEN or save one in a profile "
            "(or try: cloudzy-tui serve --demo).",
            file=sys.stderr,
        )
        return 4
    if save:
        from cloudzy_tui.config import save_token

        try:
            save_token(connection.profile_name, token, api_url=connection.api_url)
        except (ConfigError, OSError) as exc:
            print(f"cloudzy-tui: the token was not saved: {exc}", file=sys.stderr)
    os.environ["CLOUDZY_API_TOKEN"] = token  # inherited by each console process; never on a command line
    return None


def run_serve(args: argparse.Namespace) -> int:
    host: str = args.host
    port: int = args.port
    if not is_loopback(host):
        if not args.public:
            print(
                f"cloudzy-tui serve: refusing to serve on {host}, which is not a loopback address: whoever reaches "
                "the port drives the account (no login, no TLS). Add --public if that is really meant.",
                file=sys.stderr,
            )
            return 2
        print(PUBLIC_WARNING.format(host=host, port=port), file=sys.stderr)
    try:
        from textual_serve.server import Server
    except ImportError:
        print("cloudzy-tui serve needs textual-serve: pip install 'cloudzy-tui[web]'", file=sys.stderr)
        return 2
    status = _token_for_sessions(args)
    if status is not None:
        return status
    command = shlex.join(console_command(args))
    public_url = args.public_url or None
    shown_host = f"[{host}]" if ":" in host else host
    server = Server(command, host=host, port=port, title=TITLE, public_url=public_url)
    if public_url is None:
        server.public_url = f"http://{shown_host}:{port}"
    server.serve()
    return 0
