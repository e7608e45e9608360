"""From command-line options to a working session: profile, API URL, token, clients, policy, audit. No Textual.

Every face starts here: the console (``ui/run.py``), the scripting CLI, the MCP server. The token comes from
``CLOUDZY_API_TOKEN``, then the profile's ``token``; with ``demo=True`` an in-process simulator stands in for the API
(no token, no network). The token is never printed; ``Connection.secrets`` lists what must be scrubbed from text.

The console's own bundle is :class:`ConsoleConnection`, built by :func:`open_console` (clients, request budget, list
cache, policy, ssh settings of one profile) at start-up and again by ``:profile NAME`` through a
:class:`ProfileSwitcher`, which also says which start-up options carry over to another profile.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudzy_tui.api import CloudzyClient, RequestBudget
    from cloudzy_tui.config import Connection, Settings
    from cloudzy_tui.core.audit import AuditLog
    from cloudzy_tui.core.cache import ListCache
    from cloudzy_tui.ops import Session
    from cloudzy_tui.ops.ssh import SshSettings

DEMO_TOKEN = "demo-token"
DEMO_URL = "http://demo.simulator/developers"


class NoTokenError(Exception):
    """No token for the profile (and not in demo mode): the message says where one may come from."""


def demo_client(seed: int = 1, job_seconds: float | None = None, **sim_options: Any) -> CloudzyClient:
    """A client wired to a fresh in-process simulator (no socket, no network)."""
    import httpx

    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.sim import SimConfig, Simulator, create_app

    options: dict[str, Any] = {"seed": seed, "token": DEMO_TOKEN, **sim_options}
    if job_seconds is not None:
        options["job_seconds"] = job_seconds
    simulator = Simulator(SimConfig(**options))
    transport = httpx.ASGITransport(app=create_app(simulator))
    return CloudzyClient(DEMO_URL, DEMO_TOKEN, transport=transport)


@dataclass
class Connected:
    """What a face needs to talk to the API under the profile's rules."""

    client: CloudzyClient
    session: Session
    audit: AuditLog
    profile_name: str
    label: str
    read_only: bool
    connection: Connection | None
    settings: Settings
    demo: bool = False
    secrets: list[str] = field(default_factory=list, repr=False)

    async def aclose(self) -> None:
        await self.client.aclose()


def connect(
    *,
    profile: str | None = None,
    api_url: str | None = None,
    read_only: bool = False,
    demo: bool = False,
    seed: int = 1,
    job_seconds: float | None = None,
    token: str | None = None,
    audit_actions: bool = True,
) -> Connected:
    """A client and an operations session for the profile (``ConfigError``/``NoTokenError`` when that cannot be).

    The client is built by :func:`open_console`, as the console's is: the same request budget
    (``max_requests_per_minute``), the same demo simulator; no list cache and no second client for list walks."""
    from cloudzy_tui.config import audit_path, resolve, token_for
    from cloudzy_tui.core.audit import AuditLog
    from cloudzy_tui.ops import Policy, Session

    connection = resolve(profile=profile, api_url=api_url, read_only=read_only)
    settings = connection.settings
    secret = token
    if not demo:
        if secret is None:
            found = token_for(connection)
            secret = found.get_secret_value() if found is not None else None
        if not secret:
            raise NoTokenError(
                f"no API token for profile {connection.profile_name!r}: set CLOUDZY_API_TOKEN, save one in the "
                "profile (the console's first run offers to), or try the embedded simulator with --demo"
            )
    bundle = open_console(
        connection, secret, demo=demo, seed=seed, job_seconds=job_seconds, cache=False, walk_client=False
    )
    del secret
    client, label, profile_name = bundle.client, bundle.label, bundle.profile_name
    audit = AuditLog(audit_path() if audit_actions and not demo else None, profile_name)
    session = Session(
        client,
        policy=Policy(read_only=connection.read_only, protected=list(connection.profile.protected)),
        audit=audit,
        profile=profile_name,
    )
    return Connected(
        client=client,
        session=session,
        audit=audit,
        profile_name=profile_name,
        label=label,
        read_only=connection.read_only,
        connection=connection,
        settings=settings,
        demo=demo,
        secrets=bundle.secrets,
    )


# ------------------------------------------------------------------------------------ the console's connection


@dataclass
class ConsoleConnection:
    """Everything the console holds that belongs to one profile, built in one place (:func:`open_console`).

    The console keeps one at a time: at start-up (``ui/run.py``) and on ``:profile NAME`` it builds a new one and
    lets go of the old (``CloudzyApp.switch_profile``). What is built from it inside the console (catalog, operations
    session with its policy, job tracker, freshness planner) is the console's, rebuilt from it on every switch. The
    audit log is the session's: one file, each line naming the profile in use when it was written.
    """

    profile_name: str
    #: the API as the status bar names it (host and path, no scheme)
    label: str
    client: CloudzyClient
    #: a second client for long list walks off the UI thread (None: in-process simulator, one loop only)
    list_client: CloudzyClient | None = None
    budget: RequestBudget | None = None
    list_cache: ListCache | None = None
    read_only: bool = False
    protected: list[str] = field(default_factory=list)
    colour: str | None = None
    ssh: SshSettings | None = None
    demo: bool = False
    secrets: list[str] = field(default_factory=list, repr=False)


