"""The refresh planner: full walks spaced by their cost, light ticks between, within the idle budget."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cloudzy_tui.ops.freshness import (
    MAX_FULL_PERIOD,
    MAX_TRANSITIONAL,
    MIN_FULL_PERIOD,
    VISIBLE_PER_TICK,
    FreshnessPlanner,
    is_transitional,
)


@dataclass
class Row:
    id: str
    status: str = "active"


def key(row: Row) -> str:
    return row.id


ROWS = [Row(f"i{n}") for n in range(50)]
VISIBLE = [r.id for r in ROWS[:30]]


def test_the_first_tick_is_a_full_walk() -> None:
    planner = FreshnessPlanner()
    assert planner.plan("instances", refresh_seconds=15, items=ROWS, key_of=key, now=0).full


def test_a_cheap_list_is_walked_every_tick() -> None:
    planner = FreshnessPlanner()
    planner.walked("ssh-keys", 1, now=0)
    for t in (15, 30, 45):
        assert planner.plan("ssh-keys", refresh_seconds=15, items=ROWS, key_of=key, now=t).full


def test_a_costly_walk_is_spaced_by_its_cost() -> None:
    planner = FreshnessPlanner(idle_per_minute=30)
    planner.walked("instances", 105, now=0)
    period = planner.full_period("instances", 15)
    # 4 light ticks a minute of 1 + 3 requests leave 0.9 x 30 - 16 = 11 a minute for the walk: 105 / 11 minutes
    assert period == pytest.approx(105 / 11 * 60)
    light = planner.plan("instances", refresh_seconds=15, items=ROWS, key_of=key, visible=VISIBLE, now=15)
    assert not light.full and light.first_page and len(light.keys) == VISIBLE_PER_TICK
    assert planner.plan("instances", refresh_seconds=15, items=ROWS, key_of=key, now=period).full
    # twice the cost, twice the period; bounded both ways
    planner.walked("big", 210, now=0)
    assert planner.full_period("big", 15) == pytest.approx(2 * period)
    planner.walked("huge", 100_000, now=0)
    assert planner.full_period("huge", 15) == MAX_FULL_PERIOD
    planner.walked("mid", 10, now=0)
    assert planner.full_period("mid", 15) == MIN_FULL_PERIOD


def test_transitional_rows_are_read_first_and_visible_rows_in_turn() -> None:
    planner = FreshnessPlanner()
    planner.walked("instances", 105, now=0)
    rows = [Row("a", "preparing_disk"), Row("b", "STOPPING"), *ROWS]
    plan = planner.plan("instances", refresh_seconds=15, items=rows, key_of=key, visible=VISIBLE, now=15)
    assert plan.keys[:2] == ("a", "b")
    seen: list[str] = []
    for t in range(30, 30 + 15 * 10, 15):
        seen += planner.plan("instances", refresh_seconds=15, items=ROWS, key_of=key, visible=VISIBLE, now=t).keys
    assert set(seen) == set(VISIBLE)  # every row on screen in turn
    many = [Row(f"m{n}", "initializing") for n in range(20)]
    plan = planner.plan("instances", refresh_seconds=15, items=many, key_of=key, now=200)
    assert len(plan.keys) == MAX_TRANSITIONAL


def test_idle_cost_over_an_hour_stays_within_the_budget() -> None:
    planner = FreshnessPlanner(idle_per_minute=30)
    requests = 0
    planner.walked("instances", 105, now=0)
    for tick in range(1, 4 * 60 + 1):
        plan = planner.plan("instances", refresh_seconds=15, items=ROWS, key_of=key, visible=VISIBLE, now=tick * 15)
        if plan.full:
            requests += 105
            planner.walked("instances", 105, now=tick * 15)
        else:
            requests += plan.requests
    assert requests / 60 <= 30


def test_is_transitional() -> None:
    assert is_transitional(Row("x", "Preparing_Disk")) and is_transitional(Row("x", "DOWNLOADING"))
    assert not is_transitional(Row("x", "active")) and not is_transitional(Row("x", "shutdown"))


def test_rows_in_transition_make_the_full_walks_rarer() -> None:
    planner = FreshnessPlanner(idle_per_minute=30)
    planner.walked("instances", 105, now=0)
    calm = planner.full_period("instances", 15)
    moving = [Row(f"m{n}", "initializing") for n in range(5)]
    planner.plan("instances", refresh_seconds=15, items=moving + ROWS, key_of=key, visible=VISIBLE, now=15)
    assert planner.full_period("instances", 15) > calm
