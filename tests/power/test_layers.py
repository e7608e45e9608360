"""The new modules keep to their layers: figures and the trace know nothing of Textual; ``serve --help`` stays
light."""

from __future__ import annotations

import pytest
from cli.test_help import HEAVY, _modules_after
from test_boundaries import _modules_after_import


@pytest.mark.parametrize("module", ["cloudzy_tui.api.trace", "cloudzy_tui.ops.pulse", "cloudzy_tui.ops.activity"])
def test_figures_and_trace_know_nothing_of_textual_rich_or_the_faces(module: str) -> None:
    mods = _modules_after_import(module)
    assert "textual" not in mods and "rich" not in mods, module
    assert not any(m.startswith(("cloudzy_tui.ui", "cloudzy_tui.sim", "cloudzy_tui.web")) for m in mods), module


def test_serve_help_imports_no_heavy_module() -> None:
    code, modules = _modules_after(["serve", "--help"])
    assert code == 0
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert not loaded
    assert "textual_serve" not in modules
