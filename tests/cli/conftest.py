"""Fixtures of the CLI tests: one simulator process per test module, a fresh HOME and config per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._helpers import Api, Cli, isolated_env, simulator_process


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    """``cloudzy-tui sim`` for the module (jobs take 0.2 s per step): started once, stopped at the end."""
    with simulator_process(0.2) as url:
        yield url


@pytest.fixture
def api(sim_url: str) -> Api:
    return Api(sim_url)


@pytest.fixture
def cli(sim_url: str, tmp_path: Path) -> Cli:
    return Cli(isolated_env(tmp_path, sim_url), tmp_path)


@pytest.fixture
def offline_cli(tmp_path: Path) -> Cli:
    """No API at all: for --help, completion, usage errors and --demo."""
    return Cli(isolated_env(tmp_path, None, token=None), tmp_path)
