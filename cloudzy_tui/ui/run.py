"""Start the console: against an API (profile, token) or the embedded simulator (``--demo``)."""

from __future__ import annotations

import argparse
import getpass
import sys


def _prompt_token(profile_name: str, api_url: str) -> tuple[str | None, bool]:
    """A masked prompt on the terminal before the console starts; returns (token, save)."""
    if not sys.stdin.isatty():
        return None, False
    print(f"cloudzy-tui: no API token for profile {profile_name!r} (CLOUDZY_API_TOKEN is not set).", file=sys.stderr)
    try:
        token = getpass.getpass("API token (input hidden, empty to quit): ").strip()
        if not token:
            return None, False
        answer = input(
            f"Save it in the config file (mode 0600) for profile {profile_name!r}, with the API URL {api_url}? [y/N] "
        )
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
    from cloudzy_tui.logs import setup_logging

    warning = permission_warning(config_path())
    if warning:
        print(warning, file=sys.stderr)
    try:
        connection = resolve(profile=args.profile, api_url=args.api_url, read_only=args.read_only)
    except ConfigError as exc:
        print(f"cloudzy-tui: {exc}", file=sys.stderr)
        return 2
    settings = connection.settings
    setup_logging(getattr(args, "log_level", None) or settings.log_level)
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
            token, save = _prompt_token(connection.profile_name, connection.api_url)
            if token is None:
                print(
                    "cloudzy-tui: no API token. Set CLOUDZY_API_TOKEN, save one in a profile, "
                    "or try the console on the embedded simulator: cloudzy-tui --demo",
                    file=sys.stderr,
                )
                return 2
            if save:
                try:
                    path = save_token(connection.profile_name, token, api_url=connection.api_url)
                except (ConfigError, OSError) as exc:
                    print(f"cloudzy-tui: the token was not saved: {exc}", file=sys.stderr)
                else:
                    print(f"Saved to {path} (mode 0600) with the API URL {connection.api_url}.", file=sys.stderr)
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

    from cloudzy_tui.api import RequestBudget
    from cloudzy_tui.ops.ssh import settings_from as ssh_settings_from
    from cloudzy_tui.ui.app import CloudzyApp

    # one request budget for every client of the console (see cloudzy_tui.api.budget)
    budget = RequestBudget(settings.max_requests_per_minute) if settings.max_requests_per_minute > 0 else None

    list_cache = None
    if settings.cache and not args.demo and not getattr(args, "no_cache", False) and secrets:
        from cloudzy_tui.core.cache import ListCache

        # keyed by a hash of URL, token and profile: another account never sees these rows
        list_cache = ListCache(api_url=connection.api_url, token=secrets[0], profile=profile_name)

    app = CloudzyApp(
        client,
        api_label=label,
        read_only=connection.read_only,
        refresh_seconds=settings.refresh_seconds,
        ssh_command=connection.profile.ssh_command or settings.ssh_command,
        ssh=ssh_settings_from(settings, connection.profile, profile_name),
        profile_colour=connection.profile.colour,
        profile_name=profile_name,
        protected=connection.profile.protected,
        audit=audit,
        keymap=settings.keymap,
        theme=settings.theme,
        secrets=secrets,
        list_client=list_client,
        initial_resource=settings.start_screen,
        budget=budget,
        list_cache=list_cache,
        idle_requests_per_minute=settings.idle_requests_per_minute,
    )
    app.bell_on_jobs = settings.bell
    del secrets
    app.run(mouse=not args.no_mouse)
    return 0
