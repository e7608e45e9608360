"""The account at a glance: counts, work in progress, an estimated monthly spend, the last balance the API reported,
the API's health as this console sees it, and the jobs in flight. No Textual.

:func:`gather` reads the lists (instances, snapshots, ISOs, images, floating IPs, backup profiles, the products of
the regions the instances are in, the applications); :func:`compute` turns what was read into :class:`PulseLine` s,
each naming where it leads (a resource and the filter that shows what it counts).

The spend is an estimate, and says so:

* an instance costs its product's monthly price: the product's price item for the ``monthly`` cycle (else its
  first price item), or that item's hourly price x 730 when it gives no monthly price. The API does not say which
  billing cycle an instance was ordered with, nor the price of its extras (``extraResource``): instances without a
  product (custom plans) are counted as not priced;
* a backup profile costs its ``monthlyPrice`` (inactive profiles are left out);
* an instance with a paid application adds the application's ``price`` (per month);
* floating IPs: the API gives no price, so they are counted, not priced.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudzy_tui.api import (
    Application,
    BackupProfile,
    CloudzyError,
    FloatingIp,
    Image,
    Instance,
    Iso,
    Product,
    Snapshot,
)
from cloudzy_tui.api.trace import Balance, TraceEntry
from cloudzy_tui.text import clean
from cloudzy_tui.units import duration, money

if TYPE_CHECKING:
    from cloudzy_tui.ops.session import Session

HOURS_PER_MONTH = 730
#: the window of the API health figures (seconds)
HEALTH_WINDOW = 300.0
TOP_INSTANCES = 5
SNAPSHOT_BUSY = ("IN_PROGRESS", "RESTORING")
MEDIA_BUSY = ("DOWNLOADING",)


@dataclass(frozen=True)
class PulseLine:
    """One figure. ``goto`` names the resource that shows what it counts, ``filter`` the filter to apply there,
    ``select`` the row to put the cursor on."""

    key: str
    order: int
    section: str
    label: str
    value: str
    note: str = ""
    goto: str | None = None
    filter: str = ""
    select: str | None = None
    detail: tuple[tuple[str, str], ...] = ()
    warn: bool = False


@dataclass(frozen=True)
class JobInfo:
    label: str
    action: str
    age: float
    kind: str = ""
    target_id: str = ""


@dataclass
class PulseInputs:
    instances: list[Instance] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    isos: list[Iso] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    floating_ips: list[FloatingIp] = field(default_factory=list)
    backups: list[BackupProfile] = field(default_factory=list)
    products: dict[str, Product] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    trace: list[TraceEntry] = field(default_factory=list)
    balance: Balance | None = None
    jobs: list[JobInfo] = field(default_factory=list)
    #: the trace's clock (the health window and the balance's age are measured on it)
    now: float = 0.0
    #: what could not be read: {what: error message}
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceCost:
    instance: Instance
    monthly: float | None
    basis: str


@dataclass(frozen=True)
class Spend:
    instances: float
    backups: float
    applications: float
    priced_instances: int
    unpriced_instances: int
    floating_ips: int
    costs: tuple[InstanceCost, ...]

    @property
    def total(self) -> float:
        return round(self.instances + self.backups + self.applications, 2)

    def top(self, count: int = TOP_INSTANCES) -> list[InstanceCost]:
        priced = [c for c in self.costs if c.monthly is not None]
        return sorted(priced, key=lambda c: (-(c.monthly or 0.0), c.instance.hostname or c.instance.id))[:count]


# ------------------------------------------------------------------------------------------------------ prices


def product_monthly(product: Product | None) -> tuple[float | None, str]:
    """(monthly price, how it was obtained) of a product; (None, why) when it has none."""
    if product is None:
        return None, "no product (custom plan) or product not listed: not priced"
    items = product.price_items
    if not items:
        return None, "the product has no price"
    item = next((i for i in items if (i.name or "").lower() == "monthly"), items[0])
    cycle = item.name or "first"
    if item.monthly_price is not None and math.isfinite(item.monthly_price):
        return round(item.monthly_price, 2), f"product's {cycle} price item: monthly price"
    if item.hourly_price is not None and math.isfinite(item.hourly_price):
        return round(
            item.hourly_price * HOURS_PER_MONTH, 2
        ), f"product's {cycle} price item: hourly x {HOURS_PER_MONTH}"
    return None, "the product has no price"


def spend(inputs: PulseInputs) -> Spend:
    costs: list[InstanceCost] = []
    apps_total = 0.0
    for instance in inputs.instances:
        if (instance.status or "").lower() == "deleted":
            continue
        monthly, basis = product_monthly(inputs.products.get(instance.product_id or ""))
        costs.append(InstanceCost(instance, monthly, basis))
        application = inputs.applications.get(instance.app_id or "") if instance.app_id else None
        if application is not None and application.price and (application.pricing_type or "").lower() != "free":
            apps_total += float(application.price)
    backups_total = sum(
        float(b.monthly_price)
        for b in inputs.backups
        if b.monthly_price is not None and (b.status or "").lower() != "inactive" and math.isfinite(b.monthly_price)
    )
    priced = [c for c in costs if c.monthly is not None]
    return Spend(
        instances=round(sum(c.monthly or 0.0 for c in priced), 2),
        backups=round(backups_total, 2),
        applications=round(apps_total, 2),
        priced_instances=len(priced),
        unpriced_instances=len(costs) - len(priced),
        floating_ips=len([f for f in inputs.floating_ips if not f.is_deleted]),
        costs=tuple(costs),
    )


# ------------------------------------------------------------------------------------------------------ health


@dataclass(frozen=True)
class Health:
    requests: int
    errors: int
    p50: float | None
    p95: float | None
    last_error: TraceEntry | None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``fraction`` in 0..1) of ``values``; ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def health(trace: Sequence[TraceEntry], now: float, window: float = HEALTH_WINDOW) -> Health:
    recent = [e for e in trace if now - e.time <= window]
    errors = [e for e in recent if not e.ok]
    latencies = [e.ms for e in recent]
    last_error = next((e for e in reversed(trace) if not e.ok), None)
    return Health(len(recent), len(errors), percentile(latencies, 0.5), percentile(latencies, 0.95), last_error)


# ------------------------------------------------------------------------------------------------------ lines


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _filter_words(column: str, value: str) -> str:
    """A filter that matches ``value`` in ``column`` (each word: the filter splits on spaces)."""
    return " ".join(f"{column}:{word}" for word in clean(value, max_length=60).lower().split())


def compute(inputs: PulseInputs) -> list[PulseLine]:
    lines: list[PulseLine] = []

    def add(section: str, label: str, value: str, **kwargs: Any) -> None:
        key = kwargs.pop("key", f"{section}:{label}")
        lines.append(PulseLine(key=key, order=len(lines), section=section, label=label, value=value, **kwargs))

    live = [i for i in inputs.instances if (i.status or "").lower() != "deleted"]
    # Instances by status and by region
    if "instances" in inputs.errors:
        add("Instances", "could not load", inputs.errors["instances"], warn=True, goto="instances")
    add("Instances", "total", str(len(live)), goto="instances")
    for status, count in sorted(Counter((i.status or "unknown").lower() for i in live).items()):
        add(
            "By status",
            status,
            str(count),
            goto="instances",
            filter=_filter_words("status", status),
            key=f"status:{status}",
        )
    for region_id, count in sorted(Counter(i.region or "" for i in live).items(), key=lambda rc: (-rc[1], rc[0])):
        name = inputs.region_names.get(region_id) or region_id or "unknown"
        add(
            "By region",
            name,
            str(count),
            note=region_id if name != region_id else "",
            goto="instances",
            filter=_filter_words("region", name),
            key=f"region:{region_id}",
        )

    # Work in progress
    busy_snapshots = [s for s in inputs.snapshots if (s.status or "").upper() in SNAPSHOT_BUSY]
    for status in SNAPSHOT_BUSY:
        count = len([s for s in busy_snapshots if (s.status or "").upper() == status])
        add(
            "In progress",
            f"snapshots {status.lower()}",
            str(count),
            goto="snapshots",
            filter=_filter_words("status", status),
            key=f"snapshots:{status}",
        )
    for what, items in (("isos", inputs.isos), ("images", inputs.images)):
        count = len([m for m in items if (m.status or "").upper() in MEDIA_BUSY])
        add(
            "In progress",
            f"{'ISOs' if what == 'isos' else 'images'} downloading",
            str(count),
            goto=what,
            filter="status:downloading",
            key=f"{what}:downloading",
        )
    for what in ("snapshots", "isos", "images", "floating IPs", "backups"):
        if what in inputs.errors:
            add("In progress", f"{what}: could not load", inputs.errors[what], warn=True)
    unattached = [f for f in inputs.floating_ips if not f.attached and not f.is_deleted]
    add(
        "Floating IPs",
        "unattached",
        str(len(unattached)),
        goto="floating-ips",
        filter="instance:unattached",
        note="an address kept but not in use",
    )

    # Spend
    cost = spend(inputs)
    products_note = "estimate: from the products' price items (monthly, else hourly x 730)"
    add(
        "Spend /mo",
        "instances",
        money(cost.instances),
        note=products_note,
        goto="instances",
        detail=(
            ("priced", f"{cost.priced_instances} instances"),
            ("not priced", f"{cost.unpriced_instances} (custom plans, or a product not listed)"),
            (
                "basis",
                "the product's price item for the monthly cycle, else its first; hourly x 730 when it "
                "has no monthly price. The API does not say an instance's billing cycle, nor price its "
                "extras: an estimate.",
            ),
            ("products", f"{len(inputs.products)} known, from GET /v1/products of the instances' regions"),
        ),
    )
    if "prices" in inputs.errors:
        add("Spend /mo", "prices: could not load", inputs.errors["prices"], warn=True)
    if cost.unpriced_instances:
        add(
            "Spend /mo",
            "instances not priced",
            str(cost.unpriced_instances),
            note="no product price (custom plan or product not listed)",
            warn=True,
        )
    add(
        "Spend /mo",
        "backup profiles",
        money(cost.backups),
        note="their monthlyPrice (inactive ones left out)",
        goto="backups",
    )
    add(
        "Spend /mo",
        "applications",
        money(cost.applications),
        note="paid one-click apps: their price per month",
        goto="applications",
    )
    add(
        "Spend /mo",
        "floating IPs",
        f"{cost.floating_ips} not priced",
        note="the API gives no floating IP price",
        goto="floating-ips",
    )
    add(
        "Spend /mo", "total (estimate)", money(cost.total), note="instances + backups + applications", key="spend:total"
    )
    for rank, item in enumerate(cost.top(), start=1):
        instance = item.instance
        add(
            "Top cost",
            f"{rank}. {clean(instance.hostname or instance.id, max_length=40)}",
            money(item.monthly),
            note=item.basis,
            goto="instances",
            select=instance.id,
            key=f"top:{instance.id}",
        )

    # Balance
    balance = inputs.balance
    if balance is None:
        add("Balance", "last reported", "not yet", note="only a low-balance answer (460) carries the balance")
    else:
        shown = money(balance.customer_balance) or "?"
        if balance.minimum_required is not None:
            shown += f" ({money(balance.minimum_required)} required)"
        add(
            "Balance",
            "last reported",
            shown,
            note=f"{duration(inputs.now - balance.time)} ago, answering {clean(balance.path, max_length=60)}",
            warn=True,
            goto="requests",
        )

    # API health
    figures = health(inputs.trace, inputs.now)
    add("API (5 min)", "requests", str(figures.requests), goto="requests")
    rate = figures.error_rate
    add(
        "API (5 min)",
        "error rate",
        "—" if rate is None else f"{rate:.1%}",
        note=f"{figures.errors} failed",
        goto="requests",
        warn=bool(figures.errors),
    )
    add("API (5 min)", "latency p50 / p95", f"{_ms(figures.p50)} / {_ms(figures.p95)}", goto="requests")
    last = figures.last_error
    if last is None:
        add("API (5 min)", "last error", "none", goto="requests")
    else:
        status = str(last.status) if last.status is not None else "no answer"
        add(
            "API (5 min)",
            "last error",
            f"{last.method} {clean(last.path, max_length=50)} → {status}",
            note=f"{duration(inputs.now - last.time)} ago: {clean(last.error or '', max_length=120)}",
            goto="requests",
            select=str(last.seq),
            warn=True,
        )

    # Jobs
    if not inputs.jobs:
        add("Jobs", "in flight", "none", goto="jobs")
    for job in sorted(inputs.jobs, key=lambda j: -j.age):
        add(
            "Jobs",
            clean(job.label, max_length=40),
            duration(job.age),
            note=clean(job.action, max_length=60),
            goto="jobs",
            key=f"job:{job.kind}:{job.target_id}:{job.action}",
        )
    return lines


# ------------------------------------------------------------------------------------------------------ gathering


async def gather(session: Session, jobs: Sequence[JobInfo] = ()) -> PulseInputs:
    """Read what the pulse counts. A list that cannot be read is named in ``errors``; the rest still counts."""
    from cloudzy_tui.ops.backups import BACKUPS
    from cloudzy_tui.ops.floating_ips import FLOATING_IPS
    from cloudzy_tui.ops.instances import INSTANCES
    from cloudzy_tui.ops.media import IMAGES, ISOS
    from cloudzy_tui.ops.snapshots import SNAPSHOTS

    trace = session.client.trace
    inputs = PulseInputs(jobs=list(jobs))

    async def read(name: str, resource: Any) -> list[Any]:
        try:
            return list(await resource.all(session))
        except CloudzyError as exc:
            inputs.errors[name] = exc.message
            return []

    inputs.instances = await read("instances", INSTANCES)
    inputs.snapshots = await read("snapshots", SNAPSHOTS)
    inputs.isos = await read("isos", ISOS)
    inputs.images = await read("images", IMAGES)
    inputs.floating_ips = await read("floating IPs", FLOATING_IPS)
    inputs.backups = await read("backups", BACKUPS)
    catalog = session.catalog
    try:
        for region in await catalog.ensure_regions():
            inputs.region_names[region.id] = region.name or region.id
        for application in await catalog.ensure_applications():
            inputs.applications[application.id] = application
        for region_id in sorted({i.region for i in inputs.instances if i.region}):
            for product in await catalog.products_for(region_id):
                inputs.products[product.id] = product
    except CloudzyError as exc:
        inputs.errors["prices"] = exc.message
    inputs.trace = trace.entries()
    inputs.balance = trace.balance
    inputs.now = trace.clock()
    return inputs
