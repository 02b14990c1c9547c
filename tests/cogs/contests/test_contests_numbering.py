"""Every entry gets a number of its own: at the same moment, and after an erasure."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cogs.contests.arena import Arena
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.migrations import GARDEN, migrated_database


async def test_two_members_submitting_at_the_same_moment_both_get_a_number(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    # A database file, as the bot runs on: sessions of an in-memory one share one connection.
    arena = await open_arena(database=tmp_path / "bot.db")
    await arena.veterans("alice", "bob", "carol", "dave")
    await arena.run("mod", '/contest_create "Haiku" 2h')

    # Twice: the second time, each command finds a database connection ready, as in a bot that
    # has been running a while.
    commands = [
        *await asyncio.gather(
            arena.command("alice", "/submit 1 Old pond"),
            arena.command("bob", "/submit 1 Frog jumps"),
        ),
        *await asyncio.gather(
            arena.command("carol", "/submit 1 Sound of water"),
            arena.command("dave", "/submit 1 Autumn moon"),
        ),
    ]

    answers = [sent.text for sent in arena.sent() if sent.details["reply_to"] in commands]
    assert sorted(answers) == [f"Your entry {n} to contest 1 is in." for n in range(1, 5)]
    for number in range(1, 5):
        assert len(arena.posted(f"Entry {number} to contest 1")) == 1


async def test_an_erased_entrys_number_goes_to_no_one_else(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol", "dave")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Frog jumps")
    [bobs_post] = arena.posted("Entry 2 to contest 1, by bob")
    await arena.cog.erase_member_data(arena.platform.community, arena.member("bob").user)

    assert await arena.run("carol", "/submit 1 Sound of water") == (
        "Your entry 3 to contest 1 is in."
    )
    assert await arena.run("dave", "/vote 1 2") == "Contest 1 has no entry 2."
    # The bot's post of bob's entry, with his name and text, is gone too.
    assert [action.target for action in arena.done("delete")] == [bobs_post.details["message"]]


def test_the_migration_counts_on_from_each_contests_highest_entry(tmp_path: Path) -> None:
    with migrated_database(tmp_path, "0008", GARDEN) as database:
        for contest in (1, 2):
            database.write(
                "INSERT INTO contests (id, community_id, title, description, channel_id, "
                "channel_name, created_by, starts_at, ends_at, entries_per_member, "
                "winners, choose_by) VALUES (:id, 1, 'Haiku', '', 'c', '#c', 'u', "
                "'2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes')",
                values={"id": contest},
            )
        for number in (1, 4):
            database.write(
                "INSERT INTO contest_entries (contest_id, number, user_id, user_name, "
                "text, submitted_at) VALUES (1, :number, 'u1', 'alice', 'pond', "
                "'2026-11-02 09:30:00')",
                values={"number": number},
            )
        database.upgrade("0009")
        assert database.rows("SELECT id, last_entry_number FROM contests ORDER BY id") == [
            (1, 4),
            (2, 0),
        ]
        database.downgrade("0008")
        assert "last_entry_number" not in database.columns("contests")
        assert database.rows("SELECT count(*) FROM contest_entries") == [(2,)]
