"""What the create wizard shows, as Rich text built from the :class:`Draft` and the :class:`Choices`: option prompts,
notes, the review and the price. No widgets here; every server string goes through :func:`safe_text`/:func:`clean`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cloudzy_tui.api.models import BILLING_CYCLES
from cloudzy_tui.ops.create_draft import Choices, Draft
from cloudzy_tui.ops.create_offer import (
    CLASS_TEXT,
    FEATURE_TEXT,
    ISO_PREFIX,
    MAX_HOSTNAMES,
    NO_APP,
    SNAPSHOT_PREFIX,
    SOURCE_OS,
    allowed_classes,
    custom_allowed,
    iso_usable,
    max_floating_ips,
    os_min_ram_mb,
    price_item_for,
    snapshot_disk_gb,
    ssh_key_id,
)
from cloudzy_tui.ui.modals.instance_forms import os_choice_label, product_choice_label
from cloudzy_tui.ui.present import region_flags
from cloudzy_tui.ui.text import clean, safe_text
from cloudzy_tui.units import gigabytes, money, ram_mb, timestamp

if TYPE_CHECKING:
    from cloudzy_tui.api import Application, Region

#: (value, prompt, disabled) of one option of a single-choice list
Entry = tuple[Any, Text, bool]


def _with_flags(text: Text, region: Region) -> Text:
    flags = region_flags(region)
    if flags:
        text.append("  ")
        text.append_text(flags)
    return text


def _region_name(region: Region | None) -> str:
    return clean(region.name or region.id, max_length=40) if region is not None else "this region"


# ------------------------------------------------------------------------------------------------ region and class


def region_label(region: Region) -> Text:
    text = safe_text(region.name or region.id, style="bold", max_length=60)
    if region.abbr:
        text.append(f"  {clean(region.abbr, max_length=8)}", style="dim")
    _with_flags(text, region)
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
    _with_flags(text, region)
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


def region_entries(c: Choices) -> list[Entry]:
    return [(r.id, region_label(r), r.is_out_of_stock) for r in c.regions]


def region_note(d: Draft, c: Choices) -> Text:
    region = d.region(c)
    if region is not None:
        return region_info(region)
    if not c.regions:
        return Text("The API lists no region open for new instances.", style="yellow")
    return Text("Every region is out of stock right now.", style="yellow")


def class_entries(d: Draft, c: Choices) -> list[Entry]:
    cfg = d.config(c)
    entries: list[Entry] = []
    for klass in allowed_classes(cfg):
        prompt = Text(klass, style="bold")
        prompt.append(f"  {CLASS_TEXT[klass]}")
        products = d.class_products(c, klass)
        if products is not None:
            custom = " + custom" if custom_allowed(cfg, klass) else ""
            prompt.append(f"  ({len(products)} plan{'s' if len(products) != 1 else ''}{custom})", style="dim")
        entries.append((klass, prompt, False))
    return entries


# ------------------------------------------------------------------------------------------------ plan


def plan_note(d: Draft, c: Choices) -> Text:
    cfg = d.config(c)
    name = _region_name(d.region(c))
    offered = d.custom_offered(c)
    if offered and d.custom:
        limits = []
        if cfg.ram_threshold_in_gb is not None:
            limits.append(f"RAM up to {clean(cfg.ram_threshold_in_gb)} GB")
        if cfg.disk_threshold_in_gb is not None:
            limits.append(f"disk up to {clean(cfg.disk_threshold_in_gb)} GB")
        return Text(f"Custom resources in {name}" + (f": {', '.join(limits)}." if limits else "."), style="dim")
    if not cfg.support_custom_plan:
        return Text(f"{name} offers fixed plans only (no custom resources).", style="dim")
    if not offered:
        return Text("GPU servers come as fixed plans only.", style="dim")
    return Text("Prices per instance; stock shown where it is low.", style="dim")


def product_entries(d: Draft, c: Choices) -> list[Entry]:
    products = d.class_products(c)
    if products is None:
        message = c.products_error.get(d.region_id or "")
        text = (
            Text(f"Could not load the products: {clean(message, max_length=200)}", style="red")
            if message
            else Text("Loading products…", style="italic")
        )
        return [(None, text, True)]
    entries: list[Entry] = []
    for p in products:
        stock = p.remaining_actual_stock
        out = stock is not None and stock <= 0
        label = product_choice_label(p)
        if stock is not None and 0 < stock <= 5:
            label.append(f"  {clean(stock)} left", style="yellow")
        entries.append((str(p.id), label, out))
    if not products:
        entries.append((None, Text("No products of this class in this region.", style="yellow"), True))
    return entries


# ------------------------------------------------------------------------------------------------ software


def source_entries(d: Draft, c: Choices) -> list[Entry]:
    """An OS (with an optional application), a custom ISO READY in the region, or an ACTIVE snapshot whose disk
    fits the plan's (a larger one is listed, disabled, with the reason)."""
    entries: list[Entry] = [(SOURCE_OS, Text("An operating system (and an optional one-click application)"), False)]
    for iso in c.isos:
        if not iso_usable(iso, d.region_id):
            continue
        label = Text("Custom ISO  ", style="bold")
        label.append_text(safe_text(iso.name or iso.id, max_length=50))
        if iso.use_virtio:
            label.append("  virtio", style="dim")
        entries.append((ISO_PREFIX + iso.id, label, False))
    disk = d.plan_disk_gb(c)
    for snapshot in c.snapshots:
        label = Text("Snapshot    ", style="bold")
        label.append_text(safe_text(snapshot.name or snapshot.id, max_length=30))
        need = snapshot_disk_gb(snapshot)
        if need is not None:
            label.append(f"  {gigabytes(need)}", style="dim")
        meta = snapshot.metadata
        if meta is not None and meta.hostname:
            label.append(f"  {clean(meta.hostname, max_length=20)}", style="dim")
        reason = d.snapshot_too_big(c, snapshot)
        created = timestamp(snapshot.created_at)[:10]
        if reason and disk is not None:
            label.append(f"  too big: plan disk {gigabytes(disk)}", style="yellow")
        elif created:
            label.append(f"  {created}", style="dim")
        entries.append((SNAPSHOT_PREFIX + snapshot.id, label, reason is not None))
    if "media" in c.notes:
        entries.append((None, Text(c.notes["media"], style="yellow"), True))
    return entries


