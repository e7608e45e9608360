"""The scripting CLI's surface, declared as plain data: resources (names, aliases, filters) and one verb per operation.

Kept free of pydantic, httpx and the operations layer so that ``cloudzy-tui --help`` (and shell completion) never
load them. ``tests/cli/test_surface.py`` checks this table against the registry (``ops.RESOURCES``,
``ops.OPERATIONS``, each operation's ``params`` model): a resource, alias, filter, operation or parameter that
exists on one side only fails the tests. The values given on the command line are checked by the operation's own
parameter model; a verb's ``params`` function only gathers them (by the model's Python field names).
"""

from __future__ import annotations

import argparse

# Not ``typing.TYPE_CHECKING``: importing typing (and dataclasses, inspect) costs more than the rest of --help.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, Literal

    FilterKind = Literal["text", "bool", "choice"]
    Params = Callable[[argparse.Namespace], dict[str, Any]]


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2)."""


# ------------------------------------------------------------------------------------------------ resources


class ResourceSpec:
    """A resource as the command line knows it; ``names``: what ``describe`` accepts besides the id."""

    __slots__ = ("aliases", "filters", "name", "names")

    def __init__(
        self, name: str, aliases: tuple[str, ...], filters: tuple[tuple[str, FilterKind], ...] = (), names: str = "name"
    ) -> None:
        self.name = name
        self.aliases = aliases
        self.filters = filters
        self.names = names


RESOURCES: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        "instances",
        ("in", "inst", "vm", "vms", "servers", "instance"),
        (
            ("hostname", "text"),
            ("status", "choice"),
            ("region", "text"),
            ("ipv4", "text"),
            ("ipv6", "text"),
            ("os_family", "text"),
            ("created_from", "text"),
            ("created_to", "text"),
            ("include_deleted", "bool"),
        ),
        names="exact hostname",
    ),
    ResourceSpec(
        "snapshots",
        ("snap", "snaps", "snapshot"),
        (("instance_id", "text"), ("status", "choice"), ("is_automated_backup", "bool")),
    ),
    ResourceSpec("backups", ("backup", "bk", "bak"), (("status", "choice"),), names="instance id or its hostname"),
    ResourceSpec(
        "floating-ips",
        ("fip", "fips", "ips", "floating"),
        (("address", "text"), ("region_id", "text"), ("include_deleted", "bool")),
        names="address",
    ),
    ResourceSpec("isos", ("iso",), (("status", "choice"),)),
    ResourceSpec("images", ("image", "img"), (("status", "choice"),)),
    ResourceSpec("ssh-keys", ("keys", "key", "ssh", "sshkeys"), (("customer_id", "text"),)),
    ResourceSpec("regions", ("region", "reg"), names="name or abbreviation"),
    ResourceSpec(
        "products", ("product", "plans", "prod"), (("region_id", "text"),), names="REGION/PRODUCT or the product id"
    ),
    ResourceSpec("os", ("oses", "images-os", "distros")),
    ResourceSpec("applications", ("apps", "app", "oca")),
)


def filter_option(name: str) -> str:
    """The command-line option of an API filter: ``os_family`` → ``--os-family``."""
    return "--" + name.replace("_", "-")


def filter_dest(name: str) -> str:
    return f"filter_{name}"


def all_filters() -> dict[str, FilterKind]:
    """Every filter of every resource (``get`` takes their union; each applies to the resources that list it)."""
    found: dict[str, FilterKind] = {}
    for resource in RESOURCES:
        for name, kind in resource.filters:
            found.setdefault(name, kind)
    return found


class ResourceNames(tuple[str, ...]):
    """The resource names offered to ``--help`` and shell completion. Membership is lenient: an alias or a unique
    prefix is resolved later, exactly as the console's ``:`` line resolves it (``ops.resolve_resource``)."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str)


def resource_names() -> ResourceNames:
    return ResourceNames(r.name for r in RESOURCES)


# ------------------------------------------------------------------------------------------------ verbs


