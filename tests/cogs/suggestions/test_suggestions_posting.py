"""A suggestion the suggestions channel refused is not announced, kept, nor pointed to; an author
told in the channel reads their locale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.events import ChannelRef, MessageRef
from bot.platform import PlatformError
from tests.cogs.suggestions.board import Board


def refusing_the_channel(board: Board, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the platform refuses every post in #suggestions."""
    send = board.platform.send

    async def sending(channel: ChannelRef, text: str, **options: Any) -> MessageRef:
        if channel.id == "suggestions":
            raise PlatformError(
                "send",
                "cannot_post_in",
                community=board.platform.community,
                channel="#suggestions",
            )
        return await send(channel, text, **options)

    monkeypatch.setattr(board.platform, "send", sending)


async def test_a_suggestion_the_channel_refused_is_not_announced_as_posted(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = board.platform.send
    refusing_the_channel(board, monkeypatch)

    answer = await board.run("alice", "/suggest A monthly seed swap in the library")

    assert not board.sent("suggestions")
    # Nothing is in #suggestions: alice must not be thanked for a post nobody can see or vote on.
    assert answer.text == (
        "Your suggestion could not be posted in #suggestions, so it was not kept: "
        "tell a moderator, then try again."
    )
    # The moderators read why in the mod-log.
    assert any("#suggestions" in sent.text for sent in board.sent("mod-log"))
    # And the next member with the same idea must not be sent to an invisible #1.
    monkeypatch.setattr(board.platform, "send", send)
    again = await board.run("bob", "/suggest A monthly seed swap in the library")
    assert not again.text.startswith("This looks like suggestion #1")
    # The number of the one refused stays taken, as a number is never given twice.
    assert again.text == "Thank you! Your suggestion is #2, in #suggestions."
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)
    assert await cog.book.get(community_id, 1) is None  # type: ignore[attr-defined]


async def test_a_french_suggestion_the_channel_refused_is_refused_in_french(
    board: Board, rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await board.core.reload_rules() is None
    refusing_the_channel(board, monkeypatch)

    answer = await board.run("alice", "/suggerer Un troc de graines chaque mois")

    assert answer.text == (
        "Votre suggestion n'a pas pu être publiée dans #suggestions, elle n'a donc pas été "
        "gardée\u00a0: prévenez un modérateur, puis réessayez."
    )


async def test_a_french_author_told_in_the_channel_reads_french(
    board: Board, rules_dir: Path
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggerer Un troc de graines chaque mois")
    board.platform.refuse["dm"] = ("no_direct_messages", {"target": "alice"})

    await board.run("mod", "/suggestion_statut 1 prévue Au printemps")

    notice = board.sent("suggestions")[-1]
    # French puts a no-break space before the colon: "alice : Votre suggestion…".
    assert notice.text.startswith("alice\u00a0: Votre suggestion n°\u00a01")
