"""An ASGI app (the simulator) served on a real loopback socket by uvicorn in a thread, for the tests that need a
socket rather than an in-process transport. Stopped and joined when the ``with`` block ends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serve_on_loopback(app: Any, name: str = "test-sim") -> Iterator[int]:
    """Serve ``app`` on 127.0.0.1 at a free port; yields the port once the server is listening, and checks on
    the way out that the server thread has ended."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline and thread.is_alive():
            time.sleep(0.01)
        assert server.started, "the simulator did not start listening"
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    # tests leave nothing running (checked after a test that passed; a failing one reports its own error)
    assert not thread.is_alive(), "the simulator's server thread is still running"
