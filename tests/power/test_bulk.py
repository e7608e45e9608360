"""Marks and bulk actions (issue 16): ``space``/``*``/``ctrl+space`` mark rows, ``esc`` clears them, and every action
that applies to one row applies to the marked rows: one confirmation listing every target (refusals named with the
reason), a typed count for what destroys, at most four requests at a time, one audit line per target, one summary.

Asserted on what is painted (the compositor's frame, ``ui.painted``), the requests the simulator received and the
audit log.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from ssh.fakes import inside_fake_tmux, tmux_calls
from ui.helpers import instance_record, loaded, settle, toasts, wait_for, writes
from ui.painted import painted_lines

from cloudzy_tui.api import CloudzyClient
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.ops import Policy, Refused, Session
from cloudzy_tui.ops import instances as instance_ops
from cloudzy_tui.ops.bulk import BULK_LIMIT, plan_bulk, run_bulk
from cloudzy_tui.sim import create_app
from cloudzy_tui.ui.modals.bulk_confirm import BulkConfirmModal
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.resource_table import MARK

# ------------------------------------------------------------------------------------------------ helpers


def painted(app: Any) -> str:
    return "\n".join(painted_lines(app))


def row_line(app: Any, hostname: str) -> str:
    """The painted line of the row whose first column is ``hostname`` (with its leading mark cell)."""
    for line in painted_lines(app):
        if line[1:].startswith(hostname + " "):
            return line
    raise AssertionError(f"{hostname} is not painted:\n{painted(app)}")


def is_marked_on_screen(app: Any, hostname: str) -> bool:
    return row_line(app, hostname)[0] == MARK


def status_line(app: Any) -> str:
    return painted_lines(app)[0]  # the status bar: the screen's first line


def footer(app: Any) -> str:
    return painted_lines(app)[-1]


async def cursor_to(pilot: Any, simulator: Any, hostname: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, ResourceScreen)
    assert screen.table.move_cursor_to_key(instance_record(simulator, hostname).id)
    await pilot.pause()


async def mark(pilot: Any, simulator: Any, *hostnames: str) -> None:
    for hostname in hostnames:
        await cursor_to(pilot, simulator, hostname)
        await pilot.press("space")
    await pilot.pause()


async def bulk_dialog(pilot: Any) -> BulkConfirmModal:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkConfirmModal))
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, BulkConfirmModal)
    return modal


def audit_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------------ marks


async def test_space_marks_and_moves_down_then_unmarks(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        first, second = screen.table.order[:2]
        label = {k: screen.spec.label(screen.model.items[k]) for k in (first, second)}
        assert not is_marked_on_screen(app, label[first])
        assert "esc Unmark" not in footer(app)
        await pilot.press("space")
        await pilot.pause()
        assert is_marked_on_screen(app, label[first])
        assert screen.table.cursor_key == second  # moved down
        assert "1 marked" in status_line(app)
        assert "esc Unmark" in footer(app) and "space Mark" in footer(app)
        await pilot.press("space")
        await pilot.pause()
        assert is_marked_on_screen(app, label[second])
        assert "2 marked" in status_line(app)
        await pilot.press("up", "up", "space")  # back on the first row: unmark it
        await pilot.pause()
        assert not is_marked_on_screen(app, label[first])
        assert is_marked_on_screen(app, label[second])
        assert "1 marked" in status_line(app)


async def test_star_marks_all_that_match_the_filter_again_unmarks_and_esc_clears_marks_first(
    make_app: Any, simulator: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await mark(pilot, simulator, "db-primary")  # a mark outside the filter stays
        await pilot.press("slash", "w", "e", "b", "enter")
        await wait_for(pilot, lambda: screen.table.row_count == 4)
        shown = ["staging-web", "web-02", "web-03", "web-01"]
        await pilot.press("asterisk")
        await pilot.pause()
        assert all(is_marked_on_screen(app, h) for h in shown)
        assert "5 marked (1 not shown)" in status_line(app)
        await pilot.press("asterisk")  # all shown are marked: unmark them (the hidden one stays)
        await pilot.pause()
        assert not any(is_marked_on_screen(app, h) for h in shown)
        assert "1 marked (1 not shown)" in status_line(app)
        await pilot.press("ctrl+@")  # ctrl+space, as the terminal sends it
        await pilot.pause()
        assert all(is_marked_on_screen(app, h) for h in shown)
        assert "5 marked" in status_line(app)
        await pilot.press("escape")  # marks first; the filter stays
        await pilot.pause()
        assert "marked" not in status_line(app)
        assert not any(is_marked_on_screen(app, h) for h in shown)
        assert "filter: web" in status_line(app)
        assert "esc Unmark" not in footer(app)
        await pilot.press("escape")  # then what esc did before: clear the filter
        await pilot.pause()
        assert "filter" not in status_line(app)
        assert screen.table.row_count == len(screen.model)


async def test_space_and_star_typed_into_the_filter_are_text_not_marks(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("slash", "w", "space", "*", "e")
        await pilot.pause()
        assert screen.filter_text == "w *e"
        assert not screen.marks
        assert "marked" not in status_line(app)


async def test_marks_survive_a_reload_and_drop_ids_that_disappear(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03")
        assert "2 marked" in status_line(app)
        instance_record(simulator, "web-03")["status"] = "deleted"  # gone from the list meanwhile
        await pilot.press("ctrl+r")
        await settle(pilot)
        await wait_for(pilot, lambda: screen.loaded_once and not screen.fetching)
        assert "1 marked" in status_line(app)
        assert is_marked_on_screen(app, "web-01")
        assert screen.marks == {instance_record(simulator, "web-01").id}


# ------------------------------------------------------------------------------------------------ bulk power off


async def test_bulk_power_off_names_the_refused_in_the_confirmation_and_the_summary(
    make_app: Any, simulator: Any, tmp_path: Path
) -> None:
    audit_path = tmp_path / "audit.jsonl"
    app = make_app(protected=["db-*"], audit=AuditLog(audit_path, "default"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03", "db-primary", "staging-web")
        await pilot.press("p")
        await bulk_dialog(pilot)
        text = painted(app)
        assert "Power off: 2 instances" in text
        assert "Will run (2):" in text and "Refused (2), nothing sent for these:" in text
        assert "✓ web-01" in text and "✓ web-03" in text
        assert "✗ db-primary" in text and "db-primary is a protected instance (matches 'db-*'" in text
        assert "✗ staging-web" in text and "only for active instances (this one is shutdown)" in text
        assert writes(simulator) == []  # nothing sent while asking
        await pilot.press("tab", "enter")  # Cancel is focused: tab to "Power off 2 instances"
        await settle(pilot)
        await wait_for(pilot, lambda: any(t.startswith("Power off: 2 done") for t in toasts(app)))
        assert sorted(r.path for r in writes(simulator)) == sorted(
            f"/v1/instances/{instance_record(simulator, h).id}/poweroff" for h in ("web-01", "web-03")
        )
        text = painted(app)
        assert "Power off: 2 done, 2 refused" in text
        summary = next(t for t in toasts(app) if t.startswith("Power off: 2 done"))
        assert "staging-web: only for active instances (this one is shutdown)" in summary
        assert "db-primary: db-primary is a protected instance" in summary
        # one audit line per target: the two requests and the two refusals
        lines = audit_lines(audit_path)
        assert sorted((e["target"], e["outcome"]) for e in lines) == [
            ("db-primary", "refused"),
            ("staging-web", "refused"),
            ("web-01", "ok"),
            ("web-03", "ok"),
        ]
        assert all(e["action"] == "Power off" for e in lines)
        # each followed as a job, as one power off is
        assert sorted(j.label for j in app.jobs.jobs if j.action == "power off") == ["web-01", "web-03"]
        # the succeeded lose their mark; the refused keep it (to retry or unmark)
        assert "2 marked" in status_line(app)
        assert is_marked_on_screen(app, "db-primary") and is_marked_on_screen(app, "staging-web")
        assert not is_marked_on_screen(app, "web-01") and not is_marked_on_screen(app, "web-03")


async def test_the_confirmation_of_many_targets_scrolls_at_80x24(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("asterisk")  # every instance: 31, some of them not active
        await pilot.press("p")
        modal = await bulk_dialog(pilot)
        lines = modal.query_one("#bulk-targets").text.splitlines()  # type: ignore[attr-defined]
        assert len(lines) > 12
        last = lines[-1].strip()
        assert lines[0].startswith("Will run (") and last not in painted(app)  # more than the dialog shows
        await pilot.press("shift+tab")  # from Cancel to the list
        await pilot.press("end")
        await pilot.pause()
        assert last in painted(app)
        assert len(screen.marks) == len(screen.model)


async def test_cancel_runs_nothing_and_keeps_the_marks(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    audit_path = tmp_path / "audit.jsonl"
    app = make_app(audit=AuditLog(audit_path, "default"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03")
        await pilot.press("p")
        await bulk_dialog(pilot)
        await pilot.press("enter")  # Cancel is focused: a reflexive Enter runs nothing
        await settle(pilot)
        assert not isinstance(app.screen, BulkConfirmModal)
        assert writes(simulator) == []
        assert audit_lines(audit_path) == []
        assert "2 marked" in status_line(app)


async def test_every_target_refused_says_so_and_runs_nothing(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "staging-web", "legacy-crm")  # both shut down already
        await pilot.press("p")
        modal = await bulk_dialog(pilot)
        text = painted(app)
        assert "Power off: nothing to run" in text
        assert "All 2 marked instances are refused: nothing is sent." in text
        assert "only for active instances (this one is shutdown)" in text
        assert "Close" in text and "Power off 0" not in text
        modal.query_one("#cancel").press()
        await settle(pilot)
        assert writes(simulator) == []


async def test_one_failure_does_not_stop_the_others_and_stays_marked(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03", "k8s-master")
        failing = instance_record(simulator, "web-03").id
        simulator.faults.add("POST", f"/v1/instances/{failing}/poweroff", status=422, times=None)
        await pilot.press("p")
        await bulk_dialog(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await wait_for(pilot, lambda: any(t.startswith("Power off: 2 done, 1 failed") for t in toasts(app)))
        assert "Power off: 2 done, 1 failed — web-03:" in painted(app)
        assert "1 marked" in status_line(app)
        assert is_marked_on_screen(app, "web-03")
        assert not is_marked_on_screen(app, "web-01")
        # nothing is stuck: the same key runs again on what is still marked
        simulator.faults.clear()
        await pilot.press("p")
        await bulk_dialog(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await wait_for(pilot, lambda: any(t.startswith("Power off: 1 done") for t in toasts(app)))
        assert "marked" not in status_line(app)


async def test_the_summary_with_a_failure_outlives_the_job_toasts_of_the_others(
    make_app: Any, simulator: Any, sim_clock: Any
) -> None:
    """Six jobs end after the summary: six "Job finished" toasts, more than fit; the summary is the one kept."""
    from cloudzy_tui.ui.app import MAX_TOASTS

    hostnames = ("web-01", "web-03", "analytics", "worker-03", "mail", "gitlab", "k8s-master")
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, *hostnames)
        failing = instance_record(simulator, "web-03").id
        simulator.faults.add("POST", f"/v1/instances/{failing}/poweroff", status=422, times=None)
        await pilot.press("p")
        await bulk_dialog(pilot)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: any(t.startswith("Power off: 6 done, 1 failed") for t in toasts(app)))
        ended = len(hostnames) - 1
        assert ended > MAX_TOASTS - 1  # the job toasts alone would push the summary off
        sim_clock.advance(30)
        await wait_for(pilot, lambda: sum(1 for j in app.jobs.jobs if j.finished) >= ended)
        await settle(pilot)
        assert any(t.startswith("Power off: 6 done, 1 failed") for t in toasts(app))
        assert "Power off: 6 done, 1 failed — web-03:" in painted(app)
        assert len(toasts(app)) <= MAX_TOASTS


# ------------------------------------------------------------------------------------------------ typed count


async def test_bulk_delete_needs_the_count_typed_exactly(make_app: Any, simulator: Any, tmp_path: Path) -> None:
    audit_path = tmp_path / "audit.jsonl"
    app = make_app(audit=AuditLog(audit_path, "default"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03", "k8s-master")
        await pilot.press("D")
        modal = await bulk_dialog(pilot)
        assert "Type 3 (the number of instances to delete) to confirm:" in painted(app)
        await pilot.press("2", "enter")  # the wrong count: Enter does not confirm
        await pilot.pause()
        assert app.screen is modal
        assert "2 is not 3: type exactly 3" in painted(app)
        assert modal.query_one("#confirm").disabled
        await pilot.press("backspace", "3", "3", "enter")  # "33": still not it
        await pilot.pause()
        assert app.screen is modal
        assert writes(simulator, suffix="") == []
        await pilot.press("backspace", "enter")  # exactly "3"
        await settle(pilot)
        assert app.screen is not modal
        deleted = sorted(r.path for r in writes(simulator) if r.method == "DELETE")
        assert deleted == sorted(
            f"/v1/instances/{instance_record(simulator, h).id}" for h in ("web-01", "web-03", "k8s-master")
        )
        assert sorted(e["target"] for e in audit_lines(audit_path)) == ["k8s-master", "web-01", "web-03"]


async def test_bulk_delete_cancelled_with_esc_sends_nothing(make_app: Any, simulator: Any) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03")
        await pilot.press("D")
        await bulk_dialog(pilot)
        await pilot.press("2", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, BulkConfirmModal)
        assert writes(simulator) == []


# ------------------------------------------------------------------------------------------------ read-only


async def test_read_only_hides_bulk_actions_like_single_ones(make_app: Any, simulator: Any) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03")
        assert "2 marked" in status_line(app)  # marking changes nothing on the account
        assert "Power off" not in footer(app) and "Delete" not in footer(app)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert not any("Power off" in t or "Delete" in t for t in titles)
        await pilot.press("p")
        await settle(pilot)
        assert not isinstance(app.screen, BulkConfirmModal)
        assert any("read-only" in t for t in toasts(app))
        assert writes(simulator) == []


# ------------------------------------------------------------------------------------------------ one row only


async def test_an_action_with_a_form_applies_to_the_row_under_the_cursor_and_says_so(
    make_app: Any, simulator: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03")
        await cursor_to(pilot, simulator, "k8s-master")
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        assert any(
            "Resize applies to one instance at a time" in t and "k8s-master, the row under the cursor" in t
            for t in toasts(app)
        )
        assert "k8s-master" in painted(app)  # the form is the cursor row's
        await pilot.press("escape")
        await settle(pilot)
        assert "2 marked" in status_line(app)  # the marks are kept


# ------------------------------------------------------------------------------------------------ concurrency


class GatedTransport(httpx.AsyncBaseTransport):
    """The simulator behind a gate for POSTs: counts how many are in flight at once, holds them until released."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.in_flight = 0
        self.most = 0
        self.posts = 0
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return await self.inner.handle_async_request(request)
        self.in_flight += 1
        self.posts += 1
        self.most = max(self.most, self.in_flight)
        try:
            await self.release.wait()
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


