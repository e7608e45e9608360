"""The fixed part of the seeded world: regions, plan lines, operating systems, applications.

Regions cover every ``config`` case the client must honour: Utah (the all-rounder: IPv6, custom plans,
DDoS, high-frequency CPUs), Amsterdam (no IPv6), Frankfurt (GPU), New York (premium, custom plans,
discounts), Singapore (out of stock), Tokyo (inactive), London (hidden).
"""

from __future__ import annotations

from typing import Any

INSTANCE_CLASSES = ["default", "cpu-optimized", "gpu-provided"]
#: the instance ``class`` a product's plan type fixes
PLAN_CLASS = {"regular": "default", "high-frequency": "cpu-optimized", "gpu": "gpu-provided"}
BILLING_CYCLES = ["hourly", "monthly", "quarterly", "semi-annually", "annually"]
#: discount per billing cycle (percent) -- the product's priceItems, one per cycle
CYCLE_DISCOUNT = {"hourly": 0, "monthly": 0, "quarterly": 5, "semi-annually": 10, "annually": 15}
FEATURES = [
    "nested",
    "ide",
    "metatrader4",
    "metatrader5",
    "vpn-vless",
    "vpn-vmess",
    "vpn-ss",
    "vpn-mtproto",
    "monitoring",
]
SNAPSHOT_STATUSES = ["ACTIVE", "IN_PROGRESS", "FAILED", "RESTORING"]
DOWNLOAD_STATUSES = ["DOWNLOADING", "READY", "FAILED", "DELETED"]
BACKUP_STATUSES = ["active", "inactive", "pending"]
SCHEDULE_FREQUENCIES = ["daily", "weekly"]
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
#: the day a weekly backup runs on when the request names none (``scheduleWeekDays`` is optional)
DEFAULT_WEEKLY_DAY = "Sunday"
#: accepted backup retention periods (days)
BACKUP_PERIODS = [7, 14, 30, 60, 90]
BACKUP_FEE_PERCENT = 20
IMAGE_FORMATS = ["qcow2", "raw", "vmdk", "vdi", "vhd", "vhdx"]
DECOMPRESS = ["none", "gzip", "gz", "bzip2", "bz2", "xz", "zstd", "zip"]
HOURS_PER_MONTH = 730
#: custom plans: monthly price per unit before the region multiplier
CUSTOM_RATES = {"cpu": 3.0, "ramInGB": 1.5, "diskInGB": 0.1, "bandwidthInTB": 1.0}


def _config(
    *,
    ipv6: bool = True,
    high_frequency: bool = False,
    monitoring: bool = True,
    gpu: bool = False,
    custom: bool = False,
    ddos: bool = False,
    ram_threshold: int = 64,
    ip_threshold: int = 5,
    disk_threshold: int = 1000,
) -> dict[str, Any]:
    return {
        "supportIpv6": ipv6,
        "supportRegularCpu": True,
        "supportHighFrequencyCpu": high_frequency,
        "supportMonitoring": monitoring,
        "supportGpu": gpu,
        "supportCustomPlan": custom,
        "ramThresholdInGB": ram_threshold,
        "ipThreshold": ip_threshold,
        "diskThresholdInGB": disk_threshold,
        "supportDdosIpv4": ddos,
        "ddosIpv4Threshold": 3 if ddos else 0,
    }


def _region(
    rid: str,
    name: str,
    abbr: str,
    flag: str,
    position: tuple[int, int],
    config: dict[str, Any],
    *,
    active: bool = True,
    out_of_stock: bool = False,
    premium: bool = False,
    hidden: bool = False,
    max_discount: int | None = None,
) -> dict[str, Any]:
    ddos = bool(config["supportDdosIpv4"])
    return {
        "id": rid,
        "name": name,
        "abbr": abbr,
        "image": f"https://cdn.example.com/cloudzy/flags/{flag}.svg",
        "isActive": active,
        "isOutOfStock": out_of_stock,
        "overallActiveness": active and not out_of_stock,
        "ddosActiveness": ddos if active else False,
        "isPremium": premium,
        "isHidden": hidden,
        "hasOffsetPrice": premium,
        "maxDiscountPercent": max_discount,
        "position": {"top": position[0], "left": position[1]},
        "config": config,
    }


