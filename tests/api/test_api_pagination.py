"""Pagination walks: bookmark (instances) and page number (snapshots, floating IPs, ISOs, images)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cloudzy_tui.api import CloudzyClient, FloatingIpFilters, InstanceFilters, Page, Snapshot, SnapshotFilters, _base

from ._helpers import Recorder, envelope

MakeClient = Callable[..., CloudzyClient]


def inst(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "hostname": f"h-{i}"} for i in ids]


def params(rec: Recorder) -> list[dict[str, str]]:
    return [dict(r.url.params) for r in rec.requests]


async def walk(pages: Any) -> list[Page[Any]]:
    return [page async for page in pages]


# -- bookmark --------------------------------------------------------------------------------------------------


async def test_bookmark_walk_until_an_empty_page(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"instances": inst("a", "b"), "bookmark": "B1"}),
        envelope({"instances": inst("c"), "bookmark": "B2"}),
        envelope({"instances": [], "bookmark": "B3"}),
    )
    pages = await walk(make_client(rec).instances.pages(page_size=2))
    assert [[i.id for i in p.items] for p in pages] == [["a", "b"], ["c"]]
    assert [p.next for p in pages] == ["B1", "B2"]
    assert params(rec) == [{"limit": "5"}, {"limit": "5", "bookmark": "B1"}, {"limit": "5", "bookmark": "B2"}]


async def test_bookmark_repeated_stops(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"instances": inst("a"), "bookmark": "B1"}),
        envelope({"instances": inst("b"), "bookmark": "B1"}),
        envelope({"instances": inst("z"), "bookmark": "B9"}),
    )
    items = await make_client(rec).instances.list_all()
    assert [i.id for i in items] == ["a", "b"] and rec.count == 2


async def test_bookmark_cycle_stops(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"instances": inst("a"), "bookmark": "B1"}),
        envelope({"instances": inst("b"), "bookmark": "B2"}),
        envelope({"instances": inst("c"), "bookmark": "B1"}),
        envelope({"instances": inst("z"), "bookmark": "B2"}),
    )
    assert [i.id for i in await make_client(rec).instances.list_all()] == ["a", "b", "c"]
    assert rec.count == 3


@pytest.mark.parametrize("bookmark", [None, "", "absent"])
async def test_missing_bookmark_stops_after_the_page(make_client: MakeClient, bookmark: str | None) -> None:
    data: dict[str, Any] = {"instances": inst("a", "b")}
    if bookmark != "absent":
        data["bookmark"] = bookmark
    rec = Recorder(envelope(data))
    pages = await walk(make_client(rec).instances.pages())
    assert len(pages) == 1 and pages[0].next is None and rec.count == 1


async def test_empty_first_page_is_yielded_once(make_client: MakeClient) -> None:
    rec = Recorder(envelope({"instances": [], "bookmark": "B1"}))
    pages = await walk(make_client(rec).instances.pages())
    assert pages == [Page(items=[], total=None, next=None)]
    rec = Recorder(envelope(None))
    assert await make_client(rec).instances.list_all() == []


async def test_server_ignoring_the_bookmark_stops(make_client: MakeClient) -> None:
    same = envelope({"instances": inst("a", "b"), "bookmark": "B1"})
    rec = Recorder(lambda request: same)
    items = await make_client(rec).instances.list_all()
    assert [i.id for i in items] == ["a", "b"] and rec.count == 2


async def test_page_size_is_clamped_and_filters_go_on_every_page(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"instances": inst("a"), "bookmark": "B1"}),
        envelope({"instances": [], "bookmark": "B2"}),
    )
    filters = InstanceFilters(status="active", include_deleted=False)
    await walk(make_client(rec).instances.pages(filters, page_size=1000))
    assert params(rec) == [
        {"status": "active", "includeDeleted": "false", "limit": "100"},
        {"status": "active", "includeDeleted": "false", "limit": "100", "bookmark": "B1"},
    ]


async def test_list_all_drops_duplicates_across_pages(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"instances": inst("a", "b"), "bookmark": "B1"}),
        envelope({"instances": inst("b", "c"), "bookmark": "B2"}),
        envelope({"instances": [], "bookmark": "B3"}),
    )
    assert [i.id for i in await make_client(rec).instances.list_all()] == ["a", "b", "c"]


async def test_a_data_list_instead_of_an_object_is_accepted(make_client: MakeClient) -> None:
    rec = Recorder(envelope(inst("a", "b")))
    assert [i.id for i in await make_client(rec).instances.list_all()] == ["a", "b"]


async def test_the_hard_cap_stops_an_endless_server(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_base, "MAX_PAGES", 4)
    counter = iter(range(10_000))

    def endless(request: httpx.Request) -> httpx.Response:
        n = next(counter)
        return envelope({"instances": inst(f"i{n}"), "bookmark": f"B{n}", "snapshots": inst(f"s{n}")})

    rec = Recorder(endless)
    assert len(await make_client(rec).instances.list_all()) == 4 and rec.count == 4


# -- page numbers ----------------------------------------------------------------------------------------------


async def test_page_walk_stops_when_total_is_reached(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"snapshots": inst("a", "b"), "total": "5"}),
        envelope({"snapshots": inst("c", "d"), "total": 5}),
        envelope({"snapshots": inst("e"), "total": 5}),
        envelope({"snapshots": inst("zzz"), "total": 5}),
    )
    filters = SnapshotFilters(instance_id="i-1")
    pages = await walk(make_client(rec).snapshots.pages(filters, page_size=2))
    assert [[s.id for s in p.items] for p in pages] == [["a", "b"], ["c", "d"], ["e"]]
    assert [p.total for p in pages] == [5, 5, 5] and [p.next for p in pages] == [2, 3, None]
    assert params(rec) == [{"instance_id": "i-1", "limit": "2", "page": str(n)} for n in (1, 2, 3)]
    assert all(isinstance(s, Snapshot) for p in pages for s in p.items)


async def test_page_walk_without_total_stops_on_an_empty_page(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"isos": inst("a")}),
        envelope({"isos": inst("b")}),
        envelope({"isos": []}),
    )
    assert [i.id for i in await make_client(rec).isos.list_all("READY")] == ["a", "b"]
    assert params(rec)[2] == {"status": "READY", "limit": "100", "page": "3"}


async def test_server_ignoring_page_is_detected(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cloudzy_tui.api")
    same = envelope({"images": inst("a", "b")})
    rec = Recorder(lambda request: same)
    pages = await walk(make_client(rec).images.pages())
    assert len(pages) == 1 and rec.count == 2
    assert any("ignores 'page'" in r.getMessage() for r in caplog.records)


async def test_server_ignoring_page_with_a_large_total_is_detected(make_client: MakeClient) -> None:
    same = envelope({"floatingIps": inst("a"), "total": 100})
    rec = Recorder(lambda request: same)
    assert [f.id for f in await make_client(rec).floating_ips.list_all()] == ["a"]
    assert rec.count == 2


async def test_floating_ips_send_only_page(make_client: MakeClient) -> None:
    rec = Recorder(
        envelope({"floatingIps": inst("f1"), "total": 2}),
        envelope({"floatingIps": inst("f2"), "total": 2}),
    )
    filters = FloatingIpFilters(region_id="r", include_deleted=True)
    assert [f.id for f in await make_client(rec).floating_ips.list_all(filters)] == ["f1", "f2"]
    assert params(rec) == [
        {"region_id": "r", "include_deleted": "true", "page": "1"},
        {"region_id": "r", "include_deleted": "true", "page": "2"},
    ]


async def test_page_walk_hard_cap(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_base, "MAX_PAGES", 3)
    counter = iter(range(10_000))
    rec = Recorder(lambda request: envelope({"snapshots": inst(f"s{next(counter)}")}))
    pages = await walk(make_client(rec).snapshots.pages())
    assert len(pages) == 3 and pages[-1].next is None and rec.count == 3


async def test_bad_items_in_a_page_are_skipped(make_client: MakeClient) -> None:
    rec = Recorder(envelope({"snapshots": [{"id": "ok"}, {"noid": 1}, 7], "total": 3}))
    pages = await walk(make_client(rec).snapshots.pages())
    assert [s.id for s in pages[0].items] == ["ok"]
    assert rec.count == 1  # three raw items seen: the total is reached
