"""Keep ``import httpx`` from importing Rich, Click and Pygments.

httpx 0.28's ``__init__`` imports its command-line tool (``httpx._main``) eagerly whenever ``click`` and
``rich`` are installed — and they are, as Textual's dependencies. That would make the API layer load Rich
(against the layer rule checked by ``tests/test_boundaries.py``) and costs ~40 ms of start-up.

If httpx has not been imported yet, this registers a stand-in ``httpx._main`` whose ``main()`` swaps the real
module in on first call, so the ``httpx`` console script still works. If httpx is already imported (someone
else got there first) nothing is changed. Later httpx releases import the CLI lazily themselves; then the
stand-in is simply never used.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_NAME = "httpx._main"


def _install() -> None:
    if "httpx" in sys.modules or _NAME in sys.modules:
        return
    stub = types.ModuleType(_NAME, "stand-in for httpx's CLI; the real one is imported on first use")

    def main(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get(_NAME) is stub:
            del sys.modules[_NAME]
        real = importlib.import_module(_NAME)
        return real.main(*args, **kwargs)

    stub.main = main  # type: ignore[attr-defined]
    sys.modules[_NAME] = stub


_install()
