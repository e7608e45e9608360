"""``:profile NAME`` (and the palette's "Profile: NAME") switches profile without restarting.

Two accounts: two simulators on loopback sockets, each with its own token (account B has three more instances,
``fleet-00001..3``, that account A does not). The config file names the profiles; the console is built the way
``cloudzy-tui`` builds it (``ProfileSwitcher`` + ``open_console``: the one factory), against the real sockets.
Everything is checked on what the terminal shows (``screen_text``), the simulators' request logs, and the audit file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FROZEN_NOW, TEST_REQUEST_LOG
from loopback import serve_on_loopback
from textual.widgets import Input
from ui.helpers import instance_record, loaded, screen_text, toasts, wait_for, writes

from cloudzy_tui.connect import ProfileSwitcher, open_console
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator, create_app
from cloudzy_tui.ui.app import CloudzyApp
from cloudzy_tui.ui.modals.command_line import CommandLine
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.token import TokenModal
from cloudzy_tui.ui.screens.resource import ResourceScreen

TOKEN_A = "token-account-a-0123456789"
TOKEN_B = "token-account-b-9876543210"


class Accounts:
    def __init__(self, a: Simulator, b: Simulator, url_a: str, url_b: str, home: Path) -> None:
        self.a, self.b, self.url_a, self.url_b, self.home = a, b, url_a, url_b, home
        self.config = home / "config" / "config.toml"
        self.audit = home / "state" / "audit.jsonl"

    def write_config(self, extra: str = "") -> None:
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"""default_profile = "alpha"
refresh_seconds = 0

[profiles.alpha]
api_url = "{self.url_a}"
token = "{TOKEN_A}"
colour = "green"

[profiles.beta]
api_url = "{self.url_b}"
token = "{TOKEN_B}"
colour = "magenta"
read_only = true

[profiles.guarded]
api_url = "{self.url_a}"
token = "{TOKEN_A}"
protected = ["web-02"]

[profiles.gamma]
api_url = "{self.url_b}"
{extra}"""
        )
        self.config.chmod(0o600)


def _simulator(clock: FakeClock, token: str, extra: int) -> Simulator:
    return Simulator(
        SimConfig(
            seed=1,
            token=token,
            job_seconds=2.0,
            clock=clock,
            snapshot_failure_rate=0.0,
            request_log=TEST_REQUEST_LOG,
            instances=extra,
        )
    )


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim_clock: FakeClock) -> Iterator[Accounts]:
    for name in ("CLOUDZY_API_TOKEN", "CLOUDZY_API_URL", "CLOUDZY_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDZY_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDZY_TUI_STATE_DIR", str(tmp_path / "state"))
    sim_a = _simulator(sim_clock, TOKEN_A, 0)
    sim_b = _simulator(sim_clock, TOKEN_B, 3)
    with (
        serve_on_loopback(create_app(sim_a), "sim-a") as port_a,
        serve_on_loopback(create_app(sim_b), "sim-b") as port_b,
    ):
        found = Accounts(
            sim_a,
            sim_b,
            f"http://127.0.0.1:{port_a}/developers",
            f"http://127.0.0.1:{port_b}/developers",
            tmp_path,
        )
        found.write_config()
        yield found


def console(accounts: Accounts, *, profiles: bool = True) -> CloudzyApp:
    """The console as ``cloudzy-tui`` starts it on profile alpha (ui/run.py), with the tests' clock and timers."""
    switcher = ProfileSwitcher(startup="alpha")
    connection = switcher.resolve("alpha")
    bundle = open_console(connection, switcher.token(connection))
    return CloudzyApp(
        connection=bundle,
        profiles=switcher if profiles else None,
        audit=AuditLog(accounts.audit, "alpha"),
        clock=lambda: FROZEN_NOW,
        refresh_seconds=0,
        job_interval=0.02,
        detail_delay=0,
    )


async def command(pilot: Any, text: str) -> None:
    await pilot.press("colon")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandLine))
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CommandLine))


async def switched(pilot: Any, old: ResourceScreen[Any], name: str = "instances") -> ResourceScreen[Any]:
    """Wait for the switch to have replaced the screen in view, and for the new one to have loaded."""
    await wait_for(pilot, lambda: pilot.app.screen is not old and not pilot.app.switching_profile)
    return await loaded(pilot, name)


