"""Human units shared by every face (console, CLI, MCP): sizes, prices, ages and times. Pure functions."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any


def to_number(value: Any) -> float | None:
    """A number from a number or a numeric string; ``None`` for anything else."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _trim(number: float, digits: int = 1) -> str:
    text = f"{number:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def ram_mb(value: Any) -> str:
    """RAM given in MB: ``512 MB``, ``2 GB``, ``1.5 GB``."""
    mb = to_number(value)
    if mb is None:
        return ""
    if mb >= 1024:
        return f"{_trim(mb / 1024)} GB"
    return f"{_trim(mb, 0)} MB"


_RAM = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kmgt]i?b?)?", re.IGNORECASE)
_RAM_UNIT_MB = {"k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0 * 1024}


def min_ram_mb(raw: Any) -> float | None:
    """An OS's ``minRam`` in MB. The unit is not documented: a unit that comes with it is honoured (``"1 GB"``,
    ``"512MB"``, ``"2GiB"``); a bare number below 64 is taken as GB, else as MB."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value, unit = float(raw), ""
    else:
        match = _RAM.fullmatch(str(raw).strip())
        if match is None:
            return None
        value, unit = float(match.group(1)), (match.group(2) or "").lower()
    if not math.isfinite(value) or value <= 0:
        return None
    if unit:
        return value * _RAM_UNIT_MB[unit[0]]
    return value * 1024 if value < 64 else value


def min_ram(raw: Any) -> str:
    """An OS's ``minRam`` with its unit (``512 MB``, ``2 GB``); the raw text when it cannot be read."""
    mb = min_ram_mb(raw)
    if mb is None:
        return "" if raw is None else str(raw)
    return ram_mb(mb)


def bit_rate_mbps(value: Any) -> str:
    """A network rate given in Mbit/s (the API's ``networkMaxRate``): ``500 Mbit/s``, ``1 Gbit/s``."""
    mbps = to_number(value)
    if mbps is None:
        return ""
    if mbps >= 1000:
        return f"{_trim(mbps / 1000, 2)} Gbit/s"
    return f"{_trim(mbps, 1)} Mbit/s"


def gigabytes(value: Any) -> str:
    gb = to_number(value)
    if gb is None:
        return ""
    if gb >= 1024:
        return f"{_trim(gb / 1024)} TB"
    return f"{_trim(gb)} GB"


def terabytes(value: Any) -> str:
    tb = to_number(value)
    return "" if tb is None else f"{_trim(tb, 2)} TB"


def size_bytes(value: Any) -> str:
    """A byte count in binary units."""
    n = to_number(value)
    if n is None:
        return ""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{_trim(n)} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return ""  # pragma: no cover


def money(value: Any, *, per: str = "") -> str:
    """Every price on every face, one rule: US dollars with thousands separators, two decimals when the amount is a
    whole number of cents, else four (``$19.95``, ``$0.01``, ``$0.0273``, ``$0.0068``, ``$0.1150``) -- the API
    quotes hourly prices to four decimals, and rounding them to cents would show ``$0.03`` for ``$0.0273``.
    Anything finer is rounded to four decimals. ``per`` names the period after a slash (``/mo``, ``/h``): give it
    wherever the figure is not under a column header that says it. Negative amounts read ``-$1.50``."""
    amount = to_number(value)
    if amount is None:
        return ""
    rounded = round(abs(amount), 4)
    sign = "-" if amount < 0 and rounded != 0 else ""
    digits = 2 if round(rounded * 100, 6).is_integer() else 4
    text = f"{sign}${rounded:,.{digits}f}"
    return f"{text}/{per}" if per else text


def money_delta(value: Any, *, per: str = "") -> str:
    """A price difference with its sign: ``+$3.50/mo``, ``-$2.00/mo``, ``±$0.00/mo``."""
    amount = to_number(value)
    if amount is None:
        return ""
    if round(amount, 4) == 0:
        return "±" + money(0, per=per)
    return ("+" if amount > 0 else "") + money(amount, per=per)


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from epoch seconds or milliseconds (values above 1e11), or an ISO-8601 string."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    number = to_number(value)
    if number is not None:
        if number <= 0:
            return None
        if number > 1e11:
            number /= 1000.0
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def timestamp(value: Any) -> str:
    """``2026-06-01 14:03 UTC``, or an empty string when the value is not a time."""
    when = parse_time(value)
    return "" if when is None else when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h14m``, ``5d3h``."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h"


def age(value: Any, now: float) -> str:
    """How long ago: ``3d4h``; empty when unknown; ``in 2h`` for future times."""
    when = parse_time(value)
    if when is None:
        return ""
    delta = now - when.timestamp()
    return duration(delta) if delta >= 0 else f"in {duration(-delta)}"


def percent(value: Any) -> str:
    """``15%``, ``12.5%`` (a number or a numeric string; ``15.0`` shows as ``15%``); empty when not a number."""
    number = to_number(value)
    return "" if number is None else f"{_trim(number, 2)}%"


def yes_no(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return {"true": "yes", "false": "no", "1": "yes", "0": "no"}.get(value.lower(), value)
    return "yes" if value else "no"
