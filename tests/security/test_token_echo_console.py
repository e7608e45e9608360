"""The console against a server that echoes the API token back in everything (``echo.EchoServer``), in each form
(as it is inside a 10 KB detail where messages are cut, split across lines, lower-cased and percent-encoded).

Driven with Pilot the way a person goes: the instance list fails to load; the list comes back with the token in its
data; an instance's detail fails; the raw JSON view is copied; the table is exported; a power-off fails; the SSH
key form fails with field errors; the floating IPs answer with a redirect to a host named after the token; the
snapshots with a text/plain gateway page; then the token is refused (401); then the console crashes on a server
string. After each step every surface is searched — the painted screen, every toast, every table's empty message,
every status bar, every detail pane, the form's errors — and at the end every file under the temporary HOME
(the log at DEBUG, the audit log, the export, the config except the token line saved deliberately), the clipboard
payloads and the crash report. The token must appear nowhere, nor any 12 characters of it; every file is 0600.
"""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Button, Input
from ui.helpers import form_on_screen, loaded, screen_text, settle, wait_for

from cloudzy_tui.config import audit_path, config_path, log_path, save_token
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.logs import setup_logging
from cloudzy_tui.ui.app import CloudzyApp
from cloudzy_tui.ui.modals.confirm import ConfirmModal
from cloudzy_tui.ui.modals.form import FormModal
from cloudzy_tui.ui.modals.text_view import TextViewModal
from cloudzy_tui.ui.modals.token import TokenModal
from cloudzy_tui.ui.screens.resource import ResourceScreen
from cloudzy_tui.ui.widgets.status_bar import StatusBar

from .echo import FORMS, TOKEN, EchoServer, client_for, exposed, sentence
from .keys import ed25519

NOW = 1_782_907_200.0


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "CLOUDZY_TUI_STATE_DIR", "CLOUDZY_TUI_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(home)
    logger = logging.getLogger("cloudzy_tui")
    level, handlers = logger.level, list(logger.handlers)
    yield home
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)


