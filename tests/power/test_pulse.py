"""``:pulse``: the figures (``ops/pulse.py``) checked against the simulator's seeded data and prices, and the
screen: every line a way in."""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from typing import Any

from conftest import make_client
from textual.widgets import Input
from ui.helpers import loaded, screen_text, wait_for

from cloudzy_tui.api import LowBalanceError, PriceItem, Product
from cloudzy_tui.api.trace import RequestTrace
from cloudzy_tui.ops import Session
from cloudzy_tui.ops.pulse import JobInfo, compute, gather, health, percentile, product_monthly, spend
from cloudzy_tui.ui.modals.jobs import JobsScreen

# ------------------------------------------------------------------------------------------------------ units


def _product(*items: PriceItem) -> Product:
    return Product(id="p", price_items=list(items))


def test_a_product_costs_its_monthly_price_item_or_hourly_times_730() -> None:
    monthly = _product(
        PriceItem(name="hourly", hourly_price=0.1, monthly_price=73.0),
        PriceItem(name="monthly", hourly_price=0.09, monthly_price=65.5),
    )
    assert product_monthly(monthly) == (65.5, "product's monthly price item: monthly price")
    hourly_only = _product(PriceItem(name="hourly", hourly_price=0.02))
    assert product_monthly(hourly_only) == (14.6, "product's hourly price item: hourly x 730")
    assert product_monthly(_product())[0] is None
    assert product_monthly(None)[0] is None


def test_health_counts_the_last_five_minutes_and_takes_nearest_rank_percentiles() -> None:
    clock = [1000.0]
    trace = RequestTrace(clock=lambda: clock[0])
    trace.record("GET", "/v1/old", 200, 9.0, 1, "ok")  # 10 minutes before: outside the window
    clock[0] = 1600.0
    for ms in (10, 20, 30, 40, 50, 60, 70, 80, 90):
        trace.record("GET", "/v1/instances", 200, ms / 1000, 1, "ok")
    trace.record("POST", "/v1/instances/x/poweroff", 409, 0.1, 1, "error", "ApiError: busy")
    figures = health(trace.entries(), now=1600.0)
    assert figures.requests == 10 and figures.errors == 1
    assert figures.error_rate == 0.1
    assert figures.p50 == 50 and figures.p95 == 100
    assert figures.last_error is not None and figures.last_error.path == "/v1/instances/x/poweroff"
    assert percentile([], 0.5) is None


# ------------------------------------------------------------------------------------------ against the simulator


def _monthly_of(product: dict[str, Any]) -> float:
    """The simulator's own price of a product for the monthly cycle (read from its seed, not through the API)."""
    item = next(i for i in product["priceItems"] if i["name"] == "monthly")
    return float(item["monthlyPrice"])


async def test_pulse_figures_match_the_simulators_seeded_data_and_prices(simulator: Any) -> None:
    client = make_client(simulator)
    try:
        session = Session(client)
        inputs = await gather(session, [JobInfo("snapshot web-01-snap", "take snapshot", 65.0, "snapshot", "s1")])
        lines = {line.key: line for line in compute(inputs)}
    finally:
        await client.aclose()

    live = [r.data for r in simulator.instances.values() if r.data["status"] != "deleted"]
    assert lines["Instances:total"].value == str(len(live))
    for status, count in Counter(d["status"] for d in live).items():
        line = lines[f"status:{status}"]
        assert line.value == str(count)
        assert (line.goto, line.filter) == ("instances", f"status:{status}")
    for region_id, count in Counter(d["region"] for d in live).items():
        line = lines[f"region:{region_id}"]
        assert line.value == str(count)
        assert line.label == simulator.regions[region_id]["name"]

    busy = Counter(s.data["status"] for s in simulator.snapshots.values())
    assert lines["snapshots:IN_PROGRESS"].value == str(busy.get("IN_PROGRESS", 0))
    assert lines["isos:downloading"].value == str(
        sum(1 for m in simulator.isos.values() if m.data["status"] == "DOWNLOADING")
    )
    unattached = [
        f for f in simulator.floating_ips.values() if not f.data.get("instanceId") and not f.data.get("isDeleted")
    ]
    assert lines["Floating IPs:unattached"].value == str(len(unattached))

    # Spend: each instance's product's monthly price (from the simulator's seeded price items).
    priced = [d for d in live if d.get("productId") in simulator.products]
    expected_instances = round(sum(_monthly_of(simulator.products[d["productId"]]) for d in priced), 2)
    cost = spend(inputs)
    assert cost.instances == expected_instances
    assert cost.priced_instances == len(priced)
    assert cost.unpriced_instances == len(live) - len(priced)
    # A backup profile costs its fee percentage of the instance's price (the simulator's own record of it).
    expected_backups = round(
        sum(
            round(simulator.instances[b["instanceId"]].monthly_price * b["feePercentage"] / 100, 2)
            for b in simulator.backups.values()
            if b["status"] != "inactive"
        ),
        2,
    )
    assert expected_backups > 0
    assert cost.backups == expected_backups
    apps = simulator.applications
    expected_apps = round(
        sum(float(apps[d["appId"]]["price"]) for d in live if d.get("appId") and apps[d["appId"]]["price"]), 2
    )
    assert cost.applications == expected_apps
    total = round(expected_instances + expected_backups + expected_apps, 2)
    assert lines["spend:total"].value == f"${total:,.2f}"
    assert "estimate" in lines["Spend /mo:instances"].note

    # Top 5 by cost, most expensive first.
    by_cost = sorted(priced, key=lambda d: (-_monthly_of(simulator.products[d["productId"]]), d["hostname"]))[:5]
    top = [line for line in lines.values() if line.section == "Top cost"]
    assert [line.select for line in top] == [d["id"] for d in by_cost]
    assert [line.value for line in top] == [f"${_monthly_of(simulator.products[d['productId']]):,.2f}" for d in by_cost]

    assert lines["Balance:last reported"].value == "not yet"
    assert int(lines["API (5 min):requests"].value) >= 6  # what gather itself sent
    job = next(line for line in lines.values() if line.section == "Jobs")
    assert job.value == "1m05s" and job.goto == "jobs"


