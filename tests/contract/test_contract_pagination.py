"""Pagination walks and list filters: what the client collects is exactly what the simulator's state says."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from cloudzy_tui.api import (
    CloudzyClient,
    CreateInstanceRequest,
    FloatingIpFilters,
    Instance,
    InstanceFilters,
    IsoDownloadRequest,
    Page,
    SnapshotFilters,
)
from cloudzy_tui.sim import FakeClock, SimConfig, Simulator
from cloudzy_tui.sim.records import InstanceRecord
from cloudzy_tui.sim.state import decode_bookmark

from .conftest import Connect, host, product_id, recording

FLEET = 250


@pytest.fixture
def fleet(sim_clock: FakeClock) -> Simulator:
    """The seeded account plus 250 generated instances (one seeded instance is deleted)."""
    return Simulator(SimConfig(seed=1, token="fleet-token", clock=sim_clock, instances=FLEET, job_seconds=2.0))


def newest_first(sim: Simulator, keep=lambda r: r.data["status"] != "deleted") -> list[str]:  # type: ignore[no-untyped-def]
    records: list[InstanceRecord] = sorted(sim.instances.values(), key=lambda r: r.seq, reverse=True)
    return [r.id for r in records if keep(r)]


async def walk(pages) -> list[Page[Instance]]:  # type: ignore[no-untyped-def]
    return [page async for page in pages]


# ---------------------------------------------------------------------------------------------------- instances


@pytest.mark.parametrize("page_size", [5, 37, 100])
async def test_instance_walk_sees_every_instance_once(connect: Connect, fleet: Simulator, page_size: int) -> None:
    transport = recording(fleet)
    client = connect(fleet, transport=transport)
    expected = newest_first(fleet)
    assert len(expected) == FLEET + 31  # 32 seeded, one of them deleted

    pages = await walk(client.instances.pages(page_size=page_size))

    ids = [i.id for page in pages for i in page.items]
    assert ids == expected  # every instance, once, newest first
    full, rest = divmod(len(expected), page_size)
    assert [len(p.items) for p in pages] == [page_size] * full + ([rest] if rest else [])
    assert len(pages) == math.ceil(len(expected) / page_size)
    # one request per page, and one more that came back empty with the bookmark it was given
    assert len(fleet.requests) == len(pages) + 1
    assert all(r.query["limit"] == str(page_size) for r in fleet.requests)
    assert "bookmark" not in fleet.requests[0].query
    replies = [body["data"] for _, body in transport.exchanges]
    for request, previous in zip(fleet.requests[1:], replies, strict=False):
        assert request.query["bookmark"] == previous["bookmark"]
    assert replies[-1]["instances"] == []
    assert replies[-1]["bookmark"] == fleet.requests[-1].query["bookmark"] == replies[-2]["bookmark"]
    assert [p.next for p in pages] == [r["bookmark"] for r in replies[:-1]]


@pytest.mark.parametrize(("asked", "sent"), [(1, 5), (3, 5), (250, 100)])
async def test_page_size_is_kept_within_the_apis_range(
    connect: Connect, fleet: Simulator, asked: int, sent: int
) -> None:
    client = connect(fleet)
    pages = client.instances.pages(page_size=asked)
    page = await anext(pages)
    await pages.aclose()
    assert len(page.items) == sent and fleet.requests[-1].query["limit"] == str(sent)


async def test_list_all_uses_the_largest_pages(connect: Connect, fleet: Simulator) -> None:
    client = connect(fleet)
    everything = await client.instances.list_all()
    assert [i.id for i in everything] == newest_first(fleet)
    assert len(fleet.requests) == math.ceil(len(everything) / 100) + 1


async def test_walk_while_instances_are_created_and_deleted(connect: Connect, fleet: Simulator) -> None:
    """The bookmark points at a position in the listing, so new instances (at the head) and deleted ones do not
    make the walk skip or repeat anything that was there all along."""
    client = connect(fleet)
    expected = newest_first(fleet)
    seen: list[str] = []
    async for page in client.instances.pages(page_size=40):
        seen += [i.id for i in page.items]
        if len(seen) == 40:
            other = connect(fleet)
            await other.instances.create(
                CreateInstanceRequest(
                    hostnames=["late-arrival"],
                    region="us-utah",
                    os_id="debian-12",
                    product_id=product_id(fleet, "us-utah", "regular-1c-2g"),
                )
            )
            await other.instances.delete(expected[100])
    assert len(seen) == len(set(seen))
    assert seen == [i for i in expected if i != expected[100]]


def _fleet_filter_cases(sim: Simulator) -> list[tuple[InstanceFilters, object]]:
    some = host(sim, "db-primary")
    created = sorted(r.created for r in sim.instances.values())
    start, end = created[40], created[120]
    return [
        (InstanceFilters(status="shutdown"), lambda r: r.data["status"] == "shutdown"),
        (
            InstanceFilters(status="SHUTDOWN", region="nl-amsterdam"),
            lambda r: r.data["status"] == "shutdown" and r.data["region"] == "nl-amsterdam",
        ),
        (InstanceFilters(hostname="FLEET-0001"), lambda r: "fleet-0001" in r.data["hostname"]),
        (InstanceFilters(hostname="web"), lambda r: "web" in r.data["hostname"] and r.data["status"] != "deleted"),
        (
            InstanceFilters(region="de-frankfurt"),
            lambda r: r.data["region"] == "de-frankfurt" and r.data["status"] != "deleted",
        ),
        (InstanceFilters(include_deleted=True), lambda r: True),
        (InstanceFilters(hostname="old-test"), lambda r: False),
        (InstanceFilters(hostname="old-test", include_deleted=True), lambda r: r.data["hostname"] == "old-test"),
        (
            InstanceFilters(
                created_from=datetime.fromtimestamp(start, UTC), created_to=datetime.fromtimestamp(end, UTC)
            ),
            lambda r: int(start) <= int(r.created) <= int(end) and r.data["status"] != "deleted",
        ),
        (
            InstanceFilters(created_from=datetime.fromtimestamp(created[-5], UTC).replace(tzinfo=None)),
            lambda r: int(r.created) >= int(created[-5]) and r.data["status"] != "deleted",
        ),
        (
            InstanceFilters(os_family="Debian"),
            lambda r: r.data["os"]["family"] == "debian" and r.data["status"] != "deleted",
        ),
        (InstanceFilters(user_id=sim.team_customer_id), lambda r: r.data["userId"] == sim.team_customer_id),
        (InstanceFilters(ipv4=some.data["mainIp"]), lambda r: r.id == some.id),
        (InstanceFilters(ipv6=some.data["mainIpv6"].upper()), lambda r: r.id == some.id),
        (InstanceFilters(host=some.host.upper()), lambda r: r.host == some.host and r.data["status"] != "deleted"),
        (InstanceFilters(iso_id=host(sim, "rescue-box").data["isoId"]), lambda r: r.data["hostname"] == "rescue-box"),
    ]


@pytest.mark.parametrize("case", range(16))
async def test_instance_filters(connect: Connect, fleet: Simulator, case: int) -> None:
    filters, keep = _fleet_filter_cases(fleet)[case]
    client = connect(fleet)
    got = [i.id for i in await client.instances.list_all(filters)]
    expected = newest_first(fleet, keep)
    assert got == expected
    assert expected or filters.hostname == "old-test"
    query = fleet.requests[0].query
    for key, value in filters.to_query().items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        assert query[key] == text


async def test_instance_filter_dates_are_sent_as_utc_iso(connect: Connect, fleet: Simulator) -> None:
    client = connect(fleet)
    when = datetime(2025, 6, 1, 12, 30, tzinfo=UTC)
    await client.instances.list_all(InstanceFilters(created_from=when, created_to="2025-09-01T00:00:00+02:00"))
    assert fleet.requests[0].query["createdFrom"] == "2025-06-01T12:30:00Z"
    assert fleet.requests[0].query["createdTo"] == "2025-08-31T22:00:00Z"


async def test_a_bookmark_from_the_api_is_opaque_to_the_client(connect: Connect, fleet: Simulator) -> None:
    client = connect(fleet)
    pages = client.instances.pages(page_size=5)
    first = await anext(pages)
    await pages.aclose()
    assert isinstance(first.next, str)
    decode_bookmark(first.next)  # the simulator's own bookmark came back untouched


# ---------------------------------------------------------------------------------------------------- snapshots


async def test_snapshot_walk(client: CloudzyClient, connect: Connect, simulator: Simulator) -> None:
    for hostname in (
        "web-01",
        "web-02",
        "web-03",
        "db-replica-1",
        "cache-01",
        "worker-03",
        "mail",
        "ci-runner",
        "monitoring",
        "k8s-master",
    ):
        assert await client.snapshots.create(host(simulator, hostname).id) is not None
    expected = [s.id for s in reversed(simulator.snapshots.values()) if not s.automated]
    assert len(expected) == 16
    simulator.requests.clear()

    pages = [p async for p in connect().snapshots.pages(page_size=3)]
    assert [s.id for p in pages for s in p.items] == expected
    assert [len(p.items) for p in pages] == [3, 3, 3, 3, 3, 1]
    assert all(p.total == 16 for p in pages)
    assert [p.next for p in pages] == [2, 3, 4, 5, 6, None]
    assert [(r.query["page"], r.query["limit"]) for r in simulator.requests] == [
        (str(n), "3") for n in range(1, 7)
    ]  # stops when total is reached: no extra request


async def test_snapshot_walk_ending_on_a_full_page(connect: Connect, simulator: Simulator) -> None:
    client = connect()
    pages = [p async for p in client.snapshots.pages(page_size=3)]
    assert [len(p.items) for p in pages] == [3, 3]  # 6 manual snapshots
    assert len(simulator.requests) == 2


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (SnapshotFilters(is_automated_backup=True), lambda s: s.automated),
        (SnapshotFilters(is_automated_backup=False), lambda s: not s.automated),
        (SnapshotFilters(status="FAILED"), lambda s: not s.automated and s.data["status"] == "FAILED"),
        (SnapshotFilters(status="IN_PROGRESS"), lambda s: not s.automated and s.data["status"] == "IN_PROGRESS"),
        (
            SnapshotFilters(is_automated_backup=True, status="ACTIVE"),
            lambda s: s.automated and s.data["status"] == "ACTIVE",
        ),
    ],
)
async def test_snapshot_filters(client: CloudzyClient, simulator: Simulator, filters: SnapshotFilters, keep) -> None:  # type: ignore[no-untyped-def]
    got = [s.id for s in await client.snapshots.list_all(filters)]
    assert got == [s.id for s in reversed(simulator.snapshots.values()) if keep(s)]
    assert got
    for key, value in filters.to_query().items():
        assert simulator.requests[-1].query[key] == (str(value).lower() if isinstance(value, bool) else value)


async def test_snapshot_filter_by_instance(client: CloudzyClient, simulator: Simulator) -> None:
    db = host(simulator, "db-primary").id
    manual = await client.snapshots.list_all(SnapshotFilters(instance_id=db))
    automated = await client.snapshots.list_all(SnapshotFilters(instance_id=db, is_automated_backup=True))
    assert [s.name for s in manual] == ["db-primary-pre-migration"]
    assert len(automated) == 3 and all(s.instance_id == db for s in automated)
    assert simulator.requests[-1].query == {
        "instance_id": db,
        "is_automated_backup": "true",
        "limit": "100",
        "page": "1",
    }


# ---------------------------------------------------------------------------------------------------- ISOs, images


async def test_iso_walk_and_status_filter(client: CloudzyClient, connect: Connect, simulator: Simulator) -> None:
    for n in range(12):
        await client.isos.download(
            IsoDownloadRequest(name=f"iso-{n}", url=f"https://mirror.example.com/{n}.iso", region_id="us-utah")
        )
    simulator.requests.clear()
    walker = connect()
    pages = [p async for p in walker.isos.pages(page_size=5)]
    expected = [r.id for r in reversed(simulator.isos.values()) if r.data["status"] != "DELETED"]
    assert [i.id for p in pages for i in p.items] == expected and len(expected) == 16
    assert [len(p.items) for p in pages] == [5, 5, 5, 1] and {p.total for p in pages} == {16}
    assert len(simulator.requests) == 4

    for status in ("DOWNLOADING", "READY", "FAILED", "DELETED"):
        got = [i.id for i in await walker.isos.list_all(status=status)]
        assert got == [r.id for r in reversed(simulator.isos.values()) if r.data["status"] == status], status
        assert simulator.requests[-1].query["status"] == status
    assert len(await walker.isos.list_all(status="DOWNLOADING")) == 13


async def test_image_walk(client: CloudzyClient, simulator: Simulator) -> None:
    pages = [p async for p in client.images.pages(page_size=3)]
    expected = [r.id for r in reversed(simulator.images.values()) if r.data["status"] != "DELETED"]
    assert [i.id for p in pages for i in p.items] == expected
    assert [(len(p.items), p.total, p.next) for p in pages] == [(3, 4, 2), (1, 4, None)]
    assert [r.query for r in simulator.requests] == [{"limit": "3", "page": "1"}, {"limit": "3", "page": "2"}]


async def test_image_status_filter(client: CloudzyClient, simulator: Simulator) -> None:
    for status, count in (("READY", 2), ("DOWNLOADING", 1), ("FAILED", 1), ("DELETED", 0)):
        images = await client.images.list_all(status=status)
        assert len(images) == count and all(i.status == status for i in images)


# ---------------------------------------------------------------------------------------------------- floating IPs


async def test_floating_ip_walk(client: CloudzyClient, connect: Connect, simulator: Simulator) -> None:
    for region in ("us-utah", "nl-amsterdam", "de-frankfurt"):
        await client.floating_ips.allocate(region, 5)
    simulator.requests.clear()
    pages = [p async for p in connect().floating_ips.pages()]
    expected = [f.id for f in simulator.floating_ips.values() if not f.data["isDeleted"]]
    assert len(expected) == 22
    assert [f.id for p in pages for f in p.items] == expected  # allocation order
    assert [len(p.items) for p in pages] == [10, 10, 2]  # the API's default page size
    assert [r.query for r in simulator.requests] == [{"page": "1"}, {"page": "2"}, {"page": "3"}]


@pytest.mark.parametrize(
    "case",
    ["region", "address", "deleted", "expires_seconds", "expires_millis", "everything"],
)
async def test_floating_ip_filters(client: CloudzyClient, simulator: Simulator, case: str) -> None:
    records = list(simulator.floating_ips.values())
    expiries = sorted(f.data["expiresAt"] for f in records)
    filters, keep = {
        "region": (FloatingIpFilters(region_id="us-utah"), lambda d: d["regionId"] == "us-utah" and not d["isDeleted"]),
        "address": (FloatingIpFilters(address=records[2].data["ipAddress"]), lambda d: d["id"] == records[2].id),
        "deleted": (FloatingIpFilters(include_deleted=True), lambda d: True),
        "expires_seconds": (
            FloatingIpFilters(expires_after=expiries[3]),
            lambda d: d["expiresAt"] > expiries[3] and not d["isDeleted"],
        ),
        "expires_millis": (
            FloatingIpFilters(expires_after=expiries[3] * 1000),
            lambda d: d["expiresAt"] > expiries[3] and not d["isDeleted"],
        ),
        "everything": (
            FloatingIpFilters(region_id="us-utah", include_deleted=True),
            lambda d: d["regionId"] == "us-utah",
        ),
    }[case]
    got = [f.id for f in await client.floating_ips.list_all(filters)]
    assert got == [f.id for f in records if keep(f.data)]
    assert got
    query = simulator.requests[-1].query
    for key, value in filters.to_query().items():
        assert query[key] == (
            str(value).lower() if isinstance(value, bool) else str(int(value)) if isinstance(value, float) else value
        )


# ---------------------------------------------------------------------------------------------------- backups


@pytest.mark.parametrize("status", ["active", "inactive", "pending"])
async def test_backup_status_filter(client: CloudzyClient, simulator: Simulator, status: str) -> None:
    got = [p.instance_id for p in await client.backups.list(status=status)]
    assert got == [k for k, r in simulator.backups.items() if r.data["status"] == status]
    assert got
