"""What the catalog allows a new instance: the rules of regions, classes, plans, media and names, as pure functions.

No Textual, no Rich. The create order (:mod:`cloudzy_tui.ops.create_draft`) judges a draft with them; the console's
wizard shows what they allow.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cloudzy_tui.api import validate_hostname
from cloudzy_tui.api.models import INSTANCE_FEATURES
from cloudzy_tui.text import clean
from cloudzy_tui.units import min_ram_mb, to_number

if TYPE_CHECKING:
    from cloudzy_tui.api import Iso, OperatingSystem, PriceItem, Product, RegionConfig, Snapshot, SshKey

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


def ssh_key_id(key: SshKey) -> int | None:
    """The key's id as the create request wants it (an integer), ``None`` when it is not one."""
    try:
        return int(key.id)
    except (TypeError, ValueError):
        return None
