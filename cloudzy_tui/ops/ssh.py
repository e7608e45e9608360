"""SSH to instances, UI-free: the command line, the tmux windows and panes the console opens, ``ssh-config``.

Every value that comes from the server is checked before it goes anywhere near a command line:

* the address is a real IP (``ipaddress``), chosen IPv4, else IPv6, else a floating IP attached to the instance;
* the hostname and id are used only when they are safe tokens (RFC-1123-ish names, never starting with ``-``),
* and after the template is filled in, no argument that came from a server value may start with ``-`` (so neither
  a hostname ``-oProxyCommand=...`` nor any other value can become an ssh option).

Commands are argument lists, never shell strings; where tmux needs a shell command it gets ``shlex.join`` of that
list (every word quoted). The console (``ui/``) and the CLI (``cli/``) both use this module; it knows no Textual.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cloudzy_tui.text import clean

DEFAULT_SSH_COMMAND = "ssh root@{ip}"
DEFAULT_USER = "root"
DEFAULT_PORT = 22

OpenMode = Literal["window", "split", "suspend"]
OPEN_MODES: tuple[str, ...] = ("window", "split", "suspend")

# tmux user options that tag what the console opened (on the pane: a window the user splits by hand does not make
# a second "session"). They survive the console: ``:sessions`` finds them after a restart.
TAG = "@cloudzy-instance"
TAG_HOSTNAME = "@cloudzy-hostname"
TAG_ADDRESS = "@cloudzy-address"
TAG_SINCE = "@cloudzy-since"
TAG_PROFILE = "@cloudzy-profile"

# A name safe as a command word, a tmux window name and an ssh ``Host`` pattern: letters, digits, ``.``, ``_``,
# ``-``; never starting with ``-`` or ``.``; at most 253 characters.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$")
_SAFE_USER = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]{0,31}$")
_FIELD = re.compile(r"\{([^{}]*)\}")
_KNOWN_FIELDS = frozenset({"ip", "hostname", "id", "user", "port"})


class SshError(Exception):
    """SSH cannot be opened to this instance, or the command cannot be built; ``str()`` says why, for a person."""


def safe_name(value: Any) -> str | None:
    """``value`` when it is safe as a command word / window name / ``Host`` pattern; otherwise None."""
    if not isinstance(value, str) or not _SAFE_NAME.match(value):
        return None
    return value


def label_of(instance: Any) -> str:
    """The instance's hostname for messages (cleaned: printable, one line)."""
    return clean(getattr(instance, "hostname", None) or getattr(instance, "id", ""), max_length=60)


def refusal(instance: Any) -> str | None:
    """Why ssh to ``instance`` is refused now (not ``active``), or None."""
    status = (getattr(instance, "status", None) or "").strip().lower()
    if status == "active":
        return None
    if not status:
        return f"{label_of(instance)} has no status; ssh needs an active instance"
    shown = clean(status, max_length=30)
    if status in ("shutdown", "stopped", "off", "shutoff"):
        return f"{label_of(instance)} is {shown}: power it on first (u)"
    if status == "deleted":
        return f"{label_of(instance)} is deleted"
    return f"{label_of(instance)} is {shown}, not active: wait until it is active"


