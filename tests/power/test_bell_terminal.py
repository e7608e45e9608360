"""The bell on the wire: the real console in a pty, a job started by keys, the terminal's focus-out report
(``ESC [ O``, focus reporting being on), and the BEL byte written when the job ends — not when focused."""

from __future__ import annotations

import re
from pathlib import Path

from terminal.harness import Terminal, console

BEL = b"\x07"
#: an operating system command (title, pointer shape...): BEL may end one, which is no bell
OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
FOCUS_OUT = "\x1b[O"
FOCUS_IN = "\x1b[I"


def bells(data: bytes) -> int:
    """The BEL bytes that ring: those outside escape sequences."""
    return OSC.sub(b"", data).count(BEL)


def _power_on_first_shutdown(term: Terminal) -> None:
    term.wait_text("web-01")
    term.write("/")
    term.wait_text("Esc clears")  # the filter box is open
    term.write("status:shutdown")
    term.wait_text("filter: status:shutdown")
    term.write("\r")
    # the filter box gave the keyboard back: the instances' own keys are in the footer again
    term.wait_for(lambda t: "s SSH" in t.lines()[-1], what="the instances' footer")
    term.write("u")
    term.wait_text("jobs 1")  # the status bar counts it in flight


def test_a_job_ending_while_unfocused_writes_bel_and_not_while_focused(tmp_path: Path) -> None:
    with console(("--demo", "--job-seconds", "2"), home=tmp_path) as term:
        term.wait_text("web-01")
        assert b"\x1b[?1004h" in term.output  # the console asked the terminal to report focus

        # Focused: the job's end is a toast, no bell.
        _power_on_first_shutdown(term)
        term.wait_text("Job finished")
        assert bells(term.output) == 0

        # Not focused: the bell.
        term.write("\x1b")  # Esc: clear the filter
        term.wait_gone("filter: status:shutdown")
        _power_on_first_shutdown(term)
        mark = term.mark()
        term.write(FOCUS_OUT)
        term.wait_for(lambda t: bells(t.output[mark:]) == 1, what="BEL after the job ended")
        term.write(FOCUS_IN)
