"""The command line: argparse sub-commands built from ``cli/spec.py``. Light: no pydantic, httpx or Textual here."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cloudzy_tui import __version__
from cloudzy_tui.cli.spec import (
    GET_FORMATS,
    GROUPS,
    RESOURCES,
    VERB_FORMATS,
    Verb,
    all_filters,
    filter_dest,
    filter_option,
    resource_names,
    verbs_in,
)

TYPE_CHECKING = False  # not typing's: --help imports no typing
if TYPE_CHECKING:
    from typing import Any

EXIT_CODES = """\
exit status:
  0    done
  1    the API answered with an error (not found, invalid, server error, network)
  2    usage: an unknown command, resource or option, or a value the operation does not accept
  3    refused by a safety rail, nothing was sent: read-only, a protected instance, not confirmed (use
       --yes when stdin is not a terminal), or not possible in the object's current state
  4    authentication: no API token, or the API refused it
  5    --wait: a job ended FAILED, its object disappeared, or --timeout passed first
  130  interrupted (Ctrl-C)"""


def config_file_hint() -> str:
    """Where the config file is: exact when ``CLOUDZY_TUI_CONFIG_DIR`` says; else the rule, without importing
    platformdirs (it alone costs a third of ``--help``): ``cloudzy-tui info`` prints the path in use."""
    override = os.environ.get("CLOUDZY_TUI_CONFIG_DIR")
    if override:
        return str(Path(override) / "config.toml")
    return (
        "the user config dir + cloudzy-tui/config.toml: ~/.config/cloudzy-tui/config.toml on Linux "
        "($XDG_CONFIG_HOME honoured), ~/Library/Application Support/cloudzy-tui/config.toml on macOS"
    )


def environment_help() -> str:
    return f"""\
