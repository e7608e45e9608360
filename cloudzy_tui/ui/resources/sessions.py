"""``:sessions``: the ssh sessions this console opened in tmux and that are still open (found by their tags, so
also after a restart). Enter switches tmux to one, ``D`` closes it. The tmux work is ``ops/ssh.py``'s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.ops import ssh as ssh_ops
from cloudzy_tui.ops.resources import Field, Resource
from cloudzy_tui.ui.resources.base import ActionCall, Column, ResourceSpec, Section, View, console_action
from cloudzy_tui.ui.resources.common import when
from cloudzy_tui.units import duration

if TYPE_CHECKING:
    from cloudzy_tui.ops.context import Context


async def session_pages(session: Context, filters: dict[str, Any]) -> AsyncIterator[Sequence[ssh_ops.Session]]:
    if not ssh_ops.in_tmux():
        yield []
        return
    try:
        found = await asyncio.to_thread(ssh_ops.sessions)
    except ssh_ops.TmuxError as exc:
        from cloudzy_tui.api import CloudzyError

        raise CloudzyError(str(exc)) from None
    yield found


def _instance(s: ssh_ops.Session) -> str:
    return s.hostname or s.instance_id


SESSIONS_RESOURCE: Resource[ssh_ops.Session] = Resource(
    name="sessions",
    title="SSH sessions",
    singular="SSH session",
    aliases=("sess",),
    key_of=lambda s: s.pane,
    label=_instance,
    pages=session_pages,
    fields=[
        Field("instance", "INSTANCE", _instance),
        Field("address", "ADDRESS", lambda s: s.address),
        Field("since", "SINCE", lambda s: s.since),
        Field("window", "WINDOW", lambda s: s.where),
    ],
    to_json=lambda s: {
        "pane": s.pane,
        "window": s.window,
        "where": s.where,
        "instance_id": s.instance_id,
        "hostname": s.hostname,
        "address": s.address,
        "since": s.since,
        "profile": s.profile,
    },
)


def _since(s: ssh_ops.Session, view: View) -> Text:
    if s.since is None:
        return Text("")
    return Text(f"{duration(max(0.0, view.now - s.since))} ago")


def session_detail(s: ssh_ops.Session, view: View) -> list[Section]:
    return [
        Section(
            "SSH session",
            rows=[
                ("instance", s.hostname or None),
                ("instance id", s.instance_id),
                ("address", s.address),
                ("opened", when(s.since) if s.since is not None else None),
                ("tmux", f"{s.where}  (pane {s.pane}, window {s.window})"),
                ("profile", s.profile),
            ],
        ),
        Section("", body=Text("Enter (or s) switches tmux to it, D closes it.", style="dim")),
    ]


async def switch(call: ActionCall[ssh_ops.Session]) -> None:
    try:
        await asyncio.to_thread(ssh_ops.switch_to, call.target)
    except ssh_ops.SshError as exc:
        call.app.toast(f"tmux: {exc}", severity="warning")


async def close(call: ActionCall[ssh_ops.Session]) -> None:
    s = call.target
    name = s.hostname or s.address or s.instance_id
    if not await call.app.confirm(
        "Close the ssh session?",
        f"This closes tmux pane {s.where} (ssh to {name}): what runs in it ends.",
        confirm_label="Close it",
    ):
        return
    try:
        await asyncio.to_thread(ssh_ops.close, s)
    except ssh_ops.SshError as exc:
        call.app.toast(f"tmux: {exc}", severity="warning")
        return
    call.screen.remove_item(s.pane)
    call.app.toast(f"Closed the ssh session to {name}.", timeout=4)


def empty_hint() -> str:
    if not ssh_ops.in_tmux():
        return "Not in tmux: run cloudzy-tui inside tmux and s opens ssh windows listed here."
    return "No ssh sessions open: s on an instance opens one in a tmux window."


SESSIONS: ResourceSpec[ssh_ops.Session] = ResourceSpec(
    resource=SESSIONS_RESOURCE,
    columns=[
        Column("instance", "Instance", lambda s, v: _instance(s), min_width=8, max_width=28),
        Column("address", "Address", lambda s, v: s.address, min_width=7, max_width=39),
        Column("since", "Since", _since, sort=lambda s: -(s.since or 0), max_width=16),
        Column("window", "Window", lambda s, v: s.where, min_width=6, max_width=24),
        Column("profile", "Profile", lambda s, v: s.profile, max_width=16),
    ],
    detail=session_detail,
    actions=[
        console_action("switch", "s", "Switch to", switch, "Switch tmux to this session's pane"),
        console_action("close", "D", "Close", close, "Close this session's tmux pane (asks first)"),
    ],
    copy_value=lambda s: s.address,
    empty_hint="No ssh sessions open.",
    refresh_interval=5.0,
    extra={"enter_action": "switch", "empty_hint": empty_hint},
)
