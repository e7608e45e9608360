"""``python -m cloudzy_tui.sim``: the simulator on a socket (same as ``cloudzy-tui sim``)."""

import sys

from cloudzy_tui.sim.server import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