environment:
  CLOUDZY_API_TOKEN       the API token (else the profile's token in the config file)
  CLOUDZY_API_URL         the API base URL (else the profile's api_url)
  CLOUDZY_PROFILE         the profile to use (else default_profile in the config file)
  CLOUDZY_TUI_CONFIG_DIR  the directory of config.toml
  CLOUDZY_TUI_STATE_DIR   the directory of the audit log (audit.jsonl) and the log file
  NO_COLOR                respected: the command line prints no colour at all

config file: {config_file_hint()}  ('cloudzy-tui info' shows the paths and profile in use)"""


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """The options every command takes, before or after the sub-command. ``suppress``: for sub-commands, so that
    an option given before the sub-command is not reset by the sub-command's default."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument("--profile", metavar="NAME", default=default(None), help="configuration profile to use")
    group.add_argument(
        "--api-url",
        metavar="URL",
        default=default(None),
        help="API base URL (default: CLOUDZY_API_URL or the profile's)",
    )
    group.add_argument(
        "--read-only", action="store_true", default=default(False), help="refuse every mutating operation"
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="use the embedded Cloudzy API simulator with seeded demo data (no token, no network; "
        "each command starts from the same data)",
    )
    group.add_argument("--seed", type=int, default=default(1), help="demo mode: simulator seed (default 1)")
    group.add_argument(
        "--job-seconds",
        type=float,
        metavar="S",
        default=default(None),
        help="demo mode: seconds each asynchronous transition takes",
    )
    group.add_argument(
        "--no-mouse",
        action="store_true",
        default=default(False),
        help="console: leave the mouse to the terminal (text selection)",
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        default=default(False),
        help="console: neither paint nor keep the local cache of the last lists (config: cache)",
    )
    group.add_argument(
        "--log-level",
        metavar="LEVEL",
        type=str.upper,
        default=default(None),
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        help="the log file's level: DEBUG, INFO, WARNING, ERROR or CRITICAL (default: the config's log_level, INFO)",
    )


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=min(110, max(80, _columns())))


def _columns() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


def _sub(subparsers: Any, name: str, common: argparse.ArgumentParser, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, parents=[common], formatter_class=_Formatter, **kwargs
    )
    return parser


def _add_get(subparsers: Any, common: argparse.ArgumentParser) -> None:
    lines = []
    for resource in RESOURCES:
        aliases = f" ({', '.join(resource.aliases)})" if resource.aliases else ""
        filters = " ".join(filter_option(n) for n, _ in resource.filters) or "-"
        lines.append(f"  {resource.name}{aliases}\n      filters: {filters}")
    epilog = (
        "resources (a unique prefix works too):\n" + "\n".join(lines) + "\n\n"
        "output:\n"
        "  table  aligned columns, long values cut at 40 characters (default)\n"
        "  wide   aligned columns, nothing cut\n"
        "  json   a JSON array of the objects as the API names them (camelCase keys), ASCII only\n"
        "  csv    a header of field keys, then one row per object (the table's values, nothing cut)\n"
        "  yaml   the JSON data as YAML\n\n"
        "examples:\n"
        "  cloudzy-tui get instances --status active\n"
        "  cloudzy-tui get instances -o json | jq -r '.[].hostname'\n"
        "  cloudzy-tui get snapshots --instance-id ID -o csv\n\n" + EXIT_CODES
    )
    get = _sub(
        subparsers, "get", common, help="list a resource", description="List every object of a resource.", epilog=epilog
    )
    get.add_argument(
        "resource",
        metavar="RESOURCE",
        choices=resource_names(),
        help="instances, snapshots, backups, floating-ips, isos, images, ssh-keys, regions, products, "
        "os, applications (or an alias)",
    )
    group = get.add_argument_group("filters (sent to the API; each applies to the resources listing it)")
    for name, kind in all_filters().items():
        users = ", ".join(r.name for r in RESOURCES if any(n == name for n, _ in r.filters))
        if kind == "bool":
            group.add_argument(
                filter_option(name), dest=filter_dest(name), action="store_true", default=None, help=f"({users})"
            )
        else:
            group.add_argument(filter_option(name), dest=filter_dest(name), metavar="VALUE", help=f"({users})")
    get.add_argument("-o", "--output", choices=GET_FORMATS, default="table", help="table, wide, json, csv, yaml")
    get.set_defaults(command="get")

    describe = _sub(
        subparsers,
        "describe",
        common,
        help="show one object (by id or name)",
        description="Show one object: by its id or, failing that, its exact name (an instance by its hostname, a "
        "floating IP by its address, a backup profile by its instance's id or hostname).",
        epilog="examples:\n  cloudzy-tui describe instances web-01\n  cloudzy-tui describe snap web-01-before-upgrade "
        "-o json\n\n" + EXIT_CODES,
    )
    describe.add_argument("resource", metavar="RESOURCE", choices=resource_names(), help="the resource (or an alias)")
    describe.add_argument("ref", metavar="ID_OR_NAME", help="the object's id or exact name")
    describe.add_argument(
        "-o",
        "--output",
        choices=GET_FORMATS,
        default="table",
        help="table/wide (field: value lines), json (one object), csv, yaml",
    )
    describe.set_defaults(command="describe")


def _add_verb(subparsers: Any, name: str, verb: Verb, common: argparse.ArgumentParser) -> None:
    epilog = ""
    if verb.examples:
        epilog = "examples:\n" + "\n".join(f"  {e}" for e in verb.examples) + "\n\n"
    epilog += (
        "output: the operation's message on stderr; on stdout, with -o table (default) the objects it changed "
        "(with --wait: as they ended) and a new password alone; with -o json/yaml one document:\n"
        "  {operation, target: {resource, id, name} | null, message, result, jobs: [{kind, id, label, action, "
        "state, status, message, object}]}\n\n" + EXIT_CODES
    )
    parser = _sub(
        subparsers, name, common, help=verb.help, description=verb.help[:1].upper() + verb.help[1:] + ".", epilog=epilog
    )
    if verb.target is not None:
        parser.add_argument("target", metavar=verb.target, help=verb.target_help)
    groups: dict[str, Any] = {}
    for name_, required in verb.exclusive:
        groups[name_] = parser.add_mutually_exclusive_group(required=required)
    for opt in verb.options:
        opt.add_to(groups[opt.group] if opt.group else parser)
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="confirm without asking (needed when stdin is not a terminal and the operation asks)",
    )
    parser.add_argument("-o", "--output", choices=VERB_FORMATS, default="table", help="table, json, yaml")
    if verb.starts_job:
        parser.add_argument(
            "--wait",
            action="store_true",
            help="follow the job to its end (a progress line on stderr) and print the final object",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=1800.0,
            metavar="SECONDS",
            help="--wait: give up after this long (default 1800; exit status 5)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="--wait: seconds between polls at first (default 1; grows to 10 while nothing changes)",
        )
    parser.set_defaults(command="verb", op=verb.op)


