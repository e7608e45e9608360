"""Deterministic fakes for the job tracker tests: a clock, a sleep that advances it, and a client that records
every call, can be slowed down, and can be told to fail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from cloudzy_tui.api.errors import NotFoundError


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSleep:
    """Advances the clock by the delay asked for and yields once (no real waiting)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.calls.append(delay)
        self.clock.advance(delay)
        await asyncio.sleep(0)


@dataclass
class Obj:
    id: str
    status: str | None
    name: str = ""
    progress: float | None = None


@dataclass
class FakePage:
    items: list[Any]


Call = tuple[Any, ...]


class FakeResource:
    def __init__(self, client: FakeClient, kind: str) -> None:
        self.client = client
        self.kind = kind
        self.objects: dict[str, Obj] = {}
        #: a server that ignores the status filter returns everything
        self.ignore_filter = False

    def add(self, id: str, status: str | None, name: str = "") -> Obj:
        obj = Obj(id=id, status=status, name=name or id)
        self.objects[id] = obj
        return obj

    def set(self, id: str, status: str | None) -> None:
        self.objects[id].status = status

    def remove(self, id: str) -> None:
        del self.objects[id]

    async def get(self, id: str) -> Obj:
        await self.client.call((self.kind, "get", id))
        if id not in self.objects:
            raise NotFoundError(f"{self.kind} {id} not found", status=404)
        obj = self.objects[id]
        return Obj(id=obj.id, status=obj.status, name=obj.name, progress=obj.progress)

    def pages(self, filters: Any = None, *, status: str | None = None, page_size: int = 100) -> AsyncIterator[FakePage]:
        wanted = status if status is not None else getattr(filters, "status", None)
        return self._pages(wanted, page_size)

    async def _pages(self, status: str | None, page_size: int) -> AsyncIterator[FakePage]:
        page_no = 0
        while True:
            page_no += 1
            await self.client.call((self.kind, "list", status, page_no))
            matching = [
                Obj(id=o.id, status=o.status, name=o.name, progress=o.progress)
                for o in self.objects.values()
                if self.ignore_filter or status is None or o.status == status
            ]
            chunk = matching[(page_no - 1) * page_size : page_no * page_size]
            if not chunk:
                return
            yield FakePage(items=chunk)
            if len(chunk) < page_size:
                return


class FakeClient:
    """Records every request as a tuple: (kind, "get", id) or (kind, "list", status, page_no)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.instances = FakeResource(self, "instance")
        self.snapshots = FakeResource(self, "snapshot")
        self.isos = FakeResource(self, "iso")
        self.images = FakeResource(self, "image")
        #: exceptions to raise on the next requests, in order
        self.fail_next: list[BaseException] = []
        #: a predicate choosing which requests fail_next applies to (default: all)
        self.fail_when: Callable[[Call], bool] = lambda call: True
        #: if set, each request waits for it (a slow server)
        self.gate: asyncio.Event | None = None
        self.active = 0
        self.max_active = 0

    async def call(self, call: Call) -> None:
        self.calls.append(call)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if self.gate is not None:
                await self.gate.wait()
            else:
                await asyncio.sleep(0)
            if self.fail_next and self.fail_when(call):
                raise self.fail_next.pop(0)
        finally:
            self.active -= 1

    def take_calls(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls


class ManualSleep:
    """A sleep that only ends when the test moves the clock past its deadline (``advance``)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []
        self.pending: list[tuple[float, asyncio.Future[None]]] = []

    async def __call__(self, delay: float) -> None:
        self.calls.append(delay)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self.clock.now + delay, future)
        self.pending.append(entry)
        try:
            await future
        finally:
            self.pending.remove(entry)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        for deadline, future in list(self.pending):
            if deadline <= self.clock.now and not future.done():
                future.set_result(None)


async def settle(rounds: int = 20) -> None:
    """Let every ready task run (the fakes never really wait)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
