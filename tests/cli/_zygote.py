"""A pre-loaded interpreter that forks one child per CLI run (the fork server of ``tests/cli/_forkserver.py``).

Started as ``python tests/cli/_zygote.py REQUESTS_FD REPLIES_FD`` (one JSON object per line each way). It imports
the modules every scripting command imports, then, per request, forks: the child takes the request's working
directory, environment, arguments and standard streams, runs ``python -m cloudzy_tui`` as the interpreter would
(``runpy`` on the package's ``__main__``, ``SystemExit`` turned into the exit status, the exit handlers and
non-daemon threads run as at interpreter shutdown) and exits; the zygote replies with the child's exit status.
Nothing is imported or started before the fork that the command itself would not (no thread, no event loop, no
client, no logging set-up): the child begins where a fresh ``python -m cloudzy_tui`` would be once its imports are
done.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
import threading
import traceback
from typing import Any

# What every scripting command imports (parser, commands, output, operations, the API client and its models).
import cloudzy_tui.cli
import cloudzy_tui.cli.run
import cloudzy_tui.connect
import cloudzy_tui.logs
import cloudzy_tui.ops  # noqa: F401


def _child(request: dict[str, Any], channels: tuple[int, int]) -> None:
    """In the forked child: become ``python -m cloudzy_tui ARGS``; never returns."""
    code = 70
    try:
        for fd in channels:
            os.close(fd)
        os.chdir(request["cwd"])
        sys.path[0] = os.getcwd()  # as ``python -m`` sets it (this script's directory otherwise)
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in (
            (0, request["stdin"] or os.devnull, os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        sys.argv = ["cloudzy_tui", *request["args"]]
        try:
            runpy.run_module("cloudzy_tui", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:  # as the interpreter turns it into a status
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code & 0xFF
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:  # an uncaught exception: the traceback on stderr, status 1
            traceback.print_exc()
            code = 1
        threading._shutdown()  # type: ignore[attr-defined]  # non-daemon threads, as at interpreter exit
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                code = code or 120  # the interpreter's status when flushing stdout fails at exit
    finally:
        os._exit(code)


def main() -> None:
    channels = (int(sys.argv[1]), int(sys.argv[2]))
    requests = os.fdopen(channels[0], "r", encoding="utf-8")
    replies = os.fdopen(channels[1], "w", encoding="utf-8")
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request, channels)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
