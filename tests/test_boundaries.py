"""The layers stay apart: the API client and the simulator never import Textual, and never each other. And no
module of the project (the package and its tests, the benchmarks among them) grows past ~700 lines without a
``Size:`` line in its docstring saying why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from import_graph import MAX_LINES, cycles, import_graph, package_modules, too_long

ROOT = Path(__file__).resolve().parent.parent


def _modules_after_import(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


def test_api_layer_knows_nothing_of_textual_or_the_simulator() -> None:
    mods = _modules_after_import("cloudzy_tui.api")
    assert "textual" not in mods
    assert "rich" not in mods
    assert not any(m.startswith("cloudzy_tui.sim") for m in mods)
    assert not any(m.startswith("cloudzy_tui.ui") for m in mods)


def test_simulator_shares_no_code_with_the_client() -> None:
    mods = _modules_after_import("cloudzy_tui.sim")
    assert "textual" not in mods
    assert not any(m.startswith("cloudzy_tui.api") for m in mods)
    assert not any(m.startswith("cloudzy_tui.ui") for m in mods)


def test_core_and_config_know_nothing_of_textual() -> None:
    for module in (
        "cloudzy_tui.core.jobs",
        "cloudzy_tui.core.catalog",
        "cloudzy_tui.core.audit",
        "cloudzy_tui.core.offloop",
        "cloudzy_tui.config",
    ):
        mods = _modules_after_import(module)
        assert "textual" not in mods, module
        assert not any(m.startswith("cloudzy_tui.ui") for m in mods), module
        assert not any(m.startswith("cloudzy_tui.sim") for m in mods), module


def test_operations_layer_knows_nothing_of_textual_rich_the_simulator_or_the_faces() -> None:
    for module in ("cloudzy_tui.ops", "cloudzy_tui.ops.create_draft", "cloudzy_tui.units", "cloudzy_tui.text"):
        mods = _modules_after_import(module)
        assert "textual" not in mods, module
        assert "rich" not in mods, module
        assert not any(m.startswith("cloudzy_tui.sim") for m in mods), module
        assert not any(m.startswith("cloudzy_tui.ui") for m in mods), module


def test_the_ui_never_imports_the_simulator_outside_demo_mode() -> None:
    mods = _modules_after_import("cloudzy_tui.ui.app")
    assert not any(m.startswith("cloudzy_tui.sim") for m in mods)


def test_no_token_in_any_committed_screenshot() -> None:
    from pathlib import Path

    from conftest import TOKEN

    root = Path(__file__).resolve().parent.parent
    svgs = list((root / "screenshots").glob("*.svg")) + list((root / "tests").rglob("__snapshots__/**/*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert TOKEN not in text and "sim-token" not in text, svg


def test_no_import_cycle_anywhere_in_the_package() -> None:
    """Every import counts, local and type-only ones too (``tests/import_graph.py``). ``ui/`` and ``sim/`` have
    their own structure tests; ``ops/`` is a tree because bodies and readers are typed against
    ``ops/context.Context``, not the session that runs them."""
    graph = import_graph("cloudzy_tui")
    assert "cloudzy_tui.ops.context" in graph["cloudzy_tui.ops.instances"]  # a known edge is read
    assert cycles(graph) == []


def _project_modules() -> dict[str, Path]:
    """Every module of the package and of the tests (the benchmarks are ``tests/benchmarks``), by dotted name."""
    return package_modules("cloudzy_tui") | package_modules("tests", ROOT / "tests")


def test_no_module_is_too_long_without_a_reason() -> None:
    modules = _project_modules()
    assert {"cloudzy_tui.ui.screens.resource", "tests.test_boundaries", "tests.benchmarks.slowapi"} <= set(modules)
    assert too_long(modules) == {}


def test_the_length_check_reads_the_reason(tmp_path: Path) -> None:
    body = "x = 1\n" * MAX_LINES
    (tmp_path / "plain.py").write_text('"""A module."""\n' + body)
    (tmp_path / "reasoned.py").write_text('"""A module.\n\nSize: one state machine.\n"""\n' + body)
    (tmp_path / "short.py").write_text('"""A module."""\nx = 1\n')
    assert too_long(package_modules("pkg", tmp_path)) == {"pkg.plain": MAX_LINES + 1}
