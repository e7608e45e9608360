"""Command line entry point: the console (no command), the scripting commands, ``sim``, ``info``, ``completion``.

Kept light: heavy modules (Textual, httpx, pydantic, the simulator) are imported only by the command that needs
them, so ``cloudzy-tui --help`` does not pay for them (``tests/cli/test_help.py`` checks it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cloudzy_tui.cli.parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(args_list)
    command = getattr(args, "command", None)
    if command == "sim":
        try:
            from cloudzy_tui.sim.server import main as sim_main
        except KeyboardInterrupt:  # Ctrl-C while the simulator's modules load: a stop, not a traceback
            return 130
        return sim_main(extra)
    if command == "mcp":
        from cloudzy_tui.mcp import main as mcp_main

        # Global options given before `mcp` are the server's too.
        forwarded: list[str] = []
        for option, value in (("--profile", args.profile), ("--api-url", args.api_url)):
            if value:
                forwarded += [option, value]
        if args.demo:
            forwarded += ["--demo", "--seed", str(args.seed)]
            if args.job_seconds is not None:
                forwarded += ["--job-seconds", str(args.job_seconds)]
        return mcp_main([*forwarded, *extra])
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if command is None:
        from cloudzy_tui.ui.run import run_console

        return run_console(args)
    if command == "serve":
        from cloudzy_tui.web.serve import run_serve

        return run_serve(args)
    if command == "completion":
        import shtab

        print(shtab.complete(parser, shell=args.shell), end="")
        return 0
    from cloudzy_tui.cli.run import run

    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
