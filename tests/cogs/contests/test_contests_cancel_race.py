"""``/contest_cancel`` meeting a phase: the opening posted while the cancel claims the contest
is followed by the cancellation, a close still working out its results gives way to it, and a
cancel the database did not take is not reported done."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Update
from sqlmodel.ext.asyncio.session import AsyncSession

from cogs.contests import base
from cogs.contests.models import Win
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.test_contests_reload_race import (
    Gate,
    cancel_held_after_reading,
    haiku_won_by_alice,
    held_before_the_claim,
    held_while_posting,
    wins_told,
)

CANCELLED = "Contest 1 cancelled; nothing more will be announced for it."


async def test_a_cancel_that_meets_the_opening_posts_the_cancellation(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 2h "" 1h')
    assert arena.posted("is open") == []
    gate = Gate()
    with cancel_held_after_reading(arena, gate):
        cancelling = asyncio.ensure_future(arena.run("mod", "/contest_cancel 1"))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        await arena.wait(timedelta(hours=1))  # the opening is claimed and posted
        gate.opened.set()
        answer = await cancelling

    assert answer == CANCELLED
    assert len(arena.posted("is open", channel="general")) == 1
    # Members saw it open: they see it cancelled.
    assert len(arena.posted("“Haiku” is cancelled.", channel="general")) == 1
    await arena.wait(timedelta(days=1))
    assert arena.posted("is closed") == []


async def test_a_cancel_while_the_close_works_out_the_results_wins(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()
    with held_before_the_claim(arena, gate):
        closing = asyncio.ensure_future(arena.wait(timedelta(hours=2)))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        answer = await arena.run("mod", "/contest_cancel 1")
        gate.opened.set()
        await closing

    assert answer == CANCELLED
    assert len(arena.posted("is cancelled", channel="general")) == 1
    assert arena.posted("is closed") == []
    assert wins_told(arena) == []
    assert await arena.count(Win) == 0
    assert await arena.core.reload_rules() is None
    assert arena.sent("mod-log") == []
    assert "contest:1" not in base.TELLING


async def test_a_cancel_the_database_did_not_take_is_not_reported_done(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    execute = AsyncSession.exec

    async def untaken(session: AsyncSession, statement: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(statement, Update) and "SET cancelled_at" in str(statement):
            return await execute(session, statement.where(False), *args, **kw)
        return await execute(session, statement, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "exec", untaken)
        answer = await arena.run("mod", "/contest_cancel 1")

    assert answer.startswith("Something went wrong with /contest_cancel")
    assert arena.posted("is cancelled") == []
    # Still running, with its phases: it closes on time.
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed", channel="general")
    assert "1. alice — entry 1, votes: 1" in results.text
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_cancel_whose_database_fails_once_it_has_claimed_is_done_whole_or_not_at_all(
    arena: Arena,
) -> None:
    """The database failing right after the cancel's claim (busy, a lost connection) must not
    leave the contest cancelled with its phases dropped and members never told."""
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 2h "" 1h')
    await arena.wait(timedelta(hours=1))
    execute = AsyncSession.exec
    claimed = False

    async def busy_after_the_claim(
        session: AsyncSession, statement: Any, *args: Any, **kw: Any
    ) -> Any:
        nonlocal claimed
        if claimed:
            claimed = False
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        result = await execute(session, statement, *args, **kw)
        claimed = isinstance(statement, Update) and "SET cancelled_at" in str(statement)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "exec", busy_after_the_claim)
        await arena.run("mod", "/contest_cancel 1")
    answer = await arena.run("mod", "/contest_cancel 1")

    assert answer == CANCELLED
    assert len(arena.posted("is cancelled", channel="general")) == 1


@pytest.mark.parametrize("phase", ["is open", "closes in"])
async def test_a_cancel_while_a_phase_is_posted_is_posted_after_it(
    arena: Arena, phase: str
) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 2h "" 1h')
    if phase == "closes in":
        await arena.wait(timedelta(hours=1))
        assert len(arena.posted("is open", channel="general")) == 1
    gate = Gate()
    with held_while_posting(arena, phase, gate):
        # The opening (or the reminder) is claimed, and the platform takes its time to post it.
        moving = asyncio.ensure_future(arena.wait(timedelta(hours=2, minutes=30)))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        cancelling = asyncio.ensure_future(arena.run("mod", "/contest_cancel 1"))
        await asyncio.wait({cancelling}, timeout=1)
        gate.opened.set()
        answer = await cancelling
        await moving

    assert answer == CANCELLED
    said = [post.text for post in arena.posted("“Haiku”", channel="general")]
    assert [phase in text for text in said[-2:]] == [True, False]
    assert "“Haiku” is cancelled." in said[-1]
    assert len(arena.posted("is cancelled")) == 1
    assert arena.posted("is closed") == []
