"""Start the console: against an API (profile, token) or the embedded simulator (``--demo``)."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys


def _setup_logging() -> None:
    """Log to a file under the state dir (never the terminal: it is the console's screen)."""
    from cloudzy_tui.config import log_path

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("cloudzy_tui")
    root.setLevel(logging.INFO)
    root.addHandler(handler)


def _prompt_token(profile_name: str) -> tuple[str | None, bool]:
    """A masked prompt on the terminal before the console starts; returns (token, save)."""
    if not sys.stdin.isatty():
        return None, False
    print(f"cloudzy-tui: no API token for profile {profile_name!r} (CLOUDZY_API_TOKEN is not set).", file=sys.stderr)
    try:
        token = getpass.getpass("API token (input hidden, empty to quit): ").strip()
        if not token:
            return None, False
        answer = input(f"Save it in the config file (mode 0600) for profile {profile_name!r}? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return None, False
    return token, answer.strip().lower() in ("y", "yes")


def run_console(args: argparse.Namespace) -> int:
    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.config import (
        ConfigError,
        audit_path,
        config_path,
        permission_warning,
        resolve,
        save_token,
        token_for,
    )
    from cloudzy_tui.core.audit import AuditLog

    _setup_logging()
    warning = permission_warning(config_path())
    if warning:
        print(warning, file=sys.stderr)
    try:
        connection = resolve(profile=args.profile, api_url=args.api_url, read_only=args.read_only)
    except ConfigError as exc:
        print(f"cloudzy-tui: {exc}", file=sys.stderr)
        return 2
    settings = connection.settings
    secrets: list[str] = []
    if args.demo:
        from cloudzy_tui.connect import demo_client

        client = demo_client(seed=args.seed, job_seconds=args.job_seconds)
        label = "embedded simulator"
        profile_name = "demo"
        audit = AuditLog(None, "demo")
        list_client = None  # in-process: one loop only (the simulator's state is not shared across threads)
    else:
        secret = token_for(connection)
        if secret is None:
            token, save = _prompt_token(connection.profile_name)
            if token is None:
                print(
                    "cloudzy-tui: no API token. Set CLOUDZY_API_TOKEN, save one in a profile, "
                    "or try the console on the embedded simulator: cloudzy-tui --demo",
                    file=sys.stderr,
                )
                return 2
            if save:
                path = save_token(connection.profile_name, token, settings)
                print(f"Saved to {path} (mode 0600).", file=sys.stderr)
            client = CloudzyClient(connection.api_url, token)
            list_client = CloudzyClient(connection.api_url, token, read_only=True)
            secrets.append(token)
            del token
        else:
            client = CloudzyClient(connection.api_url, secret)
            list_client = CloudzyClient(connection.api_url, secret, read_only=True)
            secrets.append(secret.get_secret_value())
        del secret
        label = connection.api_url.removeprefix("https://").removeprefix("http://")
        profile_name = connection.profile_name
        audit = AuditLog(audit_path(), profile_name)

    from cloudzy_tui.ui.app import CloudzyApp

    app = CloudzyApp(
        client,
        api_label=label,
        read_only=connection.read_only,
        refresh_seconds=settings.refresh_seconds,
        ssh_command=connection.profile.ssh_command or settings.ssh_command,
        profile_colour=connection.profile.colour,
        profile_name=profile_name,
        protected=connection.profile.protected,
        audit=audit,
        keymap=settings.keymap,
        theme=settings.theme,
        secrets=secrets,
        list_client=list_client,
    )
    del secrets
    app.run(mouse=not args.no_mouse)
    return 0
