"""``cloudzy-tui serve``: loopback by default, a non-loopback host only with --public (and a warning), and the
console in a real headless Chromium (the OS package, driven by Playwright; no browser download): the instances
appear, ``:snapshots`` shows the snapshots, ``s`` says ssh is not available, and the token is nowhere in the page,
its URL or a command line."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN

from cloudzy_tui.cli import main
from cloudzy_tui.web.serve import console_command, is_loopback

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: where textual-serve's page script makes its terminal; the test page keeps a handle on it to read the screen
#: (xterm.js paints on a canvas: the text is in the terminal's buffer, not in the DOM)
PATCH_POINT = "t.fit(),s||t.connect()"
LIMIT = 90.0  # seconds: a limit for a test that hangs, never a performance figure


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.com", ""):
        assert not is_loopback(host), host


def test_a_non_loopback_host_is_refused_without_public(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--demo", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0" in err and "--public" in err and "drives the account" in err


def test_public_serves_with_a_warning(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    textual_serve = pytest.importorskip("textual_serve.server", reason="textual-serve is not installed ([web])")
    served: list[tuple[str, int, str]] = []
    monkeypatch.setattr(
        textual_serve.Server, "serve", lambda self, debug=False: served.append((self.host, self.port, self.command))
    )
    assert main(["serve", "--demo", "--host", "0.0.0.0", "--port", "8123", "--public"]) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "drives this Cloudzy account" in err
    host, port, command = served[0]
    assert (host, port) == ("0.0.0.0", 8123)
    assert command.endswith("-m cloudzy_tui --demo --seed 1")


def test_the_console_command_never_carries_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    monkeypatch.setenv("CLOUDZY_API_TOKEN", TOKEN)
    args = argparse.Namespace(
        profile="prod",
        api_url="http://127.0.0.1:9/developers",
        read_only=True,
        demo=False,
        seed=1,
        job_seconds=None,
        log_level=None,
    )
    argv = console_command(args)
    assert argv[1:] == [
        "-m",
        "cloudzy_tui",
        "--profile",
        "prod",
        "--api-url",
        "http://127.0.0.1:9/developers",
        "--read-only",
    ]
    assert not any(TOKEN in part for part in argv)


# ---------------------------------------------------------------------------------------------- in a real browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until(predicate: Any, what: str, limit: float = LIMIT, show: Any = None) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in time: {what}" + (f"\n{show()}" if show is not None else ""))
        time.sleep(0.05)


def _accepting(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.fixture
def server(served_simulator: str, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    pytest.importorskip("textual_serve.server", reason="textual-serve is not installed (the [web] extra)")
    port = _free_port()
    env = {
        **os.environ,
        "CLOUDZY_API_TOKEN": TOKEN,
        "HOME": str(tmp_path),
        "CLOUDZY_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "CLOUDZY_TUI_STATE_DIR": str(tmp_path / "state"),
    }
    env.pop("CLOUDZY_PROFILE", None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudzy_tui", "serve", "--port", str(port), "--api-url", served_simulator],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until(lambda: _accepting(port) or process.poll() is not None, "the server listens")
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        yield port, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


READ_SCREEN = """() => {
  const t = window.__textualTerminal && window.__textualTerminal.terminal;
  if (!t) return "";
  const b = t.buffer.active, out = [];
  for (let i = 0; i < t.rows; i++) { const l = b.getLine(i); out.push(l ? l.translateToString(true) : ""); }
  return out.join("\\n");
}"""


def test_the_console_in_headless_chromium(server: tuple[int, Any], simulator: Any) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("no browser: the OS package chromium is not installed (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright (the Python package) is not installed")
    port, process = server
    hostname = next(r["hostname"] for r in simulator.instances.values() if r["status"] == "active" and r["mainIp"])
    snapshot = next(s["name"] for s in simulator.snapshots.values() if not s.automated)
    patched: list[bool] = []

    def patch_script(route: Any) -> None:
        response = route.fetch()
        body = response.text()
        patched.append(PATCH_POINT in body)
        route.fulfill(response=response, body=body.replace(PATCH_POINT, f"window.__textualTerminal=t,{PATCH_POINT}"))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route("**/js/textual.js", patch_script)
            page.goto(f"http://127.0.0.1:{port}/")
            assert patched == [True], "textual-serve's page script changed: the test cannot read the terminal"

            def screen() -> str:
                return str(page.evaluate(READ_SCREEN))

            _wait_until(lambda: hostname in screen(), f"instance {hostname} in the page", show=screen)
            page.focus(".xterm-helper-textarea")
            page.keyboard.type(":")
            _wait_until(lambda: ":snapshots (snap" in screen(), "the : line", show=screen)
            page.keyboard.type("snapshots")
            page.keyboard.press("Enter")
            _wait_until(lambda: snapshot in screen(), f"snapshot {snapshot} in the page", show=screen)
            assert "Snapshots" in screen()

            # ssh from the browser: said not to be available.
            page.keyboard.type(":")
            _wait_until(lambda: ":instances (in" in screen(), "the : line again", show=screen)
            page.keyboard.type("instances")
            page.keyboard.press("Enter")
            _wait_until(
                lambda: hostname in screen() and "Instances" in screen().splitlines()[0],
                "the instances again",
                show=screen,
            )
            # onto an active instance (a shut-down one is refused for that reason first)
            page.keyboard.type("/")
            page.keyboard.type(hostname)
            _wait_until(lambda: f"filter: {hostname}" in screen().splitlines()[0], "the filter typed", show=screen)
            page.keyboard.press("Enter")
            _wait_until(lambda: " s SSH" in screen().splitlines()[-1], "the instances' keys again", show=screen)
            page.keyboard.type("s")
            _wait_until(lambda: "not available in the browser" in screen(), "ssh refused in the browser", show=screen)

            # The token: not in the page, its URL, what the terminal shows, nor any console's command line.
            assert TOKEN not in page.content() and TOKEN not in page.url and TOKEN not in screen()
            consoles = _descendants(process.pid)
            assert consoles, "a console process per browser session"
            for pid in consoles:
                with contextlib.suppress(OSError):
                    assert TOKEN.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
            assert TOKEN.encode() not in Path(f"/proc/{process.pid}/cmdline").read_bytes()
        finally:
            browser.close()
