"""Settings: profiles, where the token comes from, refresh, keymap, theme. No Textual here.

The file is TOML under the XDG config dir (``~/.config/cloudzy-tui/config.toml``), written with mode 0600; a
looser mode is warned about. Token sources, in order: ``CLOUDZY_API_TOKEN``, the selected profile's ``token``,
then a masked prompt at start-up (with the choice to save it). The token is never printed.
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_config_path, user_state_path
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

APP_NAME = "cloudzy-tui"
DEFAULT_API_URL = "https://api.cloudzy.com/developers"
DEFAULT_SSH_COMMAND = "ssh root@{ip}"


def config_dir() -> Path:
    override = os.environ.get("CLOUDZY_TUI_CONFIG_DIR")
    return Path(override) if override else user_config_path(APP_NAME)


def state_dir() -> Path:
    override = os.environ.get("CLOUDZY_TUI_STATE_DIR")
    return Path(override) if override else user_state_path(APP_NAME)


def config_path() -> Path:
    return config_dir() / "config.toml"


def audit_path() -> Path:
    return state_dir() / "audit.jsonl"


def log_path() -> Path:
    return state_dir() / "cloudzy-tui.log"


class ConfigError(Exception):
    """The config file cannot be used; the message lists every problem."""


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_url: str = DEFAULT_API_URL
    token: SecretStr | None = None
    colour: str | None = None
    read_only: bool = False
    # Instance ids or hostname patterns (fnmatch: ``db-*``) that no mutating action may touch.
    protected: list[str] = Field(default_factory=list)
    ssh_command: str | None = None

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local simulator)")
        return value.rstrip("/")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_profile: str = "default"
    refresh_seconds: float = Field(15.0, ge=0)
    theme: str | None = None
    ssh_command: str = DEFAULT_SSH_COMMAND
    keymap: dict[str, str] = Field(default_factory=dict)
    profiles: dict[str, Profile] = Field(default_factory=dict)

    def profile(self, name: str) -> Profile:
        if name in self.profiles:
            return self.profiles[name]
        if name == "default" or not self.profiles:
            return Profile()
        known = ", ".join(sorted(self.profiles)) or "none"
        raise ConfigError(f"No profile named {name!r} in {config_path()} (profiles: {known}).")


def permission_warning(path: Path) -> str | None:
    """A warning when the config file (which may hold tokens) is readable by others."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"warning: {path} is readable by other users (mode {stat.S_IMODE(mode):04o}); "
            f"it may hold API tokens. Fix it with: chmod 600 {path}"
        )
    return None


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            where = ".".join(str(p) for p in error["loc"]) or "(top level)"
            problems.append(f"  {where}: {error['msg']}")
        raise ConfigError(f"{path} has {len(problems)} problem(s):\n" + "\n".join(problems)) from None


# --------------------------------------------------------------------------------------------- writing


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _toml_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else _toml_value(key)


def dump_settings(settings: Settings) -> str:
    """TOML for the settings, tokens included (the file is written 0600)."""
    lines: list[str] = []
    data = settings.model_dump(exclude_defaults=True, exclude={"profiles", "keymap"})
    for key, value in data.items():
        if value is not None:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    if settings.keymap:
        lines += ["", "[keymap]"]
        lines += [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in settings.keymap.items()]
    for name, profile in settings.profiles.items():
        lines += ["", f"[profiles.{_toml_key(name)}]"]
        fields = profile.model_dump(exclude_defaults=True, exclude={"token"})
        fields = {"api_url": profile.api_url, **fields}
        for key, value in fields.items():
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        if profile.token is not None:
            lines.append(f"token = {_toml_value(profile.token.get_secret_value())}")
    return "\n".join(lines).lstrip("\n") + "\n"


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the file with mode 0600 from the start (never world-readable, not even for a moment)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(dump_settings(settings))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def save_token(profile_name: str, token: str, settings: Settings | None = None, path: Path | None = None) -> Path:
    settings = settings or load_settings(path)
    profile = settings.profiles.get(profile_name) or Profile()
    settings.profiles[profile_name] = profile.model_copy(update={"token": SecretStr(token)})
    return save_settings(settings, path)


# ------------------------------------------------------------------------------------------ resolution


@dataclass
class Connection:
    """Everything start-up decided: which API, which profile, where the token comes from."""

    profile_name: str
    profile: Profile
    api_url: str
    token_source: str  # "environment", "config file", "prompt" or "none"
    read_only: bool
    settings: Settings


def resolve(
    *,
    profile: str | None = None,
    api_url: str | None = None,
    read_only: bool = False,
    env: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> Connection:
    env = os.environ if env is None else env
    settings = settings or load_settings()
    name = profile or env.get("CLOUDZY_PROFILE") or settings.default_profile
    chosen = settings.profile(name)
    url = (api_url or env.get("CLOUDZY_API_URL") or chosen.api_url).rstrip("/")
    if env.get("CLOUDZY_API_TOKEN"):
        source = "environment"
    elif chosen.token is not None and chosen.token.get_secret_value():
        source = "config file"
    else:
        source = "none"
    return Connection(
        profile_name=name,
        profile=chosen,
        api_url=url,
        token_source=source,
        read_only=read_only or chosen.read_only,
        settings=settings,
    )


def token_for(connection: Connection, env: Mapping[str, str] | None = None) -> SecretStr | None:
    env = os.environ if env is None else env
    if connection.token_source == "environment":
        return SecretStr(env["CLOUDZY_API_TOKEN"])
    if connection.token_source == "config file" and connection.profile.token is not None:
        return connection.profile.token
    return None


def print_info(profile: str | None = None, api_url: str | None = None) -> int:
    """``cloudzy-tui info``: the paths and the profile in use. Never the token."""
    path = config_path()
    print(f"config file   {path}{'' if path.exists() else '  (not created yet)'}")
    print(f"state dir     {state_dir()}")
    print(f"audit log     {audit_path()}")
    print(f"log file      {log_path()}")
    warning = permission_warning(path)
    if warning:
        print(warning)
    try:
        connection = resolve(profile=profile, api_url=api_url)
    except ConfigError as exc:
        print(f"config error  {exc}", file=sys.stderr)
        return 2
    print(f"profile       {connection.profile_name}")
    print(f"API URL       {connection.api_url}")
    print(f"token from    {connection.token_source}")
    print(f"read-only     {'yes' if connection.read_only else 'no'}")
    if connection.profile.protected:
        print(f"protected     {', '.join(connection.profile.protected)}")
    names = ", ".join(sorted(connection.settings.profiles)) or "(none defined)"
    print(f"profiles      {names}")
    return 0
