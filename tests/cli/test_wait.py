"""``--wait`` to a terminal state (succeeded, FAILED, timed out), Ctrl-C, and what a person at a terminal sees:
the question before a dangerous operation and the progress line."""

from __future__ import annotations

import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
from terminal.harness import Terminal

from ._helpers import PY, ROOT, TIMEOUT, Api, Cli, isolated_env, no_escapes

FAST = ("--interval", "0.1")


def test_wait_follows_the_job_to_its_end_and_prints_the_final_object(cli: Cli, api: Api) -> None:
    result = cli("power-off", "web-01", "--yes", "--wait", *FAST, "-o", "json")
    assert result.code == 0, result
    doc = result.json()
    (job,) = doc["jobs"]
    assert job["state"] == "succeeded" and job["status"] == "shutdown"
    assert job["object"]["hostname"] == "web-01" and job["object"]["status"] == "shutdown"
    assert api.instance("web-01")["status"] == "shutdown"
    assert "web-01 is shutdown after" in result.err  # how it ended, on stderr
    assert no_escapes(result.err)  # stderr is not a terminal: no progress line drawn


def test_wait_table_prints_the_object_as_it_ended(cli: Cli, api: Api) -> None:
    result = cli("snapshot", "cache-01", "--wait", *FAST)
    assert result.code == 0, result
    header, row = result.out.splitlines()
    assert header.split()[:3] == ["ID", "NAME", "STATUS"]
    assert row.split()[2] == "ACTIVE"
    snapshot_id = row.split()[0]
    assert next(s for s in api.snapshots() if s["id"] == snapshot_id)["status"] == "ACTIVE"


def test_wait_on_a_delete_ends_when_the_instance_is_gone(cli: Cli, api: Api) -> None:
    result = cli("delete", "sandbox-team", "--yes", "--wait", *FAST, "-o", "json")
    assert result.code == 0, result
    assert result.json()["jobs"][0]["state"] == "succeeded"
    assert all(i["hostname"] != "sandbox-team" for i in api.instances())


def test_a_job_that_ends_failed_is_exit_5(cli: Cli) -> None:
    result = cli(
        "iso",
        "download",
        "--name",
        "broken",
        "--url",
        "https://mirror.invalid/x.iso",
        "--region",
        "us-utah",
        "--wait",
        *FAST,
        "-o",
        "json",
    )
    assert result.code == 5, result
    (job,) = result.json()["jobs"]
    assert job["state"] == "failed" and job["status"] == "FAILED"
    assert "FAILED after" in result.err


@pytest.fixture
def demo(tmp_path: Path) -> Cli:
    """The embedded simulator with slow jobs (60 s a step): nothing finishes during these tests."""
    return Cli(isolated_env(tmp_path, None, token=None), tmp_path)


def test_a_wait_that_outlasts_timeout_is_exit_5(demo: Cli) -> None:
    result = demo(
        "--demo",
        "--job-seconds",
        "60",
        "power-off",
        "web-01",
        "--yes",
        "--wait",
        "--timeout",
        "0.5",
        *FAST,
        "-o",
        "json",
    )
    assert result.code == 5, result
    (job,) = result.json()["jobs"]
    assert job["state"] == "timed_out"
    assert "gave up after" in result.err


def test_ctrl_c_while_waiting_is_exit_130(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, None, token=None)
    proc = subprocess.Popen(
        [PY, "-m", "cloudzy_tui", "--demo", "--job-seconds", "60", "power-off", "web-01", "--yes", "--wait"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(ROOT),
    )
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + TIMEOUT
        seen = ""
        while "Powering off web-01" not in seen and time.monotonic() < deadline:  # the request went out: waiting
            ready, _, _ = select.select([proc.stderr], [], [], 0.2)
            if ready:
                seen += proc.stderr.readline()
            assert proc.poll() is None, seen
        assert "Powering off web-01" in seen
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=TIMEOUT)
        rest = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert code == 130
    assert "interrupted" in rest and "Traceback" not in rest


# ------------------------------------------------------------------------------------------------ at a terminal


def _terminal(cli: Cli, *args: str) -> Terminal:
    return Terminal(args, columns=120, rows=30, env=cli.env)


def test_at_a_terminal_it_asks_and_a_yes_runs_it(cli: Cli, api: Api) -> None:
    term = _terminal(cli, "reset", "nextcloud")
    try:
        term.wait_text("[y/N]")
        assert "Reset nextcloud" in term.text()  # what will happen, before the question
        term.write("y\r")
        assert term.wait_exit() == 0
        assert "Resetting nextcloud" in term.text()
    finally:
        term.close()
    assert [e["action"] for e in cli.audit if e["method"]] == ["Reset"]


def test_at_a_terminal_a_no_refuses(cli: Cli, api: Api) -> None:
    term = _terminal(cli, "power-off", "gpu-train-01")
    try:
        term.wait_text("[y/N]")
        term.write("\r")  # the default is no
        assert term.wait_exit() == 3
        assert "not confirmed" in term.text()
    finally:
        term.close()
    assert api.instance("gpu-train-01")["status"] == "active"


def test_at_a_terminal_delete_needs_the_hostname_typed_exactly(cli: Cli, api: Api) -> None:
    term = _terminal(cli, "delete", "k8s-master")
    try:
        term.wait_text("Type the hostname 'k8s-master' to confirm:")
        term.write("K8S-master\r")
        assert term.wait_exit() == 3
        assert "type the hostname 'k8s-master' exactly" in term.text()
    finally:
        term.close()
    assert api.instance("k8s-master")["status"] == "active"
    term = _terminal(cli, "delete", "k8s-master")
    try:
        term.wait_text("to confirm:")
        term.write("k8s-master\r")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert all(i["hostname"] != "k8s-master" for i in api.instances())
    gone = [i for i in api.instances(includeDeleted="true") if i["hostname"] == "k8s-master"]
    assert [i["status"] for i in gone] == ["deleted"]


def test_at_a_terminal_wait_draws_a_progress_line(cli: Cli) -> None:
    term = _terminal(cli, "power-off", "worker-01", "--yes", "--wait", *FAST)
    try:
        assert term.wait_exit() == 0
        output = term.output.decode()
    finally:
        term.close()
    assert "\r\x1b[Kworker-01: power off · " in output  # redrawn in place on stderr
    assert "worker-01 is shutdown after" in term.text()
    assert "\x1b[" not in output.split("worker-01 is shutdown after")[1].split("\n", 1)[1]  # the table is plain