async def test_the_balance_a_460_reported_shows_in_the_pulse(simulator: Any) -> None:
    body = {
        "detail": "You don't have enough balance for the selected product.",
        "code": "BALANCE_IS_NOT_SUFFICIENT",
        "data": {
            "minimumRequiredBalance": 203.09,
            "customerBalance": "353.00",
            "numberOfDaysBalanceValidatedAgainst": 5,
        },
    }
    simulator.faults.add(method="POST", path_prefix="/v1/instances", status=460, body=json.dumps(body).encode())
    client = make_client(simulator)
    try:
        session = Session(client)
        inputs = await gather(session)
        assert {line.key: line for line in compute(inputs)}["Balance:last reported"].value == "not yet"
        instance = next(r for r in simulator.instances.values() if r["status"] == "shutdown")
        with contextlib.suppress(LowBalanceError):
            await client.instances.power_on(instance.id)
        inputs = await gather(session)
        lines = {line.key: line for line in compute(inputs)}
    finally:
        await client.aclose()
    line = lines["Balance:last reported"]
    assert line.value == "$353.00 ($203.09 required)" and line.warn
    assert f"/v1/instances/{instance.id}/poweron" in line.note


# ------------------------------------------------------------------------------------------------------ screen


async def test_pulse_screen_every_line_is_a_way_in(make_app: Any, simulator: Any) -> None:
    app = make_app(initial_resource="pulse")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await loaded(pilot, "pulse")
        shown = screen_text(pilot.app)
        for words in (
            "Pulse",
            "By status",
            "shutdown",
            "By region",
            "Spend /mo",
            "total (estimate)",
            "Top cost",
            "Balance",
            "API (5 min)",
            "latency p50 / p95",
            "Jobs",
        ):
            assert words in shown, words
        live = [r.data for r in simulator.instances.values() if r.data["status"] != "deleted"]
        shutdown = sum(1 for d in live if d["status"] == "shutdown")
        assert shutdown > 0
        assert re.search(rf"By status\s+shutdown\s+{shutdown}(?!\d)", shown), shown

        # Enter on "shutdown N": the instances, filtered to shutdown.
        assert screen.table.move_cursor_to_key("status:shutdown")
        await pilot.pause()
        await pilot.press("enter")
        instances = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: instances.table.row_count == shutdown)
        assert instances.query_one("#filter", Input).value == "status:shutdown"
        painted = screen_text(pilot.app)
        for d in live:  # the shutdown ones are painted, the others are not
            assert bool(re.search(rf"(?<![\w-]){re.escape(d['hostname'])}(?![\w-])", painted)) == (
                d["status"] == "shutdown"
            ), d["hostname"]

        # Esc clears the filter, Esc again goes back to the pulse.
        await pilot.press("escape")
        await wait_for(pilot, lambda: instances.table.row_count == len(live))
        await pilot.press("escape")
        screen = await loaded(pilot, "pulse")

        # A top-cost line opens the instances at that instance, unfiltered.
        top = next(k for k in screen.table.order if k.startswith("top:"))
        assert screen.table.move_cursor_to_key(top)
        await pilot.pause()
        await pilot.press("enter")
        instances = await loaded(pilot, "instances")
        await wait_for(pilot, lambda: instances.table.cursor_key == top.removeprefix("top:"))
        assert instances.table.row_count == len(live)
        await pilot.press("escape")
        screen = await loaded(pilot, "pulse")

        # The jobs line opens the jobs view.
        jobs = next(k for k in screen.table.order if k.startswith("Jobs:") or k.startswith("job:"))
        assert screen.table.move_cursor_to_key(jobs)
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
