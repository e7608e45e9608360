"""Running a scripting command: connect, list / describe / run one operation through ``Session.execute``, print.

The CLI has no policy of its own. Every mutation goes through :meth:`cloudzy_tui.ops.Session.execute`, which
applies read-only, protected instances, the host this runs on, the typed confirmation and the audit log; this
module only decides how to obtain the confirmation (``--yes``, a question on a terminal, or a refusal when stdin is
not a terminal) and maps what happened to an exit status:

0 done · 1 API error · 2 usage · 3 refused by a safety rail · 4 authentication · 5 job failed / timed out ·
130 interrupted.

Data goes to stdout, messages and errors to stderr (scrubbed of the token).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudzy_tui.cli import output
from cloudzy_tui.cli.spec import (
    RESOURCES as RESOURCE_SPECS,
)
from cloudzy_tui.cli.spec import (
    Opt,
    UsageError,
    Verb,
    all_filters,
    filter_dest,
    filter_option,
    verb_for,
)
from cloudzy_tui.text import clean

if TYPE_CHECKING:
    import pydantic

    from cloudzy_tui.connect import Connected
    from cloudzy_tui.core.jobs import Job, JobEvent, JobTracker
    from cloudzy_tui.ops import Operation, Outcome, Resource

OK, API_ERROR, USAGE, REFUSED, AUTH, JOB_FAILED, INTERRUPTED = 0, 1, 2, 3, 4, 5, 130

#: the resource of each kind of job (for the final object of ``--wait``)
JOB_RESOURCES = {"instance": "instances", "snapshot": "snapshots", "iso": "isos", "image": "images"}


# ------------------------------------------------------------------------------------------------ messages


@dataclass
class Reporter:
    """Messages on stderr: cleaned of control characters (line breaks kept) and scrubbed of every secret."""

    secrets: list[str] = field(default_factory=list)
    stream: Any = None

    @property
    def err(self) -> Any:
        return self.stream if self.stream is not None else sys.stderr

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return "\n".join(clean(line) for line in text.splitlines())

    def say(self, text: str) -> None:
        print(self.scrub(text), file=self.err, flush=True)

    def error(self, text: str) -> None:
        self.say(f"cloudzy-tui: {text}")


class _ScrubFilter(logging.Filter):
    def __init__(self, reporter: Reporter) -> None:
        super().__init__()
        self.reporter = reporter

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.reporter.scrub(record.getMessage())
        record.args = None
        return True


def _setup_logging(reporter: Reporter, level: str | None = None) -> None:
    """The log file as the console keeps it (``--log-level``, the config's ``log_level``), and the library's
    warnings (a malformed reply, a failed poll) on stderr, scrubbed; nothing below WARNING on stderr."""
    from cloudzy_tui.logs import setup_logging

    if level is None:
        from cloudzy_tui.config import ConfigError, load_settings

        with contextlib.suppress(ConfigError):
            level = load_settings().log_level
    setup_logging(level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("cloudzy-tui: %(levelname)s: %(message)s"))
    handler.addFilter(_ScrubFilter(reporter))
    root = logging.getLogger("cloudzy_tui")
    root.addHandler(handler)
    root.propagate = False


def write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# ------------------------------------------------------------------------------------------------ entry


def run(args: argparse.Namespace) -> int:
    reporter = Reporter()
    _setup_logging(reporter, getattr(args, "log_level", None))
    try:
        return asyncio.run(_run(args, reporter))
    except KeyboardInterrupt:
        reporter.say("")
        reporter.error("interrupted (an operation already sent goes on at the server)")
        return INTERRUPTED
    except BrokenPipeError:  # `cloudzy-tui get instances | head`: the reader left
        with contextlib.suppress(OSError):
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return OK


async def _run(args: argparse.Namespace, reporter: Reporter) -> int:
    from cloudzy_tui.api import AuthError, CloudzyError, ReadOnlyError
    from cloudzy_tui.config import ConfigError
    from cloudzy_tui.connect import NoTokenError, connect
    from cloudzy_tui.ops import AmbiguousError, Refused

    if args.command == "info" and not args.check:
        from cloudzy_tui.config import print_info

        return print_info(profile=args.profile, api_url=args.api_url)
    try:
        connected = connect(
            profile=args.profile,
            api_url=args.api_url,
            read_only=args.read_only,
            demo=args.demo,
            seed=args.seed,
            job_seconds=args.job_seconds,
        )
    except ConfigError as exc:
        reporter.error(str(exc))
        return USAGE
    except NoTokenError as exc:
        reporter.error(str(exc))
        return AUTH
    reporter.secrets[:] = connected.secrets
    try:
        if args.command == "info":
            return await info_check(connected, reporter)
        if args.command == "get":
            return await get(args, connected)
        if args.command == "describe":
            return await describe(args, connected)
        if args.command == "verb":
            return await run_verb(args, connected, reporter)
        if args.command == "ssh-config":
            return await ssh_config(args, connected, reporter)
        raise UsageError(f"unknown command {args.command!r}")
    except UsageError as exc:
        reporter.error(str(exc))
        return USAGE
    except Refused as exc:
        reporter.error(exc.message)
        return REFUSED
    except ReadOnlyError as exc:  # the client's own guard (never reached when the session refuses first)
        reporter.error(exc.message)
        return REFUSED
    except AuthError as exc:
        reporter.error(f"authentication failed: {exc.message}")
        return AUTH
    except AmbiguousError as exc:
        reporter.error(exc.message)
        return USAGE
    except CloudzyError as exc:
        reporter.error(exc.message)
        return API_ERROR
    finally:
        await connected.aclose()


# ------------------------------------------------------------------------------------------------ ssh-config


async def ssh_config(args: argparse.Namespace, connected: Connected, reporter: Reporter) -> int:
    """Host blocks for every active instance (ops/ssh.py renders them); to stdout or ``--write FILE``."""
    from pathlib import Path

    from cloudzy_tui.config import Profile
    from cloudzy_tui.ops import ssh as ssh_ops

    profile = connected.connection.profile if connected.connection is not None else Profile()
    settings = ssh_ops.settings_from(connected.settings, profile, connected.profile_name)
    instances = await connected.client.instances.list_all()
    floating: list[Any] = []
    if any(not (i.main_ip or i.main_ipv6) for i in instances if ssh_ops.refusal(i) is None):
        floating = await connected.client.floating_ips.list_all()
    try:
        result = ssh_ops.render_ssh_config(instances, floating, settings=settings)
    except ssh_ops.SshError as exc:
        raise UsageError(str(exc)) from None
    for warning in result.skipped:
        reporter.say(f"cloudzy-tui: warning: {warning}")
    if args.write:
        path = Path(args.write).expanduser()
        try:
            ssh_ops.write_ssh_config(path, result.text)
        except ssh_ops.NotOurs as exc:
            reporter.error(str(exc))
            return REFUSED
        except OSError as exc:
            reporter.error(f"cannot write {path}: {exc.strerror or exc}")
            return USAGE
        reporter.say(f"wrote {len(result.hosts)} Host blocks to {path} (mode 0600); in ~/.ssh/config: Include {path}")
        return OK
    write(result.text)
    return OK


# ------------------------------------------------------------------------------------------------ info --check


async def info_check(connected: Connected, reporter: Reporter) -> int:
    from cloudzy_tui.api import AuthError

    try:
        regions = await connected.client.regions.list()
    except AuthError as exc:
        reporter.error(
            f"the API at {connected.label} refused the token of profile {connected.profile_name!r} ({exc.message})"
        )
        return AUTH
    write(
        f"token accepted by {clean(connected.label)} (profile {clean(connected.profile_name)}, "
        f"{len(regions)} regions visible)\n"
    )
    return OK


# ------------------------------------------------------------------------------------------------ validation


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def explain_validation(
    exc: pydantic.ValidationError, options: dict[str, str], replace: dict[str, str] | None = None
) -> str:
    """A model's validation error in terms of the command line: ``--cpu: Input should be ...``.

    ``options`` maps a parameter's JSON path (``extraResource.cpu``) to its option (``--cpu``); JSON names quoted
    in a message (``productId``) are replaced by their options too. ``replace``: a message to give instead of the
    model's for a path (one that could quote a value that must not be shown, like a file's content)."""
    from cloudzy_tui.api.errors import field_errors_from_pydantic

    renames = {
        path.rsplit(".", 1)[-1]: flag
        for path, flag in options.items()
        if any(c.isupper() for c in path.rsplit(".", 1)[-1])
    }

    def rename(message: str) -> str:
        if not renames:
            return message
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(renames, key=len, reverse=True)) + r")\b")
        return pattern.sub(lambda m: renames[m.group(1)], message)

    parts = []
    for problem in field_errors_from_pydantic(exc):
        path = problem.path
        base = re.sub(r"\[\d+\]", "", path)
        flag = options.get(path) or options.get(base)
        if flag is None and base:
            below = [f for p, f in options.items() if p.startswith(base + ".")]
            flag = "/".join(dict.fromkeys(below)) or None
        message = (replace or {}).get(base) or rename(problem.message)
        if flag:
            parts.append(f"{flag}: {message}")
        elif path:
            parts.append(f"{path}: {message}")
        else:
            parts.append(message)
    return "; ".join(parts) or "invalid values"


def verb_options(verb: Verb) -> dict[str, str]:
    found: dict[str, str] = {}
    for opt in verb.options:
        if opt.field:
            found.setdefault(opt.field, _flag(opt))
    return found


def _flag(opt: Opt) -> str:
    return opt.flags[0]


# ------------------------------------------------------------------------------------------------ get, describe


def _resource(name: str) -> Resource[Any]:
    from cloudzy_tui.ops import resolve_resource

    resource = resolve_resource(name)
    if resource is None:
        known = ", ".join(r.name for r in RESOURCE_SPECS)
        raise UsageError(f"unknown resource {clean(name, max_length=40)!r} (one of: {known}, or an alias)")
    return resource


def gather_filters(args: argparse.Namespace, resource: Resource[Any]) -> dict[str, Any]:
    own = {f.name: f for f in resource.filters}
    filters: dict[str, Any] = {}
    for name in all_filters():
        value = getattr(args, filter_dest(name), None)
        if value is None:
            continue
        spec = own.get(name)
        if spec is None:
            usable = " ".join(filter_option(f) for f in own) or "none"
            raise UsageError(f"{filter_option(name)} does not apply to {resource.name} (its filters: {usable})")
        if spec.kind == "choice" and spec.choices:
            allowed = {str(v).lower(): str(v) for v, _ in spec.choices}
            canonical = allowed.get(str(value).strip().lower())
            if canonical is None:
                raise UsageError(f"{filter_option(name)}: one of {', '.join(allowed.values())}")
            value = canonical
        filters[name] = value
    return filters


def rows_of(resource: Resource[Any], items: list[Any]) -> tuple[list[str], list[list[Any]]]:
    return [f.label for f in resource.fields], [[f.value(item) for f in resource.fields] for item in items]


def format_list(resource: Resource[Any], items: list[Any], fmt: str) -> str:
    if fmt == "json":
        return output.json_text([resource.json(i) for i in items])
    if fmt == "yaml":
        return output.yaml_text([resource.json(i) for i in items])
    if fmt == "csv":
        _, rows = rows_of(resource, items)
        return output.csv_text([f.key for f in resource.fields], rows)
    headers, rows = rows_of(resource, items)
    return output.table(headers, rows, cut=None if fmt == "wide" else output.CUT)


def format_one(resource: Resource[Any], item: Any, fmt: str) -> str:
    if fmt == "json":
        return output.json_text(resource.json(item))
    if fmt == "yaml":
        return output.yaml_text(resource.json(item))
    if fmt == "csv":
        return format_list(resource, [item], "csv")
    return output.key_values([(f.label, f.value(item)) for f in resource.fields])


async def get(args: argparse.Namespace, connected: Connected) -> int:
    import pydantic

    resource = _resource(args.resource)
    filters = gather_filters(args, resource)
    try:
        items = await resource.all(connected.session, filters)
    except pydantic.ValidationError as exc:
        flags = {}
        for f in resource.filters:
            flags[f.name] = flags[_camel(f.name)] = filter_option(f.name)
        flags.setdefault("hostName", "--hostname")
        raise UsageError(explain_validation(exc, flags)) from None
    write(format_list(resource, items, args.output))
    return OK


async def describe(args: argparse.Namespace, connected: Connected) -> int:
    resource = _resource(args.resource)
    item = await resource.find(connected.session, args.ref)
    write(format_one(resource, item, args.output))
    return OK


# ------------------------------------------------------------------------------------------------ verbs


def _params(verb: Verb, args: argparse.Namespace) -> dict[str, Any] | None:
    if verb.params is None:
        return None
    values = verb.params(args)
    if verb.op == "key-create" and getattr(args, "public_key_file", None) is not None:
        from cloudzy_tui.cli.keyfile import KeyFileError, read_public_key

        try:
            values["public_key"] = read_public_key(args.public_key_file)
        except KeyFileError as exc:
            raise UsageError(f"--public-key-file: {exc}") from None
    return values


def _ask(confirmation: Any, reporter: Reporter) -> object:
    """Ask on the terminal (stderr for the question, stdin for the answer)."""
    reporter.say(confirmation.message)
    if confirmation.level == "type":
        prompt = f"Type the {confirmation.require_label} {clean(confirmation.require)!r} to confirm: "
    else:
        prompt = f"{confirmation.verb}? [y/N] "
    reporter.err.write(reporter.scrub(prompt))
    reporter.err.flush()
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        reporter.say("")
    answer = answer.rstrip("\r\n")
    if confirmation.level == "type":
        return answer
    return True if answer.strip().lower() in ("y", "yes") else None


async def run_verb(args: argparse.Namespace, connected: Connected, reporter: Reporter) -> int:
    import pydantic

    from cloudzy_tui.ops import Refused, operation, resource_named

    verb = verb_for(args.op)
    op = operation(verb.op)
    session = connected.session
    wait = bool(getattr(args, "wait", False))
    if wait and (args.timeout <= 0 or args.interval <= 0):
        raise UsageError("--timeout and --interval must be more than 0")

    if op.mutating and session.policy.read_only:
        # Refused before anything is read or sent (the session says why and writes the refusal to the audit log).
        await session.execute(op, None)
    raw = _params(verb, args)
    options = verb_options(verb)
    replace: dict[str, str] = {}
    key_file = getattr(args, "public_key_file", None)
    if key_file is not None:
        # The model's message quotes the start of the key: never show what a file holds (it may be a secret).
        options["publicKey"] = "--public-key-file"
        where = "standard input" if key_file == "-" else key_file
        replace["publicKey"] = f"{where} does not hold an OpenSSH public key ('ssh-ed25519 AAAA... comment')"
    try:
        model = session.parse_params(op, raw)
    except pydantic.ValidationError as exc:
        raise UsageError(f"{verb.command}: {explain_validation(exc, options, replace)}") from None

    target: Any = None
    resource = resource_named(op.resource)
    if op.needs_target:
        target = await resource.find(session, args.target)

    tracker = _tracker(connected, args) if wait else None
    try:
        if await session.refusal(op, target, model) is not None:
            # The session refuses it again, and writes the refusal to the audit log.
            outcome = await session.execute(op, target, model)
        else:
            confirmation = session.confirmation(op, target, model)
            answer: object = None
            if confirmation.level == "none":
                answer = None
            elif args.yes:
                answer = True if confirmation.level == "confirm" else confirmation.require
            elif sys.stdin.isatty():
                answer = _ask(confirmation, reporter)
            try:
                outcome = await session.execute(op, target, model, confirm=answer)
            except Refused as exc:
                if exc.rule == "confirmation" and not args.yes and not sys.stdin.isatty():
                    raise Refused(
                        "confirmation",
                        f"{exc.message} Nothing was sent: stdin is not a terminal, use --yes to confirm.",
                    ) from None
                raise
    except pydantic.ValidationError as exc:  # a rule the body checks (e.g. a weekly schedule without days)
        raise UsageError(f"{verb.command}: {explain_validation(exc, options, replace)}") from None

    reporter.say(outcome.message)
    jobs: list[Job] = []
    code = OK
    if tracker is not None and tracker.jobs:
        jobs = await follow(tracker, reporter)
        if any(job.state != "succeeded" for job in jobs):
            code = JOB_FAILED
    write(format_outcome(op, resource, target, outcome, jobs, args.output))
    return code


def _tracker(connected: Connected, args: argparse.Namespace) -> JobTracker:
    from cloudzy_tui.core.jobs import JobTracker

    interval = float(args.interval)
    tracker = JobTracker(
        connected.client,
        min_interval=interval,
        max_interval=max(interval, min(10.0, args.timeout / 4)),
        timeout=float(args.timeout),
    )
    connected.session.set_tracker(
        lambda ref: tracker.track(
            kind=ref.kind, target_id=ref.id, label=ref.label, action=ref.action, expect=ref.expect
        )
    )
    return tracker


# ------------------------------------------------------------------------------------------------ --wait


class Progress:
    """What ``--wait`` shows on stderr: on a terminal, one line redrawn in place; elsewhere, how each job ended."""

    def __init__(self, tracker: JobTracker, reporter: Reporter, tty: bool) -> None:
        self.tracker = tracker
        self.reporter = reporter
        self.tty = tty
        self.drawn = False

    def line(self) -> str:
        now = time.monotonic()
        parts = []
        for job in reversed(self.tracker.in_flight):
            status = job.status or "waiting"
            parts.append(f"{job.label}: {job.action} · {status} · {_seconds(job.elapsed(now))}")
        return " | ".join(parts)

    def draw(self) -> None:
        if not self.tty or not self.tracker.in_flight:
            return
        text = self.reporter.scrub(self.line())
        self.reporter.err.write("\r\x1b[K" + text[: max(10, _columns() - 1)])
        self.reporter.err.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.tty and self.drawn:
            self.reporter.err.write("\r\x1b[K")
            self.reporter.err.flush()
            self.drawn = False

    def on_event(self, event: JobEvent) -> None:
        if event.kind == "finished":
            self.clear()
            self.reporter.say(event.job.message)
        self.draw()

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.draw()


def _seconds(value: float) -> str:
    from cloudzy_tui.core.jobs import format_duration

    return format_duration(value)


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


async def follow(tracker: JobTracker, reporter: Reporter) -> list[Job]:
    """Poll until every job ended (succeeded, failed or timed out); returns them, oldest first."""
    progress = Progress(tracker, reporter, tty=reporter.err.isatty())
    done = asyncio.Event()

    def on_event(event: JobEvent) -> None:
        progress.on_event(event)
        if not tracker.in_flight:
            done.set()

    unsubscribe = tracker.subscribe(on_event)
    if not tracker.in_flight:
        done.set()
    tasks = [asyncio.create_task(tracker.run())]
    if progress.tty:
        progress.draw()
        tasks.append(asyncio.create_task(progress.tick()))
    try:
        await done.wait()
    finally:
        unsubscribe()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        progress.clear()
    return list(reversed(tracker.jobs))


# ------------------------------------------------------------------------------------------------ verb output


def _job_json(job: Any, waited: bool) -> dict[str, Any]:
    from cloudzy_tui.ops import resource_named

    if not waited:  # a JobRef: started, not followed
        return {
            "kind": job.kind,
            "id": job.id,
            "label": job.label,
            "action": job.action,
            "state": "started",
            "status": None,
            "message": None,
            "object": None,
        }
    obj = None
    if job.item is not None and job.kind in JOB_RESOURCES:
        with contextlib.suppress(Exception):
            obj = resource_named(JOB_RESOURCES[job.kind]).json(job.item)
    return {
        "kind": job.kind,
        "id": job.target_id,
        "label": job.label,
        "action": job.action,
        "state": job.state,
        "status": job.status,
        "message": job.message,
        "object": obj,
    }


def outcome_document(
    op: Operation[Any], resource: Resource[Any], target: Any, outcome: Outcome, jobs: list[Job]
) -> dict[str, Any]:
    """The stable JSON/YAML shape of a verb's result (documented in ``--help`` and the README)."""
    return {
        "operation": op.name,
        "target": (
            {"resource": resource.name, "id": resource.key_of(target), "name": resource.label_of(target)}
            if target is not None
            else None
        ),
        "message": outcome.message,
        "result": outcome.data,
        "jobs": [_job_json(j, True) for j in jobs] if jobs else [_job_json(j, False) for j in outcome.jobs],
    }