async def show_fleet(pilot: Any, screen: ResourceScreen[Any]) -> None:
    """Filter the list to ``fleet`` and see account B's three extra instances painted."""
    await pilot.press("slash", *"fleet", "enter")
    await wait_for(pilot, lambda: screen.table.row_count == 3)
    shown = screen_text(pilot.app)
    assert all(f"fleet-0000{n}" in shown for n in (1, 2, 3)), shown
    await pilot.press("escape")
    await wait_for(pilot, lambda: screen.table.row_count == len(screen.model))


def status_line(app: Any) -> str:
    """The status bar: the line that names the resource shown."""
    screen = app.screen
    title = f" {screen.spec.title} " if isinstance(screen, ResourceScreen) else ""
    return next((line for line in screen_text(app).splitlines() if title and title in line), "")


async def test_switching_shows_the_other_account_its_profile_and_closes_the_old_clients(accounts: Accounts) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        first = await loaded(pilot, "instances")
        shown = screen_text(app)
        assert "web-01" in shown and "fleet-" not in shown
        assert "alpha · 127.0.0.1" in status_line(app) and "READ-ONLY" not in status_line(app)
        old_client, old_list_client, old_offloop = app.client, app.list_client, app.offloop
        assert old_list_client is not None and old_offloop is not None

        await command(pilot, "profile beta")
        screen = await switched(pilot, first)
        assert " 34 " in status_line(app)  # account B: 31 + 3 instances
        await show_fleet(pilot, screen)  # account B's own instances, from B's API
        assert "beta · 127.0.0.1" in status_line(app) and "alpha" not in status_line(app)
        assert accounts.url_b.removeprefix("http://") in status_line(app)
        assert "READ-ONLY" in status_line(app)  # beta is read-only
        assert any("Profile beta" in t for t in toasts(app))
        # the old connection is let go of: both clients closed, the off-loop thread ended, no worker of it left
        assert old_client.is_closed and old_list_client.is_closed
        assert old_offloop.closed and not old_offloop.alive
        assert not first.is_attached  # the old screen (and its rows) is gone
        assert app.client is not old_client and not app.client.is_closed
        # B was asked with B's token, after the switch; A is asked nothing more
        a_before = len(accounts.a.requests)
        await pilot.press("ctrl+r")
        await loaded(pilot, "instances")
        assert len(accounts.a.requests) == a_before

        # the command line's history has the command (↑)
        await pilot.press("colon")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandLine))
        await pilot.press("up")
        box = app.screen.query_one(Input)
        await wait_for(pilot, lambda: box.value == "profile beta")
        await pilot.press("escape")

        # other screens start afresh for the new account too
        await command(pilot, "snap")
        snapshots = await loaded(pilot, "snapshots")
        await command(pilot, "profile alpha")
        back = await switched(pilot, snapshots, "snapshots")
        assert "alpha · 127.0.0.1" in status_line(app) and "READ-ONLY" not in status_line(app)
        assert back.spec.name == "snapshots"


async def test_read_only_profile_hides_mutating_actions_and_sends_nothing(accounts: Accounts) -> None:
    app = console(accounts)
    async with app.run_test(size=(160, 36), notifications=True) as pilot:
        first = await loaded(pilot, "instances")
        assert "Power off" in screen_text(app) or "power off" in screen_text(app).lower()
        await command(pilot, "profile beta")
        screen = await switched(pilot, first)
        shown = screen_text(app)
        assert "READ-ONLY" in shown
        assert "power off" not in shown.lower()  # the footer offers no mutating key
        record = instance_record(accounts.b, "web-03")
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmModal)
        assert writes(accounts.b) == [] and writes(accounts.a) == []
        assert app.ops.policy.read_only


async def test_protected_list_of_the_new_profile_applies_and_audit_lines_name_it(
    accounts: Accounts, sim_clock: FakeClock
) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        first = await loaded(pilot, "instances")
        await command(pilot, "profile guarded")
        screen = await switched(pilot, first)
        assert "guarded · 127.0.0.1" in status_line(app)

        protected = instance_record(accounts.a, "web-02")
        assert screen.table.move_cursor_to_key(protected.id)
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: "protected" in screen_text(app))
        assert "'web-02'" in screen_text(app)
        assert not isinstance(app.screen, ConfirmModal)
        assert writes(accounts.a, prefix=f"/v1/instances/{protected.id}") == []

        other = instance_record(accounts.a, "web-03")
        assert screen.table.move_cursor_to_key(other.id)
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: bool(writes(accounts.a, prefix=f"/v1/instances/{other.id}")))
        job = next(j for j in app.jobs.jobs if j.target_id == other.id)
        sim_clock.advance(5)
        await wait_for(pilot, lambda: job.finished)

        lines = [json.loads(line) for line in accounts.audit.read_text().splitlines()]
        assert lines and all(line["profile"] == "guarded" for line in lines), lines
        assert any(line["method"] == "POST" and other.id in line["path"] for line in lines)
        await command(pilot, "activity")
        await loaded(pilot, "activity")
        assert "guarded" in screen_text(app)


