"""The simulator's house: no import cycle between its modules, and no module grown past the size one can read.

The import graph is read from the source by ``tests/import_graph.py`` (every ``import``, including those inside
functions and ``if TYPE_CHECKING:`` blocks: a cycle dodged with a local or type-only import is still a cycle in the
design). ``from cloudzy_tui.sim import catalog`` is an edge to the module ``catalog``; ``from cloudzy_tui.sim import
SimConfig`` is an edge to the package's ``__init__``.
"""

from __future__ import annotations

from pathlib import Path

from import_graph import MAX_LINES, cycles, import_graph, imports_of, package_modules

PACKAGE = "cloudzy_tui.sim"


def test_the_cycle_finder_finds_cycles() -> None:
    """The check itself can fail: a two-module circle, a longer one, and a tree without any."""
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_reader_sees_every_kind_of_import(tmp_path: Path) -> None:
    modules = {f"{PACKAGE}.state", f"{PACKAGE}.seed", f"{PACKAGE}.catalog", PACKAGE}
    source = tmp_path / "seed.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from cloudzy_tui.sim import catalog\n"
        "if TYPE_CHECKING:\n"
        "    from cloudzy_tui.sim.state import Simulator\n"
        "def f():\n"
        "    from . import SimConfig\n"
    )
    assert imports_of(f"{PACKAGE}.seed", source, modules) == {f"{PACKAGE}.catalog", f"{PACKAGE}.state", PACKAGE}


def test_the_graph_covers_the_package() -> None:
    graph = import_graph(PACKAGE)
    assert f"{PACKAGE}.app" in graph and PACKAGE in graph
    assert f"{PACKAGE}.config" in graph[f"{PACKAGE}.app"]  # a known edge is read


def test_no_import_cycle_inside_the_simulator() -> None:
    assert cycles(import_graph(PACKAGE)) == []


def test_no_simulator_module_is_too_long() -> None:
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in package_modules(PACKAGE).items()
    }
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
