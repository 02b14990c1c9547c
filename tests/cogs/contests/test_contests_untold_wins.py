"""Wins a close stored while a rule-book reload looked for untold ones: each is told to the
other cogs once, and soon, whether the close ends well, fails or is cancelled, and however the
reload's reading and the close's end interleave."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.events import ContestClosed, Event
from cogs.contests import base
from cogs.contests.models import Contest, Giveaway
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.test_contests_reload_race import (
    Gate,
    all_told,
    haiku_won_by_alice,
    held_while_posting,
    held_while_told,
    meanwhile,
    reloading,
    start_giveaway,
    wins_told,
)


@contextmanager
def busy_while_recording(arena: Arena, column: str) -> Iterator[None]:
    """The database is busy when the bot records the announcement ``column`` was made."""
    announced = arena.cog.announced

    async def busy(table: type[Contest] | type[Giveaway], record_id: int, done: str) -> None:
        if done == column:
            raise RuntimeError("database is locked")
        await announced(table, record_id, done)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.cog, "announced", busy)
        yield


async def test_a_close_that_fails_after_a_reload_skipped_its_win_tells_it_at_once(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()
    with (
        busy_while_recording(arena, "close_announced_at"),
        held_while_posting(arena, "is closed", gate),
    ):
        # The reload skips the win as the close's own; the close then fails before telling it.
        await meanwhile(gate, arena.wait(timedelta(hours=2)), reloading(arena))

    assert len(arena.posted("is closed", channel="general")) == 1
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await all_told(arena)
    await arena.wait(timedelta(days=3))  # the close's job, tried again, has nothing to do
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_draw_whose_recording_fails_after_telling_tells_its_winners_again_once(
    arena: Arena,
) -> None:
    await start_giveaway(arena, winners=1)
    recorded = arena.cog.wins_published
    failures = 0

    async def busy_once(wins: Any) -> None:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise RuntimeError("database is locked")
        await recorded(wins)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.cog, "wins_published", busy_once)
        await arena.wait(timedelta(days=1))
    assert await all_told(arena)
    # Told, not recorded, told again (the contributors count each win once): not a third time.
    [first, second] = wins_told(arena)
    assert first == second
    assert first[1:] == ("giveaway:1", 1)
    assert await arena.core.reload_rules() is None
    assert len(wins_told(arena)) == 2


async def test_a_close_that_is_cancelled_leaves_its_win_to_the_next_start(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()
    with held_while_posting(arena, "is closed", gate):
        closing = asyncio.ensure_future(arena.cog.close(1, announce=True))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        assert "contest:1" in base.TELLING
        closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
    assert "contest:1" not in base.TELLING
    assert "contest:1:close" not in base.ANNOUNCING
    assert wins_told(arena) == []

    assert await arena.core.reload_rules() is None  # as the next start does
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_close_that_ends_while_a_reload_reads_the_untold_wins_is_told_once(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)
    told = Gate()
    held_while_told(arena, told)
    read = Gate()
    execute = AsyncSession.exec

    async def slow_read(session: AsyncSession, statement: Any, *args: Any, **kw: Any) -> Any:
        result = await execute(session, statement, *args, **kw)
        sql = str(statement)
        if isinstance(statement, Select) and "contest_wins" in sql and "published_at IS" in sql:
            # The reload has read the win untold while the close tells it; the close ends
            # (told, recorded, let go) before the reload looks at what closes are telling.
            told.opened.set()
            await read.stop_here()
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "exec", slow_read)
        closing = asyncio.ensure_future(arena.wait(timedelta(hours=2)))
        await asyncio.wait_for(told.reached.wait(), timeout=10)
        reload = asyncio.ensure_future(arena.core.reload_rules())
        await asyncio.wait_for(read.reached.wait(), timeout=10)
        await closing
        assert "contest:1" not in base.TELLING
        read.opened.set()
        assert await reload is None

    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await all_told(arena)


async def test_a_close_job_run_again_while_the_close_posts_leaves_the_win_to_it(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()

    async def job_run_again_and_a_reload() -> None:
        await arena.cog.close_contest(contest_id=1)  # finds the contest closed: nothing to do
        assert await arena.core.reload_rules() is None

    with held_while_posting(arena, "is closed", gate):
        await meanwhile(gate, arena.wait(timedelta(hours=2)), job_run_again_and_a_reload)

    assert len(arena.posted("is closed", channel="general")) == 1
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await all_told(arena)
    assert arena.sent("mod-log") == []


@contextmanager
def close_fails_before_telling(arena: Arena) -> Iterator[None]:
    """The database is busy when a close that stored its wins comes to tell them."""

    async def busy(*args: Any) -> None:
        raise RuntimeError("database is locked")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.cog, "publish_wins", busy)
        yield


@contextmanager
def telling_fails(arena: Arena) -> Iterator[None]:
    """The database is busy too when a failed close or draw reads which of its wins to tell."""

    async def busy(*args: Any) -> Any:
        raise RuntimeError("database is locked")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.cog, "still_untold", busy)
        yield


async def test_a_close_whose_telling_fails_too_has_its_win_told_when_its_job_is_tried_again(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)
    with close_fails_before_telling(arena), telling_fails(arena):
        await arena.wait(timedelta(hours=2))
    assert "contest:1" not in base.TELLING
    assert wins_told(arena) == []

    await arena.wait(timedelta(minutes=10))  # the close's job, tried again, finds it closed
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await all_told(arena)
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(days=1))
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_draw_whose_telling_fails_too_has_its_winner_told_when_its_job_is_tried_again(
    arena: Arena,
) -> None:
    await start_giveaway(arena, winners=1)

    async def busy(wins: Any) -> None:
        raise RuntimeError("database is locked")

    with telling_fails(arena), pytest.MonkeyPatch.context() as patch:
        # Told, then not recorded as told, and not read again after the draw failed.
        patch.setattr(arena.cog, "wins_published", busy)
        await arena.wait(timedelta(days=1))
    assert "giveaway:1" not in base.TELLING
    [told] = wins_told(arena)
    assert told[1:] == ("giveaway:1", 1)
    assert not await all_told(arena)

    await arena.wait(timedelta(minutes=10))  # the draw's job, tried again, finds it drawn
    # Told again, and recorded (the contributors count each win once): not a third time.
    assert wins_told(arena) == [told, told]
    assert await all_told(arena)
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(days=1))
    assert wins_told(arena) == [told, told]


async def test_a_close_job_run_again_while_a_reload_tells_the_win_leaves_it_to_the_reload(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)
    with close_fails_before_telling(arena), telling_fails(arena):
        await arena.wait(timedelta(hours=2))
    assert wins_told(arena) == []
    told = Gate()
    held_while_told(arena, told)

    reload = asyncio.ensure_future(arena.core.reload_rules())
    await asyncio.wait_for(told.reached.wait(), timeout=10)
    await arena.cog.close_contest(contest_id=1)  # the job tried again, as the reload tells
    told.opened.set()
    assert await reload is None

    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await all_told(arena)


async def test_a_close_whose_results_record_fails_still_tells_the_other_cogs_once(
    arena: Arena,
) -> None:
    # The reports count closed contests: a try again finds it closed, and would never tell.
    closed: list[Event] = []

    async def listen(event: Event) -> None:
        closed.append(event)

    arena.core.bus.subscribe("core", ContestClosed, listen)  # "core" serves every community
    await haiku_won_by_alice(arena)
    with busy_while_recording(arena, "close_announced_at"):
        await arena.wait(timedelta(hours=2))
    assert len(closed) == 1
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    await arena.wait(timedelta(hours=1))  # the job tried again records the results posted
    assert len(closed) == 1
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert len(arena.posted("is closed", channel="general")) == 1
