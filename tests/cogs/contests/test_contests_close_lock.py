"""The close and the reminder meeting other posts about their contest: the results come after a
reminder still being posted, a reminder that waited for the results is not posted, and a
reminder that waited for the opening says how long is left when it is posted."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.cogs.contests.arena import Arena
from tests.cogs.contests.test_contests_reload_race import (
    Gate,
    haiku_won_by_alice,
    held_before_the_claim,
    held_while_posting,
    wins_told,
)


async def test_a_close_while_the_reminder_is_posted_posts_the_results_after_it(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)  # closes in 2 hours, reminded 1 hour before
    gate = Gate()
    with held_while_posting(arena, "closes in", gate):
        reminding = asyncio.ensure_future(arena.wait(timedelta(hours=1)))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        # The platform takes its time with the reminder; meanwhile the end comes (the platform
        # was down: both jobs run as it comes back) and the close's job runs.
        arena.clock.advance(timedelta(hours=1))
        closing = asyncio.ensure_future(arena.cog.close_contest(1))
        await asyncio.wait({closing}, timeout=1)
        gate.opened.set()
        await closing
        await reminding

    said = [post.text for post in arena.posted("“Haiku”", channel="general")]
    assert ["closes in" in text for text in said[-2:]] == [True, False]
    assert "is closed" in said[-1]
    assert len(arena.posted("is closed")) == 1
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_reminder_that_waited_for_the_results_is_not_posted(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()
    arena.clock.advance(timedelta(hours=2))
    with held_before_the_claim(arena, gate):
        # Both fall due as the platform comes back: the close, first, works out its results
        # slowly (a busy database).
        closing = asyncio.ensure_future(arena.cog.close_contest(1))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        reminding = asyncio.ensure_future(arena.cog.remind_contest(1))
        await asyncio.wait({reminding}, timeout=1)
        gate.opened.set()
        await closing
        await reminding

    assert arena.posted("closes in") == []
    assert len(arena.posted("is closed", channel="general")) == 1


async def test_a_reminder_that_waited_for_the_opening_says_the_time_left_when_posted(
    arena: Arena,
) -> None:
    await arena.veterans("alice")
    # Opens in 1 hour, closes 2 hours later: reminded 1 hour after it opens.
    await arena.run("mod", '/contest_create "Haiku" 2h "" 1h')
    gate = Gate()
    with held_while_posting(arena, "is open", gate):
        opening = asyncio.ensure_future(arena.wait(timedelta(hours=1)))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        # The platform takes its time with the opening; the reminder falls due meanwhile.
        arena.clock.advance(timedelta(hours=1))
        reminding = asyncio.ensure_future(arena.cog.remind_contest(1))
        await asyncio.wait({reminding}, timeout=1)
        arena.clock.advance(timedelta(minutes=30))  # and the opening is posted later still
        gate.opened.set()
        await opening
        await reminding

    said = [post.text for post in arena.posted("“Haiku”", channel="general")]
    assert ["is open" in text for text in said[-2:]] == [True, False]
    assert "closes in 30 minutes" in said[-1]
