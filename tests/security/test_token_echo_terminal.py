"""The real program (``python -m cloudzy_tui --log-level DEBUG``) in a pseudo-terminal, against the echo server on
a loopback socket, with a temporary HOME: what the terminal shows (rendered by a terminal emulator) and every file
the program left under HOME hold no token; the files are 0600 in 0700 directories. This is the wiring check: the
command line, the config's and log's paths, the log level and the audit log as a person starts them."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import httpx
from loopback import serve_on_loopback
from terminal.harness import console

from .echo import TOKEN, EchoServer, exposed


class AsgiEcho:
    """``EchoServer`` (an httpx handler) as an ASGI app, to serve it on a socket."""

    def __init__(self, server: EchoServer) -> None:
        self.server = server

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        url = httpx.URL(scheme="http", host="127.0.0.1", path=scope["path"], query=scope["query_string"])
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        response = self.server(httpx.Request(scope["method"], url, headers=headers, content=body))
        out = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in response.headers.items()
            if k.lower() != "content-length"
        ]
        out.append((b"content-length", str(len(response.content)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": response.content})


def test_the_real_program_shows_and_writes_no_token(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    server = EchoServer("long")
    with serve_on_loopback(AsgiEcho(server), name="echo-server") as port:
        env = {"CLOUDZY_API_URL": f"http://127.0.0.1:{port}/developers", "CLOUDZY_API_TOKEN": TOKEN}
        with console(("--log-level", "DEBUG"), columns=140, rows=40, env=env, home=home) as term:
            term.wait_text("Could not load")
            term.wait_text("Loading instances")  # the toast
            assert not exposed(term.text()), term.text()
            term.write(":")
            term.wait_text("snapshots, backups, fip")  # the command line's placeholder
            term.write("fip\r")
            term.wait_text("redirect")
            assert not exposed(term.text()), term.text()
            # The catalog's failure is logged once its retries are spent: wait for it (a condition, not a delay).
            log_file = home / ".local" / "state" / "cloudzy-tui" / "cloudzy-tui.log"
            term.wait_for(
                lambda t: log_file.exists() and " WARNING " in log_file.read_text(errors="replace"),
                what="a WARNING line in the log",
            )
            term.write("q")
            assert term.wait_exit() == 0
    assert server.requests
    files = {p: p.read_text(errors="replace") for p in home.rglob("*") if p.is_file()}
    log = home / ".local" / "state" / "cloudzy-tui" / "cloudzy-tui.log"
    assert log in files and " DEBUG " in files[log] and " WARNING " in files[log], sorted(map(str, files))
    leaks = {str(p.relative_to(home)): text[:300] for p, text in files.items() if exposed(text)}
    assert not leaks, leaks
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
