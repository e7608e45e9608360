"""The create-instance order as a model: what was chosen and typed, the rules of each step, and the request.

No Textual, no Rich: the console's wizard (``ui/modals/create_wizard/``) shows a :class:`Draft` and mirrors its
widgets into it; everything it decides is decided here and tested without a screen.

- :class:`Draft` keeps every choice and the raw text of every field (even when invalid), so nothing is lost.
- The catalog's rules (classes, custom plans, floating IPs, media, hostnames) are pure functions in
  :mod:`cloudzy_tui.ops.create_offer`.
- :class:`Choices` is what the account offers (regions, systems, applications, media, keys, products by region).
- :data:`FIELDS` is the one table of the form's fields: name, step, widget, kind, label, the draft attribute a widget
  mirrors, the JSON names whose errors land on it, and its validator.
- :meth:`Draft.validate` gives a step's errors (field → messages); :meth:`Draft.to_request` builds the client's typed
  :class:`~cloudzy_tui.api.CreateInstanceRequest` (Python names only; the client writes the JSON names).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import CreateInstanceRequest, RegionConfig
from cloudzy_tui.api.models import BILLING_CYCLES
from cloudzy_tui.ops.create_offer import (
    ISO_PREFIX,
    NO_APP,
    SNAPSHOT_PREFIX,
    SOURCE_OS,
    allowed_classes,
    allowed_features,
    custom_allowed,
    iso_usable,
    max_floating_ips,
    os_min_ram_mb,
    parse_hostnames,
    product_class,
    snapshot_disk_gb,
    split_hostnames,
    whole_number,
)
from cloudzy_tui.text import clean
from cloudzy_tui.units import gigabytes, ram_mb, to_number

if TYPE_CHECKING:
    from cloudzy_tui.api import (
        Application,
        Iso,
        OperatingSystem,
        Product,
        Region,
        Snapshot,
        SshKey,
    )

__all__ = [
    "ERROR_FIELDS",
    "FIELDS",
    "FIELD_BY_NAME",
    "REVIEW",
    "STEPS",
    "STEP_IDS",
    "WIDGET_ATTR",
    "Choices",
    "Draft",
    "FieldSpec",
    "fields_of",
    "parse_hostnames",
    "product_class",
    "wire_fields",
]

# (id, title) of each step, in order.
STEPS: tuple[tuple[str, str], ...] = (
    ("region", "Region"),
    ("class", "Class"),
    ("plan", "Plan"),
    ("software", "Software"),
    ("hostnames", "Hostnames"),
    ("ssh", "SSH keys"),
    ("network", "Network"),
    ("billing", "Billing"),
    ("review", "Review"),
)
STEP_IDS = tuple(s for s, _ in STEPS)
REVIEW = len(STEPS) - 1


# ------------------------------------------------------------------------------------------------ what is offered


@dataclass
class Choices:
    """What the account offers to choose from. Build with :meth:`offered`, which keeps only what may be chosen."""

    regions: list[Region] = field(default_factory=list)
    systems: list[OperatingSystem] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    ssh_keys: list[SshKey] = field(default_factory=list)
    isos: list[Iso] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    #: why a list is missing or short (``os``, ``applications``, ``ssh_keys``, ``media``): shown where it matters
    notes: dict[str, str] = field(default_factory=dict)
    #: region id → its products (absent while loading), and why loading them failed
    products: dict[str, list[Product]] = field(default_factory=dict)
    products_error: dict[str, str] = field(default_factory=dict)

    @classmethod
    def offered(
        cls,
        *,
        regions: Iterable[Region] = (),
        systems: Iterable[OperatingSystem] = (),
        applications: Iterable[Application] = (),
        ssh_keys: Iterable[SshKey] = (),
        isos: Iterable[Iso] = (),
        snapshots: Iterable[Snapshot] = (),
        notes: dict[str, str] | None = None,
    ) -> Choices:
        """Offerable regions, active systems and applications, ACTIVE snapshots; ISOs are filtered per region."""
        return cls(
            regions=[r for r in regions if r.offerable],
            systems=[o for o in systems if o.is_active],
            applications=[a for a in applications if a.is_active],
            ssh_keys=list(ssh_keys),
            isos=list(isos),
            snapshots=[s for s in snapshots if (s.status or "").upper() == "ACTIVE"],
            notes=dict(notes or {}),
        )

    def os_name(self, os_id: str) -> str:
        found = next((o for o in self.systems if o.id == os_id), None)
        return (found.name or found.id) if found is not None else f"{os_id} (not available)"


# ------------------------------------------------------------------------------------------------ the draft


@dataclass
class Draft:
    """Everything the user chose or typed. Text fields keep the raw text (even when invalid): nothing is lost.

    The lookups and rules take the :class:`Choices` they are judged against (the draft holds ids, not objects).
    """

    region_id: str | None = None
    instance_class: str | None = None
    custom: bool = False
    product_id: str | None = None
    extra_disk: str = ""
    extra_bandwidth: str = ""
    cpu: str = ""
    ram: str = ""
    disk: str = ""
    bandwidth: str = ""
    source: str = SOURCE_OS
    app_id: str = NO_APP
    os_id: str | None = None
    hostnames_text: str = ""
    ssh_key_ids: list[int] = field(default_factory=list)
    assign_ipv4: bool = True
    assign_ipv6: bool = False
    floating_ips: str = "0"
    ddos: bool = False
    billing_cycle: str = "hourly"
    auto_renew: bool = True
    features: list[str] = field(default_factory=list)

    @property
    def iso_id(self) -> str | None:
        return self.source[len(ISO_PREFIX) :] if self.source.startswith(ISO_PREFIX) else None

    @property
    def snapshot_id(self) -> str | None:
        return self.source[len(SNAPSHOT_PREFIX) :] if self.source.startswith(SNAPSHOT_PREFIX) else None

    @property
    def hostnames(self) -> list[str]:
        return split_hostnames(self.hostnames_text)

    def has_input(self) -> bool:
        typed = (
            self.extra_disk,
            self.extra_bandwidth,
            self.cpu,
            self.ram,
            self.disk,
            self.bandwidth,
            self.hostnames_text,
        )
        return any(t.strip() for t in typed) or bool(self.ssh_key_ids or self.features)

    # ------------------------------------------------------------- lookups

    def region(self, c: Choices) -> Region | None:
        return next((r for r in c.regions if r.id == self.region_id), None)

    def config(self, c: Choices) -> RegionConfig:
        region = self.region(c)
        return region.config if region is not None else RegionConfig()

    def application(self, c: Choices) -> Application | None:
        if self.source != SOURCE_OS:
            return None  # an ISO or a snapshot brings its own software
        return next((a for a in c.applications if a.id == self.app_id), None) if self.app_id else None

    def system(self, c: Choices) -> OperatingSystem | None:
        return next((o for o in c.systems if o.id == self.os_id), None)

    def iso(self, c: Choices) -> Iso | None:
        iso_id = self.iso_id
        return next((i for i in c.isos if i.id == iso_id), None) if iso_id else None

    def snapshot(self, c: Choices) -> Snapshot | None:
        snapshot_id = self.snapshot_id
        return next((s for s in c.snapshots if s.id == snapshot_id), None) if snapshot_id else None

    def class_products(self, c: Choices, instance_class: str | None = None) -> list[Product] | None:
        """The region's products on sale for the class (``None`` while they load)."""
        region_id = self.region_id
        if region_id is None or region_id not in c.products:
            return None
        klass = instance_class or self.instance_class
        return [
            p
            for p in c.products[region_id]
            if p.is_active and (p.plan is None or p.plan.is_active) and product_class(p) == klass
        ]

    def product(self, c: Choices) -> Product | None:
        products = self.class_products(c) or []
        return next((p for p in products if str(p.id) == str(self.product_id)), None)

    def custom_offered(self, c: Choices) -> bool:
        return custom_allowed(self.config(c), self.instance_class)

    def plan_disk_gb(self, c: Choices) -> float | None:
        """The disk the chosen plan gives (fixed: the plan's storage + extra disk; custom: the disk typed)."""
        try:
            if self.custom:
                disk = whole_number(self.disk)
                return float(disk) if disk else None
            extra = whole_number(self.extra_disk) or 0
        except ValueError:
            return None
        product = self.product(c)
        spec = product.specification if product is not None else None
        storage = to_number(spec.storage) if spec is not None else None
        return storage + extra if storage is not None else None

    def plan_ram_mb(self, c: Choices) -> float | None:
        if self.custom:
            try:
                ram = whole_number(self.ram)
            except ValueError:
                return None
            return ram * 1024 if ram else None
        product = self.product(c)
        spec = product.specification if product is not None else None
        if spec is None:
            return None
        if spec.ram_in_mb is not None:
            return float(spec.ram_in_mb)
        return float(spec.ram) * 1024 if spec.ram is not None else None

    def snapshot_too_big(self, c: Choices, snapshot: Snapshot) -> str | None:
        """Why the plan's disk cannot take this snapshot, else ``None``."""
        need, disk = snapshot_disk_gb(snapshot), self.plan_disk_gb(c)
        if need is None or disk is None or need <= disk:
            return None
        return f"needs {gigabytes(need)}, plan has {gigabytes(disk)}"

    # ------------------------------------------------------------- changes

    def region_changed(self, c: Choices) -> bool:
        """Drop choices the new region cannot honour (what was typed stays). True when its products must load."""
        cfg = self.config(c)
        if self.instance_class not in allowed_classes(cfg):
            self.instance_class = None
        self.product_id = None
        if not cfg.support_ipv6:
            self.assign_ipv6 = False
        if not cfg.support_ddos_ipv4:
            self.ddos = False
        self.features = [f for f in self.features if f in allowed_features(cfg)]
        return self.region_id is not None and self.region_id not in c.products

    # ------------------------------------------------------------- rules

    def validate(self, step_id: str, c: Choices) -> dict[str, list[str]]:
        """The errors of one step: field name → messages, fields in the table's order (empty: the step is fine)."""
        errors: dict[str, list[str]] = {}
        for spec in FIELDS:
            if spec.step == step_id and spec.validator is not None:
                messages = spec.validator(self, c)
                if messages:
                    errors[spec.name] = messages
        return errors

    def validate_all(self, c: Choices) -> dict[str, list[str]]:
        """The errors of every step before the review."""
        errors: dict[str, list[str]] = {}
        for step_id in STEP_IDS[:REVIEW]:
            errors.update(self.validate(step_id, c))
        return errors

    # ------------------------------------------------------------- the request

    def to_request(self, c: Choices) -> CreateInstanceRequest:
        """The typed create request. Raises ``pydantic.ValidationError`` (or ``ValueError`` for a number field that
        is not one) with errors named by JSON name, which :func:`wire_fields` maps back to this form's fields.

        Optional fields left ``None`` are not sent. ``extra_resource`` is given as a mapping of Python names so that
        its errors are located under ``extraResource``.
        """
        cfg = self.config(c)
        floating = whole_number(self.floating_ips) or 0
        extra: dict[str, int | None] | None = None
        product_id: str | None = None
        if self.custom:
            extra = {
                "cpu": whole_number(self.cpu),
                "ram_in_gb": whole_number(self.ram),
                "disk_in_gb": whole_number(self.disk),
                "bandwidth_in_tb": whole_number(self.bandwidth),
            }
        else:
            product_id = self.product_id
            extras = {
                "disk_in_gb": whole_number(self.extra_disk) or None,
                "bandwidth_in_tb": whole_number(self.extra_bandwidth) or None,
            }
            if any(extras.values()):
                extra = dict(extras)
        iso_id = self.iso_id
        from_snapshot = self.snapshot_id if iso_id is None else None
        from_os = iso_id is None and from_snapshot is None
        features = [f for f in self.features if f in allowed_features(cfg)]
        return CreateInstanceRequest(
            hostnames=self.hostnames,
            region=self.region_id or "",
            instance_class=self.instance_class,
            product_id=product_id,
            extra_resource=extra,
            iso_id=iso_id,
            from_snapshot=from_snapshot,
            app_id=(self.app_id or None) if from_os else None,
            os_id=(self.os_id or None) if from_os else None,
            assign_ipv4=self.assign_ipv4,
            assign_ipv6=self.assign_ipv6 if cfg.support_ipv6 else None,
            is_ddos_protected=self.ddos if cfg.support_ddos_ipv4 else None,
            floating_ip_count=floating,
            ssh_key_ids=list(self.ssh_key_ids) or None,
            feature_ids=features or None,
            billing_cycle=self.billing_cycle,
            is_subscription_auto_renew_enabled=self.auto_renew,
        )