async def test_a_switch_is_refused_while_a_job_of_the_profile_is_in_flight(
    accounts: Accounts, sim_clock: FakeClock
) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = instance_record(accounts.a, "web-03")
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: bool(app.jobs.in_flight))
        client = app.client

        await command(pilot, "profile beta")
        await wait_for(pilot, lambda: "Profile not switched" in screen_text(app))
        assert "still in flight on alpha" in screen_text(app) and "web-03" in screen_text(app)
        assert app.screen is screen and app.client is client and not client.is_closed
        assert "alpha · 127.0.0.1" in status_line(app)

        job = app.jobs.in_flight[0]
        sim_clock.advance(5)
        await wait_for(pilot, lambda: job.finished)
        await command(pilot, "profile beta")
        await switched(pilot, screen)
        assert "beta · 127.0.0.1" in status_line(app)


async def test_a_switch_is_refused_while_an_action_of_the_profile_is_under_way(accounts: Accounts) -> None:
    """A confirmation open (the action's worker waits on it): the palette's switch is refused, naming it."""
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        record = instance_record(accounts.a, "web-03")
        assert screen.table.move_cursor_to_key(record.id)
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        client = app.client
        app.switch_profile("beta")  # what the palette's "Profile: beta" calls
        await wait_for(pilot, lambda: "Profile not switched" in screen_text(app))
        assert any("power_off (an action)" in t for t in toasts(app)), toasts(app)
        assert app.client is client and not client.is_closed and app.profile_name == "alpha"
        await pilot.press("escape")  # the confirmation cancelled: nothing sent, and the switch goes through
        await wait_for(pilot, lambda: app.screen is screen)
        await command(pilot, "profile beta")
        await switched(pilot, screen)
        assert writes(accounts.a) == []


async def test_unknown_profile_or_broken_config_changes_nothing(accounts: Accounts) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        client = app.client
        await command(pilot, "profile nosuch")
        await wait_for(pilot, lambda: "No profile named 'nosuch'" in screen_text(app))
        assert any("profiles: alpha, beta, gamma, guarded" in t for t in toasts(app)), toasts(app)
        assert app.screen is screen and app.client is client and not client.is_closed
        assert "alpha · 127.0.0.1" in status_line(app)

        # "default" is no profile of this config either (elsewhere it would mean the built-in defaults: the real API)
        app.clear_notifications()
        await command(pilot, "profile default")
        await wait_for(pilot, lambda: "No profile named 'default'" in screen_text(app))
        assert not isinstance(app.screen, TokenModal) and app.client is client

        app.clear_notifications()
        accounts.config.write_text("this is [not toml\n")
        await command(pilot, "profile beta")
        await wait_for(pilot, lambda: "Profile not switched" in screen_text(app))
        assert "not valid TOML" in screen_text(app)
        assert app.screen is screen and app.client is client and not client.is_closed
        assert "alpha · 127.0.0.1" in status_line(app) and "fleet-" not in screen_text(app)


async def test_profile_without_token_asks_for_one_and_cancel_keeps_the_old(accounts: Accounts) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        client = app.client
        await command(pilot, "profile gamma")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenModal))
        assert "Profile gamma has no API token" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "still on alpha" in screen_text(app))
        assert app.screen is screen and app.client is client and not client.is_closed

        await command(pilot, "profile gamma")
        await wait_for(pilot, lambda: isinstance(app.screen, TokenModal))
        await pilot.press(*TOKEN_B, "enter")
        await show_fleet(pilot, await switched(pilot, screen))
        assert "gamma · 127.0.0.1" in status_line(app)
        assert TOKEN_B not in screen_text(app)