class Opt:
    """One option of a verb. ``field``: the JSON path of the parameter it fills (``extraResource.cpu``), to name
    the option when the operation's model rejects the value. ``group``: options of one mutually exclusive group
    share its name."""

    __slots__ = ("action", "default", "dest", "field", "flags", "group", "help", "metavar", "required", "type")

    def __init__(
        self,
        flags: tuple[str, ...],
        help: str,
        dest: str,
        field: str | None = None,
        metavar: str | None = None,
        type: Callable[[str], Any] | None = None,
        *,
        action: Any = None,
        required: bool = False,
        default: Any = None,
        group: str | None = None,
    ) -> None:
        self.flags = flags
        self.help = help
        self.dest = dest
        self.field = field
        self.metavar = metavar
        self.type = type
        self.action = action
        self.required = required
        self.default = default
        self.group = group

    def add_to(self, parser: argparse.ArgumentParser | Any) -> None:
        kwargs: dict[str, Any] = {"help": self.help, "dest": self.dest, "default": self.default}
        if self.action is not None:
            kwargs["action"] = self.action
        if self.action not in ("store_true", "store_false", argparse.BooleanOptionalAction):
            if self.metavar is not None:
                kwargs["metavar"] = self.metavar
            if self.type is not None:
                kwargs["type"] = self.type
        if self.required:
            kwargs["required"] = True
        parser.add_argument(*self.flags, **kwargs)


class Verb:
    """One operation as a command: ``path`` is how it is typed (``("power-off",)``, ``("snapshots", "delete")``);
    ``target``: the target's metavar (``None`` for operations that need none); ``params``: gathers the option
    values under the operation model's Python field names; ``exclusive``: (group name, required) pairs."""

    __slots__ = (
        "examples",
        "exclusive",
        "help",
        "op",
        "options",
        "params",
        "path",
        "starts_job",
        "target",
        "target_help",
    )

    def __init__(
        self,
        op: str,
        path: tuple[str, ...],
        help: str,
        target: str | None = None,
        target_help: str = "",
        *,
        options: tuple[Opt, ...] = (),
        params: Params | None = None,
        starts_job: bool = False,
        exclusive: tuple[tuple[str, bool], ...] = (),
        examples: tuple[str, ...] = (),
    ) -> None:
        self.op = op
        self.path = path
        self.help = help
        self.target = target
        self.target_help = target_help
        self.options = options
        self.params = params
        self.starts_job = starts_job
        self.exclusive = exclusive
        self.examples = examples

    @property
    def command(self) -> str:
        return " ".join(self.path)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _extra(args: argparse.Namespace) -> dict[str, Any] | None:
    extra = _drop_none(
        {
            "cpu": getattr(args, "cpu", None),
            "ram_in_gb": getattr(args, "ram_gb", None),
            "disk_in_gb": getattr(args, "disk_gb", None),
            "bandwidth_in_tb": getattr(args, "bandwidth_tb", None),
        }
    )
    return extra or None


_CPU = Opt(("--cpu",), "custom plan: vCPUs", "cpu", "extraResource.cpu", "N", int)
_RAM = Opt(("--ram-gb",), "custom plan: RAM in GB", "ram_gb", "extraResource.ramInGB", "GB", int)
_DISK = Opt(
    ("--disk-gb",),
    "custom plan: disk in GB (with a fixed plan: extra disk)",
    "disk_gb",
    "extraResource.diskInGB",
    "GB",
    int,
)
_BANDWIDTH = Opt(("--bandwidth-tb",), "extra bandwidth in TB", "bandwidth_tb", "extraResource.bandwidthInTB", "TB", int)


def _create_params(args: argparse.Namespace) -> dict[str, Any]:
    if not args.plan and not (args.cpu or args.ram_gb):
        raise UsageError("give a plan (--plan PRODUCT_ID) or a custom plan (--cpu N --ram-gb GB --disk-gb GB)")
    return _drop_none(
        {
            "hostnames": list(args.hostname or []),
            "region": args.region,
            "product_id": args.plan,
            "extra_resource": _extra(args),
            "os_id": args.os,
            "app_id": args.app,
            "iso_id": args.iso,
            "from_snapshot": args.from_snapshot,
            "ssh_key_ids": list(args.ssh_key) if args.ssh_key else None,
            "instance_class": args.instance_class,
            "billing_cycle": args.billing_cycle,
            "floating_ip_count": args.floating_ips,
            "assign_ipv4": args.ipv4,
            "assign_ipv6": args.ipv6,
            "is_ddos_protected": args.ddos_protection,
        }
    )


