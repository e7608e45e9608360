"""The palette's Screenshot and the table export, with a HOME that has no ~/Downloads: saved under the XDG state
dir (its folder created 0700, the file 0600 from its first byte), the toast naming the path."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Input
from ui.helpers import form_on_screen, loaded, wait_for

from .creation import loose, watch_creations


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "XDG_STATE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DOWNLOAD_DIR",
        "CLOUDZY_TUI_STATE_DIR",
        "CLOUDZY_TUI_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


def _toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app.shown_toasts()]


async def test_the_palette_screenshot_is_saved_under_the_state_dir(
    make_app: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = home / ".local" / "state" / "cloudzy-tui" / "screenshots"
    assert not (home / "Downloads").exists()
    app = make_app()
    with watch_creations(home, monkeypatch) as created:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await loaded(pilot, "instances")
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: CommandPalette.is_open(pilot.app))
            await pilot.press(*"screenshot")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("Screenshot" in t for t in _toasts(app)))
            toast = next(t for t in _toasts(app) if "Screenshot" in t)
    files = list(folder.glob("*.svg")) if folder.exists() else []
    assert len(files) == 1, (toast, sorted(str(p) for p in home.rglob("*")))
    assert str(files[0]) in toast and "saved" in toast
    assert "<svg" in files[0].read_text()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not loose(created), loose(created)


async def test_a_table_export_goes_to_the_state_dir_by_default(
    make_app: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = home / ".local" / "state" / "cloudzy-tui" / "exports"
    app = make_app()
    with watch_creations(home.parent, monkeypatch) as created:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await loaded(pilot, "instances")
            await pilot.press("E")
            form = await form_on_screen(pilot)
            default = form.query_one("#field-path", Input).value
            await pilot.click("#submit")
            await wait_for(pilot, lambda: any("Exported" in t for t in _toasts(app)))
            toast = next(t for t in _toasts(app) if "Exported" in t)
    files = list(folder.glob("*.csv")) if folder.exists() else []
    assert len(files) == 1, (default, toast)
    assert str(files[0]) == default and str(files[0]) in toast
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not loose(created), loose(created)


async def test_an_export_never_overwrites_nor_writes_into_a_missing_folder(
    make_app: Any, home: Path, tmp_path: Path
) -> None:
    existing = tmp_path / "rows.csv"
    existing.write_text("mine\n")
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await loaded(pilot, "instances")
        await pilot.press("E")
        form = await form_on_screen(pilot)
        for path, expected in ((str(existing), "exists"), (str(tmp_path / "nowhere" / "x.csv"), "is not a folder")):
            form.query_one("#field-path", Input).value = path
            await pilot.click("#submit")
            await wait_for(pilot, lambda e=expected: e in str(form.query_one("#error-path").render()))
    assert existing.read_text() == "mine\n"
    assert not (tmp_path / "nowhere").exists()