def _add_serve(subparsers: Any, common: argparse.ArgumentParser) -> None:
    serve = _sub(
        subparsers,
        "serve",
        common,
        help="serve the console in a web browser (textual-serve: the [web] extra)",
        description="Serve the same console in a browser: each tab that connects runs one console with the options "
        "given here. Binds 127.0.0.1 by default; another address needs --public, because whoever "
        "reaches the port drives the account (no login, no TLS). The token is never in the page, its "
        "URL or a command line. ssh (s) is not available in the browser. Needs: pip install "
        "'cloudzy-tui[web]'.",
        epilog="examples:\n  cloudzy-tui serve --demo\n  cloudzy-tui serve --profile prod --read-only --port 8080\n"
        "  ssh -L 8000:127.0.0.1:8000 server   (then open http://127.0.0.1:8000/ here)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--public", action="store_true", help="allow a non-loopback --host (whoever reaches it drives the account)"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        default=None,
        help="the URL browsers use to reach it (behind a proxy), for the page's websocket address",
    )
    serve.set_defaults(command="serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudzy-tui",
        description=(
            "A keyboard-driven terminal console for the Cloudzy Developer API, and its scripting command line.\n"
            "Without a command: the full-screen console. With one: list, show or change things and exit."
        ),
        epilog=(
            "examples:\n"
            "  cloudzy-tui --demo                                     the console on the embedded simulator\n"
            "  cloudzy-tui get instances -o json | jq -r '.[].hostname'\n"
            "  cloudzy-tui describe instances web-01\n"
            "  cloudzy-tui power-off web-01 --yes --wait\n"
            "  cloudzy-tui snapshot web-01 --wait\n"
            "  cloudzy-tui COMMAND --help                             a command's options\n\n"
            + environment_help()
            + "\n\n"
            + EXIT_CODES
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"cloudzy-tui {__version__}")
    add_global_options(parser)
    common = argparse.ArgumentParser(add_help=False)
    add_global_options(common, suppress=True)

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    _add_get(subparsers, common)
    for verb in verbs_in(None):
        _add_verb(subparsers, verb.path[0], verb, common)
    for group, (aliases, help_text) in GROUPS.items():
        group_parser = _sub(
            subparsers,
            group,
            common,
            aliases=list(aliases),
            help=help_text,
            description=help_text[:1].upper() + help_text[1:] + ".",
        )
        actions = group_parser.add_subparsers(dest="group_verb", metavar="ACTION", title="actions", required=True)
        for verb in verbs_in(group):
            _add_verb(actions, verb.path[1], verb, common)

    info = _sub(
        subparsers,
        "info",
        common,
        help="print the paths and profile in use (--check: test the token)",
        description="Print the configuration paths, the profile and where the token comes from (never the "
        "token). --check also sends one cheap request to see whether the API accepts it.",
        epilog=EXIT_CODES,
    )
    info.add_argument("--check", action="store_true", help="verify the token with one GET (exit status 4 if refused)")
    info.set_defaults(command="info")

    ssh_config = _sub(
        subparsers,
        "ssh-config",
        common,
        help="print ssh Host blocks for every active instance (--write FILE)",
        description="Print an ssh config with a Host block (HostName, User, IdentityFile) for every active "
        "instance, for Include from ~/.ssh/config: then 'ssh web-01' and 'scp f web-01:' work. Hostnames "
        "that are not safe as a Host name are skipped with a warning on stderr. --write replaces FILE "
        "atomically (mode 0600), and only a file this command wrote (its first line says so).",
        epilog="example: cloudzy-tui ssh-config --write ~/.ssh/cloudzy.conf, then in ~/.ssh/config: "
        "Include ~/.ssh/cloudzy.conf\n\n" + EXIT_CODES,
    )
    ssh_config.add_argument("--write", metavar="FILE", help="write FILE (0600) instead of printing")
    ssh_config.set_defaults(command="ssh-config")
    _add_serve(subparsers, common)

    subparsers.add_parser(
        "sim",
        add_help=False,
        help="run the Cloudzy API simulator on a socket ('cloudzy-tui sim --help')",
    ).set_defaults(command="sim")

    subparsers.add_parser(
        "mcp",
        add_help=False,
        help="serve the operations to an AI agent over MCP on stdio ('cloudzy-tui mcp --help')",
    ).set_defaults(command="mcp")

    completion = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash or zsh)",
        description='Print a completion script. bash: eval "$(cloudzy-tui completion bash)" in ~/.bashrc; zsh: '
        'cloudzy-tui completion zsh > "${fpath[1]}/_cloudzy-tui".',
        formatter_class=_Formatter,
    )
    completion.add_argument("shell", choices=("bash", "zsh"))
    completion.set_defaults(command="completion")
    return parser
