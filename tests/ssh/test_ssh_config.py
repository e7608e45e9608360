"""``cloudzy-tui ssh-config``: Host blocks parsed back (and resolved by ``ssh -G`` where ssh is installed), hostile
hostnames skipped with a warning, ``--write`` atomic, 0600, and only over a file it wrote."""

from __future__ import annotations

import ipaddress
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cloudzy_tui.api import Instance
from cloudzy_tui.ops import ssh

ROOT = Path(__file__).resolve().parents[2]


def inst(hostname: Any, n: int = 1, **data: Any) -> Instance:
    base: dict[str, Any] = {"id": f"i-{n}", "hostname": hostname, "status": "active", "mainIp": f"198.51.100.{n}"}
    base.update(data)
    return Instance.model_validate(base)


HOSTILE = [
    "web 01",
    "web*",
    "db?",
    "!web",
    "a,b",
    "-oProxyCommand=touch /tmp/x",
    "-oProxyCommand=x",
    "[b]bold[/b]",
    "web\x1b]0;t\x07",
    "line\nHost evil",
    "tab\there",
    "",
    None,
    "caf\u00e9",
    "x\u202etxt",
]


def test_blocks_for_active_instances_only_and_hostile_names_skipped() -> None:
    instances = [
        inst("web-01", 1),
        inst("db-primary", 2, mainIp=None, mainIpv6="2001:db8::2"),
        inst("stopped", 3, status="shutdown"),
        inst("fip-only", 4, mainIp=None),
        *[inst(name, 10 + k) for k, name in enumerate(HOSTILE)],
        inst("web-01", 40),  # a second instance of the same name: one Host web-01 only
        inst("bad-ip", 41, mainIp="-oProxyCommand=x"),
    ]
    from cloudzy_tui.api.floating_ips import FloatingIp

    fips = [FloatingIp.model_validate({"id": "f", "ipAddress": "203.0.113.4", "instanceId": "i-4"})]
    result = ssh.render_ssh_config(
        instances, fips, settings=ssh.SshSettings(identity_file="~/.ssh/id_cloudzy", user="ubuntu")
    )
    hosts = ssh.parse_ssh_config(result.text)
    assert hosts == {
        "db-primary": {"hostname": "2001:db8::2", "user": "ubuntu", "identityfile": "~/.ssh/id_cloudzy"},
        "fip-only": {"hostname": "203.0.113.4", "user": "ubuntu", "identityfile": "~/.ssh/id_cloudzy"},
        "web-01": {"hostname": "198.51.100.1", "user": "ubuntu", "identityfile": "~/.ssh/id_cloudzy"},
    }
    assert result.text.splitlines()[0] == ssh.MARKER
    assert len(result.skipped) == len(HOSTILE) + 2
    assert any("a pattern character" in w for w in result.skipped)
    assert any("a leading '-'" in w for w in result.skipped)
    assert any("spaces" in w for w in result.skipped)
    assert any("not an IP address" in w for w in result.skipped)
    for line in result.text.splitlines() + result.skipped:
        assert line.isprintable() and "\x1b" not in line, repr(line)


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDZY_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        CLOUDZY_TUI_CONFIG_DIR=str(home / "cfg"),
        CLOUDZY_TUI_STATE_DIR=str(home / "st"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-m", "cloudzy_tui", "--demo", "ssh-config", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(home),
        timeout=120,
        check=False,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.toml").write_text(
        '[profiles.default]\nssh_identity_file = "~/.ssh/id_cloudzy"\n', encoding="utf-8"
    )
    (tmp_path / "cfg" / "config.toml").chmod(0o600)
    return tmp_path


def test_the_cli_prints_blocks_that_parse_back_and_ssh_resolves(home: Path) -> None:
    done = _cli(home=home)
    assert done.returncode == 0, done.stderr
    hosts = ssh.parse_ssh_config(done.stdout)
    assert "web-01" in hosts and "worker-02" not in hosts  # worker-02 is shut down
    web = hosts["web-01"]
    assert web["user"] == "root" and web["identityfile"] == "~/.ssh/id_cloudzy"
    assert str(ipaddress.ip_address(web["hostname"])) == web["hostname"]  # an address: ssh need not resolve it
    if shutil.which("ssh") is None:
        pytest.skip("ssh is not installed: the blocks were parsed back, not resolved by ssh -G")
    config = home / "cloudzy.conf"
    config.write_text(done.stdout)
    resolved = subprocess.run(
        ["ssh", "-G", "-F", str(config), "web-01"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()
    assert f"hostname {web['hostname']}" in resolved and "user root" in resolved
    assert any(line.startswith("identityfile ") and line.endswith("/.ssh/id_cloudzy") for line in resolved)


def test_write_is_0600_and_only_over_its_own_file(home: Path) -> None:
    target = home / "ssh" / "cloudzy.conf"
    done = _cli("--write", str(target), home=home)
    assert done.returncode == 0, done.stderr
    assert "Include" in done.stderr and done.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "web-01" in ssh.parse_ssh_config(target.read_text())
    # Again: it is ours, so it is replaced (a new inode: atomic rename, no partial file seen).
    before = target.stat().st_ino
    assert _cli("--write", str(target), home=home).returncode == 0
    assert target.stat().st_ino != before
    # A file it did not write is left alone.
    mine = home / "ssh" / "config"
    mine.write_text("Host *\n    ServerAliveInterval 30\n")
    done = _cli("--write", str(mine), home=home)
    assert done.returncode == 3 and "not touching it" in done.stderr
    assert mine.read_text() == "Host *\n    ServerAliveInterval 30\n"
    # Nor a symlink to one (not even to its own file).
    link = home / "ssh" / "link.conf"
    link.symlink_to(target)
    assert _cli("--write", str(link), home=home).returncode == 3
    assert sorted(p.name for p in (home / "ssh").iterdir()) == ["cloudzy.conf", "config", "link.conf"]