REGIONS: list[dict[str, Any]] = [
    _region(
        "us-utah",
        "Utah",
        "UT",
        "us",
        (38, 21),
        _config(high_frequency=True, custom=True, ddos=True, ram_threshold=128, disk_threshold=2000),
    ),
    _region("nl-amsterdam", "Amsterdam", "AMS", "nl", (27, 49), _config(ipv6=False, ip_threshold=3)),
    _region(
        "de-frankfurt", "Frankfurt", "FRA", "de", (29, 51), _config(high_frequency=True, gpu=True, ram_threshold=256)
    ),
    _region(
        "us-newyork",
        "New York",
        "NY",
        "us",
        (36, 28),
        _config(high_frequency=True, custom=True, ddos=True),
        premium=True,
        max_discount=10,
    ),
    _region("sg-singapore", "Singapore", "SG", "sg", (58, 78), _config(), out_of_stock=True),
    _region("jp-tokyo", "Tokyo", "TYO", "jp", (37, 88), _config(monitoring=False), active=False),
    _region("gb-london", "London", "LON", "gb", (26, 47), _config(ipv6=False), hidden=True),
]

#: monthly price multiplier per region
REGION_PRICE = {
    "us-utah": 1.0,
    "nl-amsterdam": 1.05,
    "de-frankfurt": 1.05,
    "us-newyork": 1.25,
    "sg-singapore": 1.15,
    "jp-tokyo": 1.2,
    "gb-london": 1.1,
}
#: physical-host name prefix per region (the ``host`` filter)
REGION_HOST = {
    "us-utah": "slc",
    "nl-amsterdam": "ams",
    "de-frankfurt": "fra",
    "us-newyork": "nyc",
    "sg-singapore": "sin",
    "jp-tokyo": "tyo",
    "gb-london": "lon",
}

# (planId, type, cpu, ram GB, storage GB, bandwidth TB, monthly price, gpu name, gpu quantity)
PlanRow = tuple[str, str, int, int, int, int, float, str | None, int | None]
REGULAR_PLANS: list[PlanRow] = [
    ("regular-1c-1g", "regular", 1, 1, 25, 1, 4.95, None, None),
    ("regular-1c-2g", "regular", 1, 2, 50, 2, 9.95, None, None),
    ("regular-2c-4g", "regular", 2, 4, 80, 3, 19.95, None, None),
    ("regular-4c-8g", "regular", 4, 8, 160, 4, 39.95, None, None),
    ("regular-8c-16g", "regular", 8, 16, 320, 6, 79.95, None, None),
    ("regular-16c-32g", "regular", 16, 32, 640, 8, 159.95, None, None),
]
HIGH_FREQUENCY_PLANS: list[PlanRow] = [
    ("hf-2c-4g", "high-frequency", 2, 4, 100, 3, 27.95, None, None),
    ("hf-4c-8g", "high-frequency", 4, 8, 200, 5, 55.95, None, None),
    ("hf-8c-32g", "high-frequency", 8, 32, 400, 8, 119.95, None, None),
]
GPU_PLANS: list[PlanRow] = [
    ("gpu-8c-32g-a100", "gpu", 8, 32, 200, 10, 899.0, "NVIDIA A100 80GB", 1),
    ("gpu-16c-64g-2xa100", "gpu", 16, 64, 400, 20, 1749.0, "NVIDIA A100 80GB", 2),
]


def plans_for(region: dict[str, Any]) -> list[PlanRow]:
    rows = list(REGULAR_PLANS)
    if region["config"]["supportHighFrequencyCpu"]:
        rows += HIGH_FREQUENCY_PLANS
    if region["config"]["supportGpu"]:
        rows += GPU_PLANS
    return rows


