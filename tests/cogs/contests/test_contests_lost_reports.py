"""A search for lost announcements (a reload, a start) reports only what may really be lost: not
a post that ended, recording itself, while it reported another, nor one whose record is still
owed because the database stays busy."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Update
from sqlmodel import update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.events import ChannelRef, MessageRef
from cogs.contests.models import Contest
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.conftest import ArenaFactory
from tests.cogs.contests.test_contests_reload_race import haiku_won_by_alice

LOST = "may not have been posted"


async def test_a_reload_does_not_report_a_cancellation_that_ended_while_it_reported_another(
    arena: Arena,
) -> None:
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("mod", '/contest_create "Tanka" 2h')
    await arena.wait(timedelta(minutes=1))
    assert len(arena.posted("is open", channel="general")) == 2
    # Contest 1's opening was lost by an earlier process: the reload reports it.
    async with arena.core.db.session() as session:
        await session.exec(update(Contest).where(Contest.id == 1).values(open_announced_at=None))
        await session.commit()
    post = arena.platform.send
    cancelled_posting = asyncio.Event()
    let_go = asyncio.Event()
    cancel: asyncio.Future[str] | None = None

    async def send(channel: ChannelRef, text: str, **options: Any) -> MessageRef:
        if "“Tanka” is cancelled" in text:
            cancelled_posting.set()
            await let_go.wait()  # the platform takes its time
        if "opening of contest 1" in text:
            # While the reload reports contest 1, the cancellation of contest 2 ends.
            let_go.set()
            assert cancel is not None
            await cancel
        return await post(channel, text, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.platform, "send", send)
        cancel = asyncio.ensure_future(arena.run("mod", "/contest_cancel 2"))
        await asyncio.wait_for(cancelled_posting.wait(), timeout=10)
        await arena.cog.lost_announcements()  # a reload, while contest 2's cancel posts
    assert len(arena.posted("“Tanka” is cancelled.", channel="general")) == 1
    reports = [p.text for p in arena.sent("mod-log") if LOST in p.text]
    assert len(reports) == 1, reports  # contest 1's opening only


async def test_results_whose_record_still_fails_at_the_reload_are_not_reported(
    open_arena: ArenaFactory,
) -> None:
    first = await open_arena()
    await haiku_won_by_alice(first)
    execute = AsyncSession.exec
    fails = 0

    async def busy(session: AsyncSession, statement: Any, *args: Any, **kw: Any) -> Any:
        nonlocal fails
        recording = isinstance(statement, Update) and "SET close_announced_at" in str(statement)
        if fails < 2 and recording:
            fails += 1  # the close's write, then the reload's
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return await execute(session, statement, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "exec", busy)
        await first.wait(timedelta(hours=2))
        await first.cog.lost_announcements()
    assert fails == 2
    assert all(LOST not in post.text for post in first.sent("mod-log"))
