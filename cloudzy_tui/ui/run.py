"""Start the console: against the real API (token from the environment) or the embedded simulator (``--demo``)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

DEFAULT_API_URL = "https://api.cloudzy.com/developers"
DEMO_TOKEN = "demo-token"
DEMO_URL = "http://demo.simulator/developers"


def demo_client(seed: int = 1, job_seconds: float | None = None, **sim_options: Any) -> Any:
    """A client wired to a fresh in-process simulator (no socket, no network)."""
    import httpx

    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.sim import SimConfig, Simulator, create_app

    options: dict[str, Any] = {"seed": seed, "token": DEMO_TOKEN, **sim_options}
    if job_seconds is not None:
        options["job_seconds"] = job_seconds
    simulator = Simulator(SimConfig(**options))
    transport = httpx.ASGITransport(app=create_app(simulator))
    client = CloudzyClient(DEMO_URL, DEMO_TOKEN, transport=transport)
    client.simulator = simulator  # type: ignore[attr-defined]
    return client


def run_console(args: argparse.Namespace) -> int:
    from cloudzy_tui.api import CloudzyClient

    if args.demo:
        client = demo_client(seed=args.seed, job_seconds=args.job_seconds)
        label = "demo · embedded simulator"
    else:
        url = args.api_url or os.environ.get("CLOUDZY_API_URL") or DEFAULT_API_URL
        if not os.environ.get("CLOUDZY_API_TOKEN"):
            print(
                "cloudzy-tui: no API token. Set CLOUDZY_API_TOKEN (from the Cloudzy panel's API settings),\n"
                "or try the console on the embedded simulator: cloudzy-tui --demo",
                file=sys.stderr,
            )
            return 2
        client = CloudzyClient(url, os.environ["CLOUDZY_API_TOKEN"])
        label = url.removeprefix("https://").removeprefix("http://")

    from cloudzy_tui.ui.app import CloudzyApp

    app = CloudzyApp(client, api_label=label, read_only=args.read_only)
    app.run(mouse=not args.no_mouse)
    return 0