# ------------------------------------------------------------------------------------------------ field rules


def _region_rule(d: Draft, c: Choices) -> list[str]:
    region = d.region(c)
    if region is None:
        return ["choose a region"]
    if region.is_out_of_stock:
        return ["this region is out of stock; choose another"]
    return []


def _class_rule(d: Draft, c: Choices) -> list[str]:
    return [] if d.instance_class in allowed_classes(d.config(c)) else ["choose an instance class"]


def _product_rule(d: Draft, c: Choices) -> list[str]:
    if d.custom:
        return [] if d.custom_offered(c) else ["custom resources are not offered here: choose a product"]
    if d.class_products(c) is None:
        return [c.products_error.get(d.region_id or "") or "the products are still loading"]
    product = d.product(c)
    if product is None:
        return ["choose a product"]
    stock = product.remaining_actual_stock
    count = len(d.hostnames)
    if stock is not None and stock <= 0:
        return ["this product is out of stock"]
    if stock is not None and count > stock:
        return [f"only {clean(stock)} left of this product, {count} hostnames given"]
    return []


def _extra_rule(attr: str) -> Validator:
    """An optional whole number of a fixed plan (checked once the products are known)."""

    def rule(d: Draft, c: Choices) -> list[str]:
        if d.custom or d.class_products(c) is None:
            return []
        try:
            whole_number(getattr(d, attr))
        except ValueError:
            return ["enter a whole number"]
        return []

    return rule


