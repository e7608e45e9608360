"""Fake ``ssh`` and ``tmux`` programs for the tests: scripts put first on PATH that record how they were run."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

FAKE_SSH = """#!/bin/sh
# A stand-in for ssh: records its arguments, says it is connected, waits until interrupted (Ctrl-C: SIGINT).
trap 'echo "SIGINT" >> "$FAKE_SSH_LOG"; exit 130' INT
printf '%s\\n' "$*" >> "$FAKE_SSH_LOG"
echo "fake-ssh connected to $*"
while :; do sleep 0.05; done
"""

# A stand-in for tmux: appends its argv (JSON) to $FAKE_TMUX_LOG; answers -P -F with made-up pane and window ids,
# and list-panes with the content of $FAKE_TMUX_PANES (if set).
FAKE_TMUX = """#!{python}
import json, os, sys
args = sys.argv[1:]
log = os.environ["FAKE_TMUX_LOG"]
with open(log, "a") as f:
    f.write(json.dumps(args) + "\\n")
count = sum(1 for _ in open(log))
if os.environ.get("FAKE_TMUX_FAIL") and args and args[0] == os.environ["FAKE_TMUX_FAIL"]:
    sys.stderr.write("no server running on /tmp/tmux-0/default\\n")
    sys.exit(1)
if "-P" in args:
    print(f"%{{count}} @{{count}}")
elif args and args[0] == "list-panes":
    path = os.environ.get("FAKE_TMUX_PANES")
    if path and os.path.exists(path):
        sys.stdout.write(open(path).read())
"""


def install(bin_dir: Path, name: str, text: str) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def fake_ssh(bin_dir: Path) -> Path:
    return install(bin_dir, "ssh", FAKE_SSH)


def fake_tmux(bin_dir: Path) -> Path:
    return install(bin_dir, "tmux", FAKE_TMUX.format(python=sys.executable))


def tmux_calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def path_with(bin_dir: Path) -> str:
    return f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"


def inside_fake_tmux(tmp_path: Path, monkeypatch: Any) -> Path:
    """Run as if inside tmux, with a fake ``tmux`` and ``ssh`` first on PATH; returns the log of tmux calls."""
    bin_dir = tmp_path / "bin"
    fake_tmux(bin_dir)
    fake_ssh(bin_dir)
    log = tmp_path / "tmux.log"
    monkeypatch.setenv("PATH", path_with(bin_dir))
    monkeypatch.setenv("FAKE_TMUX_LOG", str(log))
    monkeypatch.setenv("FAKE_TMUX_PANES", str(tmp_path / "panes"))
    monkeypatch.setenv("TMUX", "/tmp/fake,1,0")
    monkeypatch.setenv("TMUX_PANE", "%0")
    return log