def _ip(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def choose_address(instance: Any, floating_ips: Iterable[Any] = ()) -> str:
    """The address to connect to: the IPv4, else the IPv6, else a floating IP attached to the instance. Only a
    real IP address is ever returned (``SshError`` otherwise)."""
    bad: list[str] = []
    for value in (getattr(instance, "main_ip", None), getattr(instance, "main_ipv6", None)):
        ip = _ip(value)
        if ip is not None:
            return ip
        if value:
            bad.append(clean(value, max_length=60))
    instance_id = str(getattr(instance, "id", ""))
    for fip in floating_ips:
        if str(getattr(fip, "instance_id", "") or "") == instance_id and instance_id:
            ip = _ip(getattr(fip, "ip_address", None))
            if ip is not None:
                return ip
    if bad:
        raise SshError(f"{label_of(instance)}: {bad[0]!r} is not an IP address; not connecting")
    raise SshError(f"{label_of(instance)} has no IP address to connect to")


@dataclass(frozen=True)
class SshSettings:
    """How the console and ``ssh-config`` reach instances (from the config: settings, then the profile's)."""

    command: str = DEFAULT_SSH_COMMAND
    user: str = DEFAULT_USER
    port: int = DEFAULT_PORT
    open: OpenMode | None = None  # None: a window inside tmux, here (suspend) outside
    identity_file: str | None = None
    profile: str = "default"

    def open_mode(self, environ: dict[str, str] | None = None) -> OpenMode:
        """Where ``s`` opens ssh: the setting, else a tmux window inside tmux, else here. Outside tmux always
        here (there is no tmux to open a window in)."""
        inside = in_tmux(environ)
        if not inside:
            return "suspend"
        return self.open or "window"


def settings_from(settings: Any, profile: Any, profile_name: str = "default") -> SshSettings:
    """``SshSettings`` from the config's ``Settings`` and ``Profile`` (the profile's values win)."""

    def pick(name: str, default: Any) -> Any:
        value = getattr(profile, name, None)
        if value is None:
            value = getattr(settings, name, None)
        return default if value is None else value

    return SshSettings(
        command=pick("ssh_command", DEFAULT_SSH_COMMAND),
        user=pick("ssh_user", DEFAULT_USER),
        port=int(pick("ssh_port", DEFAULT_PORT)),
        open=pick("ssh_open", None),
        identity_file=pick("ssh_identity_file", None),
        profile=profile_name,
    )


@dataclass(frozen=True)
class SshTarget:
    """One instance, checked: what the command and the tmux tags are made of (every field safe)."""

    instance_id: str
    hostname: str | None  # None when the server's hostname is not safe to use
    address: str

    @property
    def name(self) -> str:
        """For a tmux window name and messages: the hostname, else the address."""
        return self.hostname or self.address


def target_of(instance: Any, floating_ips: Iterable[Any] = ()) -> SshTarget:
    """Check ``instance`` for ssh: active, with a real address. ``SshError`` says why not."""
    reason = refusal(instance)
    if reason is not None:
        raise SshError(reason)
    address = choose_address(instance, floating_ips)
    return SshTarget(
        instance_id=str(getattr(instance, "id", "")),
        hostname=safe_name(getattr(instance, "hostname", None)),
        address=address,
    )


def build_command(template: str, target: SshTarget, *, user: str = DEFAULT_USER, port: int = DEFAULT_PORT) -> list[str]:
    """The argument list of ``template`` (``{ip}``, ``{hostname}``, ``{id}``, ``{user}``, ``{port}``) for
    ``target``. Never a shell string; a server value can never become an option."""
    if not _SAFE_USER.match(user):
        raise SshError(f"the ssh user {clean(user, max_length=40)!r} is not a user name")
    if not 0 < int(port) < 65536:
        raise SshError(f"the ssh port {port!r} is not a port")
    values: dict[str, str | None] = {
        "ip": target.address,
        "hostname": target.hostname,
        "id": safe_name(target.instance_id),
        "user": user,
        "port": str(int(port)),
    }
    try:
        parts = shlex.split(template)
    except ValueError as exc:
        raise SshError(f"the ssh command template is not usable: {exc}") from None
    if not parts:
        raise SshError("the ssh command template is empty")
    argv: list[str] = []
    for part in parts:
        fields = _FIELD.findall(part)
        for name in fields:
            if name not in _KNOWN_FIELDS:
                raise SshError(
                    f"the ssh command template has an unknown field {{{clean(name, max_length=20)}}}; "
                    "known: {ip}, {hostname}, {id}, {user}, {port}"
                )
            if values[name] is None:
                raise SshError(f"{name} of this instance is not safe on a command line; use {{ip}} in ssh_command")
        try:
            word = part.format(**{k: v or "" for k, v in values.items()})
        except (KeyError, IndexError, ValueError) as exc:
            raise SshError(f"the ssh command template is not usable: {exc}") from None
        # Belt and braces: a word the template did not start with '-' must not start with one now.
        if fields and word.startswith("-") and not part.startswith("-"):
            raise SshError("a server value would become a command option; not connecting")
        argv.append(word)
    return argv


def banner(target: SshTarget, argv: Sequence[str]) -> str:
    """What the console says before it hands the terminal to ssh."""
    who = f"{target.hostname} ({target.address})" if target.hostname else target.address
    return f"connecting to {who}: {shlex.join(argv)}\n(Ctrl-C to come back to the console)\n"


# ------------------------------------------------------------------------------------------------ tmux


def in_tmux(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get("TMUX"))


Runner = Callable[[list[str]], str]


class TmuxError(SshError):
    """tmux is missing or refused a command."""


def run_tmux(args: list[str]) -> str:
    """Run ``tmux args...`` and return its standard output; ``TmuxError`` with tmux's message on failure."""
    exe = shutil.which("tmux")
    if exe is None:
        raise TmuxError("tmux is not installed (or not on PATH)")
    try:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TmuxError(f"tmux did not answer: {exc}") from None
    if done.returncode != 0:
        raise TmuxError(f"tmux {args[0]}: {clean(done.stderr.strip(), max_length=200) or 'failed'}")
    return done.stdout


@dataclass(frozen=True)
class Opened:
    """A pane the console opened: tmux's ids for it."""

    target: SshTarget
    pane: str
    window: str


def _tags(target: SshTarget, profile: str, since: float) -> list[tuple[str, str]]:
    return [
        (TAG, target.instance_id),
        (TAG_HOSTNAME, target.hostname or ""),
        (TAG_ADDRESS, target.address),
        (TAG_SINCE, str(int(since))),
        (TAG_PROFILE, safe_name(profile) or "default"),
    ]


def _tag(run: Runner, pane: str, target: SshTarget, profile: str, since: float) -> None:
    for name, value in _tags(target, profile, since):
        run(["set-option", "-p", "-t", pane, name, value])


_IDS = "#{pane_id} #{window_id}"

# Run in a tmux pane: the command; if it fails (unreachable, refused), say so and wait for Enter, so the pane does
# not vanish before the error can be read. The command's words are positional parameters ("$@"): nothing in them
# is ever parsed by the shell.
_PANE_SCRIPT = (
    '"$@"; status=$?; if [ "$status" -ne 0 ]; then '
    'printf "\\n%s exited with status %s. Press Enter to close this pane.\\n" "$1" "$status"; read -r _; fi'
)


def pane_command(argv: Sequence[str]) -> str:
    """The one shell command tmux runs for ``argv`` (tmux hands a single command to ``sh -c``): every word quoted."""
    return shlex.join(["sh", "-c", _PANE_SCRIPT, "cloudzy-ssh", *argv])


def _ids(output: str) -> tuple[str, str]:
    words = output.split()
    if len(words) < 2 or not words[0].startswith("%") or not words[1].startswith("@"):
        raise TmuxError(f"tmux answered {clean(output, max_length=80)!r}, not a pane and window id")
    return words[0], words[1]


def open_in_tmux(
    items: Sequence[tuple[SshTarget, list[str]]],
    mode: Literal["window", "split"],
    *,
    tiled: bool = False,
    synchronize: bool = False,
    profile: str = "default",
    run: Runner = run_tmux,
    now: Callable[[], float] = time.time,
    environ: dict[str, str] | None = None,
) -> list[Opened]:
    """Open ssh for each ``(target, argv)``: one tmux window each (``window``), a pane beside the console
    (``split``), or, with ``tiled``, one window with a tiled pane each (``synchronize``: typed into all at once).
    Every pane is tagged (``@cloudzy-instance`` ...) so ``sessions()`` finds it again."""
    if not items:
        return []
    env = os.environ if environ is None else environ
    here = env.get("TMUX_PANE", "")
    opened: list[Opened] = []
    since = now()
    if tiled and len(items) > 1:
        first, rest = items[0], items[1:]
        name = f"ssh-{len(items)}"
        pane, window = _ids(run(["new-window", "-P", "-F", _IDS, "-n", name, "--", pane_command(first[1])]))
        opened.append(Opened(first[0], pane, window))
        for target, argv in rest:
            p, w = _ids(run(["split-window", "-t", window, "-P", "-F", _IDS, "--", pane_command(argv)]))
            opened.append(Opened(target, p, w))
            run(["select-layout", "-t", window, "tiled"])  # keep room for the next split
        if synchronize:
            run(["set-option", "-w", "-t", window, "synchronize-panes", "on"])
    else:
        for target, argv in items:
            if mode == "split":
                args = ["split-window", "-P", "-F", _IDS]
                if here.startswith("%"):
                    args += ["-t", here]
            else:
                args = ["new-window", "-P", "-F", _IDS, "-n", target.name]
            pane, window = _ids(run([*args, "--", pane_command(argv)]))
            opened.append(Opened(target, pane, window))
    for o in opened:
        _tag(run, o.pane, o.target, profile, since)
    return opened


@dataclass(frozen=True)
class Session:
    """An ssh pane the console opened and that is still open (from its tmux tags)."""

    pane: str
    window: str
    where: str  # session:window.pane, as a person types it
    instance_id: str
    hostname: str
    address: str
    since: float | None
    profile: str

    @property
    def key(self) -> str:
        return self.pane


_LIST_FORMAT = "\t".join(
    [
        "#{pane_id}",
        "#{window_id}",
        "#{session_name}:#{window_index}.#{pane_index}",
        "#{" + TAG + "}",
        "#{" + TAG_HOSTNAME + "}",
        "#{" + TAG_ADDRESS + "}",
        "#{" + TAG_SINCE + "}",
        "#{" + TAG_PROFILE + "}",
        "#{pane_dead}",
    ]
)


def sessions(run: Runner = run_tmux) -> list[Session]:
    """Every live pane tagged by a console (any tmux session of this server)."""
    found: list[Session] = []
    for line in run(["list-panes", "-a", "-F", _LIST_FORMAT]).splitlines():
        parts = line.split("\t")
        if len(parts) != 9 or not parts[3] or parts[8] == "1":
            continue
        pane, window, where, instance_id, hostname, address, since, profile, _dead = parts
        try:
            since_value: float | None = float(since)
        except ValueError:
            since_value = None
        found.append(
            Session(
                pane=clean(pane, max_length=20),
                window=clean(window, max_length=20),
                where=clean(where, max_length=80),
                instance_id=clean(instance_id, max_length=80),
                hostname=clean(hostname, max_length=80),
                address=clean(address, max_length=60),
                since=since_value,
                profile=clean(profile, max_length=40),
            )
        )
    return found


def _pane_id(pane: str) -> str:
    if not re.match(r"^%[0-9]+$", pane):
        raise TmuxError(f"{clean(pane, max_length=20)!r} is not a tmux pane id")
    return pane


def switch_to(session: Session, run: Runner = run_tmux) -> None:
    """Show ``session``'s pane in this tmux client (its window selected, the pane active)."""
    pane = _pane_id(session.pane)
    run(["switch-client", "-t", pane])
    run(["select-window", "-t", pane])
    run(["select-pane", "-t", pane])


def close(session: Session, run: Runner = run_tmux) -> None:
    """End ``session``: its pane is killed (ssh gets SIGHUP)."""
    run(["kill-pane", "-t", _pane_id(session.pane)])


MULTI_SESSION_HINT = (
    "SSH sessions open in tmux windows when the console runs inside tmux: start tmux (tmux new -s ops), run "
    "cloudzy-tui in it, then s opens a window per instance and :sessions lists them."
)


# ------------------------------------------------------------------------------------------------ ssh-config

MARKER = "# Written by cloudzy-tui ssh-config: it rewrites this whole file. Edit ~/.ssh/config instead."


def host_alias_problem(hostname: Any) -> str | None:
    """Why ``hostname`` cannot be an ssh ``Host`` pattern / name (None: it can)."""
    if not isinstance(hostname, str) or not hostname:
        return "no hostname"
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in hostname):
        return "control characters"
    if any(c.isspace() for c in hostname):
        return "spaces"
    if any(c in "*?!," for c in hostname):
        return "a pattern character (* ? ! ,)"
    if hostname.startswith("-"):
        return "a leading '-'"
    if safe_name(hostname) is None:
        return "characters other than letters, digits, '.', '_' and '-'"
    return None


