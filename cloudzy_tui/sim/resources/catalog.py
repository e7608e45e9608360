"""The catalog as the other families use it: products and OSes that may be ordered, prices, plan specs and the
resource limits of a region. (The catalog's data itself is ``cloudzy_tui.sim.catalog``.)"""

from __future__ import annotations

from typing import Any

from cloudzy_tui.sim import catalog as data
from cloudzy_tui.sim.errors import BadRequest, NotFound, ValidationFailed, error_item
from cloudzy_tui.sim.store import Store


def products_in(store: Store, region_id: str) -> list[dict[str, Any]]:
    """The products of a region (404 for an unknown region)."""
    store.region(region_id)
    return [p for p in store.products.values() if p["regionId"] == region_id]


def offered_product(store: Store, product_id: str, region: dict[str, Any]) -> dict[str, Any]:
    """A product that can be ordered in ``region``: 404 unknown, 400 another region's or inactive."""
    product = store.products.get(product_id)
    if product is None:
        raise NotFound(f"Product '{product_id}' not found")
    if product["regionId"] != region["id"]:
        raise BadRequest(f"Product '{product_id}' is not offered in region {region['name']}")
    if not product["isActive"]:
        raise BadRequest(f"Product '{product_id}' is not available")
    return product


def plan_class(product: dict[str, Any]) -> str:
    """The instance ``class`` the product's plan type fixes."""
    return data.PLAN_CLASS[product["plan"]["type"]]


def usable_os(store: Store, os_id: str) -> dict[str, Any]:
    os_ = store.oses.get(os_id)
    if os_ is None:
        raise NotFound(f"Operating system '{os_id}' not found")
    if not os_["isActive"]:
        raise BadRequest(f"Operating system {os_['name']} is no longer offered")
    return os_


def check_min_ram(store: Store, os_id: str, ram_mb: int) -> None:
    os_ = store.oses[os_id]
    try:
        minimum = int(os_["minRam"])
    except (TypeError, ValueError):
        return
    if ram_mb < minimum:
        raise BadRequest(f"{os_['name']} needs at least {minimum} MB of RAM; the plan has {ram_mb} MB")


def check_custom_resources(region: dict[str, Any], extra: dict[str, int], loc: tuple[str, ...]) -> None:
    """A custom plan names cpu, ramInGB and diskInGB within the region's thresholds, else 422 at ``loc``."""
    errors = []
    for key in ("cpu", "ramInGB", "diskInGB"):
        if not extra.get(key):
            errors.append(error_item([*loc, key], "field required for a custom plan", "value_error.missing"))
    config = region["config"]
    if (extra.get("ramInGB") or 0) > config["ramThresholdInGB"]:
        errors.append(
            error_item(
                [*loc, "ramInGB"],
                f"ensure this value is less than or equal to {config['ramThresholdInGB']} (region {region['name']})",
                "value_error.number.not_le",
            )
        )
    if (extra.get("diskInGB") or 0) > config["diskThresholdInGB"]:
        errors.append(
            error_item(
                [*loc, "diskInGB"],
                f"ensure this value is less than or equal to {config['diskThresholdInGB']} (region {region['name']})",
                "value_error.number.not_le",
            )
        )
    if errors:
        raise ValidationFailed(errors)


def price_item(product: dict[str, Any], cycle: str) -> dict[str, Any]:
    """The product's price item for a billing cycle (the first one if the cycle is not offered)."""
    for item in product["priceItems"]:
        if item["name"] == cycle:
            return dict(item)
    return dict(product["priceItems"][0])


def monthly_price(region_id: str, product: dict[str, Any] | None, extra: dict[str, int] | None, cycle: str) -> float:
    """Price per month of a fixed plan + extras, or of a custom plan, under a billing cycle."""
    multiplier = data.REGION_PRICE.get(region_id, 1.0)
    discount = data.CYCLE_DISCOUNT.get(cycle, 0) / 100
    extra = extra or {}
    if product is not None:
        base = float(price_item(product, cycle)["monthlyPrice"])
        addons = (extra.get("diskInGB") or 0) * data.CUSTOM_RATES["diskInGB"] + (
            extra.get("bandwidthInTB") or 0
        ) * data.CUSTOM_RATES["bandwidthInTB"]
        return round(base + addons * multiplier * (1 - discount), 2)
    total = sum((extra.get(key) or 0) * rate for key, rate in data.CUSTOM_RATES.items())
    return round(total * multiplier * (1 - discount), 2)


def specs(product: dict[str, Any] | None, extra: dict[str, int] | None) -> tuple[int, int, int, dict[str, Any]]:
    """(vcpuCount, ram MB, disk GB, extraResource) of a fixed plan + extras, or of a custom plan."""
    extra = extra or {}
    if product is not None:
        spec = product["plan"]["specification"]
        resources = {
            "cpu": 0,
            "ramInGB": 0,
            "diskInGB": extra.get("diskInGB") or 0,
            "bandwidthInTB": extra.get("bandwidthInTB") or 0,
        }
        return spec["cpu"], spec["ramInMB"], spec["storage"] + resources["diskInGB"], resources
    resources = {
        "cpu": extra.get("cpu") or 1,
        "ramInGB": extra.get("ramInGB") or 1,
        "diskInGB": extra.get("diskInGB") or 10,
        "bandwidthInTB": extra.get("bandwidthInTB") or 1,
    }
    return resources["cpu"], resources["ramInGB"] * 1024, resources["diskInGB"], resources
