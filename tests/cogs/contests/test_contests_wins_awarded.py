"""A contest's win earns its contributor points once, whenever the process dies around it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from cogs.contests.models import Win
from cogs.contributors.cog import ContributorsCog
from tests.cogs.contests.arena import Arena, Crash, dying_while_posting
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.rulebook import enable_only


@pytest.fixture
def contests_rules(contests_rules: Path) -> Path:
    """The shipped rule book with the contests and the contributors cogs enabled."""
    enable_only(contests_rules, "contests", "contributors")
    return contests_rules


def contributors(arena: Arena) -> ContributorsCog:
    cog = arena.core.cogs["contributors"]
    assert isinstance(cog, ContributorsCog)
    return cog


async def wins_counted(arena: Arena, name: str) -> int:
    """The contest wins the contributors cog has stored for ``name`` (pending ones written)."""
    stored = await contributors(arena).stored(arena.platform.community, f"id-{name}")
    return sum(row["contest_wins"] for row in stored["daily"])


async def published(arena: Arena) -> list[bool]:
    """Whether each win stored was told to the other cogs."""
    async with arena.core.db.session() as session:
        rows = await session.exec(select(Win.published_at).order_by(col(Win.id)))
        return [at is not None for at in rows]


async def haiku_won_by_alice(arena: Arena) -> None:
    """A two-hour contest with alice's entry and bob's vote for it: closed, alice wins."""
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/vote 1 1")


async def test_a_win_counted_is_kept_by_a_process_killed_right_after(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_won_by_alice(first)
    await first.wait(timedelta(hours=2))
    assert len(first.posted("is closed")) == 1
    # Killed before the contributors' next flush: what waits in memory is lost.
    contributors(first).buffer.take()
    await first.stop()

    second = await open_arena(database=database, platform=first.platform)

    assert await wins_counted(second, "alice") == 1


async def test_a_win_the_process_died_before_publishing_is_counted_at_the_restart(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_won_by_alice(first)
    with dying_while_posting(first.platform, "is closed", went_out=True):
        await first.wait(timedelta(hours=2))  # the win is stored, then the process dies
    assert await wins_counted(first, "alice") == 0
    await first.stop()

    second = await open_arena(database=database, platform=first.platform)

    assert await wins_counted(second, "alice") == 1
    await second.stop()
    third = await open_arena(database=database, platform=first.platform)
    assert await wins_counted(third, "alice") == 1


async def test_a_win_counted_and_not_marked_published_is_not_counted_twice(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_won_by_alice(first)

    async def die(wins: list[Win]) -> None:
        raise Crash

    with pytest.MonkeyPatch.context() as patch:
        # The contributors count the win; the process dies before the contests record it.
        patch.setattr(first.cog, "wins_published", die)
        with pytest.raises(Crash):
            await first.wait(timedelta(hours=2))
    assert await wins_counted(first, "alice") == 1
    await first.stop()

    second = await open_arena(database=database, platform=first.platform)

    # Told again at the start: the contributors knew it already.
    assert await published(second) == [True]
    assert await wins_counted(second, "alice") == 1
    await second.stop()
    third = await open_arena(database=database, platform=first.platform)
    assert await wins_counted(third, "alice") == 1


async def test_every_win_told_is_recorded_as_told_giveaways_too(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    answer = await arena.run("mod", '/giveaway "A bag of seeds" 2 1d')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in ("alice", "bob"):
        await arena.press(name, "giveaway:1", post)

    await arena.wait(timedelta(days=1))

    assert answer.startswith("Giveaway 1 posted")
    assert len(arena.events) == 3  # alice's win, and the giveaway's two places
    assert await published(arena) == [True, True, True]
