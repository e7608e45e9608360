"""The command line without an API: help, light imports, global options anywhere, info, usage errors, completion."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ._helpers import PY, ROOT, Cli

HEAVY = (
    "textual",
    "httpx",
    "pydantic",
    "rich",
    "uvicorn",
    "starlette",
    "cloudzy_tui.sim",
    "cloudzy_tui.ops",
    "cloudzy_tui.api",
    "cloudzy_tui.config",
    # measured: platformdirs 12 ms, dataclasses (+ inspect, ast) 9 ms — more than the rest of --help together
    "platformdirs",
    "dataclasses",
    "inspect",
)


def _modules_after(argv: list[str]) -> tuple[int, set[str]]:
    code = (
        "import json, sys\n"
        "from cloudzy_tui.cli import main\n"
        "code = 0\n"
        f"try:\n    code = main({argv!r})\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "sys.stdout = sys.__stdout__\n"
        "print('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    line = done.stdout.rsplit("MODULES ", 1)[1]
    return done.returncode, set(json.loads(line))


@pytest.mark.parametrize("argv", [["--help"], ["get", "--help"], ["power-off", "--help"], ["fip", "update", "--help"]])
def test_help_imports_no_heavy_module(argv: list[str]) -> None:
    """``cloudzy-tui --help`` stays fast: Textual, httpx, pydantic, the simulator and the operations stay unloaded."""
    code, modules = _modules_after(argv)
    assert code == 0
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert loaded == []


def test_python_m_help_imports_nothing_heavy() -> None:
    """The real entry (``python -m cloudzy_tui --help``), checked from inside the process at exit."""
    code = (
        "import atexit, json, sys, runpy\n"
        "atexit.register(lambda: sys.__stderr__.write('MODULES ' + json.dumps(sorted(sys.modules))))\n"
        "sys.argv = ['cloudzy-tui', '--help']\n"
        "runpy.run_module('cloudzy_tui', run_name='__main__')\n"
    )
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0
    modules = set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))
    assert not [m for m in modules if m.split(".")[0] in ("textual", "httpx", "pydantic", "rich")]
    assert "usage: cloudzy-tui" in done.stdout


def test_help_lists_environment_config_path_and_exit_codes(offline_cli: Cli) -> None:
    result = offline_cli("--help")
    assert result.code == 0
    for name in ("CLOUDZY_API_TOKEN", "CLOUDZY_API_URL", "CLOUDZY_PROFILE", "CLOUDZY_TUI_CONFIG_DIR", "NO_COLOR"):
        assert name in result.out
    # The path shown is the one the program uses (config.config_path() under the same environment).
    expected = subprocess.run(
        [PY, "-c", "from cloudzy_tui.config import config_path; print(config_path())"],
        capture_output=True,
        text=True,
        env=offline_cli.env,
        check=True,
    ).stdout.strip()
    assert f"config file: {expected}" in result.out
    for line in (
        "0    done",
        "1    the API answered",
        "2    usage",
        "3    refused by a safety rail",
        "4    authentication",
        "5    --wait",
        "130  interrupted",
    ):
        assert line in result.out
    for command in (
        "get",
        "describe",
        "create",
        "power-off",
        "snapshot",
        "snapshots",
        "backups",
        "fip",
        "iso",
        "image",
        "keys",
        "info",
        "sim",
        "completion",
    ):
        assert f"\n    {command} " in result.out or f"\n    {command}\n" in result.out, command


def test_every_verb_help_documents_exit_codes_and_output(offline_cli: Cli) -> None:
    for argv in (
        ["power-off", "--help"],
        ["snapshots", "restore", "--help"],
        ["keys", "create", "--help"],
        ["get", "--help"],
        ["describe", "--help"],
    ):
        result = offline_cli(*argv)
        assert result.code == 0, argv
        assert "130  interrupted" in result.out, argv
    restore = offline_cli("snapshots", "restore", "--help").out
    assert "--wait" in restore and "--timeout" in restore and "--yes" in restore
    assert "--wait " not in offline_cli("keys", "delete", "--help").out.split("output:")[0]  # no job to follow


def test_global_options_work_before_and_after_the_command(offline_cli: Cli) -> None:
    """``cloudzy-tui --profile x info`` (failed before: 'info' was only recognised as the first word)."""
    offline_cli.write_config(
        '[profiles.lab]\napi_url = "http://127.0.0.1:9/developers"\nread_only = true\nprotected = ["db-*"]\n'
    )
    before = offline_cli("--profile", "lab", "info")
    assert before.code == 0, before
    assert "profile       lab" in before.out and "http://127.0.0.1:9/developers" in before.out
    assert "read-only     yes" in before.out and "db-*" in before.out
    after = offline_cli("info", "--profile", "lab", "--api-url", "http://127.0.0.1:10/developers")
    assert after.code == 0, after
    assert "profile       lab" in after.out and "http://127.0.0.1:10/developers" in after.out
    unknown = offline_cli("--profile", "nope", "info")
    assert unknown.code == 2 and "No profile named 'nope'" in unknown.err


@pytest.mark.parametrize(
    "argv",
    [
        ["get"],
        ["get", "instances", "--bogus"],
        ["snapshots"],
        ["power-off"],
        ["resize", "web-01", "--cpu", "two"],
        ["keys", "create", "--name", "k"],  # --public-key or --public-key-file is required
        ["keys", "create", "--name", "k", "--public-key", "a", "--public-key-file", "b"],
        ["get", "instances", "-o", "xml"],
        ["power-off", "web-01", "-o", "csv"],
        ["completion", "fish"],
    ],
)
def test_usage_errors_exit_2(offline_cli: Cli, argv: list[str]) -> None:
    result = offline_cli(*argv)
    assert result.code == 2, result
    assert result.out == ""
    assert "usage:" in result.err or "error:" in result.err


def test_usage_errors_found_by_the_cli_before_any_request(offline_cli: Cli) -> None:
    """No token and no API: these never get as far as connecting, or say why they cannot."""
    demo = ["--demo"]
    cases = {
        ("get", "bogus"): "unknown resource 'bogus'",
        ("get", "regions", "--status", "active"): "--status does not apply to regions",
        ("get", "instances", "--status", "sleeping"): "--status: one of active, shutdown",
        ("resize", "web-01"): "--product PRODUCT_ID",
        ("fip", "update", "192.0.2.2"): "nothing to update",
        ("create", "--region", "us-utah", "--hostname", "x"): "give a plan",
    }
    for argv, message in cases.items():
        result = offline_cli(*demo, *argv)
        assert result.code == 2, (argv, result)
        assert message in result.err, (argv, result)


def test_no_token_is_an_authentication_failure(offline_cli: Cli) -> None:
    result = offline_cli("get", "instances")
    assert result.code == 4, result
    assert "no API token" in result.err and "--demo" in result.err


def test_sim_passes_its_arguments_through(offline_cli: Cli) -> None:
    result = offline_cli("sim", "--help")
    assert result.code == 0
    assert "usage: cloudzy-tui sim" in result.out and "--job-seconds" in result.out
    bad = offline_cli("sim", "--error-rate", "2")
    assert bad.code == 2 and "--error-rate must be between 0 and 1" in bad.err


def test_bash_completion_completes_commands_resources_and_actions(offline_cli: Cli, tmp_path: Path) -> None:
    script = offline_cli("completion", "bash")
    assert script.code == 0
    path = tmp_path / "completion.bash"
    path.write_text(script.out)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0

    def complete(*words: str) -> list[str]:
        line = "cloudzy-tui " + " ".join(words)
        code = (
            f"source {path}; COMP_WORDS=(cloudzy-tui {' '.join(repr(w) for w in words)}); "
            f"COMP_CWORD={len(words)}; COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}; _shtab_cloudzy_tui; "
            "printf '%s\\n' \"${COMPREPLY[@]}\""
        )
        done = subprocess.run(["bash", "-c", code], capture_output=True, text=True)
        return done.stdout.split()

    assert {"instances", "snapshots", "floating-ips", "ssh-keys", "applications"} <= set(complete("get", ""))
    assert {"power-on", "power-off"} <= set(complete("po"))
    assert set(complete("snapshots", "")) >= {"delete", "restore"}
    assert "--wait" in complete("snapshot", "web-01", "--w")


def test_zsh_completion_script(offline_cli: Cli) -> None:
    script = offline_cli("completion", "zsh")
    assert script.code == 0
    assert script.out.startswith("#compdef cloudzy-tui")
    for word in ("power-off", "snapshots", "instances", "--public-key-file"):
        assert word in script.out
