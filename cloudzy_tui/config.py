"""Settings: profiles, where the token comes from, refresh, keymap, theme. No Textual here.

The file is TOML under the XDG config dir (``~/.config/cloudzy-tui/config.toml``); a looser mode than 0600 is
warned about. Token sources, in order: ``CLOUDZY_API_TOKEN``, the selected profile's ``token``, then a masked prompt
at start-up (with the choice to save it). The token is never printed.

Saving a token (:func:`save_token`) edits the file with ``tomlkit``: only the profile's ``token`` line (and its
``api_url`` when the URL in use is another) change; comments, order and values equal to defaults stay. The new file
is written to a temporary file created 0600 by ``os.open`` with ``O_EXCL`` in the same directory (0700 when created
here), then renamed over the old one: the token is never in a file another user could open, not even for a moment.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from platformdirs import user_config_path, user_state_path
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

APP_NAME = "cloudzy-tui"
DEFAULT_API_URL = "https://api.cloudzy.com/developers"
DEFAULT_SSH_COMMAND = "ssh root@{ip}"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


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


def screenshots_dir() -> Path:
    """Where the palette's Screenshot saves (created 0700 when first used)."""
    return state_dir() / "screenshots"


def exports_dir() -> Path:
    """Where a table export goes unless another path is typed (created 0700 when first used)."""
    return state_dir() / "exports"


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
    #: ``{user}`` / ``{port}`` of ssh_command and of ``ssh-config`` (default: the settings', root / 22)
    ssh_user: str | None = None
    ssh_port: int | None = Field(None, gt=0, lt=65536)
    #: where ``s`` opens ssh: "window" / "split" (inside tmux) or "suspend" (here)
    ssh_open: Literal["window", "split", "suspend"] | None = None
    #: an ``IdentityFile`` for the ``Host`` blocks of ``cloudzy-tui ssh-config``
    ssh_identity_file: str | None = None

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
    ssh_user: str = "root"
    ssh_port: int = Field(22, gt=0, lt=65536)
    #: default: a new tmux window inside tmux, here (the console suspended) outside
    ssh_open: Literal["window", "split", "suspend"] | None = None
    keymap: dict[str, str] = Field(default_factory=dict)
    profiles: dict[str, Profile] = Field(default_factory=dict)
    #: the log file's level (``--log-level`` overrides it)
    log_level: str = "INFO"
    #: ring the terminal's bell when a job ends while the terminal is not focused
    bell: bool = True
    #: the screen the console opens on: a resource (``instances``...) or ``pulse``
    start_screen: str = "instances"
    #: one request budget for the whole console (every list walk, refresh, job poll, detail load): a token bucket
    #: with a burst of a quarter of this; a 429's Retry-After pauses every request. 0 = no budget.
    max_requests_per_minute: int = Field(600, ge=0)
    #: keep the last list of each resource per profile in a local cache (``--no-cache`` turns it off for a run)
    cache: bool = True
    #: what an idle list on display may cost: full walks are spaced (by their measured cost) to stay within it
    idle_requests_per_minute: int = Field(30, ge=1)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        name = value.strip().upper()
        if name not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return name

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


def write_private(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text``, never readable by others: a temporary file created 0600 (``O_EXCL``, so no
    file or symlink planted beforehand is reused) in the same directory, flushed, then renamed over ``path``. A
    symlinked config is written where the link points. The directory is created 0700 if it does not exist."""
    target = path.resolve() if path.is_symlink() else path
    if not target.parent.exists():
        target.parent.mkdir(mode=0o700, parents=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return path


def save_token(profile_name: str, token: str, path: Path | None = None, *, api_url: str | None = None) -> Path:
    """Save ``token`` in profile ``profile_name``, changing only that line (and ``api_url``, see below).

    ``api_url`` is the URL the token is being used with: when the profile would otherwise send it elsewhere (its
    own ``api_url``, or the default), it is saved beside the token, so that the next plain run sends the token to
    the host it was typed for and nowhere else.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None
    try:
        doc = tomlkit.parse(text)
        profiles = doc.get("profiles")
        if profiles is None:
            profiles = tomlkit.table(is_super_table=True)
            doc["profiles"] = profiles
        if not isinstance(profiles, dict):
            raise ConfigError(f"{path}: 'profiles' is not a table; the token was not saved.")
        profile = profiles.get(profile_name)
        if profile is None:
            profile = tomlkit.table()
            profiles[profile_name] = profile
            profile = profiles[profile_name]
        if not isinstance(profile, dict):
            raise ConfigError(f"{path}: 'profiles.{profile_name}' is not a table; the token was not saved.")
        if api_url is not None:
            current = str(profile.get("api_url", DEFAULT_API_URL)).rstrip("/")
            if api_url.rstrip("/") != current:
                profile["api_url"] = api_url.rstrip("/")
        profile["token"] = token
        new_text = tomlkit.dumps(doc)
    except TOMLKitError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}; the token was not saved.") from None
    try:  # never write a file the next start could not read
        Settings.model_validate(tomllib.loads(new_text))
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"{path} would not be valid TOML after saving the token; nothing was written.") from None
    except ValidationError as exc:  # its locations only: pydantic's text would quote values (the token among them)
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors(include_input=False))
        raise ConfigError(f"{path} has problems ({where}); the token was not saved.") from None
    return write_private(path, new_text)


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
    print(f"screenshots   {screenshots_dir()}")
    print(f"exports       {exports_dir()}")
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