def _custom_rule(attr: str, *, required: bool, limit: Callable[[RegionConfig], Any] | None = None) -> Validator:
    """A whole number of a custom plan: at least 1 when required, at most the region's limit (GB)."""

    def rule(d: Draft, c: Choices) -> list[str]:
        if not d.custom or not d.custom_offered(c):
            return []
        try:
            number = whole_number(getattr(d, attr))
        except ValueError:
            return ["enter a whole number"]
        if number is None or (number < 1 and required):
            return ["required: a whole number, at least 1"] if required else []
        most = limit(d.config(c)) if limit is not None else None
        if most is not None and number > most:
            return [f"at most {clean(most)} GB in this region"]
        return []

    return rule


def _source_rule(d: Draft, c: Choices) -> list[str]:
    if d.source == SOURCE_OS:
        return []
    if d.iso_id is not None:
        iso = d.iso(c)
        if iso is None or not iso_usable(iso, d.region_id):
            return ["this ISO is not ready in the chosen region: choose another source"]
        return []
    snapshot = d.snapshot(c)
    if snapshot is None:
        return ["this snapshot is not available: choose another source"]
    if reason := d.snapshot_too_big(c, snapshot):
        return [f"the snapshot's disk is too big ({reason}): choose a larger plan or extra disk"]
    return []


