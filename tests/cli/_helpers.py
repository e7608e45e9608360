"""The scripting CLI driven as it is used: ``python -m cloudzy_tui ...`` subprocesses against ``cloudzy-tui sim`` on a
loopback socket (one simulator process per test module), each run in its own temporary HOME and XDG dirs."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ._forkserver import SERVER as FORKS

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
TOKEN = "cli-test-token-7d2e91c4"
LISTEN = re.compile(r"Cloudzy API simulator on (http://127\.0\.0\.1:\d+/developers)")
COLD = os.environ.get("CLOUDZY_TESTS_COLD_CLI") == "1"
# Generous: a loaded 2-core machine runs several of these at once.
TIMEOUT = 120.0


@contextmanager
def simulator_process(job_seconds: float = 0.2, *extra: str) -> Iterator[str]:
    """``cloudzy-tui sim`` on 127.0.0.1 at a free port; yields its base URL; stopped (and reaped) afterwards."""
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "cloudzy_tui",
            "sim",
            "--port",
            "0",
            "--token",
            TOKEN,
            "--job-seconds",
            str(job_seconds),
            "--snapshot-failure-rate",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + TIMEOUT
        line = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if ready:
                line = proc.stdout.readline()
                break
            assert proc.poll() is None, "the simulator ended before it listened"
        match = LISTEN.search(line)
        assert match, f"the simulator did not start: {line!r}"
        yield match.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode is not None


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def isolated_env(tmp: Path, url: str | None, token: str | None = TOKEN) -> dict[str, str]:
    """An environment with its own HOME, XDG, config and state dirs (nothing written to the real home), the API of
    the test's simulator, and no CLOUDZY_* variable of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDZY_", "XDG_"))}
    home = tmp / "home"
    for sub in ("config", "state", "cache", "data"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        CLOUDZY_TUI_CONFIG_DIR=str(tmp / "cloudzy-config"),
        CLOUDZY_TUI_STATE_DIR=str(tmp / "cloudzy-state"),
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    if url is not None:
        env["CLOUDZY_API_URL"] = url
    if token is not None:
        env["CLOUDZY_API_TOKEN"] = token
    return env


class Cli:
    """Runs ``python -m cloudzy_tui ARGS`` with the test's environment; stdin is not a terminal (/dev/null or the
    ``input`` given). Each run is its own process, forked from a pre-loaded interpreter (``_forkserver.py``), or
    started cold with ``CLOUDZY_TESTS_COLD_CLI=1``."""

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.env = env
        self.tmp = tmp

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = TIMEOUT
    ) -> Result:
        full_env = {**self.env, **(env or {})}
        if COLD:
            done = subprocess.run(
                [PY, "-m", "cloudzy_tui", *args],
                input=input,
                capture_output=True,
                text=True,
                env=full_env,
                cwd=str(self.tmp),
                timeout=timeout,
                stdin=subprocess.DEVNULL if input is None else None,
            )
        else:
            done = FORKS.run(list(args), full_env, str(self.tmp), input, timeout)
        return Result(done.returncode, done.stdout, done.stderr)

    @property
    def audit(self) -> list[dict[str, Any]]:
        path = Path(self.env["CLOUDZY_TUI_STATE_DIR"]) / "audit.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def write_config(self, text: str) -> Path:
        directory = Path(self.env["CLOUDZY_TUI_CONFIG_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "config.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return path


# ------------------------------------------------------------------------------------------------ the API itself


class Api:
    """Reads the simulator over HTTP, independently of the CLI and of the project's API client."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: Any) -> Any:
        reply = httpx.get(self.url + path, headers={"API-Token": TOKEN}, params=params, timeout=30)
        reply.raise_for_status()
        return reply.json()["data"]

    def instances(self, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        bookmark = None
        while True:
            query = {"limit": 100, **params}
            if bookmark:
                query["bookmark"] = bookmark
            data = self.get("/v1/instances", **query)
            found.extend(data["instances"])
            bookmark = data.get("bookmark")
            if not bookmark or not data["instances"]:
                return found

    def instance(self, hostname: str) -> dict[str, Any]:
        matches = [i for i in self.instances() if i["hostname"] == hostname]
        assert len(matches) == 1, hostname
        return self.get(f"/v1/instances/{matches[0]['id']}")

    def snapshots(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.get("/v1/snapshots", page=page, limit=100)
            found.extend(data["snapshots"])
            if not data["snapshots"] or len(found) >= data["total"]:
                return found
            page += 1

    def floating_ips(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.get("/v1/floating-ips", **params)["floatingIps"])

    def sim_requests(self) -> dict[str, Any] | None:
        """The simulator's request counters (``GET /_sim/requests``), or ``None`` where this simulator has none."""
        root = self.url.removesuffix("/developers")
        reply = httpx.get(root + "/_sim/requests", timeout=30)
        if reply.status_code == 404:
            return None
        reply.raise_for_status()
        return dict(reply.json())


def mutations(counts: dict[str, Any] | None) -> int | None:
    """How many non-GET requests the counters hold."""
    if counts is None:
        return None
    return sum(n for endpoint, n in counts["endpoints"].items() if not endpoint.startswith(("GET ", "HEAD ")))


def ed25519_public_key(comment: str = "cli@test", seed: int = 1) -> str:
    """A well-formed OpenSSH ed25519 public key (a made-up 32-byte point: the API checks the format only)."""
    import base64
    import struct

    def field(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = field(b"ssh-ed25519") + field(bytes((seed + i) % 256 for i in range(32)))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def no_escapes(text: str) -> bool:
    """No control character other than a line break or a tab (so no ESC, no CSI, no OSC)."""
    return not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


def exit_codes(results: Sequence[Result]) -> list[int]:
    return [r.code for r in results]
