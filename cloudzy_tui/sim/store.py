"""The simulated account's state: one ``Store`` shared by every resource module (``sim/resources/``).

The store holds the tables (plain dicts, id -> record; ``record.data`` / ``record["field"]`` is the wire object),
the clock and the scheduler of time-driven transitions, the seeded random streams, and what several resource
families share: id and address allocation, the instance listing order, the lookups that answer 404/409, and the
balance. It knows nothing of HTTP (``app.py``) nor of any one resource's operations (``resources/*``), which
take the store as their first argument. ``Simulator`` (``state.py``) is a seeded store plus the request-facing
parts (request log, counters, faults, rate limiter).

Tables:

- ``instances``     str -> InstanceRecord (deleted ones stay, with status ``deleted``)
- ``snapshots``     str -> SnapshotRecord (``.automated`` marks automated backups)
- ``floating_ips``  str -> Record (released ones stay, ``isDeleted: true``)
- ``isos``, ``images``  str -> DownloadRecord (deleted ones stay, status ``DELETED``)
- ``backups``       instanceId -> Record (profile fields; ``resources.backups.render_backup`` adds the computed ones)
- ``ssh_keys``      int -> Record
- ``regions``, ``products``, ``oses``, ``applications``: id -> wire dict (the catalog, copied from ``catalog``)
- ``balance`` (float), ``customer_id``, ``team_customer_id``, ``scheduler``
"""

from __future__ import annotations

import bisect
import ipaddress
import random
import uuid
from collections.abc import Iterator
from typing import Any

from cloudzy_tui.sim import catalog
from cloudzy_tui.sim.config import SimConfig
from cloudzy_tui.sim.errors import BadRequest, Conflict, LowBalance, NotFound
from cloudzy_tui.sim.records import DownloadRecord, InstanceRecord, Record, Scheduler, SnapshotRecord

#: SSH key ids are integers from this one up
FIRST_SSH_KEY_ID = 101


def _ip_iter(*networks: str) -> Iterator[str]:
    for net in networks:
        for address in ipaddress.ip_network(net).hosts():
            text = str(address)
            if text.endswith((".0", ".1", ".255")):
                continue
            yield text