def _app_rule(d: Draft, c: Choices) -> list[str]:
    if d.source != SOURCE_OS:
        return []
    return ["this application is not available"] if d.app_id and d.application(c) is None else []


def _os_rule(d: Draft, c: Choices) -> list[str]:
    if d.source != SOURCE_OS:
        return []
    system = d.system(c)
    if system is None:
        # With no OS listed at all, the server's default OS is installed.
        return ["choose an operating system"] if c.systems else []
    errors: list[str] = []
    application = d.application(c)
    if application is not None and system.id not in application.os_list:
        errors.append("the application does not run on this operating system")
    need, ram = os_min_ram_mb(system), d.plan_ram_mb(c)
    if need is not None and ram is not None and ram < need:
        errors.append(
            f"{clean(system.name or system.id, max_length=40)} needs at least "
            f"{ram_mb(need)} of RAM; the plan has {ram_mb(ram)}"
        )
    return errors


def _hostnames_rule(d: Draft, c: Choices) -> list[str]:
    return parse_hostnames(d.hostnames_text)[1]


def _floating_rule(d: Draft, c: Choices) -> list[str]:
    limit = max_floating_ips(d.config(c))
    try:
        count = whole_number(d.floating_ips) or 0
    except ValueError:
        return ["enter a whole number"]
    return [f"at most {limit} in this region"] if count > limit else []


def _cycle_rule(d: Draft, c: Choices) -> list[str]:
    return [] if d.billing_cycle in BILLING_CYCLES else ["choose a billing cycle"]


# ------------------------------------------------------------------------------------------------ the field table

