"""OffLoop: list walks on a background event loop, pages handed back in order, errors and cancellation crossing over."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from cloudzy_tui.core.offloop import OffLoop


async def test_items_arrive_in_order_from_another_thread() -> None:
    runner = OffLoop()
    threads: list[str] = []

    async def pages() -> AsyncIterator[int]:
        for i in range(5):
            threads.append(threading.current_thread().name)
            await asyncio.sleep(0)
            yield i

    try:
        assert [i async for i in runner.iterate(pages)] == [0, 1, 2, 3, 4]
        assert set(threads) == {"cloudzy-fetch"}
        assert await runner.run(asyncio.sleep(0, result="done")) == "done"
    finally:
        runner.close()
    assert runner.closed and not runner.alive


async def test_errors_cross_over_and_cancellation_stops_the_walk() -> None:
    runner = OffLoop()
    produced: list[int] = []

    async def failing() -> AsyncIterator[int]:
        yield 1
        raise ValueError("page 2 is bad")

    async def endless() -> AsyncIterator[int]:
        i = 0
        while True:
            produced.append(i)
            i += 1
            yield i
            await asyncio.sleep(0.001)

    try:
        seen = []
        with pytest.raises(ValueError, match="page 2 is bad"):
            async for item in runner.iterate(failing):
                seen.append(item)
        assert seen == [1]

        async def consume() -> None:
            async for _ in runner.iterate(endless):
                await asyncio.sleep(0.001)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
        count = len(produced)
        await asyncio.sleep(0.05)
        assert len(produced) == count  # the walk stopped over there too
    finally:
        runner.close()
    assert not runner.alive
