"""An SSH public key "from a file path" reads only what a public key file can be.

Through the console's own form (`n` on SSH keys, a path in the key field): a FIFO, a device (/dev/zero), a directory,
a file over the 16 KB cap and a text file that is no key are refused at the field, at once, with a message that
never quotes the file; a hanging read (a dead network mount) gives up after a timeout while the console keeps
answering; a valid .pub file is sent. Nothing is sent to the API for a refused file.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input
from ui.helpers import form_on_screen, loaded, wait_for

from cloudzy_tui.ops import keyfile
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.resources import ssh_keys

from .keys import ed25519

CAP = 16 * 1024


def _posts(simulator: Any) -> list[Any]:
    return [r for r in simulator.requests if r.method == "POST" and r.path == "/v1/ssh-keys"]


async def _submit_path(pilot: Any, path: str) -> FormModal[Any]:
    pilot.app.show_resource("ssh-keys")
    await loaded(pilot, "ssh-keys")
    await pilot.press("n")
    form = await form_on_screen(pilot)
    form.query_one("#field-name", Input).value = "from-file"
    form.query_one("#field-public_key", Input).value = path
    await pilot.click("#submit")
    return form


def _field_error(form: FormModal[Any]) -> str:
    return str(form.query_one("#error-public_key").render())


async def _refused(pilot: Any, simulator: Any, path: str, expected: str) -> str:
    form = await _submit_path(pilot, path)
    await wait_for(pilot, lambda: bool(_field_error(form)))
    error = _field_error(form)
    assert expected in error, error
    assert isinstance(pilot.app.screen, FormModal) and not form.busy
    assert not _posts(simulator)
    return error


@contextlib.contextmanager
def _unblocker(fifo: Path, after: float = 10.0) -> Iterator[list[bool]]:
    """If the console is still stuck opening ``fifo`` after ``after`` seconds (the old code), open its other end and
    close it so the test can end; ``flag[0]`` tells whether that was needed."""
    done = threading.Event()
    flag = [False]

    def watch() -> None:
        if done.wait(after):
            return
        while not done.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # nobody reading yet
                done.wait(0.05)
                continue
            flag[0] = True
            os.close(fd)
            return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield flag
    finally:
        done.set()
        thread.join(timeout=5)
        assert not thread.is_alive()


async def test_a_fifo_is_refused_without_blocking(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "key.pub"
    os.mkfifo(fifo)
    app = make_app()
    with _unblocker(fifo) as needed:
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot, "instances")
            await _refused(pilot, simulator, str(fifo), "not a regular file")
    assert not needed[0], "the console was stuck opening a FIFO"


@contextlib.contextmanager
def _memory_ceiling(extra: int = 768 * 1024 * 1024) -> Iterator[None]:
    """A read of /dev/zero that never stops (the old code) fails with MemoryError here instead of eating the
    machine; the new code never gets near it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    ceiling = size + extra
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
async def test_a_device_is_refused_unread(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        with _memory_ceiling():
            await _refused(pilot, simulator, "/dev/zero", "not a regular file")


async def test_a_directory_is_refused(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    folder = tmp_path / "keys.pub"
    folder.mkdir()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await _refused(pilot, simulator, str(folder), "not a regular file")


async def test_a_file_over_the_cap_is_refused(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.pub"
    big.write_text(ed25519() + " " + "c" * CAP)  # a valid key with an absurd comment: too large all the same
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        error = await _refused(pilot, simulator, str(big), "larger than 16 KB")
        assert "ccc" not in error


def test_no_more_than_the_cap_is_ever_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cap is enforced on what is read (cap + 1 bytes at most), not on what stat says (a /proc file says 0)."""
    big = tmp_path / "big.pub"
    big.write_bytes(b"x" * (10 * CAP))
    requested: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        requested.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", counting_read)
    monkeypatch.setattr(os, "fstat", lambda fd, real=os.fstat: _size_zero(real(fd)))
    with pytest.raises(ValueError, match="larger than 16 KB"):
        keyfile.read_key_file(big)
    assert requested and sum(requested) <= CAP + 1


def _size_zero(st: os.stat_result) -> os.stat_result:
    values = list(st)
    values[6] = 0  # st_size
    return os.stat_result(values)


SHADOW_LIKE = "root:$6$salt$hashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


async def test_a_text_file_that_is_no_key_is_not_quoted(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.write_text(SHADOW_LIKE)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        error = await _refused(pilot, simulator, str(shadow), "does not hold an SSH public key")
        error = error.replace(str(shadow), "")  # the path is named (it was typed); what it holds never is
        for piece in ("root", "$6$", "salt", "hash", "19000", "daemon"):
            assert piece not in error, error


async def test_a_binary_file_is_refused_unquoted(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    blob = tmp_path / "blob.pub"
    blob.write_bytes(b"ssh-ed25519 \xff\xfe secret-bytes")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        error = await _refused(pilot, simulator, str(blob), "not UTF-8 text")
        assert "secret-bytes" not in error


async def test_a_hanging_read_times_out_and_the_console_answers(
    make_app: Any, simulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "id.pub"
    key.write_text(ed25519() + "\n")
    release = threading.Event()
    entered = threading.Event()

    def hang(path: Path, limit: int = CAP) -> str:
        entered.set()
        release.wait(30)
        return ed25519()

    monkeypatch.setattr(ssh_keys, "read_key_file", hang)
    monkeypatch.setattr(ssh_keys, "KEY_FILE_TIMEOUT", 0.5)
    app = make_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot, "instances")
            form = await _submit_path(pilot, str(key))
            await wait_for(pilot, entered.is_set)
            # While the read hangs the console answers keys: the field takes typing.
            form.query_one("#field-name", Input).focus()
            await pilot.press("end", "x")
            assert form.query_one("#field-name", Input).value == "from-filex"
            await wait_for(pilot, lambda: "did not answer" in _field_error(form))
            assert not _posts(simulator)
    finally:
        release.set()


async def test_a_valid_key_file_is_sent(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519.pub"
    key.write_text(ed25519("laptop-file") + "\n")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await _submit_path(pilot, str(key))
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
        sent = _posts(simulator)[-1].body
        assert sent["publicKey"] == ed25519("laptop-file")
