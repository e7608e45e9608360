"""The local list cache: per account (URL + token + profile, by hash), 0600, list data only, damage discarded."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from cloudzy_tui.api.redact import register_secret
from cloudzy_tui.core.cache import HEAD_ROWS, MAX_AGE, SCHEMA_VERSION, ListCache, account_key, age_text

URL = "https://api.example.test/developers"
TOKEN = "tok-cache-0123456789-secret"
ROWS = [{"id": "a1", "hostname": "web-01", "status": "active"}, {"id": "b2", "hostname": "db-01", "status": "shutdown"}]


class Clock:
    def __init__(self) -> None:
        self.t = 1_764_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "lists.sqlite3"


def test_rows_come_back_with_their_age(path: Path) -> None:
    clock = Clock()
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default", clock=clock)
    assert cache.load("instances") is None
    assert cache.store("instances", ROWS)
    cache.close()
    clock.t += 180
    again = ListCache(path, api_url=URL, token=TOKEN, profile="default", clock=clock)
    cached = again.load("instances")
    assert cached is not None and cached.rows == ROWS
    assert age_text(cached.age(clock())) == "3m"
    again.close()


def test_the_file_is_private_and_holds_no_token(path: Path) -> None:
    register_secret(TOKEN)
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    cache.store("instances", ROWS)
    cache.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    raw = path.read_bytes()
    assert TOKEN.encode() not in raw
    assert b"web-01" in raw  # the list data is what is in it
    assert account_key(URL, TOKEN, "default").encode() in raw


def test_rows_holding_a_secret_are_not_stored(path: Path) -> None:
    password = "Pw-never-cached-8812"
    register_secret(password, "password")
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    assert not cache.store("instances", [{"id": "x", "customerNote": f"root pw {password}"}])
    assert cache.load("instances") is None
    cache.close()
    assert password.encode() not in path.read_bytes()


def test_another_url_token_or_profile_is_another_cache(path: Path) -> None:
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    cache.store("instances", ROWS)
    cache.close()
    for url, token, profile in ((URL + "2", TOKEN, "default"), (URL, TOKEN + "x", "default"), (URL, TOKEN, "work")):
        other = ListCache(path, api_url=url, token=token, profile=profile)
        assert other.load("instances") is None
        other.close()
    same = ListCache(path, api_url=URL + "/", token=TOKEN, profile="default")
    assert same.load("instances") is not None
    same.close()


def test_a_corrupt_file_is_discarded_not_fatal(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    assert cache.usable
    assert cache.load("instances") is None
    assert cache.store("instances", ROWS)
    assert cache.load("instances") is not None
    cache.close()


def test_an_old_schema_is_discarded(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE lists (account TEXT, resource TEXT, rows BLOB)")
    db.execute("INSERT INTO lists VALUES ('k', 'instances', 'x')")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    db.commit()
    db.close()
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    assert cache.usable and cache.load("instances") is None
    assert cache.store("instances", ROWS)
    cache.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_garbage_rows_are_ignored(path: Path) -> None:
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    cache.store("instances", ROWS)
    db = sqlite3.connect(path, isolation_level=None)  # the file spoiled from outside, as another process might
    db.execute("UPDATE lists SET rows = '{not json'")
    assert cache.load("instances") is None
    db.execute("UPDATE lists SET rows = '[1, 2]'")
    assert cache.load("instances") is None
    db.close()
    cache.close()


def test_too_old_lists_are_not_painted(path: Path) -> None:
    clock = Clock()
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default", clock=clock)
    cache.store("instances", ROWS)
    clock.t += MAX_AGE + 1
    assert cache.load("instances") is None
    cache.close()


def test_an_unwritable_place_leaves_no_cache_and_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ListCache(blocker / "sub" / "lists.sqlite3", api_url=URL, token=TOKEN, profile="default")
    assert not cache.usable
    assert cache.load("instances") is None
    assert not cache.store("instances", ROWS)


def test_the_head_of_a_list_is_read_on_its_own(path: Path) -> None:
    rows = [{"id": f"i{n}", "hostname": f"h{n}"} for n in range(500)]
    cache = ListCache(path, api_url=URL, token=TOKEN, profile="default")
    cache.store("instances", rows)
    head = cache.load_head("instances")
    full = cache.load("instances")
    assert head is not None and head.rows == rows[:HEAD_ROWS]
    assert full is not None and full.rows == rows and full.stored_at == head.stored_at
    cache.forget("instances")
    assert cache.load_head("instances") is None and cache.load("instances") is None
    cache.close()