async def test_a_token_the_api_refuses_changes_nothing_and_a_typed_one_is_asked_for_again(accounts: Accounts) -> None:
    wrong = "token-nobody-has-0000000000"
    accounts.write_config(f'\n[profiles.stale]\napi_url = "{accounts.url_a}"\ntoken = "{wrong}"\n')
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        client = app.client
        await command(pilot, "profile stale")
        said = "Profile not switched: the API refused profile stale's token"
        await wait_for(pilot, lambda: any(t.startswith(said) and "still on alpha" in t for t in toasts(app)))
        await wait_for(pilot, lambda: "refused profile stale's" in screen_text(app))  # painted
        assert app.screen is screen and app.client is client and not client.is_closed
        assert "alpha · 127.0.0.1" in status_line(app) and wrong not in screen_text(app)
        assert not app.switching_profile

        await command(pilot, "profile gamma")  # no token saved: asked for; a wrong one typed
        await wait_for(pilot, lambda: isinstance(app.screen, TokenModal))
        await pilot.press(*wrong, "enter")
        await wait_for(pilot, lambda: any("refused profile gamma's token" in t for t in toasts(app)))
        assert app.screen is screen and "alpha · 127.0.0.1" in status_line(app)
        await command(pilot, "profile gamma")  # the refused token was not kept: asked for again
        await wait_for(pilot, lambda: isinstance(app.screen, TokenModal))
        await pilot.press(*TOKEN_B, "enter")
        await switched(pilot, screen)
        assert "gamma · 127.0.0.1" in status_line(app)


async def test_palette_lists_profiles_and_switches(accounts: Accounts) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await pilot.press("ctrl+p")
        await pilot.press(*"Profile: be")
        await wait_for(pilot, lambda: "Switch to profile beta" in screen_text(app))
        await pilot.press("enter")
        await switched(pilot, screen)
        assert "beta · 127.0.0.1" in status_line(app)


async def test_profile_alone_lists_profiles_with_the_current_marked(accounts: Accounts) -> None:
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await command(pilot, "profile")
        await wait_for(pilot, lambda: "● alpha" in screen_text(app))
        shown = screen_text(app)
        assert "(in use)" in shown and "beta" in shown and "guarded" in shown


async def test_without_profiles_switching_says_it_is_not_available(accounts: Accounts) -> None:
    app = console(accounts, profiles=False)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        await command(pilot, "profile beta")
        await wait_for(pilot, lambda: "not available" in screen_text(app))
        assert app.screen is screen and "alpha · 127.0.0.1" in status_line(app)


def test_the_environment_token_and_url_belong_to_the_startup_profile_and_read_only_to_all(
    accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDZY_API_TOKEN", "from-the-environment")
    monkeypatch.setenv("CLOUDZY_API_URL", "http://127.0.0.1:9/developers")
    switcher = ProfileSwitcher(startup="alpha", read_only=True)
    alpha = switcher.resolve("alpha")
    assert switcher.token(alpha) == "from-the-environment" and alpha.api_url == "http://127.0.0.1:9/developers"
    beta = switcher.resolve("beta")
    assert switcher.token(beta) == TOKEN_B and beta.api_url == accounts.url_b
    gamma = switcher.resolve("gamma")
    assert switcher.token(gamma) is None  # the environment's token is not sent to another profile's API
    switcher.remember("gamma", "typed")
    assert switcher.token(gamma) == "typed"
    assert all(switcher.resolve(n).read_only for n in ("alpha", "guarded", "gamma"))  # --read-only: every one


async def test_switching_back_and_forth_leaves_no_thread_worker_or_client_behind(accounts: Accounts) -> None:
    """Each switch ends the old off-loop thread and closes both old clients: after six switches there is one
    fetch thread, one job tracker, and every client but the two in use is closed."""
    import threading

    def fetch_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "cloudzy-fetch" and t.is_alive()}

    others = fetch_threads()  # another test's in this worker, if one left any: not this console's
    app = console(accounts)
    async with app.run_test(size=(140, 36), notifications=True) as pilot:
        screen = await loaded(pilot, "instances")
        clients = [app.client, app.list_client]
        for name in ("guarded", "alpha") * 3:
            await command(pilot, f"profile {name}")
            screen = await switched(pilot, screen)
            clients += [app.client, app.list_client]
            assert f"{name} · 127.0.0.1" in status_line(app)
        fetchers = fetch_threads() - others
        assert len(fetchers) == 1, fetchers
        trackers = [w for w in app.workers if w.group == "jobs" and not w.is_finished]
        assert len(trackers) == 1, trackers
        open_clients = [c for c in clients if c is not None and not c.is_closed]
        assert open_clients == [app.client, app.list_client]
        assert len(app.screen_stack) == 2  # the default screen and the one resource screen: nothing piled up
