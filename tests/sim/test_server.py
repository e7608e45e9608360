"""The simulator on a real loopback socket: ``python -m cloudzy_tui.sim`` and the socket-only fault path."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app
from cloudzy_tui.sim.server import build_parser, config_from_args

ROOT = Path(__file__).resolve().parents[2]
LISTEN = re.compile(r"Cloudzy API simulator on (http://127\.0\.0\.1:(\d+)/developers)\s+token: (\S+)")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            return proc.stdout.readline()
        if proc.poll() is not None:
            break
    return ""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_module_serves_on_loopback_and_stops_cleanly_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloudzy_tui.sim",
            "--port",
            "0",
            "--token",
            "sock-token",
            "--seed",
            "3",
            "--instances",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=str(ROOT),
    )
    try:
        line = _read_line(proc, timeout=20)
        match = LISTEN.search(line)
        assert match, f"no listen line: {line!r}"
        base_url, port, token = match.group(1), int(match.group(2)), match.group(3)
        assert port > 0 and token == "sock-token"
        with httpx.Client(base_url=base_url, headers={"API-Token": token}, timeout=5) as client:
            response = client.get("/v1/instances", params={"limit": 5})
            assert response.status_code == 200
            body = response.json()
            assert body["code"] == "OKAY" and len(body["data"]["instances"]) == 5
            assert client.get("/v1/regions", headers={"API-Token": "nope"}).status_code == 401
        # the request counters, outside the API and without the token (what a benchmark reads)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as control:
            counts = control.get("/_sim/requests").json()
            assert (counts["total"], counts["endpoints"]) == (2, {"GET /v1/instances": 1, "GET /v1/regions": 1})
            assert control.delete("/_sim/requests").json()["total"] == 2
            assert control.get("/_sim/requests").json()["total"] == 0
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "Traceback" not in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)


def _start(*extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cloudzy_tui.sim", "--port", "0", "--token", "t", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=str(ROOT),
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGINT, signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_right_after_the_banner_is_a_clean_stop(sig: signal.Signals) -> None:
    # The banner is what a supervisor waits for; a Ctrl-C at once used to land in uvicorn's logging set-up
    # (the banner was printed before uvicorn owned the signals) and end in a traceback with status -2.
    proc = _start()
    try:
        assert LISTEN.search(_read_line(proc, timeout=20))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and err.strip() == ""
        assert out.strip() == "Cloudzy API simulator stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)


def test_too_many_generated_instances_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from cloudzy_tui.sim.server import MAX_GENERATED_INSTANCES, main

    assert main(["--port", "0", "--instances", str(MAX_GENERATED_INSTANCES + 1)]) == 2
    assert "--instances must be between" in capsys.readouterr().err
    assert main(["--port", "0", "--instances", "-1"]) == 2


def test_busy_port_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from cloudzy_tui.sim.server import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_cli_defaults() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.token, args.seed) == ("127.0.0.1", 8765, "sim-token", 1)
    assert (args.job_seconds, args.balance, args.instances, args.latency_ms, args.error_rate, args.rate_limit) == (
        3.0,
        1000.0,
        0,
        0,
        0.0,
        0,
    )


def test_the_served_simulator_keeps_no_request_log() -> None:
    """``cloudzy-tui sim`` runs for days and its log is only readable in-process: off (the counters stay on)."""
    config = config_from_args(build_parser().parse_args(["--seed", "4", "--latency-ms", "100"]))
    assert (config.request_log, config.seed, config.latency_ms) == (0, 4, 100)


def test_connection_reset_fault_on_a_real_socket() -> None:
    """With uvicorn, a ``reset`` fault closes the connection mid-reply (no exception inside the server)."""
    import uvicorn

    sim = Simulator(SimConfig(seed=1, token="t", clock=FakeClock()))
    app = create_app(sim)
    app.state.dispatcher.on_socket = True
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started
        sim.faults.add(method="GET", path_prefix="/v1/os", reset=True)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}/developers", headers={"API-Token": "t"}, timeout=5
        ) as client:
            with pytest.raises(httpx.TransportError):
                client.get("/v1/os")
            assert client.get("/v1/os").status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()


def test_ctrl_c_while_the_simulator_loads_is_a_quiet_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """``cloudzy-tui sim``: a Ctrl-C that lands while the simulator's modules are imported (before it can own the
    signals) ends with status 130, not a traceback."""
    import types

    from cloudzy_tui import cli

    class Interrupted(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise KeyboardInterrupt

    monkeypatch.setitem(sys.modules, "cloudzy_tui.sim.server", Interrupted("cloudzy_tui.sim.server"))
    assert cli.main(["sim", "--port", "0"]) == 130