Validator = Callable[[Draft, Choices], list[str]]


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form.

    ``kind`` is the widget: ``list`` (a single choice), ``number``, ``text``, ``check`` (a checkbox) or ``multi``
    (several choices). ``attr`` is the draft attribute a number, text or check widget mirrors as it changes (lists
    are mirrored by their step). ``wire`` are the JSON names of the request whose errors belong to this field.
    ``errors``: the field shows messages (a box under it).
    """

    name: str
    step: str
    widget: str
    kind: str
    label: str
    attr: str | None = None
    wire: tuple[str, ...] = ()
    validator: Validator | None = None
    errors: bool = True


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("region", "region", "region-list", "list", "Region", wire=("region",), validator=_region_rule),
    FieldSpec("class", "class", "class-list", "list", "Class", wire=("class",), validator=_class_rule),
    FieldSpec(
        "custom",
        "plan",
        "plan-custom",
        "check",
        "Custom resources (vCPU, RAM, disk) instead of a fixed plan",
        attr="custom",
        errors=False,
    ),
    FieldSpec("product", "plan", "product-list", "list", "Plan", wire=("productId",), validator=_product_rule),
    FieldSpec(
        "extra_disk",
        "plan",
        "extra-disk",
        "number",
        "Extra disk (GB, optional)",
        attr="extra_disk",
        validator=_extra_rule("extra_disk"),
    ),
    FieldSpec(
        "extra_bandwidth",
        "plan",
        "extra-bandwidth",
        "number",
        "Extra traffic (TB, optional)",
        attr="extra_bandwidth",
        validator=_extra_rule("extra_bandwidth"),
    ),
    FieldSpec(
        "cpu",
        "plan",
        "custom-cpu",
        "number",
        "vCPU",
        attr="cpu",
        validator=_custom_rule("cpu", required=True),
    ),
    FieldSpec(
        "ram",
        "plan",
        "custom-ram",
        "number",
        "RAM (GB)",
        attr="ram",
        validator=_custom_rule("ram", required=True, limit=lambda cfg: cfg.ram_threshold_in_gb),
    ),
    FieldSpec(
        "disk",
        "plan",
        "custom-disk",
        "number",
        "Disk (GB)",
        attr="disk",
        validator=_custom_rule("disk", required=True, limit=lambda cfg: cfg.disk_threshold_in_gb),
    ),
    FieldSpec(
        "bandwidth",
        "plan",
        "custom-bandwidth",
        "number",
        "Traffic (TB, optional)",
        attr="bandwidth",
        validator=_custom_rule("bandwidth", required=False),
    ),
    FieldSpec(
        "source",
        "software",
        "source-list",
        "list",
        "Start from",
        wire=("isoId", "fromSnapshot"),
        validator=_source_rule,
    ),
    FieldSpec(
        "app", "software", "app-list", "list", "One-click application (optional)", wire=("appId",), validator=_app_rule
    ),
    FieldSpec("os", "software", "os-list", "list", "Operating system", wire=("osId", "osName"), validator=_os_rule),
    FieldSpec(
        "hostnames",
        "hostnames",
        "hostnames",
        "text",
        "Hostnames",
        attr="hostnames_text",
        wire=("hostnames",),
        validator=_hostnames_rule,
    ),
    FieldSpec("ssh_keys", "ssh", "ssh-keys", "multi", "SSH keys", wire=("sshKeyIds",)),
    FieldSpec(
        "ipv4", "network", "ipv4", "check", "Assign a public IPv4 address", attr="assign_ipv4", wire=("assignIpv4",)
    ),
    FieldSpec("ipv6", "network", "ipv6", "check", "Assign an IPv6 address", attr="assign_ipv6", wire=("assignIpv6",)),
    FieldSpec(
        "floating_ips",
        "network",
        "floating-ips",
        "number",
        "Floating IPs per instance",
        attr="floating_ips",
        wire=("floatingIPCount",),
        validator=_floating_rule,
    ),
    FieldSpec("ddos", "network", "ddos", "check", "DDoS protection", attr="ddos", wire=("isDdosProtected",)),
    FieldSpec(
        "billing_cycle",
        "billing",
        "cycle-list",
        "list",
        "Billing cycle",
        wire=("billingCycle",),
        validator=_cycle_rule,
    ),
    FieldSpec(
        "auto_renew",
        "billing",
        "auto-renew",
        "check",
        "Renew the subscription automatically",
        attr="auto_renew",
        wire=("isSubscriptionAutoRenewEnabled",),
    ),
    FieldSpec("features", "billing", "features", "multi", "Features (optional)", wire=("featureIds",)),
)
FIELD_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
#: the fields that show errors, in the form's order (the first one in error gets the focus)
ERROR_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.errors)
#: widget id → draft attribute, for the widgets that mirror themselves into the draft
WIDGET_ATTR: dict[str, str] = {f.widget: f.attr for f in FIELDS if f.attr is not None}


def fields_of(step_id: str) -> list[str]:
    """The names of a step's fields that show errors, in the form's order."""
    return [f.name for f in FIELDS if f.step == step_id and f.errors]


def wire_fields(custom: bool) -> dict[str, str]:
    """JSON name (or dotted path) of the request → the form field its errors belong to. ``extraResource`` belongs to
    the custom resources of a custom plan, to the product (and its extras) of a fixed one."""
    known = {name: f.name for f in FIELDS for name in f.wire}
    if custom:
        known.update(
            {
                "extraResource": "cpu",
                "extraResource.cpu": "cpu",
                "extraResource.ramInGB": "ram",
                "extraResource.diskInGB": "disk",
                "extraResource.bandwidthInTB": "bandwidth",
            }
        )
    else:
        known.update(
            {
                "extraResource": "product",
                "extraResource.diskInGB": "extra_disk",
                "extraResource.bandwidthInTB": "extra_bandwidth",
                "extraResource.cpu": "product",
                "extraResource.ramInGB": "product",
            }
        )
    return known
