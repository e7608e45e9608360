"""The import graph of a package, read from its source with ``ast``, and the cycles in it (shared by the structure
tests of ``cloudzy_tui.sim`` and ``cloudzy_tui.ui``).

Every ``import`` counts, including those inside functions and ``if TYPE_CHECKING:`` blocks: a cycle dodged with a
local or type-only import is still a cycle in the design. ``from pkg import mod`` is an edge to the module ``mod``;
``from pkg import Name`` is an edge to the package's ``__init__``.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

#: the most lines a module may have without saying why (the project's rule of thumb: ~700)
MAX_LINES = 700
#: the line of a module's docstring that says why it is longer ("Size: ...")
SIZE_REASON = re.compile(r"^\s*Size:\s*\S", re.MULTILINE)


def package_root(package: str) -> Path:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    return Path(module.__file__).parent


def module_name(package: str, root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def package_modules(package: str, root: Path | None = None) -> dict[str, Path]:
    """Every module of ``package`` (its ``__init__`` included), by dotted name."""
    root = package_root(package) if root is None else root
    return {module_name(package, root, path): path for path in sorted(root.rglob("*.py"))}


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The modules among ``modules`` that ``name`` (at ``path``) imports."""
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


def import_graph(package: str, root: Path | None = None) -> dict[str, set[str]]:
    """Each module of ``package`` and the modules of the same package it imports."""
    modules = package_modules(package, root)
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


def too_long(modules: dict[str, Path], max_lines: int = MAX_LINES) -> dict[str, int]:
    """The modules over ``max_lines`` lines whose docstring gives no ``Size:`` reason, with their length."""
    out: dict[str, int] = {}
    for name, path in modules.items():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines <= max_lines:
            continue
        docstring = ast.get_docstring(ast.parse(text, filename=str(path))) or ""
        if not SIZE_REASON.search(docstring):
            out[name] = lines
    return out
