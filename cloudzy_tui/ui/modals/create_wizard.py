"""The create-instance wizard: region → class → plan → software → hostnames → SSH keys → network → billing → review.

One modal screen, nine steps in a ``ContentSwitcher``. Every widget is composed once and kept, and every change is
mirrored into one :class:`Draft` dataclass, so Back/Next never lose anything; lists that depend on earlier choices
(classes and products of the region, the OSes of an application, the features a region supports) are rebuilt from
the draft when their step is entered, keeping the draft's choice when it is still valid.

Keys: Enter on a list chooses and moves on (in the application list it moves to the OS list), Enter in a text
field moves on, Tab walks fields and buttons, ``ctrl+n``/``alt+n`` next, ``alt+b`` back, Esc cancels (asking
first when something was entered). Single choices are ``OptionList``s whose highlighted option is the choice.

Errors land on the step and field that caused them: the step's own checks when leaving it, the request model's
checks and a server 422 (via :func:`route_field_errors`) when Create is pressed; a 460 shows the required and
available balance on the review step. Create is disabled while the request is in flight; a request whose outcome is
unknown is never resent: the wizard looks the hostnames up and says which instances exist.

Every server string goes through :func:`safe_text`/:func:`clean`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

import pydantic
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Input,
    Label,
    OptionList,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from cloudzy_tui.api import (
    CloudzyError,
    CreateInstanceRequest,
    Instance,
    InstanceFilters,
    LowBalanceError,
    OutcomeUnknownError,
    SnapshotFilters,
    field_errors_from_pydantic,
    validate_hostname,
)
from cloudzy_tui.api import ValidationError as ApiValidationError
from cloudzy_tui.api.models import BILLING_CYCLES, INSTANCE_FEATURES
from cloudzy_tui.core.jobs import Expectation
from cloudzy_tui.ops import Outcome, Refused
from cloudzy_tui.ops import instances as instance_ops
from cloudzy_tui.ui.forms import RoutedErrors, route_exception, route_field_errors
from cloudzy_tui.ui.modals.instance_forms import os_choice_label, product_choice_label
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import gigabytes, min_ram_mb, money, ram_mb, timestamp, to_number

if TYPE_CHECKING:
    from cloudzy_tui.api import (
        Application,
        Iso,
        OperatingSystem,
        PriceItem,
        Product,
        Region,
        RegionConfig,
        Snapshot,
        SshKey,
    )
    from cloudzy_tui.ui.screens.resource import ResourceScreen
    from cloudzy_tui.ui.services import Console

__all__ = ["CreateWizard", "Draft", "parse_hostnames", "product_class", "run_create_wizard"]

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
# Short names for the step strip (fits 80 columns on one line).
STEP_SHORT: dict[str, str] = {"hostnames": "Hosts", "ssh": "Keys"}
REVIEW = len(STEPS) - 1

# Each form field: the step that owns it and the widget to focus when it is wrong.
FIELD_STEP: dict[str, str] = {
    "region": "region",
    "class": "class",
    "product": "plan",
    "extra_disk": "plan",
    "extra_bandwidth": "plan",
    "cpu": "plan",
    "ram": "plan",
    "disk": "plan",
    "bandwidth": "plan",
    "source": "software",
    "app": "software",
    "os": "software",
    "hostnames": "hostnames",
    "ssh_keys": "ssh",
    "ipv4": "network",
    "ipv6": "network",
    "floating_ips": "network",
    "ddos": "network",
    "billing_cycle": "billing",
    "auto_renew": "billing",
    "features": "billing",
}
FIELD_WIDGET: dict[str, str] = {
    "region": "region-list",
    "class": "class-list",
    "product": "product-list",
    "extra_disk": "extra-disk",
    "extra_bandwidth": "extra-bandwidth",
    "cpu": "custom-cpu",
    "ram": "custom-ram",
    "disk": "custom-disk",
    "bandwidth": "custom-bandwidth",
    "source": "source-list",
    "app": "app-list",
    "os": "os-list",
    "hostnames": "hostnames",
    "ssh_keys": "ssh-keys",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "floating_ips": "floating-ips",
    "ddos": "ddos",
    "billing_cycle": "cycle-list",
    "auto_renew": "auto-renew",
    "features": "features",
}
# JSON names of CreateInstanceRequestSchema → form field (extraResource depends on the plan mode, see below).
JSON_FIELDS: dict[str, str] = {
    "region": "region",
    "class": "class",
    "productId": "product",
    "appId": "app",
    "osId": "os",
    "osName": "os",
    "isoId": "source",
    "fromSnapshot": "source",
    "hostnames": "hostnames",
    "sshKeyIds": "ssh_keys",
    "assignIpv4": "ipv4",
    "assignIpv6": "ipv6",
    "isDdosProtected": "ddos",
    "floatingIPCount": "floating_ips",
    "billingCycle": "billing_cycle",
    "isSubscriptionAutoRenewEnabled": "auto_renew",
    "featureIds": "features",
}
INPUT_ATTR: dict[str, str] = {
    "extra-disk": "extra_disk",
    "extra-bandwidth": "extra_bandwidth",
    "custom-cpu": "cpu",
    "custom-ram": "ram",
    "custom-disk": "disk",
    "custom-bandwidth": "bandwidth",
    "hostnames": "hostnames_text",
    "floating-ips": "floating_ips",
}
CHECKBOX_ATTR: dict[str, str] = {
    "plan-custom": "custom",
    "ipv4": "assign_ipv4",
    "ipv6": "assign_ipv6",
    "ddos": "ddos",
    "auto-renew": "auto_renew",
}

CLASS_TEXT: dict[str, str] = {
    "default": "regular CPUs",
    "cpu-optimized": "high-frequency CPUs",
    "gpu-provided": "GPU servers",
}
FEATURE_TEXT: dict[str, str] = {
    "nested": "nested virtualisation",
    "ide": "web IDE",
    "metatrader4": "MetaTrader 4",
    "metatrader5": "MetaTrader 5",
    "vpn-vless": "VPN: VLESS",
    "vpn-vmess": "VPN: VMess",
    "vpn-ss": "VPN: Shadowsocks",
    "vpn-mtproto": "VPN: MTProto",
    "monitoring": "monitoring",
}
MAX_HOSTNAMES = 10
MAX_FLOATING_IPS = 5
NO_APP = ""
#: what the instance starts from: an operating system (optionally with an application), else one of these prefixes
#: followed by an id (``iso:…``, ``snapshot:…``)
SOURCE_OS = "os"
ISO_PREFIX = "iso:"
SNAPSHOT_PREFIX = "snapshot:"

# ------------------------------------------------------------------------------------------------ pure helpers


@dataclass
class Draft:
    """Everything the user chose or typed. Text fields keep the raw text (even when invalid): nothing is lost."""

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


_SEPARATORS = re.compile(r"[\s,;]+")


def split_hostnames(text: str) -> list[str]:
    return [name for name in _SEPARATORS.split(text.strip()) if name]


def parse_hostnames(text: str) -> tuple[list[str], list[str]]:
    """(names, errors): names separated by spaces, commas or semicolons; each a valid hostname; 1-10; distinct."""
    names = split_hostnames(text)
    errors: list[str] = []
    if not names:
        errors.append("enter at least one hostname (one instance is created per hostname)")
    if len(names) > MAX_HOSTNAMES:
        errors.append(f"at most {MAX_HOSTNAMES} hostnames at once ({len(names)} given)")
    seen: set[str] = set()
    for name in names:
        try:
            validate_hostname(name)
        except ValueError as exc:
            errors.append(clean(str(exc), max_length=200))
            continue
        if name.lower() in seen:
            errors.append(f"'{clean(name, max_length=60)}' is given twice")
        seen.add(name.lower())
    return names, errors


def product_class(product: Product) -> str:
    """The instance class a product's plan belongs to (the API fixes the class from the plan type)."""
    plan = product.plan
    kind = (plan.type or "").lower() if plan is not None else ""
    if (plan is not None and plan.gpu_name) or "gpu" in kind:
        return "gpu-provided"
    if "high" in kind or "freq" in kind or "optimized" in kind:
        return "cpu-optimized"
    return "default"


def allowed_classes(config: RegionConfig) -> list[str]:
    classes: list[str] = []
    if config.support_regular_cpu:
        classes.append("default")
    if config.support_high_frequency_cpu:
        classes.append("cpu-optimized")
    if config.support_gpu:
        classes.append("gpu-provided")
    return classes or ["default"]


def custom_allowed(config: RegionConfig, instance_class: str | None) -> bool:
    return config.support_custom_plan and instance_class != "gpu-provided"


