"""Human units shared by every face (console, CLI, MCP): sizes, prices, ages and times. Pure functions."""

from __future__ import annotations

import math
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
    amount = to_number(value)
    if amount is None:
        return ""
    text = f"${amount:,.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"
    return f"{text}/{per}" if per else text


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
