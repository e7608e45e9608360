"""Forms at the keyboard, through a real pseudo-terminal: ctrl+s, typed-name confirmations, pastes, 80x24.

* every form submits with ctrl+s from its first field, and says so in its border;
* a "type the hostname" confirmation takes the typed name in its field and confirms only on an exact match;
* a paste (bracketed, as terminals send it) longer than its field shows where it ends, even in a field nobody typed
  in yet; one holding ESC, BEL, TAB, NUL, VT into any free-text field neither closes the form nor is cut: the
  control characters are removed, the rest kept;
* at 80x24 the first error is on screen and its field focused, the wizard's too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from terminal.harness import Terminal, console

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
DIRTY = "a\x07b\tc\x00d\x0be\x1bf"
CLEANED = "ab cd ef"  # BEL, NUL, ESC removed; TAB and VT (a line break to Textual) folded to a space


def _field_shows(t: Terminal, text: str) -> bool:
    return any("▊" in line and f" {text} " in line for line in t.lines())


# (setup: keys then the text to wait for, typed one step at a time), the dialog's title
FORMS: dict[str, tuple[list[tuple[str, str]], str]] = {
    "server-filters": ([("F", "server-side filters")], "server-side filters"),
    "export": ([("E", "Export 31")], "Export 31"),
    "ssh-key": ([(":keys\r", " SSH keys "), ("n", "New SSH key")], "New SSH key"),
    "iso-download": ([(":isos\r", " ISOs "), ("n", "Download a custom")], "Download a custom"),
    "floating-ip-edit": ([(":fip\r", " Floating IPs "), ("e", "Note")], "Floating IP "),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_ctrl_s_submits_every_form_from_its_first_field(tmp_path: Path, name: str) -> None:
    setup, title = FORMS[name]
    with console(home=tmp_path) as t:
        t.wait_text("web-01")
        for keys, expected in setup:
            t.write(keys)
            t.wait_text(expected)
        t.wait_text("ctrl+s")  # said in the dialog's border
        t.write("\x13")  # ctrl+s
        # Submitted: the form closed, or it stayed open with the reason on screen.
        t.wait_for(lambda t: title not in t.text() or "required" in t.text(), what="the form submitted")


# Free-text fields: (setup, keys that move to the field once the dialog is up, the dialog's title)
FREE_TEXT: dict[str, tuple[list[tuple[str, str]], str, str]] = {
    "server-filter-hostname": ([("F", "server-side filters")], "", "server-side filters"),
    "ssh-key-name": ([(":keys\r", " SSH keys "), ("n", "New SSH key")], "", "New SSH key"),
    "iso-name": ([(":isos\r", " ISOs "), ("n", "Download a custom")], "", "Download a custom"),
    "iso-url": ([(":isos\r", " ISOs "), ("n", "Download a custom")], "\t", "Download a custom"),
    "floating-ip-note": ([(":fip\r", " Floating IPs "), ("e", "Note")], "\t", "Floating IP "),
    "typed-hostname": ([("/web-01\r", "(1 shown)"), ("D", "Type the hostname")], "", "Type the hostname"),
    "wizard-hostnames": ([("n", "Step 1/9"), ("\x13", "enter at least one hostname")], "", "New instance"),
}


@pytest.mark.parametrize("name", list(FREE_TEXT))
def test_a_paste_shows_its_end_and_is_cleaned_not_cut_and_keeps_the_form(tmp_path: Path, name: str) -> None:
    """Two pastes into the field, each checked on the terminal: a long one into the fresh field (its end must be in
    view: without ui/textual_fixes.py the field showed only its start), then, the field emptied with ctrl+u, one
    holding control characters (cleaned, not cut, the form kept)."""
    setup, move, title = FREE_TEXT[name]
    with console(home=tmp_path) as t:
        t.wait_text("web-01")
        for keys, expected in setup:
            t.write(keys)
            t.wait_text(expected)
        if move:
            t.write(move)
        t.write(PASTE_START + "p" * 150 + "END9" + PASTE_END)
        end = "p" * 20 + "END9 "  # on the field's line (its edge, ▊)
        t.wait_for(lambda t: any("▊" in line and end in line for line in t.lines()), what="the long paste's end")
        t.write("\x15")  # ctrl+u: delete everything left of the cursor
        t.wait_for(lambda t: not any("END9" in line for line in t.lines()), what="the field emptied")
        t.write(PASTE_START + DIRTY + PASTE_END)
        t.wait_for(lambda t: _field_shows(t, CLEANED), what=f"{CLEANED!r} in the field")
        assert title in t.text(), "a paste closed the form"


def _wait_mismatch(t: Terminal) -> None:
    t.wait_text("that is not the hostname")


@pytest.mark.parametrize(
    ("typed", "then"),
    [
        ("WEB-01\r", _wait_mismatch),  # case counts
        ("web-01 \r", _wait_mismatch),  # nothing trimmed
        ("web-0\r", _wait_mismatch),
    ],
)
def test_a_typed_name_confirms_only_on_an_exact_match(
    tmp_path: Path, typed: str, then: Callable[[Terminal], None]
) -> None:
    with console(home=tmp_path) as t:
        t.wait_text("web-01")
        t.write("/web-01\r")
        t.wait_text("(1 shown)")
        t.write("D")
        t.wait_text("Type the hostname")
        t.write(typed)
        then(t)
        assert "Type the hostname" in t.text()
        t.write("\x1b")  # Esc cancels
        t.wait_gone("Type the hostname")
        assert "(1 shown)" in t.lines()[0] and "web-01" in t.text()
        t.write("D")  # and the exact name, then Enter, deletes
        t.wait_text("Type the hostname")
        t.write("web-01\r")
        t.wait_text("(0 shown)")


def test_at_80x24_the_first_error_is_shown_and_focused(tmp_path: Path) -> None:
    with console(home=tmp_path, columns=80, rows=24) as t:
        t.wait_text("win-rdp")
        t.write(":keys\r")
        t.wait_text(" SSH keys ")
        t.write("n")
        t.wait_text("New SSH key")
        t.write("zz\x13")  # a name, no key: the key field is in error
        t.wait_text("required")
        t.write("ssh-ed25519")  # typed into the field in error: it has the focus
        t.wait_for(lambda t: _field_shows(t, "ssh-ed25519"), what="the key field focused")


def test_at_80x24_the_wizard_shows_why_it_does_not_advance(tmp_path: Path) -> None:
    with console(home=tmp_path, columns=80, rows=24) as t:
        t.wait_text("win-rdp")
        t.write("n")
        t.wait_text("Step 1/9")
        t.write("\x13")  # ctrl+s: on to the review, stopping at the first step in error
        t.wait_text("enter at least one hostname")
        t.write("db-9")
        t.wait_for(lambda t: _field_shows(t, "db-9"), what="the hostnames field focused")
