"""Write-behind flushes: never cut off in the middle, and a last one when stopping."""

from __future__ import annotations

import asyncio
import logging

from bot.periodic import PeriodicFlush

log = logging.getLogger(__name__)


async def test_stopping_lets_a_flush_in_progress_finish_then_flushes_once_more() -> None:
    events: list[str] = []
    in_progress = asyncio.Event()
    release = asyncio.Event()

    async def flush() -> None:
        events.append("begin")
        if len(events) == 1:
            # The first flush is mid-transaction when the stop comes: a cancellation here
            # would leave its transaction open, holding the database's write lock.
            in_progress.set()
            await release.wait()
        events.append("end")

    flusher = PeriodicFlush("test", lambda: 0.001, flush, log)
    flusher.start()
    await asyncio.wait_for(in_progress.wait(), timeout=10)
    stopping = asyncio.create_task(flusher.stop())
    await asyncio.sleep(0.01)
    assert not stopping.done()  # it waits for the flush in progress
    release.set()
    await asyncio.wait_for(stopping, timeout=10)
    assert events == ["begin", "end", "begin", "end"]


async def test_a_failed_flush_waits_for_the_next_interval() -> None:
    calls = 0
    twice = asyncio.Event()

    async def flush() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            twice.set()
        if calls == 1:
            raise RuntimeError("the database is away")

    flusher = PeriodicFlush("test", lambda: 0.001, flush, log)
    flusher.start()
    await asyncio.wait_for(twice.wait(), timeout=10)
    await flusher.stop()
    assert calls >= 3  # it went on after the failure, and flushed once more at the stop