def source_info(d: Draft, c: Choices) -> Text:
    if d.source == SOURCE_OS:
        isos_here = sum(1 for i in c.isos if iso_usable(i, d.region_id))
        hidden = len(c.isos) - isos_here
        text = Text(
            f"{isos_here} custom ISO(s) ready in this region, {len(c.snapshots)} active snapshot(s).", style="dim"
        )
        if hidden:
            text.append(f" {hidden} ISO(s) of other regions or not READY are not offered.", style="dim")
        return text
    if d.iso_id:
        return Text("The instance boots the ISO (attached): install from it on the console.", style="dim")
    return Text("The instance starts with a copy of the snapshot's disk.", style="dim")


def application_label(application: Application) -> Text:
    text = safe_text(application.name or application.id, style="bold", max_length=40)
    if application.tag:
        text.append(f"  {clean(application.tag, max_length=20)}", style="cyan")
    price = application.price
    text.append(f"  {money(price, per='mo')}" if price else "  free", style="dim")
    if application.is_experimental:
        text.append("  experimental", style="bold yellow")
    return text


def application_entries(c: Choices) -> list[Entry]:
    entries: list[Entry] = [(NO_APP, Text("None — just the operating system"), False)]
    active_ids = {o.id for o in c.systems}
    for a in c.applications:
        usable = any(os_id in active_ids for os_id in a.os_list)
        label = application_label(a)
        if not usable:
            label.append("  no OS available", style="yellow")
        entries.append((a.id, label, not usable))
    if "applications" in c.notes:
        entries.append((None, Text(c.notes["applications"], style="yellow"), True))
    return entries


def application_info(d: Draft, c: Choices) -> Text:
    application = d.application(c)
    if application is None:
        return Text("A plain operating system, nothing preinstalled.", style="dim")
    text = safe_text(application.description, max_length=400, single_line=False, missing="(no description)")
    text.no_wrap = False
    names = [clean(c.os_name(os_id), max_length=30) for os_id in application.os_list]
    text.append("\nRuns on: " + (", ".join(names) or "—"), style="dim")
    if application.is_experimental:
        text.append("\nExperimental: may change or break.", style="yellow")
    return text


def os_entries(d: Draft, c: Choices) -> tuple[list[Entry], str | None]:
    """The operating systems (those of the application, in its order; the default first) and the one to highlight."""
    application = d.application(c)
    systems = list(c.systems)
    if application is not None:
        order = {os_id: i for i, os_id in enumerate(application.os_list)}
        systems = sorted((o for o in systems if o.id in order), key=lambda o: order[o.id])
    systems.sort(key=lambda o: not o.is_default)
    ram = d.plan_ram_mb(c)
    entries: list[Entry] = []
    for o in systems:
        label = os_choice_label(o)
        need = os_min_ram_mb(o)
        if need is not None and ram is not None and ram < need:
            label.append(f"  needs {ram_mb(need)} RAM", style="yellow")
        entries.append((o.id, label, False))
    if not entries:
        message = c.notes.get("os") or (
            "None of the application's operating systems is offered."
            if application is not None
            else "The API lists no operating system: the server installs its default."
        )
        entries.append((None, Text(message, style="yellow"), True))
    default = next((o.id for o in systems if o.is_default), None)
    selected = d.os_id if any(o.id == d.os_id for o in systems) else default
    return entries, selected


