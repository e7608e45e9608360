"""What a person sees, at 80x24 (an SSH session) and 120x40, for every screen and modal.

Deterministic: seeded simulator on a fake clock, the console's wall clock and monotonic clock frozen.
Review changes with the HTML report before ``pytest --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest

from .scenarios import SCENARIOS, Scenario

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_snapshot(scenario: Scenario, size: tuple[int, int], snap_compare: Any, make_app: Any) -> None:
    app = make_app(monotonic=lambda: 1000.0)
    assert snap_compare(app, terminal_size=size, run_before=scenario.steps)


def test_wide_layout_shows_detail_beside_the_table(snap_compare: Any, make_app: Any) -> None:
    from .scenarios import by_name

    app = make_app(monotonic=lambda: 1000.0)
    assert snap_compare(app, terminal_size=(170, 45), run_before=by_name("instances").steps)