def final_objects(outcome: Outcome, jobs: list[Job]) -> list[tuple[str, Any]]:
    """The objects the operation changed, as the jobs left them when they were followed (resource, object)."""
    from cloudzy_tui.ops import resource_named

    objects: list[tuple[str, Any]] = [(name, obj) for name, obj in outcome.changed if obj is not None]
    for job in jobs:
        name = JOB_RESOURCES.get(job.kind)
        if name is None or job.item is None:
            continue
        key = resource_named(name).key_of
        for i, (have, obj) in enumerate(objects):
            if have == name and key(obj) == job.target_id:
                objects[i] = (name, job.item)
                break
        else:
            objects.append((name, job.item))
    return objects


def format_outcome(
    op: Operation[Any], resource: Resource[Any], target: Any, outcome: Outcome, jobs: list[Job], fmt: str
) -> str:
    from cloudzy_tui.ops import resource_named

    if fmt == "json":
        return output.json_text(outcome_document(op, resource, target, outcome, jobs))
    if fmt == "yaml":
        return output.yaml_text(outcome_document(op, resource, target, outcome, jobs))
    parts = []
    if outcome.secret is not None:
        parts.append(clean(outcome.secret) + "\n")
    groups: dict[str, list[Any]] = {}
    for name, obj in final_objects(outcome, jobs):
        groups.setdefault(name, []).append(obj)
    for name, objs in groups.items():
        parts.append(format_list(resource_named(name), objs, "table"))
    return "\n".join(parts)
