"""Command line entry point: ``cloudzy-tui [options]``, ``cloudzy-tui sim ...``, ``cloudzy-tui info``.

Kept light: heavy modules (Textual, the simulator) are imported only by the sub-command that needs them,
so ``cloudzy-tui --help`` does not pay for them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cloudzy_tui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudzy-tui",
        description="A keyboard-driven terminal console for the Cloudzy Developer API.",
        epilog=(
            "Sub-commands: 'cloudzy-tui sim --help' runs the Cloudzy API simulator on a socket; "
            "'cloudzy-tui info' prints the configuration paths in use."
        ),
    )
    parser.add_argument("--version", action="version", version=f"cloudzy-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on the embedded Cloudzy API simulator with seeded demo data (no token needed)",
    )
    parser.add_argument("--read-only", action="store_true", help="refuse every mutating action")
    parser.add_argument("--profile", metavar="NAME", help="configuration profile to use")
    parser.add_argument("--api-url", metavar="URL", help="API base URL (default: CLOUDZY_API_URL or the profile's)")
    parser.add_argument(
        "--log-level",
        metavar="LEVEL",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default=None,
        help="the log file's level: DEBUG, INFO, WARNING, ERROR or CRITICAL (default: the config's log_level, INFO)",
    )
    parser.add_argument("--no-mouse", action="store_true", help="leave the mouse to the terminal (text selection)")
    parser.add_argument("--seed", type=int, default=1, help="demo mode: simulator seed (default 1)")
    parser.add_argument(
        "--job-seconds", type=float, default=None, help="demo mode: seconds each asynchronous transition takes"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "sim":
        try:
            from cloudzy_tui.sim.server import main as sim_main
        except KeyboardInterrupt:  # Ctrl-C while the simulator's modules load: a stop, not a traceback
            return 130
        return sim_main(args_list[1:])
    if args_list and args_list[0] == "info":
        from cloudzy_tui.config import print_info

        return print_info(args_list[1:])
    args = build_parser().parse_args(args_list)
    from cloudzy_tui.ui.run import run_console

    return run_console(args)


if __name__ == "__main__":
    raise SystemExit(main())
