"""A member's data: exported on request, erased on request, in one community only."""

from __future__ import annotations

from datetime import timedelta

from cogs.contests.models import Entry, GiveawayEntry, Vote, Win
from tests.cogs.contests.arena import Arena


async def test_export_and_erase_a_members_contest_data(arena: Arena) -> None:
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Cherry blossom")
    await arena.run("bob", "/vote 1 1")
    await arena.run("alice", "/vote 1 2")
    await arena.run("mod", '/giveaway "Seeds" 1 2h')
    await arena.press("alice", "giveaway:1", arena.posted("Giveaway 1")[0])
    await arena.wait(timedelta(hours=1))
    alice = arena.member("alice").user
    exported = await arena.cog.export_member_data(arena.platform.community, alice)
    assert exported["entries"] == [
        {"contest": 1, "entry": 1, "text": "Old pond", "submitted_at": "2026-11-04T09:00:00+00:00"}
    ]
    assert [vote["entry"] for vote in exported["votes"]] == [2]
    assert [ticket["giveaway"] for ticket in exported["giveaways"]] == [1]
    assert [(win["title"], win["rank"]) for win in exported["wins"]] == [("Haiku", 1)]

    await arena.cog.erase_member_data(arena.platform.community, alice)
    assert await arena.cog.export_member_data(arena.platform.community, alice) == {}
    assert await arena.count(Entry) == 1  # bob's
    assert await arena.count(Vote) == 0  # alice's vote, and bob's vote for her entry
    assert await arena.count(GiveawayEntry) == 0
    assert await arena.count(Win) == 1  # bob's second place