def _resize_params(args: argparse.Namespace) -> dict[str, Any]:
    if args.product:
        return _drop_none({"type": "FIXED", "product_id": args.product, "extra_resource": _extra(args)})
    if args.cpu is None or args.ram_gb is None or args.disk_gb is None:
        raise UsageError("give a plan (--product PRODUCT_ID) or --cpu N --ram-gb GB --disk-gb GB")
    return {"type": "CUSTOM", "extra_resource": _extra(args)}


_DAYS = {d[:3].lower(): d for d in ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")}


def weekdays(text: str) -> list[str]:
    """``mon,thu`` → ``["Monday", "Thursday"]``; full names in any case too; anything else is kept for the
    operation's model to reject (naming ``--days``)."""
    out = []
    for part in text.replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        full = _DAYS.get(part[:3].lower())
        out.append(full if full is not None and full.lower().startswith(part.lower()) else part)
    return out


def _schedule_params(args: argparse.Namespace) -> dict[str, Any]:
    days = weekdays(args.days) if args.days else None
    return _drop_none({"schedule_frequency": args.frequency, "schedule_week_days": days, "period_id": args.retention})


def _fip_update_params(args: argparse.Namespace) -> dict[str, Any]:
    if args.note is None and args.auto_renew is None:
        raise UsageError("nothing to update: give --note TEXT, --auto-renew or --no-auto-renew")
    return _drop_none({"customer_note": args.note, "auto_renew": args.auto_renew})


def _key_params(args: argparse.Namespace) -> dict[str, Any]:
    # The key file is read by the runner (cli/keyfile.py): regular files only, size-capped, never echoed.
    return {"name": args.name, "public_key": args.public_key}


def _media_params(kind: str) -> Params:
    def params(args: argparse.Namespace) -> dict[str, Any]:
        values: dict[str, Any] = {"name": args.name, "url": args.url, "region_id": args.region}
        if kind == "iso":
            values["use_virtio"] = args.virtio
        else:
            values["format"] = args.format
            values["decompress"] = args.decompress
        return _drop_none(values)

    return params


INSTANCE = "INSTANCE"
INSTANCE_HELP = "the instance: its id or exact hostname"

VERBS: tuple[Verb, ...] = (
    Verb(
        "create",
        ("create",),
        "create instances on a fixed plan or a custom one (billed; asks first)",
        options=(
            Opt(("--region",), "region id (see: get regions)", "region", "region", "REGION", required=True),
            Opt(
                ("--hostname",),
                "hostname of an instance; repeat for several (1-10)",
                "hostname",
                "hostnames",
                "NAME",
                action="append",
                required=True,
            ),
            Opt(
                ("--plan",),
                "fixed plan: product id (see: get products --region-id REGION)",
                "plan",
                "productId",
                "PRODUCT_ID",
            ),
            _CPU,
            _RAM,
            _DISK,
            _BANDWIDTH,
            Opt(
                ("--os",),
                "operating system id (see: get os); the API's default when none of --os, --app, "
                "--iso, --from-snapshot is given",
                "os",
                "osId",
                "OS_ID",
            ),
            Opt(("--app",), "one-click application id (see: get applications)", "app", "appId", "APP_ID"),
            Opt(("--iso",), "boot from a custom ISO (id)", "iso", "isoId", "ISO_ID"),
            Opt(("--from-snapshot",), "create from a snapshot (id)", "from_snapshot", "fromSnapshot", "SNAPSHOT_ID"),
            Opt(
                ("--ssh-key",),
                "SSH key id to install; repeat for several",
                "ssh_key",
                "sshKeyIds",
                "KEY_ID",
                action="append",
            ),
            Opt(
                ("--class",), "instance class: default, cpu-optimized, gpu-provided", "instance_class", "class", "CLASS"
            ),
            Opt(
                ("--billing-cycle",),
                "hourly, monthly, quarterly, semi-annually or annually",
                "billing_cycle",
                "billingCycle",
                "CYCLE",
            ),
            Opt(
                ("--floating-ips",),
                "floating IPs to allocate with each instance (0-5)",
                "floating_ips",
                "floatingIPCount",
                "N",
                int,
            ),
            Opt(
                ("--ipv4",),
                "assign an IPv4 address (API default: yes)",
                "ipv4",
                "assignIpv4",
                action=argparse.BooleanOptionalAction,
            ),
            Opt(("--ipv6",), "assign an IPv6 address", "ipv6", "assignIpv6", action=argparse.BooleanOptionalAction),
            Opt(
                ("--ddos-protection",),
                "DDoS protection",
                "ddos_protection",
                "isDdosProtected",
                action=argparse.BooleanOptionalAction,
            ),
        ),
        params=_create_params,
        starts_job=True,
        examples=(
            "cloudzy-tui create --region us-utah --plan regular-2c-4g --os ubuntu-24.04 --hostname web-04 --yes --wait",
        ),
    ),
    Verb("power-on", ("power-on",), "power an instance on", INSTANCE, INSTANCE_HELP, starts_job=True),
    Verb("power-off", ("power-off",), "shut an instance down (asks first)", INSTANCE, INSTANCE_HELP, starts_job=True),
    Verb("reset", ("reset",), "hard-reset an instance (asks first)", INSTANCE, INSTANCE_HELP, starts_job=True),
    Verb(
        "resize",
        ("resize",),
        "change an instance's plan, or its custom resources (asks first)",
        INSTANCE,
        INSTANCE_HELP,
        options=(
            Opt(("--product",), "the new fixed plan (product id)", "product", "productId", "PRODUCT_ID"),
            _CPU,
            _RAM,
            _DISK,
            _BANDWIDTH,
        ),
        params=_resize_params,
        starts_job=True,
    ),
    Verb(
        "change-os",
        ("change-os",),
        "reinstall an instance with another OS: erases its disk (type the hostname)",
        INSTANCE,
        INSTANCE_HELP,
        options=(Opt(("--os",), "operating system id (see: get os)", "os", "osId", "OS_ID", required=True),),
        params=lambda a: {"os_id": a.os},
        starts_job=True,
    ),
    Verb(
        "add-traffic",
        ("add-traffic",),
        "buy extra traffic for an instance (asks first)",
        INSTANCE,
        INSTANCE_HELP,
        options=(Opt(("--amount",), "terabytes to add", "amount", "amount", "TB", float, required=True),),
        params=lambda a: {"amount": a.amount},
    ),
    Verb(
        "change-password",
        ("change-password",),
        "set a new root password (asks first); the password is printed once on stdout, never stored",
        INSTANCE,
        INSTANCE_HELP,
    ),
    Verb(
        "delete",
        ("delete",),
        "delete an instance permanently (type the hostname)",
        INSTANCE,
        INSTANCE_HELP,
        starts_job=True,
    ),
    Verb(
        "snapshot",
        ("snapshot",),
        "take a snapshot of an instance now",
        INSTANCE,
        INSTANCE_HELP,
        starts_job=True,
        examples=("cloudzy-tui snapshot web-01 --wait",),
    ),
    Verb(
        "snapshot-delete",
        ("snapshots", "delete"),
        "delete a snapshot (asks first)",
        "SNAPSHOT",
        "the snapshot: its id or exact name",
    ),
    Verb(
        "snapshot-restore",
        ("snapshots", "restore"),
        "overwrite the instance with a snapshot (type the instance's hostname)",
        "SNAPSHOT",
        "the snapshot: its id or exact name",
        starts_job=True,
    ),
    Verb(
        "backup-schedule",
        ("backups", "set"),
        "create or change an instance's backup schedule",
        INSTANCE,
        INSTANCE_HELP,
        options=(
            Opt(("--frequency",), "daily or weekly", "frequency", "scheduleFrequency", "FREQ", required=True),
            Opt(("--days",), "weekly: days, e.g. mon,thu", "days", "scheduleWeekDays", "DAYS"),
            Opt(("--retention",), "days backups are kept", "retention", "periodId", "DAYS", int, required=True),
        ),
        params=_schedule_params,
        examples=("cloudzy-tui backups set web-01 --frequency weekly --days mon,thu --retention 7",),
    ),
    Verb(
        "backup-delete",
        ("backups", "delete"),
        "stop automated backups of an instance (asks first)",
        INSTANCE,
        "the instance whose backup profile goes: its id or hostname",
    ),
    Verb(
        "fip-allocate",
        ("fip", "allocate"),
        "allocate floating IP addresses (billed; asks first)",
        options=(
            Opt(("--region",), "region id", "region", "regionId", "REGION", required=True),
            Opt(("--count",), "how many (1-5, default 1)", "count", "count", "N", int, default=1),
        ),
        params=lambda a: {"region_id": a.region, "count": a.count},
    ),
    Verb(
        "fip-update",
        ("fip", "update"),
        "change a floating IP's note or auto-renewal",
        "FIP",
        "the floating IP: its id or address",
        options=(
            Opt(("--note",), "the note ('' clears it)", "note", "customerNote", "TEXT"),
            Opt(
                ("--auto-renew",),
                "renew the address automatically",
                "auto_renew",
                "autoRenew",
                action=argparse.BooleanOptionalAction,
            ),
        ),
        params=_fip_update_params,
    ),
    Verb(
        "fip-release",
        ("fip", "release"),
        "give a floating IP back (asks first)",
        "FIP",
        "the floating IP: its id or address",
    ),
    Verb(
        "iso-download",
        ("iso", "download"),
        "download a custom ISO from a URL",
        options=(
            Opt(("--name",), "its name", "name", "name", "NAME", required=True),
            Opt(("--url",), "http(s) URL to fetch it from", "url", "url", "URL", required=True),
            Opt(("--region",), "region id", "region", "regionId", "REGION", required=True),
            Opt(
                ("--virtio",),
                "VirtIO drivers (API default: yes)",
                "virtio",
                "useVirtio",
                action=argparse.BooleanOptionalAction,
            ),
        ),
        params=_media_params("iso"),
        starts_job=True,
    ),
    Verb("iso-delete", ("iso", "delete"), "delete a custom ISO (asks first)", "ISO", "the ISO: its id or name"),
    Verb(
        "image-download",
        ("image", "download"),
        "download a custom disk image from a URL",
        options=(
            Opt(("--name",), "its name", "name", "name", "NAME", required=True),
            Opt(("--url",), "http(s) URL to fetch it from", "url", "url", "URL", required=True),
            Opt(("--region",), "region id", "region", "regionId", "REGION", required=True),
            Opt(("--format",), "image format, e.g. qcow2 (default: from the URL)", "format", "format", "FORMAT"),
            Opt(("--decompress",), "e.g. gzip (default: from the URL)", "decompress", "decompress", "METHOD"),
        ),
        params=_media_params("image"),
        starts_job=True,
    ),
    Verb(
        "image-delete", ("image", "delete"), "delete a custom image (asks first)", "IMAGE", "the image: its id or name"
    ),
    Verb(
        "key-create",
        ("keys", "create"),
        "add an SSH public key",
        options=(
            Opt(("--name",), "its name (1-64 characters)", "name", "name", "NAME", required=True),
            Opt(
                ("--public-key",),
                "the public key itself (ssh-ed25519 AAAA...)",
                "public_key",
                "publicKey",
                "TEXT",
                group="key",
            ),
            Opt(
                ("--public-key-file",),
                "read it from a file (a regular file of at most 16 KB; - reads stdin)",
                "public_key_file",
                "publicKey",
                "PATH",
                group="key",
            ),
        ),
        params=_key_params,
        exclusive=(("key", True),),
    ),
    Verb("key-delete", ("keys", "delete"), "delete an SSH key (asks first)", "KEY", "the key: its id or name"),
)

#: groups of verbs: the command, its aliases, its help
GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "snapshots": ((), "delete or restore snapshots (take one with: snapshot INSTANCE)"),
    "backups": ((), "backup schedules of instances"),
    "fip": (("floating-ips",), "floating IP addresses"),
    "iso": (("isos",), "custom ISOs"),
    "image": (("images",), "custom disk images"),
    "keys": (("ssh-keys",), "SSH keys"),
}


def verb_for(op_name: str) -> Verb:
    for verb in VERBS:
        if verb.op == op_name:
            return verb
    raise KeyError(op_name)


def verbs_in(group: str | None) -> Sequence[Verb]:
    if group is None:
        return [v for v in VERBS if len(v.path) == 1]
    return [v for v in VERBS if len(v.path) == 2 and v.path[0] == group]


#: output formats of ``get``/``describe`` and of the verbs
GET_FORMATS: tuple[str, ...] = ("table", "wide", "json", "csv", "yaml")
VERB_FORMATS: tuple[str, ...] = ("table", "json", "yaml")
