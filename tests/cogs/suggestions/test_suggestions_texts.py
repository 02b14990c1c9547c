"""What counts as a suggestion and as a near-duplicate, and what moderators are told."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.events import ChannelRef, CommunityRef
from cogs.suggestions.similarity import closest, similarity
from tests.cogs.suggestions.board import Board


async def test_invisible_or_wordless_suggestions_are_refused(board: Board) -> None:
    answer = await board.run("alice", "/suggest " + "\u200b" * 11)
    assert answer.text == "A suggestion needs at least 10 characters: say a little more."
    answer = await board.run("alice", "/suggest " + "🌱" * 10)
    assert answer.text == (
        "A suggestion needs words: letters or digits, not only emoji or symbols."
    )
    assert not board.sent("suggestions")


async def test_the_zero_width_spaces_of_a_suggestion_are_not_counted_nor_kept(
    board: Board,
) -> None:
    answer = await board.run("alice", "/suggest Seed\u200b swap\u200b\u200b\u200b\u200b")
    assert answer.text == "A suggestion needs at least 10 characters: say a little more."
    await board.run("alice", "/suggest A monthly seed\u200b swap\u202e")
    assert board.post_of(1).text.splitlines()[1] == "A monthly seed swap"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Add 10 benches near the pond", "Add 40 benches near the pond"),
        (
            "We should NOT add a fence around the orchard",
            "We should add a fence around the orchard",
        ),
        ("We don't need a fence around the orchard", "We do need a fence around the orchard"),
        ("Ne jamais fermer le jardin le dimanche", "Fermer le jardin le dimanche"),
        ("On n'ouvre le jardin que le dimanche", "On ouvre le jardin que le dimanche"),
    ],
)
async def test_proposals_differing_in_numbers_or_by_a_negation_are_both_posted(
    board: Board, first: str, second: str
) -> None:
    await board.run("alice", f"/suggest {first}")
    answer = await board.run("bob", f"/suggest {second}")
    assert answer.text == "Thank you! Your suggestion is #2, in #suggestions."


def test_texts_without_words_are_alike_nothing() -> None:
    assert closest("🎉🎉🎉🎉🎉", [(1, "🌱🌱🌱🌱🌱")], 0.85) is None
    assert closest("Add benches", [(1, "🌱🌱🌱🌱🌱"), (2, "Add benches!")], 0.85) == 2
    assert similarity("\u200b\u200b", "\u200b") == 0.0
    # The same numbers in another order are the same proposal.
    assert similarity("Add 2 tables and 10 benches", "Add 10 benches and 2 tables") > 0.5


async def test_the_moderator_is_told_when_the_author_could_not_be(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    board.platform.refuse["dm"] = ("no_direct_messages", {"target": "alice"})
    resolve = board.platform.resolve_channel

    async def resolving(community: CommunityRef, text: str) -> ChannelRef | None:
        return None if text.lstrip("#") == "suggestions" else await resolve(community, text)

    monkeypatch.setattr(board.platform, "resolve_channel", resolving)

    answer = await board.run("mod", "/suggestion 1 accepted Great idea")

    assert answer.text == (
        "Suggestion #1 is now accepted, but its author could not be told: they take no direct"
        " messages and nothing could be posted in the suggestions channel."
    )


async def test_a_comment_over_the_limit_is_refused_with_the_limit(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")

    answer = await board.run("mod", "/suggestion 1 planned " + "x" * 1001)

    assert answer.text == (
        "A comment can be at most 1000 characters; yours has 1001. Shorten it and try again:"
        " nothing was changed."
    )
    assert not board.dms("alice")
    community_id = await board.core.members.community_id(board.platform.community)
    found = await board.core.cogs["suggestions"].book.get(community_id, 1)  # type: ignore[attr-defined]
    assert (found.status, found.comment) == ("open", None)


async def test_a_french_status_reads_as_the_command_choice(board: Board, rules_dir: Path) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggerer Un troc de graines chaque mois")

    answer = await board.run("mod", "/suggestion_statut 1 prévue Au printemps")

    assert answer.text == (
        "La suggestion n°\u00a01 est maintenant prévue\u00a0; son auteur est prévenu."
    )
    [told] = board.dms("alice")
    assert "est maintenant prévue" in told


async def test_a_status_is_read_masculine_or_feminine_accented_or_not_in_either_language(
    board: Board, rules_dir: Path
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    # An English community: the French words are read too.
    answer = await board.run("mod", "/suggestion 1 accepté")
    assert answer.text == "Suggestion #1 is now accepted; its author has been told."
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await board.core.reload_rules() is None

    said = []
    for typed in ("accepté", "PRÉVU", "Refuse", "realisee", "accepted"):
        said.append((await board.run("mod", f"/suggestion_statut 1 {typed}")).text)
    refused = (await board.run("mod", "/suggestion_statut 1 peut-être")).text

    assert [re.findall(r"est maintenant (\w+)", text) for text in said] == [
        ["acceptée"],
        ["prévue"],
        ["refusée"],
        ["réalisée"],
        ["acceptée"],
    ]
    assert "acceptée, prévue, refusée, réalisée, pas 'peut-être'" in refused.replace("\u00a0", " ")