async def test_at_most_four_requests_at_a_time(make_app: Any, simulator: Any) -> None:
    gate = GatedTransport(httpx.ASGITransport(app=create_app(simulator)))

    async def no_sleep(_: float) -> None:
        return None

    from conftest import TOKEN

    client = CloudzyClient("http://sim.test/developers", TOKEN, transport=gate, sleep=no_sleep)
    app = make_app(client=client)
    hosts = ("web-01", "web-03", "k8s-master", "gitlab", "mail", "worker-03")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, *hosts)
        await pilot.press("p")
        await bulk_dialog(pilot)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: gate.in_flight == BULK_LIMIT)
        for _ in range(20):  # give any request beyond the bound every chance to start
            await pilot.pause()
        assert gate.in_flight == BULK_LIMIT == 4
        gate.release.set()
        await wait_for(pilot, lambda: any(t.startswith("Power off: 6 done") for t in toasts(app)))
        assert gate.posts == 6 and gate.most == 4


# ------------------------------------------------------------------------------------------------ copy


async def test_c_with_marked_instances_copies_a_kind_of_value_of_each_on_one_line(
    make_app: Any, simulator: Any
) -> None:
    from textual.widgets import OptionList

    from cloudzy_tui.ui.modals.copy_choice import CopyChoice

    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-03", "web-01")
        order = [screen.model.items[k] for k in screen.table.order if k in screen.marks]  # the rows' order
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CopyChoice))
        await pilot.pause()
        shown = painted(app)
        assert "Copy from the 2 marked rows" in shown
        assert "IPv4 ×2" in shown and "id ×2" in shown
        assert "ssh command" not in shown  # its values hold spaces: not joinable
        await pilot.press("enter")  # the first: IPv4
        await wait_for(pilot, lambda: bool(app.clipboard))
        assert app.clipboard == " ".join(i.main_ip for i in order)
        assert screen.marks  # copying keeps the marks
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CopyChoice))
        await pilot.pause()
        options = app.screen.query_one(OptionList).options
        await pilot.press(*["down"] * next(n for n, o in enumerate(options) if str(o.prompt).startswith("id ")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.clipboard == " ".join(i.id for i in order))
        await pilot.press("escape")  # clear the marks: c is the cursor row's again
        await pilot.pause()
        assert not screen.marks
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CopyChoice))
        await pilot.pause()
        assert "ssh command" in painted(app) and "×" not in painted(app)


