"""Every suggestion gets a number of its own: at the same moment, and after an erasure."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.suggestions.board import Board
from tests.support.fake_platform import FakePlatform
from tests.support.migrations import GARDEN, migrated_database


async def test_two_members_suggesting_at_the_same_moment_both_get_a_number(
    rules_dir: Path, clock: ManualClock, platform: FakePlatform, tmp_path: Path
) -> None:
    # A database file, as the bot runs on: sessions of an in-memory one share one connection.
    core = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        platforms=[platform],
        clock=clock,
    )
    await core.start()
    board = Board(core, platform, clock)
    try:
        await board.run("bob", "/suggest Workshops on composting for beginners")

        # Twice: the second time, each command finds a database connection ready, as in a
        # bot that has been running a while.
        commands = [
            *await asyncio.gather(
                board.command("alice", "/suggest A monthly seed swap in the library"),
                board.command("carol", "/suggest Build a greenhouse behind the shed please"),
            ),
            *await asyncio.gather(
                board.command("dave", "/suggest Label every tree of the orchard twice"),
                board.command("erin", "/suggest A rain barrel under each gutter of the barn"),
            ),
        ]

        answers = [sent.text for sent in platform.sent() if sent.details["reply_to"] in commands]
        assert sorted(answers) == [
            f"Thank you! Your suggestion is #{number}, in #suggestions." for number in range(2, 6)
        ]
        assert len({board.post_of(number).text for number in range(2, 6)}) == 4
    finally:
        await board.stop()


async def test_an_erased_suggestions_number_and_buttons_go_to_no_one_else(board: Board) -> None:
    await board.run("bob", "/suggest Workshops on composting for beginners")
    await board.run("alice", "/suggest A monthly seed swap in the library")
    old_post = board.post_of(2)
    cog = board.core.cogs["suggestions"]
    await cog.erase_member_data(board.platform.community, board.member("alice").user)

    answer = await board.run("carol", "/suggest Build a greenhouse behind the shed please")
    await board.press("dave", "suggestion:2:down", under=old_post)

    assert answer.text == "Thank you! Your suggestion is #3, in #suggestions."
    community_id = await board.core.members.community_id(board.platform.community)
    assert await cog.book.get(community_id, 2) is None  # type: ignore[attr-defined]
    carols = await cog.book.get(community_id, 3)  # type: ignore[attr-defined]
    assert (carols.author_name, carols.up, carols.down) == ("carol", 0, 0)
    answer = await board.run("mod", "/suggestion 2 accepted")
    assert answer.text == "There is no suggestion #2."


def test_the_migration_counts_on_from_the_highest_number_of_a_populated_database(
    tmp_path: Path,
) -> None:
    with migrated_database(tmp_path, "0008", GARDEN) as database:
        for number in (1, 3):
            database.write(
                "INSERT INTO suggestions (community_id, number, author_id, author_name, "
                "text, created_at, up, down, status) VALUES (1, :number, 'u1', 'alice', "
                "'Seed swap', '2026-11-02 09:30:00', 0, 0, 'open')",
                values={"number": number},
            )
        database.upgrade("0009")
        assert database.rows("SELECT community_id, last_number FROM suggestion_counters") == [
            (1, 3)
        ]
        database.downgrade("0008")
        assert "suggestion_counters" not in database.tables()
        assert database.rows("SELECT count(*) FROM suggestions") == [(2,)]