def api_label(api_url: str) -> str:
    return api_url.removeprefix("https://").removeprefix("http://")


def open_console(
    connection: Connection,
    token: str | None,
    *,
    demo: bool = False,
    seed: int = 1,
    job_seconds: float | None = None,
    cache: bool = True,
    walk_client: bool = True,
) -> ConsoleConnection:
    """The console's clients, request budget, list cache and policy for a resolved profile and its token.

    ``token`` is required unless ``demo`` (then an in-process simulator stands in for the API). The request budget
    is the settings' (one for every client of this connection); the list cache is keyed by URL, token and profile,
    so another account never sees these rows. ``walk_client=False``: no second client for list walks off the UI
    loop (the CLI and the MCP server walk on their one loop)."""
    from cloudzy_tui.api import CloudzyClient, RequestBudget
    from cloudzy_tui.ops.ssh import settings_from

    settings = connection.settings
    profile = connection.profile
    secrets: list[str] = []
    list_cache: ListCache | None = None
    budget = RequestBudget(settings.max_requests_per_minute) if settings.max_requests_per_minute > 0 else None
    if demo:
        client = demo_client(seed=seed, job_seconds=job_seconds)
        client.budget = budget
        label, profile_name = "embedded simulator", "demo"
        list_client = None  # in-process: one loop only (the simulator's state is not shared across threads)
    else:
        if not token:
            raise NoTokenError(f"no API token for profile {connection.profile_name!r}")
        client = CloudzyClient(connection.api_url, token, budget=budget)
        list_client = CloudzyClient(connection.api_url, token, read_only=True, budget=budget) if walk_client else None
        secrets.append(token)
        label, profile_name = api_label(connection.api_url), connection.profile_name
        if cache and settings.cache:
            from cloudzy_tui.core.cache import ListCache

            list_cache = ListCache(api_url=connection.api_url, token=token, profile=profile_name)
    del token
    return ConsoleConnection(
        profile_name=profile_name,
        label=label,
        client=client,
        list_client=list_client,
        budget=budget,
        list_cache=list_cache,
        read_only=connection.read_only,
        protected=list(profile.protected),
        colour=profile.colour,
        ssh=settings_from(settings, profile, profile_name),
        demo=demo,
        secrets=secrets,
    )


#: the environment variables that name one account: they apply to the profile the console started with only
STARTUP_ONLY_ENV = ("CLOUDZY_API_TOKEN", "CLOUDZY_API_URL")


@dataclass
class ProfileSwitcher:
    """What ``:profile NAME`` needs: the config's profiles (the file read again on each use, so an edited config
    applies and a broken one is reported without changing anything), and the start-up options that still apply.

    Rules: ``--read-only`` holds for the whole run (every profile is read-only then); ``--api-url`` and the
    environment's ``CLOUDZY_API_TOKEN`` / ``CLOUDZY_API_URL`` name one account and apply to the profile the console
    started with only (switching back to it uses them again). ``--no-cache`` holds for the whole run. A token typed
    this session (at the start-up prompt, or in the console when a profile has none) is kept in memory for it.
    """

    startup: str
    api_url: str | None = None
    read_only: bool = False
    cache: bool = True
    env: Mapping[str, str] | None = None
    config_file: Path | None = None
    typed: dict[str, str] = field(default_factory=dict, repr=False)

    def remember(self, name: str, token: str) -> None:
        """A token typed for profile ``name`` this session (memory only): switching back to it asks no more."""
        self.typed[name] = token

    def forget(self, name: str) -> None:
        """The token typed for profile ``name`` was refused by the API: the next switch to it asks again."""
        self.typed.pop(name, None)

    def _env(self, name: str) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        if name != self.startup:
            for key in STARTUP_ONLY_ENV:
                env.pop(key, None)
        env.pop("CLOUDZY_PROFILE", None)  # the name asked for is the profile
        return env

    def names(self) -> list[str]:
        """The profiles one may switch to: the config's, and the one the console started with."""
        from cloudzy_tui.config import ConfigError, load_settings

        try:
            configured = set(load_settings(self.config_file).profiles)
        except ConfigError:
            configured = set()
        return sorted(configured | {self.startup})

    def resolve(self, name: str) -> Connection:
        """The profile's settings, from the config file as it is now (``ConfigError``: unknown profile, bad file)."""
        from cloudzy_tui.config import ConfigError, config_path, load_settings, resolve

        settings = load_settings(self.config_file)
        if name not in settings.profiles and name != self.startup:
            known = ", ".join(sorted(set(settings.profiles) | {self.startup}))
            raise ConfigError(f"No profile named {name!r} in {self.config_file or config_path()} (profiles: {known}).")
        return resolve(
            profile=name,
            api_url=self.api_url if name == self.startup else None,
            read_only=self.read_only,
            env=self._env(name),
            settings=settings,
        )

    def token(self, connection: Connection) -> str | None:
        """The token the way start-up finds it (the environment's only for the start-up profile), or None."""
        from cloudzy_tui.config import token_for

        found = token_for(connection, env=self._env(connection.profile_name))
        if found is not None:
            return found.get_secret_value()
        return self.typed.get(connection.profile_name)

    def open(self, connection: Connection, token: str) -> ConsoleConnection:
        return open_console(connection, token, cache=self.cache)
