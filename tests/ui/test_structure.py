"""The console's house (issue 18, "attributes down, messages up"): no import cycle inside ``cloudzy_tui.ui``; only
the shell's entry point imports the shell (``ui/app.py``): specs, flows, modals and screens are typed against the
Protocols of ``ui/services.py``; specs and widgets import nothing above them. (The ~700-line rule is
``tests/test_boundaries.py``'s, over the whole project.)

The import graph is ``tests/import_graph.py``'s: every import counts, inside functions and ``if TYPE_CHECKING:``
blocks too.
"""

from __future__ import annotations

from import_graph import cycles, import_graph

UI = "cloudzy_tui.ui"
SHELL = f"{UI}.app"
#: the modules that may import the shell: its entry point (``cloudzy-tui`` and ``cloudzy-tui serve`` start it there)
MAY_IMPORT_THE_SHELL = {f"{UI}.run"}


def _under(graph: dict[str, set[str]], prefix: str) -> dict[str, set[str]]:
    return {name: edges for name, edges in graph.items() if name == prefix or name.startswith(prefix + ".")}


def test_the_graph_covers_the_console() -> None:
    graph = import_graph(UI)
    assert SHELL in graph and f"{UI}.services" in graph
    assert f"{UI}.screens.resource" in graph[SHELL]  # a known edge is read
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]  # and the cycle finder finds one


def test_no_import_cycle_inside_the_console() -> None:
    assert cycles(import_graph(UI)) == []


def test_only_the_entry_point_imports_the_shell() -> None:
    """Anywhere in the package (the CLI, the web face and the MCP server included)."""
    graph = import_graph("cloudzy_tui")
    assert {name for name, edges in graph.items() if SHELL in edges} <= MAY_IMPORT_THE_SHELL


def test_specs_import_no_screen_and_widgets_nothing_above_them() -> None:
    graph = import_graph(UI)
    above_specs = (f"{UI}.screens", SHELL, f"{UI}.run")
    for name, edges in _under(graph, f"{UI}.resources").items():
        assert not {e for e in edges if e.startswith(above_specs)}, name
    below_widgets = (f"{UI}.widgets", f"{UI}.text", f"{UI}.inputs")
    for name, edges in _under(graph, f"{UI}.widgets").items():
        assert {e for e in edges if not e.startswith(below_widgets)} == set(), name
    # the contract itself and the row model stand below everything that uses them
    assert graph[f"{UI}.services"] <= {f"{UI}.rowmodel", f"{UI}.widgets.resource_table"}
    assert graph[f"{UI}.rowmodel"] == {f"{UI}.widgets.table_row"}
