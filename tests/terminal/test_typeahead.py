"""Keys typed ahead (an SSH burst: every key in one ``write``) behave exactly as the same keys typed slowly.

Each case drives the real program in a pseudo-terminal: ``setup`` is typed one step at a time (each step waited
for), then ``burst`` is written in one go, and the rendered screen must show what slow typing shows. Pilot cannot
reproduce these: it waits for the app between keys. The cases cover every kind of prompt: the ``:`` command line,
the ``/`` filter, ctrl+p, forms, the create wizard, typed-name and plain confirmations, and Esc.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from terminal.harness import Terminal, console


def _title(t: Terminal) -> str:
    return t.lines()[0]


def _field_shows(text: str) -> Callable[[Terminal], bool]:
    """A form's input field (its ``▊`` edge) shows ``text`` typed into it."""
    return lambda t: any("▊" in line and f" {text} " in line for line in t.lines())


def _rows(t: Terminal) -> list[str]:
    """The table's rows (the lines under the header, up to the first blank one)."""
    rows: list[str] = []
    for line in t.lines()[2:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


@dataclass
class Case:
    setup: list[tuple[str, str]]  # (keys, text to wait for after them), typed slowly
    burst: str
    done: Callable[[Terminal], bool]
    what: str
    never: tuple[str, ...] = ()  # text that must never be painted (a prompt opened by a key meant for another)


CASES: dict[str, Case] = {
    "colon-regions": Case([], ":regions\r", lambda t: " Regions " in _title(t) and "us-utah" in t.text(), "regions"),
    "colon-snap": Case([], ":snap\r", lambda t: " Snapshots " in _title(t), "snapshots"),
    "filter-web-enter": Case(
        [],
        "/web\r",
        lambda t: (
            "filter: web" in _title(t)
            and bool(_rows(t))
            and all("web" in row for row in _rows(t))
            and "▊" not in t.text()
        ),  # the filter bar closed: Enter kept the filter
        "rows filtered on web",
    ),
    "filter-db-primary": Case(
        [], "/db-primary", lambda t: "(1 shown)" in _title(t) and "filter: db-primary" in _title(t), "filtered"
    ),
    "palette": Case([], "\x10Jobs", lambda t: any("Jobs" in line and "🔎" in line for line in t.lines()), "palette"),
    "server-filter-form": Case([], "Fzq4", _field_shows("zq4"), "typed into the form's first field"),
    "command-line-keys-stay-in-it": Case(
        [], ":nsDp", _field_shows("nsDp"), "letters in the command line", never=("Step 1/9", "Type the hostname")
    ),
    "wizard-first-step": Case(
        [], "n\x1b[B\r", lambda t: "Step 2/9" in t.text() and "(6 plans)" in t.text(), "the wizard's second step"
    ),
    "typed-name-confirmation-and-enter": Case(
        [("/web-01\r", "(1 shown)")],
        "Dweb-01\r",
        lambda t: "(0 shown)" in _title(t),
        "web-01 deleted",
    ),
    "typed-name-lands-in-its-field": Case(
        [("/web-01\r", "(1 shown)")],
        "Dweb-01",
        lambda t: "Type the hostname" in t.text() and _field_shows("web-01")(t),
        "the hostname in the confirmation's field",
    ),
    "plain-confirmation-tab-enter": Case(
        [("/web-01\r", "(1 shown)")],
        "w\t\r",  # Cancel is focused; Tab moves to the confirm button, Enter presses it
        lambda t: "New password — shown once" in t.text(),
        "the confirmation's button pressed",
    ),
    "esc-alone-closes": Case([(":", "instances, snapshots")], "\x1b", lambda t: "▊" not in t.text(), "closed"),
    "esc-then-key-quickly": Case(
        [(":", "instances, snapshots")],
        "\x1b:",  # read as Alt+: by the terminal parser; handled as Esc then ':'
        lambda t: "instances, snapshots, backups, fip" in t.text(),  # open, and empty
        "the command line closed and opened again",
        never=("^",),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_burst_behaves_as_typed_slowly(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    with console(home=tmp_path) as t:
        t.wait_text("web-01")
        for keys, expected in case.setup:
            t.write(keys)
            t.wait_text(expected)
        mark = t.mark()
        t.write(case.burst)
        t.wait_for(case.done, what=case.what)
        painted = t.output[mark:].decode(errors="replace")
        for text in case.never:
            assert text not in painted, f"{text!r} was painted: a key acted on the wrong screen"
        assert t.process.isalive()
