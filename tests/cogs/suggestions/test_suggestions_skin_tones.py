"""A 👍 or 👎 with the member's skin tone is their vote, as the plain one is."""

from __future__ import annotations

from bot.platform import Capability
from tests.cogs.suggestions.board import Board
from tests.support.fake_platform import FakePlatform

MEDIUM, LIGHT = "\U0001f3fd", "\U0001f3fb"
"""Skin tones Discord's emoji picker adds to the thumbs a member picks."""


async def tallies(board: Board, number: int) -> tuple[int, int]:
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)
    found = await cog.book.get(community_id, number)  # type: ignore[attr-defined]
    return found.up, found.down


async def test_a_thumb_with_a_skin_tone_is_a_vote(board: Board) -> None:
    # Discord's picker adds the member's chosen skin tone to 👍: "👍🏽" is their 👍.
    await board.run("alice", "/suggest A monthly seed swap in the library")

    await board.react("bob", 1, "👍" + MEDIUM)
    await board.react("carol", 1, "👎" + LIGHT)

    assert await tallies(board, 1) == (1, 1)


async def test_taking_back_a_thumb_with_a_skin_tone_withdraws_the_vote(
    board: Board, platform: FakePlatform
) -> None:
    platform.capabilities = frozenset(Capability) - {Capability.BUTTONS}
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.react("bob", 1, "👍" + MEDIUM)
    await board.react("carol", 1, "👎" + LIGHT)

    await board.react("bob", 1, "👍" + MEDIUM, remove=True)

    assert await tallies(board, 1) == (0, 1)


async def test_another_emoji_with_a_skin_tone_is_no_vote(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")

    await board.react("bob", 1, "👏" + MEDIUM)

    assert await tallies(board, 1) == (0, 0)
