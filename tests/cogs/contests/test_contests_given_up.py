"""A close or a giveaway draw that fails on every try (the database locked for longer than its
retries last) is given up: the mod-log says which, and what to do; a reload then does it. One
that works on a retry says nothing to the mod-log."""

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

from cogs.contests.models import Contest, Giveaway
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.conftest import ArenaFactory
from tests.cogs.contests.test_contests_reload_race import (
    haiku_won_by_alice,
    start_giveaway,
    wins_told,
)
from tests.support.rulebook import edit_section

RETRIES_OVER = timedelta(hours=1)
"""Longer than a job's retries take (1, 5 and 30 minutes after the first try)."""


@contextmanager
def locked_while_claiming(claim: str, tries: int | None = None) -> Iterator[None]:
    """The database is locked each time a close or a draw claims its record (``claim``: the
    column it sets), or only the first ``tries`` times."""
    execute = AsyncSession.exec
    failed = 0

    async def locked(session: AsyncSession, statement: Any, *args: Any, **kw: Any) -> Any:
        nonlocal failed
        claiming = isinstance(statement, Update) and f"SET {claim}" in str(statement)
        if claiming and (tries is None or failed < tries):
            failed += 1
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return await execute(session, statement, *args, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncSession, "exec", locked)
        yield


async def test_a_close_given_up_tells_the_mod_log_and_a_reload_closes_it(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    with locked_while_claiming("closed_at"):
        await arena.wait(timedelta(hours=2) + RETRIES_OVER)

    assert arena.posted("is closed") == []
    [line] = arena.sent("mod-log")
    assert "Contest 1 “Haiku”" in line.text
    assert "still open" in line.text
    assert "/rules_reload" in line.text
    assert "/contest_cancel 1" in line.text
    async with arena.core.db.session() as session:
        contest = await session.get(Contest, 1)
    assert contest is not None
    assert contest.closed_at is None

    # What the line says works: a reload once the database is back closes it.
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(minutes=1))
    [results] = arena.posted("is closed", channel="general")
    assert "1. alice — entry 1, votes: 1" in results.text
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_close_that_works_on_a_retry_tells_the_mod_log_nothing(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    with locked_while_claiming("closed_at", tries=2):
        await arena.wait(timedelta(hours=2) + RETRIES_OVER)

    assert len(arena.posted("is closed", channel="general")) == 1
    assert arena.sent("mod-log") == []
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_draw_given_up_tells_the_mod_log_and_a_reload_draws_it(arena: Arena) -> None:
    await start_giveaway(arena, winners=1)
    with locked_while_claiming("drawn_at"):
        await arena.wait(timedelta(days=1) + RETRIES_OVER)

    assert arena.posted("congratulations") == []
    [line] = arena.sent("mod-log")
    assert "Giveaway 1 (A bag of seeds)" in line.text
    assert "/rules_reload" in line.text
    async with arena.core.db.session() as session:
        giveaway = await session.get(Giveaway, 1)
    assert giveaway is not None
    assert giveaway.drawn_at is None

    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(minutes=1))
    assert len(arena.posted("Giveaway 1 (A bag of seeds): congratulations", "general")) == 1


async def test_a_draw_given_up_and_reloaded_past_the_grace_still_posts_its_winners(
    arena: Arena,
) -> None:
    await start_giveaway(arena, winners=1)
    with locked_while_claiming("drawn_at"):
        await arena.wait(timedelta(days=1) + RETRIES_OVER)
    # The moderators fix the database an hour later: the draw is due for over an hour, which
    # a bot away that long would report missed, the winners to the mod-log only.
    await arena.wait(timedelta(hours=1))
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(minutes=1))
    assert len(arena.posted("Giveaway 1 (A bag of seeds): congratulations", "general")) == 1
    assert [line for line in arena.sent("mod-log") if "offline" in line.text] == []


async def test_a_close_given_up_and_reloaded_past_the_grace_does_not_say_i_was_offline(
    arena: Arena,
) -> None:
    await haiku_won_by_alice(arena)
    with locked_while_claiming("closed_at"):
        await arena.wait(timedelta(hours=2) + RETRIES_OVER)
    await arena.wait(timedelta(hours=1))
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(minutes=1))
    [results] = arena.posted("is closed", channel="general")
    assert "offline" not in results.text
    assert [line for line in arena.sent("mod-log") if "offline" in line.text] == []
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_a_draw_that_works_on_a_retry_tells_the_mod_log_nothing(arena: Arena) -> None:
    await start_giveaway(arena, winners=1)
    with locked_while_claiming("drawn_at", tries=3):
        await arena.wait(timedelta(days=1) + RETRIES_OVER)

    assert len(arena.posted("congratulations")) == 1
    assert arena.sent("mod-log") == []


async def test_a_close_given_up_is_told_in_french(
    open_arena: ArenaFactory, contests_rules: Path
) -> None:
    edit_section(contests_rules, "community", {"locale": "fr"})
    arena = await open_arena()
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haïku" 2h')
    with locked_while_claiming("closed_at"):
        await arena.wait(timedelta(hours=2) + RETRIES_OVER)

    [line] = arena.sent("mod-log")
    assert "Le concours 1 «\u00a0Haïku\u00a0»" in line.text
    assert "/concours_annuler 1" in line.text
