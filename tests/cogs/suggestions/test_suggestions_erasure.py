"""What an erasure leaves of a member's suggestions: neither their post nor a digest on disk;
and what the retention sweep forgets of old suggestions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cogs.suggestions.models import Suggestion, SuggestionVote
from tests.cogs.suggestions.board import Board


async def test_an_erased_suggestions_post_is_deleted(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("bob", "/suggest Workshops on composting for beginners")
    alices, bobs = board.post_of(1), board.post_of(2)
    cog = board.core.cogs["suggestions"]

    await cog.erase_member_data(board.platform.community, board.member("alice").user)

    deleted = [action.target for action in board.done("delete")]
    assert deleted == [alices.details["message"]]
    assert bobs.details["message"] not in deleted


async def test_no_digest_with_members_names_and_texts_is_left_on_disk(
    board: Board, tmp_path: Path
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    files = board.read_files()

    await board.run("mod", "/digest")
    await board.wait(timedelta(days=7))  # the weekly digest too

    posts = [s for s in board.platform.sent() if s.target.id == "leadership"]
    assert len(posts) == 2
    attached = [post.details["file"] for post in posts]
    assert all("A monthly seed swap" in files[path.name] for path in attached)
    assert not any(path.exists() for path in attached)
    left = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert not [path for path in left if "seed swap" in path.read_text(errors="ignore")]


async def _rows(board: Board, model: Any) -> int:
    async with board.core.db.engine.connect() as connection:
        counted = await connection.execute(select(func.count()).select_from(model.__table__))
        return int(counted.scalar_one())


async def test_the_retention_forgets_suggestions_nothing_happened_to_since(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("carol", "/suggest Workshops on composting for beginners")
    await board.run("erin", "/suggest A tool library in the shed")
    await board.run("frank", "/suggest Guided walks along the river")
    for number in (1, 2, 3, 4):
        await board.vote("bob", number, "up")
    await board.run("mod", "/suggestion 1 declined Not this year, sorry")
    await board.run("mod", "/suggestion 3 planned Next spring")
    board.clock.advance(timedelta(days=500))  # the shipped retention is 400 days
    await board.vote("dave", 4, "up")  # still voted on: it stays, however old

    assert await board.core.retention.sweep()

    # Declined long ago, and open with no vote since: texts, authors, comments and votes go.
    answer = await board.run("mod", "/suggestion 1 done")
    assert answer.text == "There is no suggestion #1."
    assert (await board.run("mod", "/suggestion 2 done")).text == "There is no suggestion #2."
    digest = (await board.digest()).text
    assert "seed swap" not in digest
    assert "composting" not in digest
    assert "Not this year" not in digest
    # Planned, and still voted on: they stay, with their votes.
    assert "tool library" in digest
    assert "Guided walks" in digest
    assert await _rows(board, Suggestion) == 2
    assert await _rows(board, SuggestionVote) == 3
    # The numbers forgotten are not given again.
    thanks = await board.run("gina", "/suggest Benches in the orchard")
    assert "#5" in thanks.text