def _os(
    oid: str, name: str, family: str, min_ram: int | str, *, default: bool = False, active: bool = True
) -> dict[str, Any]:
    return {
        "id": oid,
        "name": name,
        "family": family,
        "arch": "x86_64",
        "minRam": min_ram,
        "isDefault": default,
        "isActive": active,
    }


# minRam is in MB; one is a string on purpose (the notes: "string or number").
OPERATING_SYSTEMS: list[dict[str, Any]] = [
    _os("ubuntu-24.04", "Ubuntu 24.04 LTS", "ubuntu", 512, default=True),
    _os("ubuntu-22.04", "Ubuntu 22.04 LTS", "ubuntu", 512),
    _os("debian-12", "Debian 12 (Bookworm)", "debian", 512),
    _os("debian-11", "Debian 11 (Bullseye)", "debian", 512),
    _os("almalinux-9", "AlmaLinux 9", "almalinux", 1024),
    _os("rockylinux-9", "Rocky Linux 9", "rocky", 1024),
    _os("fedora-41", "Fedora 41", "fedora", 1024),
    _os("centos-7", "CentOS 7 (end of life)", "centos", 512, active=False),
    _os("alpine-3.20", "Alpine Linux 3.20", "alpine", 256),
    _os("windows-server-2022", "Windows Server 2022 Standard", "windows", "2048"),
    _os("windows-server-2019", "Windows Server 2019 Standard", "windows", 2048),
]

LINUX_OS = [
    "ubuntu-24.04",
    "ubuntu-22.04",
    "debian-12",
    "debian-11",
    "almalinux-9",
    "rockylinux-9",
    "fedora-41",
    "alpine-3.20",
]


def _app(
    aid: str,
    name: str,
    tag: str,
    description: str,
    family: str,
    os_list: list[str],
    *,
    price: float = 0.0,
    experimental: bool = False,
    active: bool = True,
) -> dict[str, Any]:
    return {
        "id": aid,
        "name": name,
        "price": price,
        "pricingType": "free" if price == 0 else "monthly",
        "isActive": active,
        "logoUrl": f"https://cdn.example.com/cloudzy/apps/{aid}.png",
        "tag": tag,
        "isExperimental": experimental,
        "description": description,
        "osFamily": family,
        "osList": os_list,
    }


APPLICATIONS: list[dict[str, Any]] = [
    _app(
        "wordpress",
        "WordPress",
        "cms",
        "WordPress with Nginx, PHP-FPM, MariaDB and a Let's Encrypt helper.",
        "ubuntu",
        ["ubuntu-24.04", "ubuntu-22.04"],
    ),
    _app(
        "docker",
        "Docker CE",
        "devops",
        "Docker Engine and the Compose plugin, ready for containers.",
        "ubuntu",
        ["ubuntu-24.04", "ubuntu-22.04", "debian-12"],
    ),
    _app(
        "nextcloud",
        "Nextcloud",
        "storage",
        "Self-hosted file sync and share with Collabora Online.",
        "ubuntu",
        ["ubuntu-22.04"],
    ),
    _app(
        "openvpn",
        "OpenVPN Access Server",
        "vpn",
        "OpenVPN server with a web admin UI; two free connections.",
        "ubuntu",
        ["ubuntu-22.04", "debian-12"],
    ),
    _app(
        "gitlab",
        "GitLab CE",
        "devops",
        "GitLab Community Edition; needs at least 4 GB of RAM.",
        "almalinux",
        ["almalinux-9", "rockylinux-9"],
    ),
    _app(
        "metatrader5",
        "MetaTrader 5",
        "trading",
        "MetaTrader 5 terminal preinstalled on Windows Server.",
        "windows",
        ["windows-server-2022", "windows-server-2019"],
        price=5.0,
    ),
    _app(
        "ollama",
        "Ollama + Open WebUI",
        "ai",
        "Run open LLMs locally with a chat UI (best on GPU plans).",
        "ubuntu",
        ["ubuntu-24.04"],
        experimental=True,
    ),
]