def allowed_features(config: RegionConfig) -> list[str]:
    return [f for f in INSTANCE_FEATURES if f != "monitoring" or config.support_monitoring]


def max_floating_ips(config: RegionConfig) -> int:
    threshold = config.ip_threshold
    if threshold is None:
        return MAX_FLOATING_IPS
    return max(0, min(MAX_FLOATING_IPS, int(threshold)))


def price_item_for(product: Product, cycle: str) -> PriceItem | None:
    """The product's price for a billing cycle (price items are named after cycles), else its first one."""
    for item in product.price_items:
        if (item.name or "").lower() == cycle:
            return item
    return product.price_items[0] if product.price_items else None


def whole_number(text: str) -> int | None:
    """``None`` for an empty field; ValueError for anything but digits."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def os_min_ram_mb(system: OperatingSystem) -> float | None:
    """``minRam`` in MB (see :func:`cloudzy_tui.units.min_ram_mb`)."""
    return min_ram_mb(system.min_ram)


def snapshot_disk_gb(snapshot: Snapshot) -> float | None:
    """The disk a snapshot needs (GB): its instance's disk when the metadata says, else its size (GB; a value too
    large for GB is bytes)."""
    meta = snapshot.metadata
    disk = to_number(meta.disk) if meta is not None else None
    if disk is not None and disk > 0:
        return disk
    size = to_number(snapshot.size)
    if size is None or size <= 0:
        return None
    return size / 1024**3 if size > 100_000 else size


def iso_usable(iso: Iso, region_id: str | None) -> bool:
    """An ISO an instance in ``region_id`` can start from: READY and stored in that region."""
    return (iso.status or "").upper() == "READY" and iso.region_id == region_id


def region_flags(region: Region) -> Text:
    text = Text()
    if region.is_premium:
        text.append("  premium", style="bold magenta")
    if region.is_out_of_stock:
        text.append("  out of stock", style="bold yellow")
    return text


def region_label(region: Region) -> Text:
    text = safe_text(region.name or region.id, style="bold", max_length=60)
    if region.abbr:
        text.append(f"  {clean(region.abbr, max_length=8)}", style="dim")
    text.append_text(region_flags(region))
    cfg = region.config
    offers = [
        name
        for name, ok in (
            ("IPv6", cfg.support_ipv6),
            ("custom", cfg.support_custom_plan),
            ("DDoS", cfg.support_ddos_ipv4),
            ("GPU", cfg.support_gpu),
        )
        if ok
    ]
    if offers:
        text.append("  " + " · ".join(offers), style="dim")
    return text


def region_info(region: Region) -> Text:
    cfg = region.config
    text = safe_text(region.name or region.id, style="bold", max_length=60)
    text.append(f"  ({clean(region.id, max_length=40)})", style="dim")
    text.append_text(region_flags(region))
    text.append("\nclasses: " + ", ".join(f"{c} ({CLASS_TEXT[c]})" for c in allowed_classes(cfg)))
    if cfg.support_custom_plan:
        limits = []
        if cfg.ram_threshold_in_gb is not None:
            limits.append(f"≤ {clean(cfg.ram_threshold_in_gb)} GB RAM")
        if cfg.disk_threshold_in_gb is not None:
            limits.append(f"≤ {clean(cfg.disk_threshold_in_gb)} GB disk")
        text.append("\ncustom plans" + (f" ({', '.join(limits)})" if limits else ""))
    else:
        text.append("\nfixed plans only")
    text.append(" · IPv6" if cfg.support_ipv6 else " · no IPv6")
    text.append(" · DDoS protection" if cfg.support_ddos_ipv4 else "")
    text.append(" · monitoring" if cfg.support_monitoring else "")
    text.append(f" · up to {max_floating_ips(cfg)} floating IPs")
    if region.is_out_of_stock:
        text.append("\nOut of stock: no new instances can be created here now.", style="yellow")
    return text


def application_label(application: Application) -> Text:
    text = safe_text(application.name or application.id, style="bold", max_length=40)
    if application.tag:
        text.append(f"  {clean(application.tag, max_length=20)}", style="cyan")
    price = application.price
    text.append(f"  {money(price, per='mo')}" if price else "  free", style="dim")
    if application.is_experimental:
        text.append("  experimental", style="bold yellow")
    return text


def _ssh_key_id(key: SshKey) -> int | None:
    try:
        return int(key.id)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------------------------ the wizard


class CreateWizard(ModalScreen["list[Instance] | None"]):
    """Dismissed with the created instances (``None`` when cancelled before anything was created)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="wizard.cancel"),
        # The app's "q" (quit) would throw away everything typed: here it closes the wizard, asking first.
        Binding("q", "cancel", "Close", show=False, id="wizard.close"),
        Binding("ctrl+n", "next", "Next", id="wizard.next"),
        Binding("alt+n", "next", "Next", show=False, id="wizard.next_alt"),
        Binding("alt+b", "back", "Back", id="wizard.back"),
        # As in every form: ctrl+s submits from any field (here: on to the review, step by step, stopping at the
        # first error; on the review, Create).
        Binding("ctrl+s", "submit", "Review/Create", id="wizard.submit"),
    ]

    def __init__(
        self,
        *,
        regions: Sequence[Region],
        systems: Sequence[OperatingSystem],
        applications: Sequence[Application] = (),
        ssh_keys: Sequence[SshKey] = (),
        notes: dict[str, str] | None = None,
        known_ids: Iterable[str] = (),
        draft: Draft | None = None,
        isos: Sequence[Iso] = (),
        snapshots: Sequence[Snapshot] = (),
    ) -> None:
        super().__init__(classes="modal")
        #: custom ISOs (offered when READY in the chosen region) and ACTIVE snapshots to start from
        self.isos = list(isos)
        self.snapshots = [s for s in snapshots if (s.status or "").upper() == "ACTIVE"]
        self.regions = [r for r in regions if r.offerable]
        self.systems = [o for o in systems if o.is_active]
        self.applications = [a for a in applications if a.is_active]
        self.ssh_keys = list(ssh_keys)
        self.notes = dict(notes or {})
        self.known_ids = set(known_ids)
        self.draft = draft or Draft()
        self.step = 0
        self.busy = False
        #: instances known to exist after a request whose answer was lost (kept, returned on dismiss)
        self.created: list[Instance] = []
        self.outcome: Outcome | None = None
        #: hostnames of a request whose outcome is still unknown (Create then checks instead of sending)
        self.unresolved: list[str] | None = None
        self.errors: dict[str, list[str]] = {}
        self.general_error: Text | None = None
        self._products: dict[str, list[Product]] = {}
        self._products_error: dict[str, str] = {}
        # option list id -> {option id -> value}; events of options no longer listed are ignored
        self._values: dict[str, dict[str, Any]] = {}

    @property
    def cloudzy(self) -> Console:
        return cast("Console", self.app)

    # ------------------------------------------------------------- compose

    def _error_box(self, name: str) -> Static:
        box = Static("", classes="field-error", id=f"err-{name}")
        box.display = False
        return box

    def _number_row(self, label: str, widget_id: str, value: str, placeholder: str = "") -> ComposeResult:
        with Horizontal(classes="wizard-row"):
            yield Label(label, classes="wizard-row-label")
            yield Input(
                value, id=widget_id, restrict=r"[0-9]*", compact=True, placeholder=placeholder or "none", max_length=6
            )

    def compose(self) -> ComposeResult:
        d = self.draft
        with Vertical(id="wizard"):
            yield Label("", id="wizard-title")
            yield Static("", id="wizard-steps")
            with ContentSwitcher(initial="step-region", id="wizard-body"):
                with VerticalScroll(id="step-region", classes="wizard-step"):
                    yield Static(
                        Text(
                            "Where the instances run. Out-of-stock regions are listed but cannot be chosen.",
                            style="dim",
                        ),
                        classes="wizard-hint",
                    )
                    yield OptionList(id="region-list")
                    yield self._error_box("region")
                    yield Static("", id="region-info")
                with VerticalScroll(id="step-class", classes="wizard-step"):
                    yield Static(
                        Text("The kind of server. The region decides which classes exist.", style="dim"),
                        classes="wizard-hint",
                    )
                    yield OptionList(id="class-list")
                    yield self._error_box("class")
                with VerticalScroll(id="step-plan", classes="wizard-step"):
                    yield Checkbox(
                        "Custom resources (vCPU, RAM, disk) instead of a fixed plan",
                        d.custom,
                        id="plan-custom",
                        compact=True,
                    )
                    yield Static("", id="plan-note", classes="wizard-hint")
                    with Vertical(id="plan-fixed"):
                        yield OptionList(id="product-list")
                        yield self._error_box("product")
                        yield from self._number_row("Extra disk (GB, optional)", "extra-disk", d.extra_disk)
                        yield self._error_box("extra_disk")
                        yield from self._number_row(
                            "Extra traffic (TB, optional)", "extra-bandwidth", d.extra_bandwidth
                        )
                        yield self._error_box("extra_bandwidth")
                    with Vertical(id="plan-custom-fields"):
                        yield from self._number_row("vCPU", "custom-cpu", d.cpu, "required")
                        yield self._error_box("cpu")
                        yield from self._number_row("RAM (GB)", "custom-ram", d.ram, "required")
                        yield self._error_box("ram")
                        yield from self._number_row("Disk (GB)", "custom-disk", d.disk, "required")
                        yield self._error_box("disk")
                        yield from self._number_row("Traffic (TB, optional)", "custom-bandwidth", d.bandwidth)
                        yield self._error_box("bandwidth")
                with VerticalScroll(id="step-software", classes="wizard-step"):
                    yield Label("Start from", classes="wizard-label")
                    yield OptionList(id="source-list")
                    yield Static("", id="source-info", classes="wizard-hint")
                    yield self._error_box("source")
                    with Vertical(id="software-os"):
                        yield Label("One-click application (optional)", classes="wizard-label")
                        yield OptionList(id="app-list")
                        yield Static("", id="app-info", classes="wizard-hint")
                        yield self._error_box("app")
                        yield Label("Operating system", classes="wizard-label")
                        yield OptionList(id="os-list")
                        yield self._error_box("os")
                with VerticalScroll(id="step-hostnames", classes="wizard-step"):
                    yield Static(
                        Text(
                            f"One instance per hostname: 1 to {MAX_HOSTNAMES} names separated by spaces "
                            "or commas (letters, digits, hyphens and dots).",
                            style="dim",
                        ),
                        classes="wizard-hint",
                    )
                    yield Input(d.hostnames_text, id="hostnames", placeholder="web-1 web-2")
                    yield Static("", id="hostnames-preview")
                    yield self._error_box("hostnames")
                with VerticalScroll(id="step-ssh", classes="wizard-step"):
                    yield Static("", id="ssh-note", classes="wizard-hint")
                    yield SelectionList[int](id="ssh-keys")
                    yield self._error_box("ssh_keys")
                with VerticalScroll(id="step-network", classes="wizard-step"):
                    yield Checkbox("Assign a public IPv4 address", d.assign_ipv4, id="ipv4", compact=True)
                    yield self._error_box("ipv4")
                    yield Checkbox("Assign an IPv6 address", d.assign_ipv6, id="ipv6", compact=True)
                    yield Static("", id="ipv6-note", classes="wizard-hint")
                    yield self._error_box("ipv6")
                    yield from self._number_row("Floating IPs per instance", "floating-ips", d.floating_ips)
                    yield self._error_box("floating_ips")
                    yield Checkbox("DDoS protection", d.ddos, id="ddos", compact=True)
                    yield Static("", id="ddos-note", classes="wizard-hint")
                    yield self._error_box("ddos")
                with VerticalScroll(id="step-billing", classes="wizard-step"):
                    yield Label("Billing cycle", classes="wizard-label")
                    yield OptionList(id="cycle-list")
                    yield self._error_box("billing_cycle")
                    yield Checkbox("Renew the subscription automatically", d.auto_renew, id="auto-renew", compact=True)
                    yield self._error_box("auto_renew")
                    yield Label("Features (optional)", classes="wizard-label")
                    yield SelectionList[str](id="features")
                    yield self._error_box("features")
                with VerticalScroll(id="step-review", classes="wizard-step"):
                    yield Static("", id="review-summary")
                    yield Static("", id="review-price")
                    yield Static("", id="review-error", classes="form-error")
            with Horizontal(id="wizard-buttons"):
                yield Button("Cancel", id="wizard-cancel", compact=True)
                yield Button("Back", id="wizard-back", compact=True)
                yield Button("Next", id="wizard-next", variant="primary", compact=True)
                yield Button("Create", id="wizard-create", variant="success", compact=True)
            yield Static(
                Text("Enter next · Tab move · alt+b back · ctrl+s review/create · Esc cancel", style="dim"),
                id="wizard-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#review-error", Static).display = False
        self._populate_regions()
        self._populate_applications()
        self._populate_ssh_keys()
        self._go(0)

    # ------------------------------------------------------------- lookups

    def _region(self) -> Region | None:
        return next((r for r in self.regions if r.id == self.draft.region_id), None)

    def _config(self) -> RegionConfig:
        from cloudzy_tui.api import RegionConfig

        region = self._region()
        return region.config if region is not None else RegionConfig()

    def _application(self) -> Application | None:
        if self.draft.source != SOURCE_OS:
            return None  # an ISO or a snapshot brings its own software
        return next((a for a in self.applications if a.id == self.draft.app_id), None) if self.draft.app_id else None

    def _system(self) -> OperatingSystem | None:
        return next((o for o in self.systems if o.id == self.draft.os_id), None)

    def _iso(self) -> Iso | None:
        iso_id = self.draft.iso_id
        return next((i for i in self.isos if i.id == iso_id), None) if iso_id else None

    def _snapshot(self) -> Snapshot | None:
        snapshot_id = self.draft.snapshot_id
        return next((s for s in self.snapshots if s.id == snapshot_id), None) if snapshot_id else None

    def _plan_disk_gb(self) -> float | None:
        """The disk the chosen plan gives (fixed: the plan's storage + extra disk; custom: the disk typed)."""
        d = self.draft
        try:
            if d.custom:
                disk = whole_number(d.disk)
                return float(disk) if disk else None
            extra = whole_number(d.extra_disk) or 0
        except ValueError:
            return None
        product = self._product()
        spec = product.specification if product is not None else None
        storage = to_number(spec.storage) if spec is not None else None
        return storage + extra if storage is not None else None

    def _snapshot_too_big(self, snapshot: Snapshot) -> str | None:
        """Why the plan's disk cannot take this snapshot, else ``None``."""
        need, disk = snapshot_disk_gb(snapshot), self._plan_disk_gb()
        if need is None or disk is None or need <= disk:
            return None
        return f"needs {gigabytes(need)}, plan has {gigabytes(disk)}"

    def _class_products(self, instance_class: str | None = None) -> list[Product] | None:
        """The region's products on sale for the class (``None`` while they load)."""
        region_id = self.draft.region_id
        if region_id is None or region_id not in self._products:
            return None
        klass = instance_class or self.draft.instance_class
        return [
            p
            for p in self._products[region_id]
            if p.is_active and (p.plan is None or p.plan.is_active) and product_class(p) == klass
        ]

    def _product(self) -> Product | None:
        products = self._class_products() or []
        return next((p for p in products if str(p.id) == str(self.draft.product_id)), None)

    def _plan_ram_mb(self) -> float | None:
        if self.draft.custom:
            try:
                ram = whole_number(self.draft.ram)
            except ValueError:
                return None
            return ram * 1024 if ram else None
        product = self._product()
        spec = product.specification if product is not None else None
        if spec is None:
            return None
        if spec.ram_in_mb is not None:
            return float(spec.ram_in_mb)
        return float(spec.ram) * 1024 if spec.ram is not None else None

    def _custom_offered(self) -> bool:
        return custom_allowed(self._config(), self.draft.instance_class)

    # ------------------------------------------------------------- option lists

    def _set_options(self, list_id: str, entries: Sequence[tuple[Any, Text, bool]], selected: Any) -> Any:
        """Fill an option list with (value, prompt, disabled) and highlight ``selected`` (else the first enabled
        entry). Returns the value now highlighted (``None`` if none can be)."""
        widget = self.query_one(f"#{list_id}", OptionList)
        values: dict[str, Any] = {}
        options: list[Option] = []
        for position, (value, prompt, disabled) in enumerate(entries):
            option_id = f"{list_id}-{position}"
            values[option_id] = value
            options.append(Option(prompt, id=option_id, disabled=disabled))
        self._values[list_id] = values
        widget.set_options(options)
        index: int | None = next((i for i, (v, _, off) in enumerate(entries) if v == selected and not off), None)
        if index is None:
            index = next((i for i, (_, _, off) in enumerate(entries) if not off), None)
        if index is not None:
            widget.highlighted = index
            return entries[index][0]
        return None

    def _event_value(self, event: OptionList.OptionMessage) -> tuple[str, Any] | None:
        list_id = event.option_list.id or ""
        values = self._values.get(list_id)
        option = event.option
        if values is None or option.id not in values or option.disabled:
            return None
        if not any(o is option for o in event.option_list.options):
            return None  # a message about an option list that has been refilled since
        return list_id, values[option.id]

    @on(OptionList.OptionHighlighted)
    def _option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        found = self._event_value(event)
        if found is not None:
            self._choose(*found)

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        found = self._event_value(event)
        if found is None:
            return
        list_id, value = found
        self._choose(list_id, value)
        if list_id == "app-list":
            self.query_one("#os-list", OptionList).focus()
        elif list_id == "source-list" and value == SOURCE_OS:
            self.query_one("#app-list", OptionList).focus()
        elif list_id == "cycle-list":
            self.query_one("#auto-renew", Checkbox).focus()
        else:
            self.action_next()

    def _choose(self, list_id: str, value: Any) -> None:
        d = self.draft
        if list_id == "region-list":
            if value != d.region_id:
                d.region_id = value
                self._region_changed()
            region = self._region()
            if region is not None:
                self.query_one("#region-info", Static).update(region_info(region))
        elif list_id == "class-list":
            d.instance_class = value
        elif list_id == "product-list":
            d.product_id = value
        elif list_id == "source-list":
            d.source = value
            self._show_source()
        elif list_id == "app-list":
            if value != d.app_id:
                d.app_id = value
                self._populate_os()
            self._show_app_info()
        elif list_id == "os-list":
            d.os_id = value
        elif list_id == "cycle-list":
            d.billing_cycle = value

    def _region_changed(self) -> None:
        """Drop choices the new region cannot honour; what was typed stays."""
        d = self.draft
        cfg = self._config()
        if d.instance_class not in allowed_classes(cfg):
            d.instance_class = None
        d.product_id = None
        if not cfg.support_ipv6:
            d.assign_ipv6 = False
        if not cfg.support_ddos_ipv4:
            d.ddos = False
        d.features = [f for f in d.features if f in allowed_features(cfg)]
        if d.region_id is not None and d.region_id not in self._products:
            self._load_products(d.region_id)

    # ------------------------------------------------------------- populate steps

    def _populate_regions(self) -> None:
        entries = [(r.id, region_label(r), r.is_out_of_stock) for r in self.regions]
        chosen = self._set_options("region-list", entries, self.draft.region_id)
        if chosen is not None and chosen != self.draft.region_id:
            self.draft.region_id = chosen
            self._region_changed()
        info = self.query_one("#region-info", Static)
        region = self._region()
        if region is not None:
            info.update(region_info(region))
        elif not self.regions:
            info.update(Text("The API lists no region open for new instances.", style="yellow"))
        else:
            info.update(Text("Every region is out of stock right now.", style="yellow"))

    def _populate_classes(self) -> None:
        entries: list[tuple[Any, Text, bool]] = []
        for klass in allowed_classes(self._config()):
            prompt = Text(klass, style="bold")
            prompt.append(f"  {CLASS_TEXT[klass]}")
            products = self._class_products(klass)
            if products is not None:
                custom = " + custom" if custom_allowed(self._config(), klass) else ""
                prompt.append(f"  ({len(products)} plan{'s' if len(products) != 1 else ''}{custom})", style="dim")
            entries.append((klass, prompt, False))
        self.draft.instance_class = self._set_options("class-list", entries, self.draft.instance_class)

    def _populate_plan(self) -> None:
        d = self.draft
        offered = self._custom_offered()
        if not offered:
            d.custom = False
        checkbox = self.query_one("#plan-custom", Checkbox)
        checkbox.display = offered
        checkbox.value = d.custom
        note = self.query_one("#plan-note", Static)
        region = self._region()
        name = clean(region.name or region.id, max_length=40) if region is not None else "this region"
        cfg = self._config()
        if offered and d.custom:
            limits = []
            if cfg.ram_threshold_in_gb is not None:
                limits.append(f"RAM up to {clean(cfg.ram_threshold_in_gb)} GB")
            if cfg.disk_threshold_in_gb is not None:
                limits.append(f"disk up to {clean(cfg.disk_threshold_in_gb)} GB")
            note.update(
                Text(f"Custom resources in {name}" + (f": {', '.join(limits)}." if limits else "."), style="dim")
            )
        elif not cfg.support_custom_plan:
            note.update(Text(f"{name} offers fixed plans only (no custom resources).", style="dim"))
        elif not offered:
            note.update(Text("GPU servers come as fixed plans only.", style="dim"))
        else:
            note.update(Text("Prices per instance; stock shown where it is low.", style="dim"))
        self.query_one("#plan-fixed").display = not d.custom
        self.query_one("#plan-custom-fields").display = d.custom
        products = self._class_products()
        entries: list[tuple[Any, Text, bool]] = []
        if products is None:
            message = self._products_error.get(d.region_id or "")
            text = (
                Text(f"Could not load the products: {clean(message, max_length=200)}", style="red")
                if message
                else Text("Loading products…", style="italic")
            )
            entries.append((None, text, True))
            if message and d.region_id:
                self._load_products(d.region_id)
        else:
            for p in products:
                stock = p.remaining_actual_stock
                out = stock is not None and stock <= 0
                label = product_choice_label(p)
                if stock is not None and 0 < stock <= 5:
                    label.append(f"  {clean(stock)} left", style="yellow")
                entries.append((str(p.id), label, out))
            if not products:
                entries.append((None, Text("No products of this class in this region.", style="yellow"), True))
        d.product_id = self._set_options("product-list", entries, d.product_id)

    def _populate_software(self) -> None:
        self._populate_source()
        self._populate_os()

    def _populate_source(self) -> None:
        """An OS (with an optional application), a custom ISO READY in the region, or an ACTIVE snapshot whose disk
        fits the plan's (a larger one is listed, disabled, with the reason)."""
        d = self.draft
        entries: list[tuple[Any, Text, bool]] = [
            (SOURCE_OS, Text("An operating system (and an optional one-click application)"), False)
        ]
        for iso in self.isos:
            if not iso_usable(iso, d.region_id):
                continue
            label = Text("Custom ISO  ", style="bold")
            label.append_text(safe_text(iso.name or iso.id, max_length=50))
            if iso.use_virtio:
                label.append("  virtio", style="dim")
            entries.append((ISO_PREFIX + iso.id, label, False))
        for snapshot in self.snapshots:
            label = Text("Snapshot    ", style="bold")
            label.append_text(safe_text(snapshot.name or snapshot.id, max_length=30))
            need = snapshot_disk_gb(snapshot)
            if need is not None:
                label.append(f"  {gigabytes(need)}", style="dim")
            meta = snapshot.metadata
            if meta is not None and meta.hostname:
                label.append(f"  {clean(meta.hostname, max_length=20)}", style="dim")
            reason = self._snapshot_too_big(snapshot)
            disk = self._plan_disk_gb()
            created = timestamp(snapshot.created_at)[:10]
            if reason and disk is not None:
                label.append(f"  too big: plan disk {gigabytes(disk)}", style="yellow")
            elif created:
                label.append(f"  {created}", style="dim")
            entries.append((SNAPSHOT_PREFIX + snapshot.id, label, reason is not None))
        if "media" in self.notes:
            entries.append((None, Text(self.notes["media"], style="yellow"), True))
        d.source = self._set_options("source-list", entries, d.source) or SOURCE_OS
        self._show_source()

    def _show_source(self) -> None:
        d = self.draft
        from_os = d.source == SOURCE_OS
        self.query_one("#software-os").display = from_os
        info = self.query_one("#source-info", Static)
        isos_here = sum(1 for i in self.isos if iso_usable(i, d.region_id))
        if from_os:
            hidden = len(self.isos) - isos_here
            text = Text(
                f"{isos_here} custom ISO(s) ready in this region, {len(self.snapshots)} active snapshot(s).",
                style="dim",
            )
            if hidden:
                text.append(f" {hidden} ISO(s) of other regions or not READY are not offered.", style="dim")
            info.update(text)
        elif d.iso_id:
            info.update(Text("The instance boots the ISO (attached): install from it on the console.", style="dim"))
        else:
            info.update(Text("The instance starts with a copy of the snapshot's disk.", style="dim"))

    def _populate_applications(self) -> None:
        entries: list[tuple[Any, Text, bool]] = [(NO_APP, Text("None — just the operating system"), False)]
        active_ids = {o.id for o in self.systems}
        for a in self.applications:
            usable = any(os_id in active_ids for os_id in a.os_list)
            label = application_label(a)
            if not usable:
                label.append("  no OS available", style="yellow")
            entries.append((a.id, label, not usable))
        if "applications" in self.notes:
            entries.append((None, Text(self.notes["applications"], style="yellow"), True))
        self.draft.app_id = self._set_options("app-list", entries, self.draft.app_id) or NO_APP
        self._show_app_info()
        self._populate_os()

    def _show_app_info(self) -> None:
        box = self.query_one("#app-info", Static)
        application = self._application()
        if application is None:
            box.update(Text("A plain operating system, nothing preinstalled.", style="dim"))
            return
        text = safe_text(application.description, max_length=400, single_line=False, missing="(no description)")
        text.no_wrap = False
        names = [clean(self._os_name(os_id), max_length=30) for os_id in application.os_list]
        text.append("\nRuns on: " + (", ".join(names) or "—"), style="dim")
        if application.is_experimental:
            text.append("\nExperimental: may change or break.", style="yellow")
        box.update(text)

    def _os_name(self, os_id: str) -> str:
        found = next((o for o in self.systems if o.id == os_id), None)
        return (found.name or found.id) if found is not None else f"{os_id} (not available)"

    def _populate_os(self) -> None:
        application = self._application()
        systems = list(self.systems)
        if application is not None:
            order = {os_id: i for i, os_id in enumerate(application.os_list)}
            systems = sorted((o for o in systems if o.id in order), key=lambda o: order[o.id])
        systems.sort(key=lambda o: not o.is_default)
        ram = self._plan_ram_mb()
        entries: list[tuple[Any, Text, bool]] = []
        for o in systems:
            label = os_choice_label(o)
            need = os_min_ram_mb(o)
            if need is not None and ram is not None and ram < need:
                label.append(f"  needs {ram_mb(need)} RAM", style="yellow")
            entries.append((o.id, label, False))
        if not entries:
            message = self.notes.get("os") or (
                "None of the application's operating systems is offered."
                if application is not None
                else "The API lists no operating system: the server installs its default."
            )
            entries.append((None, Text(message, style="yellow"), True))
        default = next((o.id for o in systems if o.is_default), None)
        selected = self.draft.os_id if any(o.id == self.draft.os_id for o in systems) else default
        self.draft.os_id = self._set_options("os-list", entries, selected)

    def _populate_ssh_keys(self) -> None:
        widget = self.query_one("#ssh-keys", SelectionList)
        chosen = set(self.draft.ssh_key_ids)
        selections: list[Selection[int]] = []
        for key in self.ssh_keys:
            key_id = _ssh_key_id(key)
            if key_id is None:
                continue
            prompt = safe_text(key.name or str(key.id), style="bold", max_length=40)
            if key.fingerprint:
                prompt.append(f"  {clean(key.fingerprint, max_length=60)}", style="dim")
            selections.append(Selection(prompt, key_id, key_id in chosen))
        widget.clear_options()
        widget.add_options(selections)
        widget.display = bool(selections)
        if selections:
            widget.highlighted = 0
        note = self.notes.get("ssh_keys")
        if note:
            text = Text(note, style="yellow")
        elif selections:
            text = Text(
                "Space or Enter ticks a key; several may be chosen. None: log in with the root password.", style="dim"
            )
        else:
            text = Text(
                "The account has no SSH keys; log in with the root password (or add a key with :keys).", style="dim"
            )
        self.query_one("#ssh-note", Static).update(text)

    def _populate_network(self) -> None:
        d = self.draft
        cfg = self._config()
        region = self._region()
        name = clean(region.name or region.id, max_length=40) if region is not None else "this region"
        ipv6 = self.query_one("#ipv6", Checkbox)
        ipv6.display = cfg.support_ipv6
        ipv6.value = d.assign_ipv6 if cfg.support_ipv6 else False
        note6 = self.query_one("#ipv6-note", Static)
        note6.display = not cfg.support_ipv6
        note6.update(Text(f"IPv6 is not offered in {name}.", style="dim"))
        ddos = self.query_one("#ddos", Checkbox)
        ddos.display = cfg.support_ddos_ipv4
        ddos.value = d.ddos if cfg.support_ddos_ipv4 else False
        note = self.query_one("#ddos-note", Static)
        note.display = not cfg.support_ddos_ipv4
        note.update(Text(f"DDoS protection is not offered in {name}.", style="dim"))
        limit = max_floating_ips(cfg)
        label = self.query_one("#step-network .wizard-row-label", Label)
        label.update(f"Floating IPs per instance (0–{limit})")

    def _populate_billing(self) -> None:
        d = self.draft
        product = None if d.custom else self._product()
        entries: list[tuple[Any, Text, bool]] = []
        for cycle in BILLING_CYCLES:
            prompt = Text(f"{cycle:<14}", style="bold")
            item = price_item_for(product, cycle) if product is not None else None
            if item is not None and cycle == "hourly" and item.hourly_price is not None:
                # Billed by the hour: the hourly rate first, the month it adds up to after it.
                prompt.append(money(item.hourly_price, per="h"))
                if item.monthly_price is not None:
                    prompt.append(f"  (≈ {money(item.monthly_price, per='mo')})", style="dim")
                if item.discount_percent:
                    prompt.append(f"  −{clean(item.discount_percent)}%", style="green")
            elif item is not None and item.monthly_price is not None:
                prompt.append(money(item.monthly_price, per="mo"))
                if item.discount_percent:
                    prompt.append(f"  −{clean(item.discount_percent)}%", style="green")
            entries.append((cycle, prompt, False))
        d.billing_cycle = self._set_options("cycle-list", entries, d.billing_cycle) or "hourly"
        self.query_one("#auto-renew", Checkbox).value = d.auto_renew
        features = allowed_features(self._config())
        d.features = [f for f in d.features if f in features]
        widget = self.query_one("#features", SelectionList)
        widget.clear_options()
        widget.add_options(
            [Selection(Text(f"{f:<12} {FEATURE_TEXT.get(f, '')}"), f, f in d.features) for f in features]
        )
        if features:
            widget.highlighted = 0

    def _populate_step(self, step_id: str) -> None:
        populate = {
            "class": self._populate_classes,
            "plan": self._populate_plan,
            "software": self._populate_software,
            "network": self._populate_network,
            "billing": self._populate_billing,
            "review": self._populate_review,
        }.get(step_id)
        if populate is not None:
            populate()

    # ------------------------------------------------------------- products

    @work(group="wizard-products", exclusive=True, exit_on_error=False)
    async def _load_products(self, region_id: str) -> None:
        try:
            products = await self.cloudzy.catalog.products_for(region_id)
        except CloudzyError as exc:
            self._products_error[region_id] = exc.message
        else:
            self._products[region_id] = products
            self._products_error.pop(region_id, None)
        if region_id == self.draft.region_id and STEP_IDS[self.step] in ("class", "plan"):
            self._populate_step(STEP_IDS[self.step])

    # ------------------------------------------------------------- input mirrors

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        attr = INPUT_ATTR.get(event.input.id or "")
        if attr is None:
            return
        setattr(self.draft, attr, event.value)
        if attr == "hostnames_text":
            self._preview_hostnames()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        attr = CHECKBOX_ATTR.get(event.checkbox.id or "")
        if attr is None:
            return
        setattr(self.draft, attr, event.value)
        if attr == "custom" and STEP_IDS[self.step] == "plan":
            self.query_one("#plan-fixed").display = not event.value
            self.query_one("#plan-custom-fields").display = event.value
            self._populate_plan()

    @on(SelectionList.SelectedChanged)
    def _selection_changed(self, event: SelectionList.SelectedChanged[Any]) -> None:
        widget = event.selection_list
        if widget.id == "ssh-keys":
            self.draft.ssh_key_ids = [int(v) for v in widget.selected]
        elif widget.id == "features":
            self.draft.features = [str(v) for v in widget.selected]

    def _preview_hostnames(self) -> None:
        names = split_hostnames(self.draft.hostnames_text)
        preview = self.query_one("#hostnames-preview", Static)
        if not names:
            preview.update("")
            return
        count = len(names)
        text = Text(f"{count} instance{'s' if count != 1 else ''}: ", style="dim")
        text.append(", ".join(clean(n, max_length=63) for n in names[: MAX_HOSTNAMES + 2]))
        preview.update(text)

    # ------------------------------------------------------------- validation

    def _validate_step(self, step_id: str) -> RoutedErrors:
        errors = RoutedErrors()
        d = self.draft
        cfg = self._config()
        if step_id == "region":
            region = self._region()
            if region is None:
                errors.add("region", "choose a region")
            elif region.is_out_of_stock:
                errors.add("region", "this region is out of stock; choose another")
        elif step_id == "class":
            if d.instance_class not in allowed_classes(cfg):
                errors.add("class", "choose an instance class")
        elif step_id == "plan":
            self._validate_plan(errors)
        elif step_id == "software" and d.source != SOURCE_OS:
            if d.iso_id is not None:
                iso = self._iso()
                if iso is None or not iso_usable(iso, d.region_id):
                    errors.add("source", "this ISO is not ready in the chosen region: choose another source")
            else:
                snapshot = self._snapshot()
                if snapshot is None:
                    errors.add("source", "this snapshot is not available: choose another source")
                elif reason := self._snapshot_too_big(snapshot):
                    errors.add(
                        "source", f"the snapshot's disk is too big ({reason}): choose a larger plan or extra disk"
                    )
        elif step_id == "software":
            application = self._application()
            if d.app_id and application is None:
                errors.add("app", "this application is not available")
            system = self._system()
            if system is None:
                if self.systems:  # with no OS listed at all, the server's default OS is installed
                    errors.add("os", "choose an operating system")
            else:
                if application is not None and system.id not in application.os_list:
                    errors.add("os", "the application does not run on this operating system")
                need, ram = os_min_ram_mb(system), self._plan_ram_mb()
                if need is not None and ram is not None and ram < need:
                    errors.add(
                        "os",
                        f"{clean(system.name or system.id, max_length=40)} needs at least "
                        f"{ram_mb(need)} of RAM; the plan has {ram_mb(ram)}",
                    )
        elif step_id == "hostnames":
            for message in parse_hostnames(d.hostnames_text)[1]:
                errors.add("hostnames", message)
        elif step_id == "network":
            limit = max_floating_ips(cfg)
            try:
                count = whole_number(d.floating_ips) or 0
            except ValueError:
                errors.add("floating_ips", "enter a whole number")
            else:
                if count > limit:
                    errors.add("floating_ips", f"at most {limit} in this region")
        elif step_id == "billing" and d.billing_cycle not in BILLING_CYCLES:
            errors.add("billing_cycle", "choose a billing cycle")
        return errors

    def _validate_plan(self, errors: RoutedErrors) -> None:
        d = self.draft
        cfg = self._config()
        if d.custom:
            if not self._custom_offered():
                errors.add("product", "custom resources are not offered here: choose a product")
                return
            limits = {"ram": cfg.ram_threshold_in_gb, "disk": cfg.disk_threshold_in_gb}
            for name, value, required in (
                ("cpu", d.cpu, True),
                ("ram", d.ram, True),
                ("disk", d.disk, True),
                ("bandwidth", d.bandwidth, False),
            ):
                try:
                    number = whole_number(value)
                except ValueError:
                    errors.add(name, "enter a whole number")
                    continue
                if number is None or (number < 1 and name != "bandwidth"):
                    if required:
                        errors.add(name, "required: a whole number, at least 1")
                    continue
                limit = limits.get(name)
                if limit is not None and number > limit:
                    errors.add(name, f"at most {clean(limit)} GB in this region")
            return
        products = self._class_products()
        if products is None:
            errors.add("product", self._products_error.get(d.region_id or "") or "the products are still loading")
            return
        product = self._product()
        if product is None:
            errors.add("product", "choose a product")
        else:
            stock = product.remaining_actual_stock
            count = len(split_hostnames(d.hostnames_text))
            if stock is not None and stock <= 0:
                errors.add("product", "this product is out of stock")
            elif stock is not None and count > stock:
                errors.add("product", f"only {clean(stock)} left of this product, {count} hostnames given")
        for name, value in (("extra_disk", d.extra_disk), ("extra_bandwidth", d.extra_bandwidth)):
            try:
                whole_number(value)
            except ValueError:
                errors.add(name, "enter a whole number")

    # ------------------------------------------------------------- errors shown

    def _show_errors(self, fields: Iterable[str], errors: RoutedErrors) -> None:
        """Replace the messages of ``fields`` with those in ``errors`` (others stay as they are)."""
        for name in fields:
            messages = errors.by_field.get(name, [])
            if messages:
                self.errors[name] = list(messages)
            else:
                self.errors.pop(name, None)
            box = self.query_one(f"#err-{name}", Static)
            box.update(Text("\n".join(messages)))
            box.display = bool(messages)
        self._update_header()

    def _set_general(self, text: Text | None) -> None:
        self.general_error = text
        box = self.query_one("#review-error", Static)
        box.update(text or "")
        box.display = text is not None

    def _fields_of(self, step_id: str) -> list[str]:
        return [f for f, s in FIELD_STEP.items() if s == step_id]

    def _focus_field(self, name: str) -> None:
        """Focus the field in error and scroll it and its message into view (at 80x24 a step scrolls)."""
        widget = self.query_one(f"#{FIELD_WIDGET[name]}", Widget)
        if widget.display and widget.focusable:
            self.set_focus(widget, scroll_visible=False)
        box = self.query_one(f"#err-{name}", Static)

        def reveal() -> None:
            widget.scroll_visible(animate=False)
            if box.display:
                box.scroll_visible(animate=False)

        self.call_after_refresh(reveal)

    def action_submit(self) -> None:
        """ctrl+s: Create on the review; before it, Next until the review or the first step with an error."""
        if self.busy:
            return
        if self.step == REVIEW:
            self.action_create()
            return
        while self.step < REVIEW:
            before = self.step
            self.action_next()
            if self.step == before:  # stopped at an error (shown and focused by action_next)
                return

    # ------------------------------------------------------------- navigation

    def _update_header(self) -> None:
        title = STEPS[self.step][1]
        self.query_one("#wizard-title", Label).update(
            Text.assemble(("New instance", "bold"), f"  ·  Step {self.step + 1}/{len(STEPS)} · {title}")
        )
        failing = {FIELD_STEP[f] for f in self.errors}
        strip = Text()
        for i, (sid, name) in enumerate(STEPS):
            if i:
                strip.append(" › ", style="dim")
            name = STEP_SHORT.get(sid, name)
            style = "bold reverse" if i == self.step else ("dim" if i > self.step else "")
            if sid in failing:
                style += " red"
            strip.append(name, style=style.strip())
        self.query_one("#wizard-steps", Static).update(strip)

    def _update_buttons(self) -> None:
        last = self.step == REVIEW
        self.query_one("#wizard-back", Button).disabled = self.step == 0 or self.busy
        next_button = self.query_one("#wizard-next", Button)
        next_button.display = not last
        next_button.disabled = self.busy
        create = self.query_one("#wizard-create", Button)
        create.display = last
        create.disabled = self.busy
        if self.busy:
            create.label = "Creating…" if self.unresolved is None else "Checking…"
        else:
            create.label = "Check again" if self.unresolved is not None else "Create"

    def _go(self, index: int, *, focus: bool = True) -> None:
        self.step = max(0, min(REVIEW, index))
        step_id = STEP_IDS[self.step]
        self._populate_step(step_id)
        self.query_one("#wizard-body", ContentSwitcher).current = f"step-{step_id}"
        self._update_header()
        self._update_buttons()
        if focus:
            self.call_after_refresh(self._focus_step, step_id)

    def _software_focus(self) -> str:
        """The source list when there is something else than an OS to start from, else the first OS list."""
        if len(self.query_one("#source-list", OptionList).options) > 1:
            return "#source-list"
        return "#app-list" if self.applications else "#os-list"

    def _focus_step(self, step_id: str) -> None:
        if STEP_IDS[self.step] != step_id:
            return
        target: str | None = {
            "region": "#region-list",
            "class": "#class-list",
            "plan": "#custom-cpu" if self.draft.custom else "#product-list",
            "software": self._software_focus(),
            "hostnames": "#hostnames",
            "ssh": "#ssh-keys" if self.query_one("#ssh-keys").display else None,
            "network": "#ipv4",
            "billing": "#cycle-list",
            "review": "#wizard-create",
        }.get(step_id)
        widget = self.query_one(target, Widget) if target else self.query_one("#wizard-next", Button)
        widget.focus()

    def action_next(self) -> None:
        if self.busy:
            return
        if self.step == REVIEW:
            self.action_create()
            return
        step_id = STEP_IDS[self.step]
        errors = self._validate_step(step_id)
        self._show_errors(self._fields_of(step_id), errors)
        if not errors.empty:
            first = next((f for f in self._fields_of(step_id) if f in errors.by_field), None)
            if first is not None:
                self._focus_field(first)
            return
        self._go(self.step + 1)

    def action_back(self) -> None:
        if self.busy or self.step == 0:
            return
        self._go(self.step - 1)

    @on(Button.Pressed, "#wizard-next")
    def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#wizard-back")
    def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()

    @on(Button.Pressed, "#wizard-create")
    def _create_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_create()

    @on(Button.Pressed, "#wizard-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.busy:
            self.notify("A request is in flight; wait for its answer.", severity="warning", markup=False)
            return
        if self.step == 0 and not self.draft.has_input():
            self.dismiss(self.created or None)
            return
        from cloudzy_tui.ui.modals.confirm import ConfirmModal

        def done(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.created or None)

        message = Text("Close the wizard? What was entered is lost.")
        if self.created:
            message.append(f"\n{len(self.created)} instance(s) already exist and stay; they will be followed.")
        self.app.push_screen(
            ConfirmModal("Discard the new instance?", message, confirm_label="Discard", danger=True), done
        )

    # ------------------------------------------------------------- review

    def _populate_review(self) -> None:
        d = self.draft
        region = self._region()
        application = self._application()
        system = self._system()
        names = split_hostnames(d.hostnames_text)
        rows: list[tuple[str, Text]] = []
        region_text = safe_text(region.name or region.id if region else d.region_id, max_length=60)
        if region is not None:
            region_text.append(f"  ({clean(region.id, max_length=30)})", style="dim")
            region_text.append_text(region_flags(region))
        rows.append(("Region", region_text))
        rows.append(("Class", Text(f"{d.instance_class or '—'}  {CLASS_TEXT.get(d.instance_class or '', '')}")))
        if d.custom:
            plan = Text(f"custom: {d.cpu or '?'} vCPU · {d.ram or '?'} GB RAM · {d.disk or '?'} GB disk")
            if d.bandwidth.strip():
                plan.append(f" · {d.bandwidth} TB")
        else:
            product = self._product()
            plan = safe_text(product.label if product else d.product_id, max_length=70)
            extras = []
            if d.extra_disk.strip() and d.extra_disk.strip() != "0":
                extras.append(f"+{d.extra_disk.strip()} GB disk")
            if d.extra_bandwidth.strip() and d.extra_bandwidth.strip() != "0":
                extras.append(f"+{d.extra_bandwidth.strip()} TB traffic")
            if extras:
                plan.append("  " + ", ".join(extras), style="bold")
        rows.append(("Plan", plan))
        iso, snapshot = self._iso(), self._snapshot()
        if iso is not None:
            software = Text("custom ISO ")
            software.append_text(safe_text(iso.name or iso.id, style="bold", max_length=60))
        elif snapshot is not None:
            software = Text("snapshot ")
            software.append_text(safe_text(snapshot.name or snapshot.id, style="bold", max_length=50))
            need = snapshot_disk_gb(snapshot)
            if need is not None:
                software.append(f"  ({gigabytes(need)} disk)", style="dim")
        else:
            software = safe_text(system.name or system.id if system else d.os_id, max_length=60)
        if application is not None and d.source == SOURCE_OS:
            software.append("  + ")
            software.append_text(safe_text(application.name or application.id, style="bold", max_length=60))
            if application.is_experimental:
                software.append("  experimental", style="yellow")
        rows.append(("Software", software))
        hosts = Text(", ".join(clean(n, max_length=63) for n in names) or "—")
        hosts.append(f"  ({len(names)} instance{'s' if len(names) != 1 else ''})", style="dim")
        rows.append(("Hostnames", hosts))
        key_names = [clean(k.name or k.id, max_length=60) for k in self.ssh_keys if _ssh_key_id(k) in d.ssh_key_ids]
        rows.append(("SSH keys", Text(", ".join(key_names) or "none (root password)")))
        cfg = self._config()
        network = ["IPv4" if d.assign_ipv4 else "no IPv4"]
        if cfg.support_ipv6 and d.assign_ipv6:
            network.append("IPv6")
        floating = d.floating_ips.strip() or "0"
        if floating != "0":
            network.append(f"{floating} floating IP(s) each")
        if cfg.support_ddos_ipv4 and d.ddos:
            network.append("DDoS protection")
        rows.append(("Network", Text(" · ".join(network))))
        rows.append(("Billing", Text(f"{d.billing_cycle}, auto-renew {'on' if d.auto_renew else 'off'}")))
        rows.append(("Features", Text(", ".join(d.features) or "none")))
        summary = Text()
        for i, (label, value) in enumerate(rows):
            if i:
                summary.append("\n")
            summary.append(f"{label:<10} ", style="bold")
            summary.append_text(value)
        self.query_one("#review-summary", Static).update(summary)
        self.query_one("#review-price", Static).update(self._price_text(len(names)))
        self._set_general(self.general_error)

    def _price_text(self, count: int) -> Text:
        """Product price of the chosen cycle × hostnames, plus the application's price; hourly too."""
        d = self.draft
        count = max(count, 1)
        application = self._application()
        app_price = float(application.price) if application is not None and application.price else 0.0
        text = Text("\nPrice      ", style="bold")
        item = None if d.custom else (price_item_for(p, d.billing_cycle) if (p := self._product()) else None)
        if d.custom:
            text.append("custom resources are priced by Cloudzy when the order is placed")
            if app_price:
                text.append(f"\n           + application {money(app_price * count, per='mo')}")
            return text
        if item is None or item.monthly_price is None:
            text.append("unknown (the product lists no price)")
            return text
        monthly = float(item.monthly_price)
        total = (monthly + app_price) * count
        text.append(money(total, per="mo"), style="bold green")
        text.append(f" for {count} instance{'s' if count != 1 else ''}")
        each = f"{money(monthly, per='mo')} plan"
        if app_price:
            each += f" + {money(app_price, per='mo')} application"
        text.append(f"\n           each: {each}", style="dim")
        if item.hourly_price is not None:
            text.append(f"\n           hourly: {money(float(item.hourly_price) * count, per='h')}", style="dim")
            if app_price:
                text.append(" + application", style="dim")
        text.append(f"\n           billed {d.billing_cycle}", style="dim")
        if item.discount_percent:
            text.append(f", {clean(item.discount_percent)}% discount included", style="dim")
        if (d.extra_disk.strip() not in ("", "0")) or (d.extra_bandwidth.strip() not in ("", "0")):
            text.append("\n           extra disk/traffic not included (priced by Cloudzy)", style="dim")
        return text

    # ------------------------------------------------------------- building and sending

    def _known_names(self) -> dict[str, str]:
        known = dict(JSON_FIELDS)
        if self.draft.custom:
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

    def _route(self, exc: BaseException, names: Sequence[str]) -> RoutedErrors:
        """Errors to fields; a hostname error with an index names the hostname."""
        if isinstance(exc, pydantic.ValidationError):
            field_errors = field_errors_from_pydantic(exc)
        elif isinstance(exc, ApiValidationError):
            field_errors = exc.field_errors
        else:
            return route_exception(exc, self._known_names())
        by_host = [e for e in field_errors if e.field == "hostnames" and e.index is not None and e.index < len(names)]
        rest = [
            e for e in field_errors if not (e.field == "hostnames" and e.index is not None and e.index < len(names))
        ]
        routed = route_field_errors(rest, self._known_names())
        for error in by_host:
            assert error.index is not None
            name = clean(names[error.index], max_length=63)
            routed.add("hostnames", f"{name}: {clean(error.message, max_length=300)}")
        if routed.empty:
            routed.add(None, clean(getattr(exc, "message", str(exc)), max_length=500))
        return routed

    def _show_routed(self, routed: RoutedErrors) -> None:
        """Put errors on their fields and jump to the first step that has one (else stay on the review)."""
        self._show_errors(FIELD_STEP, routed)
        self._set_general(Text("\n".join(routed.general)) if routed.general else None)
        first = next((f for f in FIELD_STEP if f in routed.by_field), None)
        if first is None:
            self._go(REVIEW, focus=False)
            self.query_one("#wizard-create", Button).focus()
            return
        self._go(STEP_IDS.index(FIELD_STEP[first]), focus=False)
        self.call_after_refresh(self._focus_field, first)

    def _request_body(self) -> dict[str, Any]:
        d = self.draft
        cfg = self._config()
        names = split_hostnames(d.hostnames_text)
        body: dict[str, Any] = {
            "hostnames": names,
            "region": d.region_id or "",
            "class": d.instance_class,
            "assignIpv4": d.assign_ipv4,
            "billingCycle": d.billing_cycle,
            "isSubscriptionAutoRenewEnabled": d.auto_renew,
            "floatingIPCount": whole_number(d.floating_ips) or 0,
        }
        if d.custom:
            body["extraResource"] = {
                "cpu": whole_number(d.cpu),
                "ramInGB": whole_number(d.ram),
                "diskInGB": whole_number(d.disk),
                "bandwidthInTB": whole_number(d.bandwidth),
            }
        else:
            body["productId"] = d.product_id
            extra = {
                "diskInGB": whole_number(d.extra_disk) or None,
                "bandwidthInTB": whole_number(d.extra_bandwidth) or None,
            }
            if any(extra.values()):
                body["extraResource"] = extra
        if d.iso_id is not None:
            body["isoId"] = d.iso_id
        elif d.snapshot_id is not None:
            body["fromSnapshot"] = d.snapshot_id
        else:
            if d.app_id:
                body["appId"] = d.app_id
            if d.os_id:
                body["osId"] = d.os_id
        if cfg.support_ipv6:
            body["assignIpv6"] = d.assign_ipv6
        if cfg.support_ddos_ipv4:
            body["isDdosProtected"] = d.ddos
        if d.ssh_key_ids:
            body["sshKeyIds"] = list(d.ssh_key_ids)
        features = [f for f in d.features if f in allowed_features(cfg)]
        if features:
            body["featureIds"] = features
        return body

    def action_create(self) -> None:
        if self.busy or self.step != REVIEW:
            return
        if self.unresolved is not None:
            self._set_busy(True)
            self._check_outcome(list(self.unresolved))
            return
        routed = RoutedErrors()
        for step_id in STEP_IDS[:REVIEW]:
            errors = self._validate_step(step_id)
            for name, messages in errors.by_field.items():
                for message in messages:
                    routed.add(name, message)
        if routed.empty:
            try:
                request = CreateInstanceRequest.model_validate(self._request_body())
            except (pydantic.ValidationError, ValueError) as exc:
                routed = self._route(exc, split_hostnames(self.draft.hostnames_text))
        if not routed.empty:
            self._show_routed(routed)
            return
        self._set_general(None)
        self._set_busy(True)
        self._send(request)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    @work(group="wizard-create", exclusive=False, exit_on_error=False)
    async def _send(self, request: CreateInstanceRequest) -> None:
        names = list(request.hostnames)
        try:
            # The one way an instance is created: the operation (rails, audit, jobs followed to ``active``).
            outcome = await self.cloudzy.ops.execute(instance_ops.CREATE, None, request, confirm=True)
        except Refused as refusal:
            self._set_busy(False)
            self._set_general(Text(refusal.message, style="bold"))
            return
        except OutcomeUnknownError as exc:
            self._outcome_unknown(names, exc.message)
            return
        except LowBalanceError as exc:
            self._set_busy(False)
            self._show_low_balance(exc)
            return
        except Exception as exc:  # every failure lands on the wizard; nothing typed is lost
            self._set_busy(False)
            self._show_routed(self._route(exc, names))
            return
        instances = [item for kind, item in outcome.changed if kind == "instances"]
        if not instances:
            # The API answered OK without the instances: find them by hostname.
            self._outcome_unknown(names, "The API accepted the order but did not list the new instances.")
            return
        self.busy = False
        self.outcome = outcome
        self.dismiss([*self.created, *instances])

    def _show_low_balance(self, exc: LowBalanceError) -> None:
        required, available = exc.minimum_required_balance, exc.customer_balance
        text = Text("Not enough balance for this order: ", style="bold")
        text.append(
            f"required {money(required) or 'unknown'}, available {money(available) or 'unknown'}.", style="bold"
        )
        text.append("\nTop up the account, then press Create again: nothing needs to be entered again.")
        self._set_general(text)
        self._go(REVIEW, focus=False)
        self.query_one("#wizard-create", Button).focus()

    def _outcome_unknown(self, names: list[str], message: str) -> None:
        self.unresolved = names
        self._set_general(Text(f"{clean(message, max_length=300)}\nLooking the hostnames up…"))
        self._check_outcome(names)

    @work(group="wizard-create", exclusive=False, exit_on_error=False)
    async def _check_outcome(self, names: list[str]) -> None:
        """After a request whose answer was lost: which of these hostnames now exist? Nothing is resent."""
        self.unresolved = names
        self._update_buttons()
        try:
            found = await self._lookup(names)
        except CloudzyError as exc:
            self.busy = False
            text = Text(
                "It is not known whether the instances were created, and looking them up failed: ", style="bold"
            )
            text.append(clean(exc.message, max_length=300))
            text.append("\nNothing was sent again. Press Check again to look once more.")
            self._set_general(text)
            self._go(REVIEW, focus=False)
            return
        self.unresolved = None
        self.busy = False
        existing = [n for n in names if n.lower() in found]
        missing = [n for n in names if n.lower() not in found]
        self.created.extend(found[n.lower()] for n in existing)
        if not missing:
            self.cloudzy.toast(
                f"The API did not confirm the order, but all {len(existing)} instance(s) exist: "
                f"{', '.join(existing)}. They are being followed.",
                title="New instance",
            )
            self.dismiss(list(self.created))
            return
        text = Text()
        if existing:
            text.append("The API did not confirm the order. These instances exist and are kept: ", style="bold")
            text.append(", ".join(clean(n, max_length=63) for n in existing))
            text.append("\nNot created: ")
            text.append(", ".join(clean(n, max_length=63) for n in missing))
            text.append(". The hostnames were reduced to those; press Create to create only them.")
            self.draft.hostnames_text = " ".join(missing)
            self.query_one("#hostnames", Input).value = self.draft.hostnames_text
        else:
            text.append(
                "The API did not confirm the order, and no instance with these hostnames exists: nothing "
                "was created. Press Create to try again.",
                style="bold",
            )
        self._set_general(text)
        self._go(REVIEW, focus=False)
        self.query_one("#wizard-create", Button).focus()

    async def _lookup(self, names: Sequence[str]) -> dict[str, Instance]:
        """hostname (lower case) → an instance created by this order: same hostname and region, not known before."""
        found: dict[str, Instance] = {}
        client = self.cloudzy.client
        for name in names:
            for instance in await client.instances.list_all(InstanceFilters(hostname=name)):
                if (
                    (instance.hostname or "").lower() == name.lower()
                    and instance.id not in self.known_ids
                    and (instance.region in (None, self.draft.region_id))
                    and (instance.status or "").lower() != "deleted"
                ):
                    found[name.lower()] = instance
        return found


# ------------------------------------------------------------------------------------------------ entry point


async def run_create_wizard(app: Console, screen: ResourceScreen[Any]) -> list[Instance]:
    """Load what the wizard offers, run it, then show the new instances and follow them until ``active``."""
    try:
        regions = await app.catalog.ensure_regions()
    except CloudzyError as exc:
        app.report_error(exc, context="New instance: could not load the regions")
        return []
    notes: dict[str, str] = {}
    systems: list[OperatingSystem] = []
    try:
        systems = await app.catalog.ensure_os()
    except CloudzyError as exc:
        notes["os"] = (
            f"Operating systems could not be loaded ({clean(exc.message, max_length=160)}): "
            "the server installs its default."
        )
    applications: list[Application] = []
    try:
        applications = await app.catalog.ensure_applications()
    except CloudzyError as exc:
        notes["applications"] = f"Applications could not be loaded: {clean(exc.message, max_length=200)}"
    ssh_keys: list[SshKey] = []
    try:
        ssh_keys = await app.client.ssh_keys.list()
    except CloudzyError as exc:
        notes["ssh_keys"] = f"SSH keys could not be loaded: {clean(exc.message, max_length=200)}"
    isos: list[Iso] = []
    snapshots: list[Snapshot] = []
    try:
        isos = await app.client.isos.list_all(status="READY")
        snapshots = await app.client.snapshots.list_all(SnapshotFilters(status="ACTIVE"))
    except CloudzyError as exc:
        notes["media"] = f"Custom ISOs and snapshots could not be loaded: {clean(exc.message, max_length=200)}"
    known_ids = set(screen.model.items) if getattr(screen, "model", None) is not None else set()
    wizard = CreateWizard(
        isos=isos,
        snapshots=snapshots,
        regions=regions,
        systems=systems,
        applications=applications,
        ssh_keys=ssh_keys,
        notes=notes,
        known_ids=known_ids,
    )
    result = await app.ask(wizard)
    instances: list[Instance] = list(result or [])
    if not instances:
        return []
    outcome = wizard.outcome
    followed = {job.id for job in outcome.jobs} if outcome is not None else set()
    # Instances found by hostname after a lost answer were not part of an outcome: show and follow them here.
    found = [i for i in instances if i.id not in followed]
    if found:
        screen.upsert_items(found)
        for instance in found:
            app.track(
                "instance", instance.id, instance.hostname or instance.id, "create", Expectation.instance_created()
            )
    names = ", ".join(i.hostname or i.id for i in instances)
    if outcome is not None and not found:
        app.toast(outcome.message, title="New instance")  # with the figures: region, plan, source
    else:
        app.toast(f"Creating {len(instances)} instance(s): {names}", title="New instance")
    app.call_after_refresh(screen.table.move_cursor_to_key, instances[0].id)
    return instances
