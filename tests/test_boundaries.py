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
