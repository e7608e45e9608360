"""What the console writes on disk: the config (token saved from the prompt), the log file, the audit log.

Each is private from its first byte — checked at the moment of creation by ``creation.watch_creations`` (umask 022;
the mode ``fstat`` sees right after the open, before anything is written), not only afterwards — in a 0700
directory; the log and audit rotate at a size limit; the log level is settable; no line holds the token, at DEBUG
either. Saving the token edits the config in place (comments, order, default values kept) and saves the URL the
token is used with.
"""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path
from typing import Any

import pytest

from cloudzy_tui.api.redact import register_secret
from cloudzy_tui.cli import build_parser
from cloudzy_tui.config import ConfigError, load_settings, resolve, save_token, token_for
from cloudzy_tui.core.audit import AuditLog
from cloudzy_tui.logs import RedactingFilter, parse_level, setup_logging

from .creation import loose, modes_under, watch_creations
from .echo import TOKEN, encoded, exposed, sentence

USER_CONFIG = """\
# My cloudzy-tui settings: keep this comment.
default_profile = "lab"
refresh_seconds = 15.0          # the default, written on purpose
theme = "nord"

[keymap]
"instances.power_off" = "P"     # P, not p

# The lab, on my laptop.
[profiles.lab]
api_url = "http://127.0.0.1:8765/developers"
colour = "green"
read_only = false               # the default again
protected = ["db-*"]

[profiles.prod]
api_url = "https://api.cloudzy.com/developers"
"""


# --------------------------------------------------------------------------------------------------------- config


