"""The layers stay apart: the API client and the simulator never import Textual, and never each other."""

from __future__ import annotations

import json
import subprocess
import sys


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
