"""A suggestion never posted (refused, slow to be refused, or kept unposted by an earlier
version) is not what a member with the same idea is pointed to."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.events import ChannelRef, MessageRef
from bot.platform import PlatformError
from tests.cogs.suggestions.board import Board


async def test_a_suggestion_refused_while_another_member_suggested_the_same_is_not_pointed_to(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = board.platform.send
    entered, release = asyncio.Event(), asyncio.Event()

    async def sending(channel: ChannelRef, text: str, **options: Any) -> MessageRef:
        if channel.id == "suggestions" and "by alice" in text:
            entered.set()
            await release.wait()  # the platform takes its time, then refuses
            raise PlatformError(
                "send",
                "cannot_post_in",
                community=board.platform.community,
                channel="#suggestions",
            )
        return await send(channel, text, **options)

    monkeypatch.setattr(board.platform, "send", sending)
    alice = asyncio.create_task(board.run("alice", "/suggest A monthly seed swap in the library"))
    await asyncio.wait_for(entered.wait(), 10)

    bob = asyncio.create_task(board.run("bob", "/suggest A monthly seed swap in the library"))
    # bob's /suggest waits for alice's to be posted or refused (before the fix, it answered).
    await asyncio.wait({bob}, timeout=0.5)
    release.set()
    await alice
    told = await asyncio.wait_for(bob, 10)

    # #1 was never posted and is discarded: bob is not sent to a suggestion nobody can see,
    # his own is posted.
    assert not told.text.startswith("This looks like suggestion #1"), told.text
    assert "#2" in told.text, told.text


async def test_two_members_suggesting_the_same_at_once_post_it_once(board: Board) -> None:
    alice = board.run("alice", "/suggest A monthly seed swap in the library")
    bob = board.run("bob", "/suggest A monthly seed swap in the library")

    _, second = await asyncio.gather(alice, bob)

    posted = [sent.text for sent in board.sent("suggestions") if "seed swap" in sent.text]
    assert len(posted) == 1, posted
    assert second.text.startswith("This looks like suggestion #1"), second.text


async def test_a_suggestion_an_earlier_version_kept_unposted_is_not_pointed_to(
    board: Board,
) -> None:
    # Before 566ac7e a suggestion the channel refused was kept, with no post: such rows remain.
    await board.say("mod", "hello")  # the bot has met the community
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)
    await cog.book.create(  # type: ignore[attr-defined]
        community_id,
        author_id="alice",
        author_name="alice",
        text="A monthly seed swap in the library",
        at=board.clock.now(),
    )

    bob = await board.run("bob", "/suggest A monthly seed swap in the library")

    assert not bob.text.startswith("This looks like suggestion #1"), bob.text
    assert "#2" in bob.text, bob.text


async def test_the_digest_leaves_out_a_suggestion_an_earlier_version_kept_unposted(
    board: Board,
) -> None:
    await board.say("mod", "hello")  # the bot has met the community
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)
    await cog.book.create(  # type: ignore[attr-defined]
        community_id,
        author_id="alice",
        author_name="alice",
        text="A monthly seed swap in the library",
        at=board.clock.now(),
    )
    await board.run("bob", "/suggest Workshops on composting for beginners")

    answer = await board.run("mod", "/digest")

    # Leadership would read #1 as put to the vote, and nobody for it: members never saw it.
    [posted] = board.sent("leadership")
    assert "seed swap" not in posted.text, posted.text
    assert "#2 Workshops on composting for beginners" in posted.text, posted.text
    assert "(1 suggestion)" in answer.text, answer.text