def test_saving_the_token_changes_only_the_token_line(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(USER_CONFIG)
    cfg.chmod(0o600)
    save_token("lab", TOKEN, cfg, api_url="http://127.0.0.1:8765/developers")
    after = cfg.read_text().splitlines()
    before = USER_CONFIG.splitlines()
    added = [line for line in after if line not in before]
    assert added == [f'token = "{TOKEN}"'], added
    assert [line for line in before if line not in after] == []  # nothing lost: comments, defaults, order
    assert load_settings(cfg).profiles["lab"].token.get_secret_value() == TOKEN  # type: ignore[union-attr]


def test_saving_again_replaces_the_token_in_place(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(USER_CONFIG)
    save_token("prod", "first-token-aaaaaaaa", cfg)
    save_token("prod", "second-token-bbbbbbbb", cfg)
    text = cfg.read_text()
    assert "first-token" not in text and text.count("second-token-bbbbbbbb") == 1
    assert text.startswith("# My cloudzy-tui settings: keep this comment.\n")


def test_the_url_in_use_is_saved_with_the_token(tmp_path: Path) -> None:
    """Typed for a local simulator (CLOUDZY_API_URL): the next plain run must not send it to the default API."""
    cfg = tmp_path / "config.toml"
    local = "http://127.0.0.1:8765/developers"
    save_token("default", TOKEN, cfg, api_url=local)
    connection = resolve(env={}, settings=load_settings(cfg))
    assert connection.api_url == local
    assert token_for(connection, env={}).get_secret_value() == TOKEN  # type: ignore[union-attr]
    # The URL the profile already has is not rewritten.
    save_token("prod", TOKEN, cfg, api_url="https://api.cloudzy.com/developers")
    assert "[profiles.prod]\ntoken" in cfg.read_text()


def test_the_prompt_saves_the_url_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The console's own start-up: the masked prompt answered 'save', against CLOUDZY_API_URL."""
    import cloudzy_tui.ui.run as run
    from cloudzy_tui.ui.app import CloudzyApp

    local = "http://127.0.0.1:8765/developers"
    monkeypatch.setenv("CLOUDZY_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDZY_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CLOUDZY_API_URL", local)
    monkeypatch.delenv("CLOUDZY_API_TOKEN", raising=False)
    monkeypatch.delenv("CLOUDZY_PROFILE", raising=False)
    monkeypatch.setattr(run, "_prompt_token", lambda *args: (TOKEN, True))
    started: list[CloudzyApp] = []
    monkeypatch.setattr(CloudzyApp, "run", lambda self, **kwargs: started.append(self))
    args = build_parser().parse_args([])
    try:
        assert run.run_console(args) == 0
    finally:
        logging.getLogger("cloudzy_tui").handlers.clear()
        for app in started:  # never run, so never unmounted: end its off-loop thread here (nothing left running)
            if app.offloop is not None:
                app.offloop.close()
    monkeypatch.delenv("CLOUDZY_API_URL")
    settings = load_settings(tmp_path / "config" / "config.toml")
    assert resolve(env={}, settings=settings).api_url == local


def test_the_config_is_private_from_its_first_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cfg"
    cfg = folder / "config.toml"
    with watch_creations(tmp_path, monkeypatch) as created:
        save_token("prod", TOKEN, cfg)
    assert created and all(c.creating for c in created)
    assert not loose(created), loose(created)
    assert modes_under(tmp_path) == {"cfg": 0o700, "cfg/config.toml": 0o600}


def test_no_file_left_behind_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A world-readable temporary file (a crash, or another user) and a symlink planted where a temporary name
    was predictable: neither receives the token."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(USER_CONFIG)
    cfg.chmod(0o600)
    leftover = tmp_path / "config.tmp"
    leftover.write_text("")
    leftover.chmod(0o644)
    elsewhere = tmp_path / "attacker-readable"
    elsewhere.write_text("")
    for name in (".config.toml.tmp", "config.toml.tmp"):
        (tmp_path / name).symlink_to(elsewhere)
    with watch_creations(tmp_path, monkeypatch) as created:
        save_token("prod", TOKEN, cfg)
    assert not loose(created), loose(created)
    assert TOKEN not in leftover.read_text() and TOKEN not in elsewhere.read_text()
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600 and TOKEN in cfg.read_text()


def test_a_broken_config_is_not_overwritten(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("a = [\n")
    with pytest.raises(ConfigError):
        save_token("prod", TOKEN, cfg)
    assert cfg.read_text() == "a = [\n"
    cfg.write_text("[profiles.prod]\nbogus = 1\n")
    with pytest.raises(ConfigError) as info:
        save_token("prod", TOKEN, cfg)
    assert TOKEN not in str(info.value)
    assert TOKEN not in cfg.read_text()


def test_log_level_in_the_config_and_on_the_command_line(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('log_level = "debug"\n')
    assert load_settings(cfg).log_level == "DEBUG"
    cfg.write_text('log_level = "loud"\n')
    with pytest.raises(ConfigError, match="log_level"):
        load_settings(cfg)
    assert build_parser().parse_args(["--log-level", "warning"]).log_level == "WARNING"
    assert build_parser().parse_args([]).log_level is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--log-level", "loud"])
    assert parse_level("info") == logging.INFO and parse_level(None) == logging.INFO
    with pytest.raises(ValueError):
        parse_level("loud")


# ----------------------------------------------------------------------------------------------------------- logs


@pytest.fixture
def cloudzy_logger() -> Any:
    logger = logging.getLogger("cloudzy_tui")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_the_log_file_is_private_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cloudzy_logger: logging.Logger
) -> None:
    path = tmp_path / "state" / "cloudzy-tui" / "cloudzy-tui.log"
    with watch_creations(tmp_path, monkeypatch) as created:
        setup_logging("INFO", path)
        logging.getLogger("cloudzy_tui.api").warning("first line")
    assert created and not loose(created), loose(created)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "first line" in path.read_text()


def test_an_old_world_readable_log_and_directory_are_tightened(tmp_path: Path, cloudzy_logger: logging.Logger) -> None:
    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "cloudzy-tui.log"
    path.write_text("old\n")
    path.chmod(0o644)
    setup_logging("INFO", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_log_rotates_and_every_file_stays_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cloudzy_logger: logging.Logger
) -> None:
    import cloudzy_tui.logs as logs

    monkeypatch.setattr(logs, "MAX_BYTES", 4000)
    path = tmp_path / "log" / "cloudzy-tui.log"
    setup_logging("INFO", path)
    log = logging.getLogger("cloudzy_tui.ui")
    with watch_creations(tmp_path, monkeypatch) as created:
        for n in range(400):
            log.info("line %d %s", n, "x" * 60)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["cloudzy-tui.log", *(f"cloudzy-tui.log.{n}" for n in range(1, logs.BACKUP_COUNT + 1))]
    for name in files:
        assert (path.parent / name).stat().st_size <= 4000 + 200
        assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600
    assert created and not loose(created)
    assert "line 399" in path.read_text()


def test_the_level_decides_what_is_written(tmp_path: Path, cloudzy_logger: logging.Logger) -> None:
    path = tmp_path / "l.log"
    setup_logging("WARNING", path)
    log = logging.getLogger("cloudzy_tui.api")
    log.debug("a debug line")
    log.info("an info line")
    log.warning("a warning line")
    setup_logging("DEBUG", path)  # again: replaces its own handler, writes once per record
    log.debug("now debug")
    text = path.read_text()
    assert "a debug line" not in text and "an info line" not in text and "a warning line" in text
    assert text.count("now debug") == 1
    assert len([h for h in cloudzy_logger.handlers if h.get_name() == "cloudzy-tui-file"]) == 1


@pytest.mark.parametrize("form", ["plain", "percent", "split", "long", "mixed"])
def test_no_log_line_holds_the_token_at_debug(form: str, tmp_path: Path, cloudzy_logger: logging.Logger) -> None:
    """The filter is the last line of defence: whatever a caller logs (arguments, an exception, a stack) is
    scrubbed before it is written."""
    register_secret(TOKEN)
    path = tmp_path / "d.log"
    setup_logging("DEBUG", path)
    log = logging.getLogger("cloudzy_tui.somewhere")
    said = sentence(TOKEN, form)
    log.debug("the server said %s", said)
    log.debug(said)
    log.info("%(x)s", {"x": said})
    try:
        raise RuntimeError(said)
    except RuntimeError:
        log.exception("failed")
    log.debug("with a stack: %s", encoded(TOKEN, "percent"), stack_info=True)
    text = path.read_text()
    assert "the server said" in text and "RuntimeError" in text
    assert not exposed(text), text[:500]


def test_the_filter_scrubs_records_for_every_handler() -> None:
    register_secret(TOKEN)
    record = logging.LogRecord("cloudzy_tui.x", logging.INFO, __file__, 1, "a %s b", (TOKEN,), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "a *** b"


# ---------------------------------------------------------------------------------------------------------- audit


class Event:
    def __init__(self, error: str | None, path: str = "/v1/instances/i-1/poweroff") -> None:
        self.method = "POST"
        self.path = path
        self.status = 409
        self.outcome = "error"
        self.error = error


def test_the_audit_log_is_private_scrubbed_and_rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register_secret(TOKEN)
    path = tmp_path / "state" / "audit.jsonl"
    audit = AuditLog(path, "prod", max_bytes=3000, backup_count=2)
    with watch_creations(tmp_path, monkeypatch) as created:
        for n in range(40):
            audit.on_event(Event(f"ApiError: {sentence(TOKEN, 'split')} #{n}", path=f"/v1/instances/{TOKEN}"))
    assert created and not loose(created), loose(created)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    for name in names:
        text = (path.parent / name).read_text()
        assert not exposed(text)
        assert stat.S_IMODE((path.parent / name).stat().st_mode) == 0o600
        assert all(json.loads(line)["profile"] == "prod" for line in text.splitlines())
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["error"].endswith("#39") and "***" in last["error"] and last["path"] == "/v1/instances/***"


def test_the_console_wires_level_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cloudzy-tui --log-level DEBUG`` (the config says WARNING): the file under the state dir gets DEBUG lines."""
    import cloudzy_tui.ui.run as run
    from cloudzy_tui.ui.app import CloudzyApp

    monkeypatch.setenv("CLOUDZY_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDZY_TUI_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('log_level = "WARNING"\n')
    seen: list[int] = []
    monkeypatch.setattr(CloudzyApp, "run", lambda self, **kw: seen.append(logging.getLogger("cloudzy_tui").level))
    try:
        assert run.run_console(build_parser().parse_args(["--demo", "--log-level", "DEBUG"])) == 0
        assert seen == [logging.DEBUG]
        assert run.run_console(build_parser().parse_args(["--demo"])) == 0
        assert seen[-1] == logging.WARNING
    finally:
        for handler in logging.getLogger("cloudzy_tui").handlers:
            handler.close()
        logging.getLogger("cloudzy_tui").handlers.clear()
    assert (tmp_path / "state" / "cloudzy-tui.log").exists()
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


def test_no_token_option_on_the_command_line() -> None:
    """The token never travels in argv (visible to every user in `ps`, kept in shell history)."""
    parser = build_parser()
    options = [opt for action in parser._actions for opt in action.option_strings]
    assert options and not [opt for opt in options if "token" in opt.lower() or "secret" in opt.lower()]
