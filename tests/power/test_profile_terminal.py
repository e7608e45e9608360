"""The profile switch and the histories on the wire: the real program (``cloudzy-tui``, started the way an operator
starts it: a config file with profiles, no ``--demo``) in a pty rendered with pyte, against two simulators on
loopback sockets; and the ``:``/``/`` histories walked with the arrow keys as a terminal sends them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import serve_on_loopback
from terminal.harness import console

from cloudzy_tui.sim import SimConfig, Simulator, create_app

TOKEN_A = "token-wire-a-0123456789"
TOKEN_B = "token-wire-b-9876543210"
UP = "\x1b[A"
DOWN = "\x1b[B"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A home whose config names two profiles, each on its own simulator (B has fleet-00001..3, A does not)."""
    sim_a = Simulator(SimConfig(seed=1, token=TOKEN_A))
    sim_b = Simulator(SimConfig(seed=1, token=TOKEN_B, instances=3))
    with (
        serve_on_loopback(create_app(sim_a), "wire-a") as port_a,
        serve_on_loopback(create_app(sim_b), "wire-b") as port_b,
    ):
        config = tmp_path / ".config" / "cloudzy-tui" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(
            f"""default_profile = "alpha"
refresh_seconds = 0

[profiles.alpha]
api_url = "http://127.0.0.1:{port_a}/developers"
token = "{TOKEN_A}"

[profiles.beta]
api_url = "http://127.0.0.1:{port_b}/developers"
token = "{TOKEN_B}"
colour = "magenta"
read_only = true
"""
        )
        config.chmod(0o600)
        yield tmp_path


def test_profile_switch_in_a_real_terminal(home: Path) -> None:
    with console((), home=home, columns=140, rows=36) as term:
        term.wait_text("alpha · 127.0.0.1")
        term.wait_text("web-01")
        assert "fleet-" not in term.text() and "READ-ONLY" not in term.text()

        term.write(":")
        term.wait_text("instances, snapshots")  # the command box is open (its placeholder)
        term.write("profile beta\r")
        term.wait_text("beta · 127.0.0.1")
        term.wait_text("READ-ONLY")
        term.wait_gone("alpha · 127.0.0.1")
        term.write("/")
        term.wait_text("Esc clears")
        term.write("fleet\r")
        term.wait_text("fleet-00003")
        assert "web-01" not in "\n".join(term.lines()[:20])  # the filtered list of account B

        # ↑ at the command line brings the switch back
        term.write("\x1b")
        term.wait_gone("filter: fleet")
        term.write(":")
        term.wait_text("instances, snapshots")
        term.write(UP)
        term.wait_text("profile beta")
        term.write("\x1b")
        term.write("q")
        assert term.wait_exit() == 0
        assert TOKEN_A not in term.text() and TOKEN_B not in term.text()


def test_histories_with_the_arrow_keys_and_no_profiles_in_demo(tmp_path: Path) -> None:
    with console(("--demo",), home=tmp_path, columns=140, rows=36) as term:
        term.wait_text("web-01")
        for name, title in (("snap", " Snapshots "), ("keys", " SSH keys ")):
            term.write(":")
            term.wait_text("instances, snapshots")
            term.write(f"{name}\r")
            term.wait_text(title)

        term.write(":")
        term.wait_text("instances, snapshots")
        term.write("i" + UP)  # a draft, then the newest command (the hint follows the box)
        term.wait_for(lambda t: ":ssh-keys" in t.text() and ":instances" not in t.text(), what="the newest command")
        term.write(UP)
        term.wait_for(lambda t: ":snapshots" in t.text() and ":ssh-keys" not in t.text(), what="the older command")
        term.write(DOWN + DOWN)  # back past the newest: the draft
        term.wait_for(lambda t: ":instances" in t.text() and ":snapshots" not in t.text(), what="the draft")
        term.write("\x1b")  # cancel

        term.write(":")
        term.wait_text("instances, snapshots")
        term.write("in\r")
        term.wait_text(" Instances ")
        term.write("/")
        term.wait_text("Esc clears")
        term.write("web-0\r")
        term.wait_text("filter: web-0")
        term.write("\x1b")
        term.wait_gone("filter: web-0")
        term.write("/")
        term.wait_text("Esc clears")
        term.write(UP)  # the filter's own history
        term.wait_text("filter: web-0")
        term.write("\r")

        term.write(":")
        term.wait_text("instances, snapshots")
        term.write("profile beta\r")
        term.wait_text("not available")
        term.write("q")
        assert term.wait_exit() == 0