class Store:
    """The account's state and the allocation, lookup and balance rules every resource family uses."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        seed = config.seed
        # Independent streams, so that (say) fault draws never change the ids of created objects.
        self.rng_ids = random.Random(f"{seed}:ids")
        self.rng_outcomes = random.Random(f"{seed}:outcomes")
        self.scheduler = Scheduler()
        self.balance: float = float(config.balance)
        self.customer_id = ""
        self.team_customer_id = ""
        self.regions: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.oses: dict[str, dict[str, Any]] = {}
        self.applications: dict[str, dict[str, Any]] = {}
        self.ssh_keys: dict[int, Record] = {}
        self.instances: dict[str, InstanceRecord] = {}
        self.snapshots: dict[str, SnapshotRecord] = {}
        self.floating_ips: dict[str, Record] = {}
        self.isos: dict[str, DownloadRecord] = {}
        self.images: dict[str, DownloadRecord] = {}
        self.backups: dict[str, Record] = {}
        # instance listing index: records in ascending ``seq`` (served newest first)
        self._order: list[InstanceRecord] = []
        self._seqs: list[int] = []
        self._next_seq = 1
        self._next_key_id = FIRST_SSH_KEY_ID
        self._used_ips: set[str] = set()
        self._main_ips = _ip_iter("203.0.113.0/24", "198.51.100.0/24", "198.18.0.0/16")
        self._floating_pool = _ip_iter("192.0.2.0/24", "198.19.0.0/16")
        self._ipv6_counter = 0x100
        self.started = self.now()

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        return self.config.now()

    def refresh(self, now: float | None = None) -> int:
        """Apply every transition due by ``now`` (default: the clock). Returns how many ran."""
        return self.scheduler.run_due(self.now() if now is None else now)

    @property
    def step(self) -> float:
        """Seconds one step of an asynchronous transition takes (``config.job_seconds``)."""
        return max(0.0, float(self.config.job_seconds))

    # ------------------------------------------------------------------ ids and addresses
    def new_uuid(self, rng: random.Random | None = None) -> str:
        return str(uuid.UUID(int=(rng or self.rng_ids).getrandbits(128), version=4))

    def new_password(self) -> str:
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#%^*-_"
        return "".join(self.rng_ids.choice(alphabet) for _ in range(20))

    def next_main_ip(self) -> str:
        for address in self._main_ips:
            if address not in self._used_ips:
                self._used_ips.add(address)
                return address
        raise BadRequest("No IPv4 addresses left in the simulator's pools")

    def next_floating_ip(self) -> str:
        for address in self._floating_pool:
            if address not in self._used_ips:
                self._used_ips.add(address)
                return address
        raise BadRequest("No floating IPv4 addresses left in the simulator's pools")

    def next_ipv6(self, region_id: str) -> str:
        self._ipv6_counter += 1
        index = list(self.regions).index(region_id) + 1 if region_id in self.regions else 0
        return f"2001:db8:{index:x}::{self._ipv6_counter:x}"

    def pick_host(self, region_id: str, rng: random.Random) -> str:
        """A physical server of the region (``slc-hv07``), the instances ``host`` filter."""
        return f"{catalog.REGION_HOST.get(region_id, 'node')}-hv{rng.randint(1, 24):02d}"

    def take_ssh_key_id(self) -> int:
        """The next SSH key id (ids are never reused)."""
        key_id = self._next_key_id
        self._next_key_id += 1
        return key_id

    # ------------------------------------------------------------------ the instance listing
    def add_instance(self, record: InstanceRecord) -> InstanceRecord:
        """Store a new instance at the head of the listing (its ``seq`` is set here)."""
        record.seq = self._next_seq
        self._next_seq += 1
        self.instances[record.data["id"]] = record
        self._order.append(record)
        self._seqs.append(record.seq)
        return record

    def instances_newest_first(self, before: int | None = None) -> Iterator[InstanceRecord]:
        """Every stored instance (deleted ones too), newest first; with ``before`` (a ``seq``), only those older."""
        index = len(self._order) - 1 if before is None else bisect.bisect_left(self._seqs, before) - 1
        while index >= 0:
            yield self._order[index]
            index -= 1

    # ------------------------------------------------------------------ lookups shared by the resource families
    def region(self, region_id: str) -> dict[str, Any]:
        region = self.regions.get(region_id)
        if region is None:
            raise NotFound(f"Region '{region_id}' not found")
        return region

    def usable_region(self, region_id: str) -> dict[str, Any]:
        region = self.region(region_id)
        if not region["isActive"]:
            raise BadRequest(f"Region {region['name']} is not active")
        return region

    def live_instance(self, instance_id: str) -> InstanceRecord:
        record = self.instances.get(instance_id)
        if record is None or record.deleted:
            raise NotFound(f"Instance '{instance_id}' not found")
        return record

    def idle_instance(self, instance_id: str, action: str) -> InstanceRecord:
        record = self.live_instance(instance_id)
        if record.busy:
            raise Conflict(
                f"Instance {record['hostname']} is {record['status']}; wait until it settles before {action}"
            )
        return record

    # ------------------------------------------------------------------ balance
    def active_instance_count(self) -> int:
        return sum(1 for r in self.instances.values() if not r.deleted and r.data["userId"] == self.customer_id)

    def available_balance(self) -> float:
        """The balance minus what is held for instances created or upgraded through the API."""
        held = sum(r.reserved for r in self.instances.values() if not r.deleted)
        return round(self.balance - held, 2)

    def ensure_balance(self, required: float) -> None:
        available = self.available_balance()
        if required > available + 1e-9:
            raise LowBalance(required, available, self.active_instance_count())
