"""SSH keys: list, detail with the full public key, create (pasted or from a file), delete."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from cloudzy_tui.api import SshKey
from cloudzy_tui.ops import Outcome
from cloudzy_tui.ops import ssh_keys as key_ops
from cloudzy_tui.ops.keyfile import read_key_file
from cloudzy_tui.ops.ssh_keys import key_comment, key_type
from cloudzy_tui.ui.modals.form import FormError, FormField, FormModal
from cloudzy_tui.ui.operations import check, execute_in_form, show_outcome
from cloudzy_tui.ui.resources.base import ActionCall, Column, ResourceSpec, Section, View, op_action
from cloudzy_tui.ui.text import clean, safe_text

#: a read of a key file that takes longer than this is given up (the console keeps answering meanwhile)
KEY_FILE_TIMEOUT = 5.0


def key_detail(k: SshKey, view: View) -> list[Section]:
    return [
        Section(
            "SSH key",
            rows=[
                ("name", k.name),
                ("id", k.id),
                ("type", key_type(k)),
                ("fingerprint", k.fingerprint),
                ("comment", key_comment(k)),
                ("customer", k.customer_id),
            ],
        ),
        Section("Public key", body=safe_text(k.public_key, single_line=False, max_length=20000)),
    ]


def looks_like_path(value: str) -> bool:
    """``~/.ssh/id_ed25519.pub``, ``/x``, ``./x``, ``../x``, or a single word ending ``.pub``: a file to read."""
    text = value.strip()
    return text.startswith(("~", "/", "./", "../")) or (text.endswith(".pub") and " " not in text)


async def read_key_file_async(path: Path) -> str:
    """``ops.keyfile.read_key_file`` (the one safe reader) on a thread of its own, given up after
    :data:`KEY_FILE_TIMEOUT` seconds (a file on a
    dead network mount can block any read). The thread is a daemon: a read that never ends cannot hold the exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def work() -> None:
        try:
            text = read_key_file(path)
        except BaseException as exc:  # delivered to the awaiting task, whatever it is
            error = exc
            outcome: Callable[[], None] = lambda: future.set_exception(error)  # noqa: E731
        else:
            outcome = lambda: future.set_result(text)  # noqa: E731
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=work, name="ssh-key-file", daemon=True).start()
    timeout = KEY_FILE_TIMEOUT
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        shown = clean(str(path), max_length=120)
        raise ValueError(f"{shown} did not answer in {timeout:g} s (a stalled network mount?)") from None


async def read_key_source(value: str) -> tuple[str, Path | None]:
    """The public key itself, or the contents of the file it names; and that file's path (``None``: pasted)."""
    text = value.strip()
    if not looks_like_path(text):
        return text, None
    path = Path(text).expanduser()
    return await read_key_file_async(path), path


async def create_key(call: ActionCall[SshKey]) -> None:
    op = key_ops.CREATE
    if not await check(call.app, op, None):
        return

    async def submit(values: dict[str, Any]) -> Outcome:
        try:
            public_key, path = await read_key_source(values["public_key"])
        except ValueError as exc:
            raise FormError({"public_key": str(exc)}) from None
        params = {"name": values["name"], "public_key": public_key}
        try:
            return await execute_in_form(call.app, op, None, params, values)
        except PydanticValidationError as exc:
            # What a file holds is never quoted back (a wrong path could name /etc/shadow): only that it is no key.
            if path is not None and any({"publicKey", "public_key"} & set(map(str, e["loc"])) for e in exc.errors()):
                shown = clean(str(path), max_length=120)
                raise FormError(
                    {"public_key": f"{shown} does not hold an SSH public key (one line: ssh-ed25519 AAAA… comment)"}
                ) from None
            raise

    outcome = await call.app.ask(
        FormModal(
            "New SSH key",
            [
                FormField("name", "Name", required=True, placeholder="laptop"),
                FormField(
                    "public_key",
                    "Public key, or the path of a .pub file",
                    required=True,
                    placeholder="ssh-ed25519 AAAA… or ~/.ssh/id_ed25519.pub",
                    aliases=("publicKey",),
                ),
            ],
            submit,
            submit_label="Create",
        )
    )
    if outcome is not None:
        await show_outcome(call.app, op, outcome)


SSH_KEYS: ResourceSpec[SshKey] = ResourceSpec(
    resource=key_ops.SSH_KEYS,
    columns=[
        Column("name", "Name", lambda k, v: k.name, min_width=6, max_width=28, priority=0, cut=True),
        Column("id", "Id", lambda k, v: k.id, justify="right", max_width=8, priority=40),
        Column("type", "Type", lambda k, v: key_type(k), max_width=20, priority=20),
        Column("fingerprint", "Fingerprint", lambda k, v: k.fingerprint, max_width=52, priority=30),
        Column("comment", "Comment", lambda k, v: key_comment(k), max_width=30, flex=True, priority=50, cut=True),
    ],
    detail=key_detail,
    actions=[
        op_action(key_ops.CREATE, "n", id="create", title="New", run=create_key),
        op_action(key_ops.DELETE, "D", id="delete", title="Delete"),
    ],
    copy_value=lambda k: k.public_key or str(k.id),
    empty_hint="No SSH keys yet: press n to add one (paste it or give ~/.ssh/id_ed25519.pub).",
    refresh_interval=60.0,
)
