"""The one money rule and the units every face prints (pure functions)."""

from __future__ import annotations

from typing import Any

import pytest

from cloudzy_tui.units import bit_rate_mbps, min_ram, money, money_delta


@pytest.mark.parametrize(
    ("value", "per", "shown"),
    [
        (0.0273, "h", "$0.0273/h"),  # an hourly price as the API quotes it, not $0.03
        (0.0068, "h", "$0.0068/h"),
        (0.01, "h", "$0.01/h"),  # whole cents: two decimals
        (0.115, "", "$0.1150"),  # a column of hourly prices lines up
        (19.95, "mo", "$19.95/mo"),
        (1836.45, "", "$1,836.45"),
        (0, "", "$0.00"),
        (-1.5, "mo", "-$1.50/mo"),
        (0.123456, "", "$0.1235"),
        ("7.2", "", "$7.20"),
        (None, "", ""),
        ("n/a", "", ""),
    ],
)
def test_money(value: Any, per: str, shown: str) -> None:
    assert money(value, per=per) == shown


def test_money_delta() -> None:
    assert money_delta(8, per="mo") == "+$8.00/mo"
    assert money_delta(-2.5) == "-$2.50"
    assert money_delta(0.00001, per="mo") == "±$0.00/mo"


@pytest.mark.parametrize(
    ("raw", "shown"), [(512, "512 MB"), ("4096", "4 GB"), (2, "2 GB"), ("1 GB", "1 GB"), ("lots", "lots"), (None, "")]
)
def test_min_ram_has_a_unit(raw: Any, shown: str) -> None:
    assert min_ram(raw) == shown


def test_bit_rate() -> None:
    assert bit_rate_mbps(1000) == "1 Gbit/s" and bit_rate_mbps(500) == "500 Mbit/s" and bit_rate_mbps(None) == ""
