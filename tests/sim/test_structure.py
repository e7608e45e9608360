"""The simulator's house: no import cycle between its modules, and no module grown past the size one can read.

The import graph is read from the source with ``ast`` (every ``import``, including those inside functions and
``if TYPE_CHECKING:`` blocks: a cycle dodged with a local or type-only import is still a cycle in the design).
``from cloudzy_tui.sim import catalog`` is an edge to the module ``catalog``; ``from cloudzy_tui.sim import
SimConfig`` is an edge to the package's ``__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cloudzy_tui.sim

PACKAGE = "cloudzy_tui.sim"
ROOT = Path(cloudzy_tui.sim.__file__).parent
#: the most lines a simulator module may have (the project's rule of thumb: ~700)
MAX_LINES = 700


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGE, *parts])


def package_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The modules of the package that ``name`` (at ``path``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                # ``import a.b.c`` binds ``a`` but runs a, a.b and a.b.c: the edge is to the deepest one
                target = alias.name
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif source in modules:
                    found.add(source)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = package_modules()
    names = set(modules)
    return {name: imports_of(name, path, names) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted; sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


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
    graph = import_graph()
    assert f"{PACKAGE}.app" in graph and PACKAGE in graph
    assert f"{PACKAGE}.config" in graph[f"{PACKAGE}.app"]  # a known edge is read


def test_no_import_cycle_inside_the_simulator() -> None:
    assert cycles(import_graph()) == []


def test_no_simulator_module_is_too_long() -> None:
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in package_modules().items()}
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
