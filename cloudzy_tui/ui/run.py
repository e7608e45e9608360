"""Start the console: against an API (profile, token) or the embedded simulator (``--demo``)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import signal
import sys
import threading
from typing import Any

# Signals that end the console the way ``q`` does: the terminal restored (raw mode off, main screen back, mouse
# tracking off, cursor shown), then the exit status 128+signal. SIGHUP is what a dropped SSH link sends; SIGINT
# only arrives from outside (``kill -INT``): at the keyboard the console reads Ctrl-C as a key (raw mode), and it
# does not quit (``q`` or ctrl+q does), so a reflexive Ctrl-C never throws away a session.
EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
# After such a signal, how long the orderly shutdown may take before the terminal is restored by hand and the
# process ends anyway (a dropped link can make every write fail or block).
SIGNAL_GRACE = 5.0


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
    from cloudzy_tui.config import (
        ConfigError,
        audit_path,
        config_path,
        permission_warning,
        resolve,
        save_token,
        token_for,
    )
    from cloudzy_tui.connect import ProfileSwitcher, open_console
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
    token: str | None = None
    if args.demo:
        profile_name = "demo"
        audit = AuditLog(None, "demo")
        switcher = None  # --demo: one embedded simulator, no profiles to switch to
    else:
        secret = token_for(connection)
        switcher = ProfileSwitcher(
            startup=connection.profile_name,
            api_url=args.api_url,
            read_only=args.read_only,
            cache=not getattr(args, "no_cache", False),
        )
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
            switcher.remember(connection.profile_name, token)
        else:
            token = secret.get_secret_value()
        del secret
        profile_name = connection.profile_name
        audit = AuditLog(audit_path(), profile_name)

    from cloudzy_tui.ui.app import CloudzyApp

    # the clients (one request budget for all: cloudzy_tui.api.budget), the list cache, the profile's policy
    bundle = open_console(
        connection,
        token,
        demo=args.demo,
        seed=args.seed,
        job_seconds=args.job_seconds,
        cache=not getattr(args, "no_cache", False),
    )
    del token
    app = CloudzyApp(
        connection=bundle,
        profiles=switcher,
        refresh_seconds=settings.refresh_seconds,
        audit=audit,
        keymap=settings.keymap,
        theme=settings.theme,
        initial_resource=settings.start_screen,
        idle_requests_per_minute=settings.idle_requests_per_minute,
    )
    app.bell_on_jobs = settings.bell
    del bundle
    return run_app(app, mouse=not args.no_mouse)


def run_app(app: Any, *, mouse: bool = True) -> int:
    """Run the console; its exit status: 0 after ``q``, 128+signal after SIGTERM/SIGHUP/SIGINT, 1 after a crash
    (Textual's crash report, scrubbed, printed as the console ends)."""
    received: list[int] = []
    # The terminal as Textual's driver finds it (its stdin, its stderr for output), for the last resort below.
    tty_in = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
    tty_out = sys.__stderr__.fileno() if sys.__stderr__ is not None else 2
    try:
        import termios

        saved_mode: list[Any] | None = termios.tcgetattr(tty_in)
    except Exception:
        saved_mode = None

    def last_resort(signum: int) -> None:
        """The orderly shutdown did not finish in time: restore the terminal by hand and go."""
        if saved_mode is not None:
            try:
                import termios

                termios.tcsetattr(tty_in, termios.TCSANOW, saved_mode)
            except Exception:
                pass
        with contextlib.suppress(OSError):
            os.write(tty_out, b"\x1b[?1000l\x1b[?1003l\x1b[?1006l\x1b[?1049l\x1b[?25h")
        os._exit(128 + signum)

    def on_signal(signum: int, _frame: Any = None) -> None:
        if not received:
            received.append(signum)
            timer = threading.Timer(SIGNAL_GRACE, last_resort, (signum,))
            timer.daemon = True
            timer.start()
        loop = getattr(app, "_loop", None)
        if loop is not None:  # a signal handler runs between bytecodes: hand the exit to the event loop
            loop.call_soon_threadsafe(lambda: app.exit(return_code=128 + signum))

    previous = {}
    for signum in EXIT_SIGNALS:
        with contextlib.suppress(ValueError, OSError):  # not the main thread: Textual's own behaviour
            previous[signum] = signal.signal(signum, on_signal)
    try:
        app.run(mouse=mouse)
    finally:
        for signum, handler in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, handler)
    if received:
        return 128 + received[0]
    code = app.return_code
    return int(code) if code else 0