async def test_c_with_marked_keys_copies_their_ids_as_their_public_keys_hold_spaces(
    make_app: Any, simulator: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("colon", *"keys", "enter")
        screen = await loaded(pilot, "ssh-keys")
        await pilot.press("asterisk")
        await pilot.pause()
        await pilot.press("c")  # public keys hold spaces: the ids, the one kind left, copied at once
        await wait_for(pilot, lambda: bool(app.clipboard))
        assert app.clipboard.split(" ") == list(screen.table.order)
        await wait_for(pilot, lambda: "Copied " + app.clipboard[:20] in painted(app))


# ------------------------------------------------------------------------------------------------ ssh


@pytest.fixture
def tmux_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return inside_fake_tmux(tmp_path, monkeypatch)


async def test_s_with_marked_instances_opens_one_tmux_window_each(
    make_app: Any, simulator: Any, tmux_log: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03", "staging-web")  # staging-web is shut down: skipped
        await pilot.press("s")
        await wait_for(pilot, lambda: any("opened in a tmux window" in t for t in toasts(app)))
        windows = [c for c in tmux_calls(tmux_log) if c[0] == "new-window"]
        assert sorted(c[c.index("-n") + 1] for c in windows) == ["web-01", "web-03"]
        assert any("SSH: skipped 1 instance (staging-web)" in t for t in toasts(app))


async def test_ssh_tiled_with_marked_instances_opens_one_pane_each_in_one_synchronised_window(
    make_app: Any, simulator: Any, tmux_log: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await mark(pilot, simulator, "web-01", "web-03", "k8s-master")
        title = "Instances: ssh tiled, input synchronized"
        command = next(c for c in app.get_system_commands(screen) if c.title == title)
        command.callback()
        await wait_for(pilot, lambda: any("opened in tiled panes" in t for t in toasts(app)))
        calls = tmux_calls(tmux_log)
        windows = [c for c in calls if c[0] == "new-window"]
        assert len(windows) == 1 and windows[0][windows[0].index("-n") + 1] == "ssh-3"
        assert len([c for c in calls if c[0] == "split-window"]) == 2
        assert any(c[0] == "set-option" and "synchronize-panes" in c for c in calls)


# ------------------------------------------------------------------------------------------------ the ops layer


async def test_ops_bulk_refuses_the_host_the_console_runs_on_and_checks_the_count(client: CloudzyClient) -> None:
    session = Session(client, policy=Policy(local_hostname="web-01"))
    found = [i async for page in instance_ops.INSTANCES.pages(session, {}) for i in page]
    targets = [i for i in found if i.hostname in ("web-01", "web-03", "k8s-master")]
    plan = await plan_bulk(session, instance_ops.DELETE, targets)
    assert [t.label for t in plan.refused] == ["web-01"]
    assert plan.refused[0].refusal is not None and plan.refused[0].refusal.rule == "own-host"
    assert plan.confirmation.level == "type" and plan.confirmation.require == "2"
    with pytest.raises(Refused):
        await run_bulk(session, plan, "3")
    with pytest.raises(Refused):
        await run_bulk(session, plan, True)  # a yes is not enough for a delete
    summary = await run_bulk(session, plan, "2")
    assert sorted(r.label for r in summary.done) == ["k8s-master", "web-03"]
    assert [r.label for r in summary.refused] == ["web-01"]
    assert summary.message().startswith("Delete: 2 done, 1 refused — web-01: web-01 looks like the machine")