@dataclass(frozen=True)
class ConfigResult:
    text: str
    hosts: list[str]
    skipped: list[str]  # one warning per instance left out


def render_ssh_config(
    instances: Iterable[Any], floating_ips: Iterable[Any] = (), *, settings: SshSettings = SshSettings()
) -> ConfigResult:
    """``Host`` blocks for every active instance whose hostname is a safe ``Host`` name and that has a real
    address; a warning for each one left out."""
    fips = list(floating_ips)
    if not _SAFE_USER.match(settings.user):
        raise SshError(f"the ssh user {clean(settings.user, max_length=40)!r} is not a user name")
    identity = settings.identity_file
    if identity is not None and (not identity or any(ord(c) < 32 or c == '"' for c in identity)):
        raise SshError("the ssh_identity_file setting has control characters or quotes")
    lines = [MARKER, f"# profile: {safe_name(settings.profile) or 'default'}", ""]
    hosts: list[str] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for instance in sorted(instances, key=lambda i: (str(getattr(i, "hostname", "") or ""), str(i.id))):
        if refusal(instance) is not None:
            continue
        name = getattr(instance, "hostname", None)
        problem = host_alias_problem(name)
        if problem is not None:
            skipped.append(
                f"skipped instance {clean(getattr(instance, 'id', ''), max_length=40)}: "
                f"its hostname {clean(name, max_length=40)!r} has {problem}"
            )
            continue
        assert isinstance(name, str)
        if name in seen:
            skipped.append(f"skipped a second instance named {name} ({clean(instance.id, max_length=40)})")
            continue
        try:
            address = choose_address(instance, fips)
        except SshError as exc:
            skipped.append(f"skipped {name}: {exc}")
            continue
        seen.add(name)
        hosts.append(name)
        lines += [f"Host {name}", f"    HostName {address}", f"    User {settings.user}"]
        if settings.port != DEFAULT_PORT:
            lines.append(f"    Port {int(settings.port)}")
        if identity:
            lines.append(f'    IdentityFile "{identity}"')
        lines.append("")
    return ConfigResult("\n".join(lines).rstrip("\n") + "\n", hosts, skipped)


def parse_ssh_config(text: str) -> dict[str, dict[str, str]]:
    """``{host: {keyword (lower case): value}}`` of a simple ssh config (what ``render_ssh_config`` writes)."""
    hosts: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        value = value.strip().strip('"')
        if key.lower() == "host":
            current = hosts.setdefault(value, {})
        elif current is not None:
            current[key.lower()] = value
    return hosts


class NotOurs(SshError):
    """The file exists and was not written by ``ssh-config``: it is left alone."""


def write_ssh_config(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600, only if the file is absent or ours (the marker)."""
    path = path.expanduser()
    if path.exists() or path.is_symlink():
        if not path.is_file() or path.is_symlink():
            raise NotOurs(f"{path} is not a regular file; not touching it")
        try:
            first = path.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        except OSError as exc:
            raise SshError(f"cannot read {path}: {exc.strerror}") from None
        if first != [MARKER]:
            raise NotOurs(f"{path} was not written by cloudzy-tui ssh-config (no marker line); not touching it")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
