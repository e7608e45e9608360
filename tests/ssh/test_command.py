"""The ssh command line: from the template, only from checked values, never an option from a server value."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cloudzy_tui.api import Instance
from cloudzy_tui.api.floating_ips import FloatingIp
from cloudzy_tui.ops import ssh


def inst(**data: Any) -> Instance:
    base: dict[str, Any] = {"id": "i-1", "hostname": "web-01", "status": "active", "mainIp": "198.51.100.7"}
    base.update(data)
    return Instance.model_validate(base)


def command(template: str, instance: Instance, fips: list[Any] | None = None, **kw: Any) -> list[str]:
    return ssh.build_command(template, ssh.target_of(instance, fips or []), **kw)


def test_the_template_fields_and_their_defaults() -> None:
    argv = command("ssh -p {port} {user}@{ip} -- echo {hostname} {id}", inst())
    assert argv == ["ssh", "-p", "22", "root@198.51.100.7", "--", "echo", "web-01", "i-1"]
    argv = command("ssh -p {port} {user}@{ip}", inst(), user="ubuntu", port=2222)
    assert argv == ["ssh", "-p", "2222", "ubuntu@198.51.100.7"]
    assert command(ssh.DEFAULT_SSH_COMMAND, inst()) == ["ssh", "root@198.51.100.7"]


def test_address_ipv4_else_ipv6_else_an_attached_floating_ip() -> None:
    assert command("ssh {ip}", inst(mainIp=None, mainIpv6="2001:db8::7")) == ["ssh", "2001:db8::7"]
    fips = [
        FloatingIp.model_validate({"id": "f0", "ipAddress": "203.0.113.1", "instanceId": "other"}),
        FloatingIp.model_validate({"id": "f1", "ipAddress": "203.0.113.9", "instanceId": "i-1"}),
    ]
    assert command("ssh {ip}", inst(mainIp=None), fips) == ["ssh", "203.0.113.9"]
    with pytest.raises(ssh.SshError, match="no IP address"):
        command("ssh {ip}", inst(mainIp=None), fips[:1])
    # An address is normalised by ipaddress (no spaces, no leading zeros tricks).
    assert command("ssh {ip}", inst(mainIp=" 198.51.100.7 ")) == ["ssh", "198.51.100.7"]


@pytest.mark.parametrize(
    "hostile",
    [
        "-oProxyCommand=touch /tmp/pwned",
        "-oProxyCommand=sh -c 'id'",
        "--help",
        "-v",
        "web 01",
        "a;rm -rf ~",
        "$(id)",
        "web\x1b]0;evil\x07",
        "[b]x[/b]",
        "../../etc/passwd",
    ],
)
def test_no_option_or_shell_word_from_a_hostile_hostname(hostile: str) -> None:
    instance = inst(hostname=hostile)
    # With {ip} only: the hostname never reaches the command.
    assert command("ssh root@{ip}", instance) == ["ssh", "root@198.51.100.7"]
    # Asked for by the template: refused, not passed on.
    with pytest.raises(ssh.SshError, match="not safe"):
        command("ssh {hostname}", instance)
    target = ssh.target_of(instance)
    assert target.hostname is None and target.name == "198.51.100.7"


@pytest.mark.parametrize("hostile", ["-oProxyCommand=touch /tmp/x", "198.51.100.7 -oProxyCommand=x", "--", "x"])
def test_an_address_that_is_not_an_ip_is_refused(hostile: str) -> None:
    with pytest.raises(ssh.SshError, match="not an IP address"):
        command("ssh {ip}", inst(mainIp=hostile))


def test_a_hostile_id_is_not_used() -> None:
    with pytest.raises(ssh.SshError, match="not safe"):
        command("ssh {id}", inst(id="-oProxyCommand=x"))


def test_non_active_instances_are_refused_with_the_reason() -> None:
    assert ssh.refusal(inst()) is None
    assert ssh.refusal(inst(status="shutdown")) == "web-01 is shutdown: power it on first (u)"
    assert "not active" in (ssh.refusal(inst(status="preparing_disk")) or "")
    assert "deleted" in (ssh.refusal(inst(status="deleted")) or "")
    assert "no status" in (ssh.refusal(inst(status=None)) or "")
    with pytest.raises(ssh.SshError, match="power it on"):
        ssh.target_of(inst(status="shutdown"))


def test_bad_templates_and_settings_say_why() -> None:
    with pytest.raises(ssh.SshError, match="unknown field"):
        command("ssh {password}", inst())
    with pytest.raises(ssh.SshError, match="not usable"):
        command("ssh 'unclosed", inst())
    with pytest.raises(ssh.SshError, match="not a user name"):
        command("ssh {user}@{ip}", inst(), user="-oProxyCommand=x")
    with pytest.raises(ssh.SshError, match="not a port"):
        command("ssh -p {port} {ip}", inst(), port=0)


def test_open_mode_default_window_inside_tmux_suspend_outside() -> None:
    assert ssh.SshSettings().open_mode({}) == "suspend"
    assert ssh.SshSettings().open_mode({"TMUX": "/tmp/tmux-0/default,1,0"}) == "window"
    assert ssh.SshSettings(open="split").open_mode({"TMUX": "x"}) == "split"
    assert ssh.SshSettings(open="window").open_mode({}) == "suspend"


def test_settings_from_the_config_profile_wins() -> None:
    from cloudzy_tui.config import Settings

    settings = Settings.model_validate(
        {
            "ssh_open": "split",
            "ssh_user": "admin",
            "profiles": {"prod": {"ssh_user": "ubuntu", "ssh_port": 2200, "ssh_identity_file": "~/.ssh/prod"}},
        }
    )
    got = ssh.settings_from(settings, settings.profile("prod"), "prod")
    assert (got.user, got.port, got.open, got.identity_file, got.profile) == (
        "ubuntu",
        2200,
        "split",
        "~/.ssh/prod",
        "prod",
    )
    assert ssh.settings_from(settings, SimpleNamespace(), "x").user == "admin"


def test_a_hostile_ipv4_falls_back_to_a_real_ipv6_and_without_one_is_refused() -> None:
    assert command("ssh {ip}", inst(mainIp="-oProxyCommand=x", mainIpv6="2001:db8::9")) == ["ssh", "2001:db8::9"]
    with pytest.raises(ssh.SshError, match="'-oProxyCommand=x' is not an IP address"):
        command("ssh {ip}", inst(mainIp="-oProxyCommand=x"))
