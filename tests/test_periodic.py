"""Write-behind flushes: never cut off in the middle, and a last one when stopping."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.periodic import PeriodicFlush, stopping

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


async def test_a_failed_flush_is_logged_and_waits_for_the_next_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    interval = 0.2
    called_at: list[float] = []
    twice = asyncio.Event()

    async def flush() -> None:
        called_at.append(time.monotonic())
        if len(called_at) == 2:
            twice.set()
        if len(called_at) == 1:
            raise RuntimeError("the database is away")

    flusher = PeriodicFlush("test", lambda: interval, flush, log)
    with caplog.at_level(logging.ERROR, logger=log.name):
        flusher.start()
        await asyncio.wait_for(twice.wait(), timeout=10)
        await flusher.stop()

    # Retrying at once would hammer a database that is away; the next try waits its turn.
    assert called_at[1] - called_at[0] >= interval * 0.9
    assert len(called_at) >= 3  # it went on after the failure, and flushed once more at the stop
    [failure] = [r for r in caplog.records if r.name == log.name]
    assert failure.levelno == logging.ERROR
    assert failure.getMessage() == "test flush failed; retrying at the next interval"
    assert failure.exc_info is not None
    assert str(failure.exc_info[1]) == "the database is away"


async def test_only_the_last_flush_at_stop_knows_that_no_flush_comes_after() -> None:
    """A store refused at the stop's flush must not log its changes as kept for the next one."""
    told: list[bool] = []
    twice = asyncio.Event()

    async def flush() -> None:
        told.append(stopping())
        if len(told) == 2:
            twice.set()

    flusher = PeriodicFlush("test", lambda: 0.001, flush, log)
    flusher.start()
    await asyncio.wait_for(twice.wait(), timeout=10)
    await flusher.stop()

    assert told[-1] is True
    assert not any(told[:-1])
    assert stopping() is False  # the stop's caller goes on as before
