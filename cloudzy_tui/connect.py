"""From command-line options to a working session: profile, API URL, token, clients, policy, audit. No Textual.

Every face starts here: the console (``ui/run.py``), the scripting CLI, the MCP server. The token comes from
``CLOUDZY_API_TOKEN``, then the profile's ``token``; with ``demo=True`` an in-process simulator stands in for the API
(no token, no network). The token is never printed; ``Connection.secrets`` lists what must be scrubbed from text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.config import Connection, Settings
    from cloudzy_tui.core.audit import AuditLog
    from cloudzy_tui.ops import Session

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
    """A client and an operations session for the profile (``ConfigError``/``NoTokenError`` when that cannot be)."""
    from cloudzy_tui.api import CloudzyClient
    from cloudzy_tui.config import audit_path, resolve, token_for
    from cloudzy_tui.core.audit import AuditLog
    from cloudzy_tui.ops import Policy, Session

    connection = resolve(profile=profile, api_url=api_url, read_only=read_only)
    settings = connection.settings
    secrets: list[str] = []
    if demo:
        client = demo_client(seed=seed, job_seconds=job_seconds)
        label, profile_name = "embedded simulator", "demo"
        audit = AuditLog(None, "demo")
    else:
        secret = token
        if secret is None:
            found = token_for(connection)
            secret = found.get_secret_value() if found is not None else None
        if not secret:
            raise NoTokenError(
                f"no API token for profile {connection.profile_name!r}: set CLOUDZY_API_TOKEN, save one in the "
                "profile (the console's first run offers to), or try the embedded simulator with --demo"
            )
        client = CloudzyClient(connection.api_url, secret)
        secrets.append(secret)
        del secret
        label = connection.api_url.removeprefix("https://").removeprefix("http://")
        profile_name = connection.profile_name
        audit = AuditLog(audit_path() if audit_actions else None, profile_name)
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
        secrets=secrets,
    )