# ---------------------------------------------------------------------------------------- hostnames, keys, network


def hostnames_preview(names: Sequence[str]) -> Text | str:
    if not names:
        return ""
    count = len(names)
    text = Text(f"{count} instance{'s' if count != 1 else ''}: ", style="dim")
    text.append(", ".join(clean(n, max_length=63) for n in names[: MAX_HOSTNAMES + 2]))
    return text


def ssh_key_entries(c: Choices) -> list[tuple[int, Text]]:
    entries: list[tuple[int, Text]] = []
    for key in c.ssh_keys:
        key_id = ssh_key_id(key)
        if key_id is None:
            continue
        prompt = safe_text(key.name or str(key.id), style="bold", max_length=40)
        if key.fingerprint:
            prompt.append(f"  {clean(key.fingerprint, max_length=60)}", style="dim")
        entries.append((key_id, prompt))
    return entries


def ssh_note(c: Choices, any_keys: bool) -> Text:
    note = c.notes.get("ssh_keys")
    if note:
        return Text(note, style="yellow")
    if any_keys:
        return Text(
            "Space or Enter ticks a key; several may be chosen. None: log in with the root password.", style="dim"
        )
    return Text("The account has no SSH keys; log in with the root password (or add a key with :keys).", style="dim")


def not_offered(what: str, d: Draft, c: Choices) -> Text:
    return Text(f"{what} is not offered in {_region_name(d.region(c))}.", style="dim")


# ------------------------------------------------------------------------------------------------ billing


def cycle_entries(d: Draft, c: Choices) -> list[Entry]:
    product = None if d.custom else d.product(c)
    entries: list[Entry] = []
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
    return entries


def feature_prompt(feature: str) -> Text:
    return Text(f"{feature:<12} {FEATURE_TEXT.get(feature, '')}")


# ------------------------------------------------------------------------------------------------ review


def review_summary(d: Draft, c: Choices) -> Text:
    region = d.region(c)
    application = d.application(c)
    system = d.system(c)
    names = d.hostnames
    rows: list[tuple[str, Text]] = []
    region_text = safe_text(region.name or region.id if region else d.region_id, max_length=60)
    if region is not None:
        region_text.append(f"  ({clean(region.id, max_length=30)})", style="dim")
        _with_flags(region_text, region)
    rows.append(("Region", region_text))
    rows.append(("Class", Text(f"{d.instance_class or '—'}  {CLASS_TEXT.get(d.instance_class or '', '')}")))
    if d.custom:
        plan = Text(f"custom: {d.cpu or '?'} vCPU · {d.ram or '?'} GB RAM · {d.disk or '?'} GB disk")
        if d.bandwidth.strip():
            plan.append(f" · {d.bandwidth} TB")
    else:
        product = d.product(c)
        plan = safe_text(product.label if product else d.product_id, max_length=70)
        extras = []
        if d.extra_disk.strip() and d.extra_disk.strip() != "0":
            extras.append(f"+{d.extra_disk.strip()} GB disk")
        if d.extra_bandwidth.strip() and d.extra_bandwidth.strip() != "0":
            extras.append(f"+{d.extra_bandwidth.strip()} TB traffic")
        if extras:
            plan.append("  " + ", ".join(extras), style="bold")
    rows.append(("Plan", plan))
    iso, snapshot = d.iso(c), d.snapshot(c)
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
    key_names = [clean(k.name or k.id, max_length=60) for k in c.ssh_keys if ssh_key_id(k) in d.ssh_key_ids]
    rows.append(("SSH keys", Text(", ".join(key_names) or "none (root password)")))
    cfg = d.config(c)
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
    return summary


def price_text(d: Draft, c: Choices) -> Text:
    """Product price of the chosen cycle × hostnames, plus the application's price; hourly too."""
    count = max(len(d.hostnames), 1)
    application = d.application(c)
    app_price = float(application.price) if application is not None and application.price else 0.0
    text = Text("\nPrice      ", style="bold")
    if d.custom:
        text.append("custom resources are priced by Cloudzy when the order is placed")
        if app_price:
            text.append(f"\n           + application {money(app_price * count, per='mo')}")
        return text
    product = d.product(c)
    item = price_item_for(product, d.billing_cycle) if product is not None else None
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