def record_toasts(app: CloudzyApp) -> list[str]:
    """Every toast as posted (title and message): one on screen may have expired by the time it is looked for."""
    posted: list[str] = []
    real_notify = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        posted.append(f"{kwargs.get('title', '')} {message}")
        real_notify(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return posted


def surfaces(app: CloudzyApp) -> dict[str, str]:
    """Everything the console shows, by where it shows it."""
    shown = {"screen": screen_text(app)}
    for n, toast in enumerate(getattr(app, "posted_toasts", [])):
        shown[f"toast {n}"] = toast
    for name, screen in app._screens.items():
        if not screen.is_mounted:
            continue
        shown[f"{name} empty message"] = screen.table.empty_message
        bar = screen.query_one("#status", StatusBar)
        shown[f"{name} status bar"] = bar.left.plain + " " + bar.right.plain
        shown[f"{name} detail"] = screen.detail.plain_text(width=300)
    if isinstance(app.screen, FormModal):
        for box in app.screen.query(".field-error, .form-error"):
            shown[f"form {box.id}"] = str(box.render())
    return shown


def assert_nothing_shows_it(app: CloudzyApp, step: str) -> None:
    leaks = {where: text[:300] for where, text in surfaces(app).items() if exposed(text)}
    assert not leaks, f"{step}: {leaks}"


def files_under(root: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*") if p.is_file()}


# Three of the five forms (each run takes ~15 s): ``long`` holds the token as it is (and cut where messages are cut),
# ``split`` across lines and invisible characters, ``mixed`` lower-cased and percent-encoded. The client-level tests
# (test_scrub_client.py) take every form through every kind of failure.
CONSOLE_FORMS = ("long", "split", "mixed")
assert set(CONSOLE_FORMS) <= set(FORMS)


@pytest.mark.parametrize("form", CONSOLE_FORMS)
async def test_the_token_appears_nowhere(form: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = EchoServer(form)
    setup_logging("DEBUG")  # what `cloudzy-tui --log-level DEBUG` does: the file under the state dir
    save_token("default", TOKEN, api_url="https://api.echo.example/developers")  # the one place it belongs
    app = CloudzyApp(
        client_for(server),
        api_label="api.echo.example",
        clock=lambda: NOW,
        refresh_seconds=0,
        job_interval=0.05,
        audit=AuditLog(audit_path(), "default"),
        local_hostname="console-host",
    )
    app.posted_toasts = record_toasts(app)  # type: ignore[attr-defined]
    copied: list[str] = []
    real_copy = app.copy_to_clipboard

    def capture(text: str) -> None:
        copied.append(text)
        real_copy(text)

    monkeypatch.setattr(app, "copy_to_clipboard", capture)
    # The crash report goes to the error console (stderr) when the app ends: captured as the terminal gets it.
    report_file = io.StringIO()
    app.error_console = Console(file=report_file, width=200, color_system=None, legacy_windows=False)
    crashed = False
    try:
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            # 1. The list fails (400), the catalog fails (500 with the token as the code, 503 text, 403).
            screen = pilot.app.screen
            assert isinstance(screen, ResourceScreen)
            await wait_for(pilot, lambda: screen.last_error is not None and not screen.fetching)
            await settle(pilot)
            assert "Could not load" in screen.table.empty_message
            assert_nothing_shows_it(app, "list failed")

            # 2. The list comes back, the token in two hostnames and the reply's detail.
            server.failing.discard("list")
            server.echo_in_data = True
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: len(screen.model.items) == 4 and not screen.fetching)
            assert any("host-***" in (i.hostname or "") for i in screen.model.items.values())
            assert_nothing_shows_it(app, "list with the token in its data")

            # 3. The detail fails (404, the token in detail and data.detail) and so do its related lists.
            await pilot.press("enter")
            await settle(pilot)
            assert "Could not load details" in screen.detail.plain_text(width=300)
            assert_nothing_shows_it(app, "detail failed")

            # 4. The raw JSON of a row whose hostname held the token, copied; the row's value copied.
            key = next(k for k, i in screen.model.items.items() if "host-" in (i.hostname or ""))
            await pilot.press("escape")
            assert screen.table.move_cursor_to_key(key)
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextViewModal))
            await pilot.press("c")
            assert_nothing_shows_it(app, "raw JSON")
            await pilot.press("escape")
            await wait_for(pilot, lambda: pilot.app.screen is screen)
            await pilot.press("c")  # an instance: c asks which (IPv4, id, ssh command); the first is copied
            await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CopyChoice")
            assert_nothing_shows_it(app, "copy choices")
            await pilot.press("enter")
            await wait_for(pilot, lambda: pilot.app.screen is screen)

            # 5. Export the table (the default path: under the state dir).
            await pilot.press("E")
            export = await form_on_screen(pilot)
            await pilot.click("#submit")
            await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
            assert_nothing_shows_it(app, "export")
            del export

            # 6. An action fails (409): toast, audit.
            assert screen.table.move_cursor_to_key(key)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
            # Pressed, not clicked: a toast may lie over the button, and a dialog still being laid out moves it.
            pilot.app.screen.query_one("#confirm", Button).press()
            await wait_for(pilot, lambda: any("Power off" in t for t in app.posted_toasts))  # type: ignore[attr-defined]
            await settle(pilot)
            assert_nothing_shows_it(app, "action failed")

            # 7. A form fails (422 with the token in every field error's location and message).
            pilot.app.show_resource("ssh-keys")
            await loaded(pilot, "ssh-keys")
            await pilot.press("n")
            key_form = await form_on_screen(pilot)
            key_form.query_one("#field-name", Input).value = "laptop"
            key_form.query_one("#field-public_key", Input).value = ed25519()
            # Pressed, not clicked: a toast (several lines here) may lie over the button.
            key_form.query_one("#submit", Button).press()
            await wait_for(pilot, lambda: key_form.query_one("#error-name").display)
            assert key_form.query_one("#form-error").display
            assert_nothing_shows_it(app, "form failed")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResourceScreen))

            # 8. A redirect to a host named after the token; a gateway's text page repeating it.
            for name in ("floating-ips", "snapshots"):
                pilot.app.show_resource(name)
                other = pilot.app.screen
                assert isinstance(other, ResourceScreen)
                await wait_for(pilot, lambda o=other: o.last_error is not None and not o.fetching)
                await settle(pilot)
                assert_nothing_shows_it(app, f"{name} failed")

            # 9. The token refused (401, echoed): a toast and the token prompt.
            server.auth_fails = True
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, TokenModal))
            assert_nothing_shows_it(app, "401")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ResourceScreen))

            # 10. A crash on a server string (a bug that lets one reach an exception).
            def boom() -> None:
                raise RuntimeError(f"unexpected reply: {sentence(TOKEN, form)}")

            pilot.app.call_later(boom)
            await wait_for(pilot, lambda: not pilot.app.is_running)
    except RuntimeError as exc:  # run_test re-raises what crashed the app
        crashed = "unexpected reply" in str(exc)
    assert crashed, "the crash did not happen"

    # The crash report, as the terminal receives it.
    report = report_file.getvalue()
    assert "RuntimeError" in report and "unexpected reply" in report
    assert not exposed(report), report[-2000:]

    # The clipboard.
    assert len(copied) >= 2
    assert not [text[:200] for text in copied if exposed(text)]

    # Every file under HOME: log (DEBUG), audit, export, config (minus the token line saved on purpose).
    files = files_under(home)
    assert log_path() in files and audit_path() in files and config_path() in files
    assert any(p.suffix == ".csv" for p in files), sorted(map(str, files))
    assert "DEBUG" in files[log_path()] and "WARNING" in files[log_path()]
    assert '"action": "Power off"' in files[audit_path()]
    config_lines = files[config_path()].splitlines()
    assert config_lines.count(f'token = "{TOKEN}"') == 1
    files[config_path()] = "\n".join(line for line in config_lines if line != f'token = "{TOKEN}"')
    leaks = {str(p.relative_to(home)): text[:300] for p, text in files.items() if exposed(text)}
    assert not leaks, leaks
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (log_path().parent, config_path().parent, *{p.parent for p in files if p.suffix == ".csv"}):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert os.environ["HOME"] == str(home)


@pytest.mark.parametrize("form", CONSOLE_FORMS)
async def test_an_unexpected_error_carrying_server_text_is_scrubbed_in_its_toast(
    form: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not every failure is a CloudzyError built by the client: a bug elsewhere may quote a server string in its
    own exception. The error toast's path (``report_error``) scrubs it too."""
    server = EchoServer(form)
    server.failing = set()
    client = client_for(server)
    app = CloudzyApp(
        client, api_label="api.echo.example", clock=lambda: NOW, refresh_seconds=0, local_hostname="console-host"
    )
    posted = record_toasts(app)

    async def power_off(instance_id: str) -> Any:
        raise ValueError(f"cannot read the reply: {sentence(TOKEN, form)}")

    monkeypatch.setattr(client.instances, "power_off", power_off)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: any("ValueError" in t for t in posted))
        assert not [t[:300] for t in posted if exposed(t)]
        assert not exposed(screen_text(pilot.app))
