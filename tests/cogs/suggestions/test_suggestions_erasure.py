"""What an erasure leaves of a member's suggestions: neither their post nor a digest on disk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

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
