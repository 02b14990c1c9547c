"""Contest wins are counted at once and once, and forgotten with the member's other data."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from bot.events import ContestWon
from cogs.contributors.models import CountedWin
from tests.cogs.contributors.forum import Forum


async def won(forum: Forum, name: str, contest_id: str = "contest:7") -> None:
    """The contests cog tells that ``name`` won ``contest_id``."""
    await forum.core.handle(
        ContestWon(
            at=forum.clock.now(), member=forum.member(name), contest_id=contest_id, title="Photo"
        )
    )


async def wins_of(forum: Forum, name: str) -> int:
    stored = await forum.cog.stored(forum.platform.community, f"id-{name}")
    return sum(row["contest_wins"] for row in stored["daily"])


async def records(forum: Forum) -> int:
    async with forum.core.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(CountedWin))).one())


async def test_a_win_told_again_is_counted_once(forum: Forum) -> None:
    await won(forum, "ivan")
    # Written at once: nothing waits in the buffer for it.
    assert len(forum.cog.buffer) == 0

    await won(forum, "ivan")  # told again after a restart
    await won(forum, "ivan", "contest:8")

    assert await wins_of(forum, "ivan") == 2
    assert "1. ivan — 20 pts (2 contest wins)" in await forum.run("alice", "/top")


async def test_a_win_of_a_member_who_opted_out_counts_nothing(forum: Forum) -> None:
    await forum.say("ivan", "Water it the day before and loosen the root ball gently.")
    await forum.run("ivan", "/contributors_optout")

    await won(forum, "ivan")

    assert await wins_of(forum, "ivan") == 0
    assert await records(forum) == 0


async def test_the_wins_counted_go_with_the_member_and_with_their_days(forum: Forum) -> None:
    community = forum.platform.community
    await won(forum, "ivan")
    await won(forum, "hana")
    await forum.cog.erase(community, "id-ivan")
    assert await records(forum) == 1

    forum.clock.advance(timedelta(days=2))
    await forum.cog.forget_before(community, forum.clock.now() - timedelta(days=1))

    assert await records(forum) == 0


async def test_a_member_s_data_lists_the_wins_counted(forum: Forum) -> None:
    await won(forum, "ivan")
    await won(forum, "ivan", "challenge:3")
    exported = await forum.cog.export_member_data(
        forum.platform.community, forum.member("ivan").user
    )
    day = forum.clock.now().date().isoformat()
    assert exported["contributions"]["wins"] == [
        {"day": day, "contest": "contest:7"},
        {"day": day, "contest": "challenge:3"},
    ]
