"""Profiles, token sources, the config file's mode, and `cloudzy-tui info` (never the token)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cloudzy_tui.config import (
    ConfigError,
    Settings,
    load_settings,
    permission_warning,
    resolve,
    save_token,
    token_for,
)

SECRET = "tok-3f9a7c1e5b2d"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_token_sources_in_order(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "config.toml",
        f'default_profile = "prod"\n[profiles.prod]\napi_url = "https://api.example/developers"\n'
        f'token = "{SECRET}"\ncolour = "red"\nread_only = true\nprotected = ["db-*"]\n',
    )
    settings = load_settings(cfg)
    # 1. the environment wins
    conn = resolve(env={"CLOUDZY_API_TOKEN": "from-env"}, settings=settings)
    assert conn.token_source == "environment"
    assert token_for(conn, env={"CLOUDZY_API_TOKEN": "from-env"}).get_secret_value() == "from-env"
    # 2. then the profile
    conn = resolve(env={}, settings=settings)
    assert conn.profile_name == "prod" and conn.token_source == "config file"
    assert token_for(conn, env={}).get_secret_value() == SECRET
    assert conn.read_only and conn.api_url == "https://api.example/developers"
    assert conn.profile.protected == ["db-*"]
    # 3. then nothing (the console prompts)
    conn = resolve(env={}, settings=Settings())
    assert conn.token_source == "none" and token_for(conn, env={}) is None


def test_profile_selection_and_unknown_profile(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path / "c.toml", '[profiles.a]\n[profiles.b]\napi_url = "http://127.0.0.1:1/developers"\n')
    )
    assert resolve(profile="b", env={}, settings=settings).api_url == "http://127.0.0.1:1/developers"
    assert resolve(env={"CLOUDZY_PROFILE": "b"}, settings=settings).profile_name == "b"
    assert resolve(env={"CLOUDZY_API_URL": "http://x/developers"}, profile="b", settings=settings).api_url == (
        "http://x/developers"
    )
    with pytest.raises(ConfigError, match=r"No profile named 'c'.*a, b"):
        resolve(profile="c", env={}, settings=settings)


def test_bad_config_lists_every_problem(tmp_path: Path) -> None:
    text = 'refresh_seconds = -1\ncolour = "x"\n[profiles.p]\napi_url = "ftp://x"\nbogus = 1\n'
    cfg = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    message = str(info.value)
    assert "refresh_seconds" in message and "colour" in message and "profiles.p.api_url" in message
    assert "profiles.p.bogus" in message
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path / "bad.toml", "a = [\n"))


def test_saved_token_file_is_0600_and_round_trips(tmp_path: Path) -> None:
    cfg = tmp_path / "dir" / "config.toml"
    save_token("prod", SECRET, cfg)
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert permission_warning(cfg) is None
    assert load_settings(cfg).profiles["prod"].token.get_secret_value() == SECRET
    cfg.chmod(0o644)
    warning = permission_warning(cfg)
    assert warning is not None and "chmod 600" in warning and SECRET not in warning


def test_info_prints_paths_never_the_token(tmp_path: Path) -> None:
    write(tmp_path / "config.toml", f'[profiles.default]\ntoken = "{SECRET}"\n', mode=0o644)
    env = {
        **os.environ,
        "CLOUDZY_TUI_CONFIG_DIR": str(tmp_path),
        "CLOUDZY_TUI_STATE_DIR": str(tmp_path / "s"),
        "CLOUDZY_API_TOKEN": "env-" + SECRET,
    }
    out = subprocess.run(
        [sys.executable, "-m", "cloudzy_tui", "info"], capture_output=True, text=True, env=env, check=True
    )
    text = out.stdout + out.stderr
    assert str(tmp_path / "config.toml") in text and "audit.jsonl" in text
    assert "token from    environment" in text
    assert "readable by other users" in text
    assert SECRET not in text


def test_help_does_not_import_textual() -> None:
    code = "import sys; from cloudzy_tui.cli import build_parser; build_parser(); print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("demo", [False, True], ids=["api", "demo"])
@pytest.mark.parametrize("per_minute", [120, 0])
async def test_every_face_draws_from_the_settings_request_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: bool, per_minute: int
) -> None:
    """The CLI and the MCP server (``connect``) pace their requests as the console (``open_console``) does."""
    from cloudzy_tui.connect import connect, open_console

    monkeypatch.setenv("CLOUDZY_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDZY_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("CLOUDZY_API_TOKEN", raising=False)
    monkeypatch.delenv("CLOUDZY_API_URL", raising=False)
    monkeypatch.delenv("CLOUDZY_PROFILE", raising=False)
    write(
        tmp_path / "config" / "config.toml",
        f'max_requests_per_minute = {per_minute}\n[profiles.default]\ntoken = "{SECRET}"\n',
    )
    connected = connect(demo=demo)
    assert connected.connection is not None
    console = open_console(connected.connection, SECRET, demo=demo, cache=False)
    try:
        for client in (connected.client, console.client, console.list_client):
            if client is None:
                continue
            if per_minute:
                assert client.budget is not None and client.budget.per_minute == per_minute
            else:
                assert client.budget is None
        assert (console.list_client is None) == demo
    finally:
        await connected.aclose()
        await console.client.aclose()
        if console.list_client is not None:
            await console.list_client.aclose()
