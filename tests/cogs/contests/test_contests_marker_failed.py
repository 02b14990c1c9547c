"""Results posted whose record of being posted failed (a busy database): not reported to the
moderators as possibly not posted, neither by a reload meanwhile nor at the next start."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Update
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.cogs.contests.conftest import ArenaFactory
from tests.cogs.contests.test_contests_reload_race import haiku_won_by_alice, wins_told

LOST = "may not have been posted"


@contextmanager
def busy_when_marking(column: str) -> Iterator[None]:
    """The database is locked for the first write of ``column`` (the record of a post)."""
    execute = AsyncSession.exec
    failed = False

    async def busy(session: AsyncSession, statement: Any, *args: Any, **kw: Any) -> Any:
        nonlocal failed
        if not failed and isinstance(statement, Update) and f"SET {column}" in str(statement):
            failed = True
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return await execute(session, statement, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "exec", busy)
        yield
    assert failed


@pytest.mark.parametrize("then", ["reload", "retry-and-restart"])
async def test_results_posted_whose_record_failed_are_not_reported_as_lost(
    open_arena: ArenaFactory, tmp_path: Path, then: str
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_won_by_alice(first)
    with busy_when_marking("close_announced_at"):
        await first.wait(timedelta(hours=2))
    [results] = first.posted("is closed", channel="general")
    assert "1. alice — entry 1, votes: 1" in results.text
    if then == "reload":
        assert await first.core.reload_rules() is None
        assert all(LOST not in post.text for post in first.sent("mod-log"))
    await first.wait(timedelta(minutes=2))  # the close's job, tried again
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(days=1))
    assert all(LOST not in post.text for post in second.sent("mod-log"))
    assert len(second.posted("is closed", channel="general")) == 1
    assert wins_told(first) == [("alice", "contest:1", 1)]


async def test_a_cancellation_posted_whose_record_failed_is_done_and_not_reported(
    open_arena: ArenaFactory,
) -> None:
    arena = await open_arena()
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.wait(timedelta(minutes=1))
    with busy_when_marking("cancel_announced_at"):
        answer = await arena.run("mod", "/contest_cancel 1")
    assert answer == "Contest 1 cancelled; nothing more will be announced for it."
    assert len(arena.posted("“Haiku” is cancelled.", channel="general")) == 1
    assert await arena.core.reload_rules() is None
    assert all(LOST not in post.text for post in arena.sent("mod-log"))
