"""``cloudzy-tui sim`` / ``python -m cloudzy_tui.sim``: serve the simulator over HTTP with uvicorn."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from types import FrameType
from typing import Any

from cloudzy_tui.sim.app import create_app
from cloudzy_tui.sim.config import SimConfig
from cloudzy_tui.sim.state import Simulator


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudzy-tui sim",
        description="Run the Cloudzy API simulator: a stateful fake of the Cloudzy Developer API v1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--token", default="sim-token", help="API-Token clients must send (default sim-token)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated account (default 1)")
    parser.add_argument(
        "--job-seconds",
        type=float,
        default=3.0,
        metavar="S",
        help="seconds each step of an asynchronous job takes (default 3)",
    )
    parser.add_argument(
        "--balance",
        type=float,
        default=1000.0,
        metavar="AMOUNT",
        help="account balance new instances are checked against (default 1000)",
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=0,
        metavar="N",
        help="extra generated instances on top of the seeded ones (e.g. 10000)",
    )
    parser.add_argument("--latency-ms", type=float, default=0, metavar="MS", help="delay added to every request")
    parser.add_argument(
        "--error-rate", type=float, default=0.0, metavar="R", help="share of requests answered 500/502/503 (0..1)"
    )
    parser.add_argument(
        "--rate-limit", type=int, default=0, metavar="N", help="answer 429 beyond N requests per second (0 = off)"
    )
    parser.add_argument(
        "--snapshot-failure-rate",
        type=float,
        default=0.1,
        metavar="R",
        help="share of snapshots that end FAILED (default 0.1)",
    )
    return parser


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/developers"


#: signals that stop the simulator cleanly (status 0, "stopped" line, no traceback)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: ``--instances`` ceiling: the generated instances draw main IPs from pools of about 65,000 addresses
MAX_GENERATED_INSTANCES = 50_000


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if not 0 <= args.error_rate <= 1:
        print("--error-rate must be between 0 and 1", file=sys.stderr)
        return 2
    if not 0 <= args.instances <= MAX_GENERATED_INSTANCES:
        print(f"--instances must be between 0 and {MAX_GENERATED_INSTANCES}", file=sys.stderr)
        return 2
    # From here on a stop signal is only noted: uvicorn takes over the signals while it serves, and a signal
    # that arrives before that (during start-up) stops the server as soon as it is up. Without this, a Ctrl-C
    # right after the banner could land in uvicorn's logging set-up and end in a traceback.
    stop_requested: list[int] = []

    def note_stop(sig: int, frame: FrameType | None) -> None:
        stop_requested.append(sig)

    previous: dict[int, Any] = {}
    try:
        for sig in STOP_SIGNALS:
            previous[sig] = signal.signal(sig, note_stop)
    except ValueError:  # not the main thread: leave the signals alone
        previous = {}
    try:
        return _serve(args, stop_requested)
    finally:
        for stopped, handler in previous.items():
            signal.signal(stopped, handler)


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The run's configuration. The request log is off: no one in another process can read it, and a server that
    runs for days must not grow; the per-endpoint counters (``GET /_sim/requests``) stay on."""
    return SimConfig(
        seed=args.seed,
        token=args.token,
        job_seconds=args.job_seconds,
        balance=args.balance,
        instances=args.instances,
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        rate_limit=args.rate_limit,
        snapshot_failure_rate=args.snapshot_failure_rate,
        request_log=0,
    )


def _serve(args: argparse.Namespace, stop_requested: list[int]) -> int:
    import uvicorn

    app = create_app(Simulator(config_from_args(args)))
    app.state.dispatcher.on_socket = True

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        sock.close()
        return 1
    sock.listen(2048)
    sock.setblocking(False)
    banner = f"Cloudzy API simulator on {_url(args.host, sock.getsockname()[1])}  token: {args.token}"

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if stop_requested:  # a stop signal came during start-up
                self.should_exit = True
                return
            # printed once the server is up and owns the signals: a client may connect and a SIGINT stops it
            print(banner, flush=True)

    server = Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    print("Cloudzy API simulator stopped", flush=True)
    return 0
