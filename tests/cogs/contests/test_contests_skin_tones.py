"""The vote emoji and the giveaway emoji count whatever the member's skin tone or the emoji's
presentation: Discord's picker adds the chosen tone ("👍🏽"), Telegram drops the selector ("❤")."""

from __future__ import annotations

from pathlib import Path

from cogs.contests.models import GiveawayEntry, Vote
from tests.cogs.contests.arena import Arena
from tests.support.rulebook import edit_section

MEDIUM = "\U0001f3fd"
"""A skin tone Discord's emoji picker adds to the thumb a member picks."""


async def contest_with_an_entry(arena: Arena) -> None:
    await arena.veterans("alice", "carol")
    await arena.run("mod", '/contest_create "Photo de la semaine" 2h')
    await arena.run("alice", "/submit 1 https://example.org/alice.jpg")


async def test_a_vote_emoji_with_a_skin_tone_is_a_vote(arena: Arena) -> None:
    await contest_with_an_entry(arena)
    [entry] = arena.posted("by alice")

    await arena.react("carol", "👍" + MEDIUM, entry)

    assert await arena.count(Vote) == 1
    assert "counted" in arena.sent()[-1].text


async def test_taking_back_a_vote_emoji_with_a_skin_tone_withdraws_the_vote(
    arena: Arena,
) -> None:
    await contest_with_an_entry(arena)
    [entry] = arena.posted("by alice")
    await arena.react("carol", "👍" + MEDIUM, entry)
    assert await arena.count(Vote) == 1

    await arena.react("carol", "👍" + MEDIUM, entry, added=False)

    assert await arena.count(Vote) == 0


async def test_a_giveaway_emoji_with_a_skin_tone_enters_and_taking_it_back_leaves(
    arena: Arena, contests_rules: Path
) -> None:
    edit_section(contests_rules, "contests", {"giveaways": {"emoji": "🙋"}})
    assert await arena.core.reload_rules() is None
    await arena.run("mod", '/giveaway "A bag of seeds" 1 1d')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")

    await arena.react("carol", "🙋" + MEDIUM, post)
    assert await arena.count(GiveawayEntry) == 1

    await arena.react("carol", "🙋" + MEDIUM, post, added=False)
    assert await arena.count(GiveawayEntry) == 0


async def test_a_giveaway_emoji_without_its_presentation_selector_enters(
    arena: Arena, contests_rules: Path
) -> None:
    # Telegram sends ❤ where the rule book writes ❤️ (with the emoji presentation selector).
    edit_section(contests_rules, "contests", {"giveaways": {"emoji": "❤️"}})
    assert await arena.core.reload_rules() is None
    await arena.run("mod", '/giveaway "A bag of seeds" 1 1d')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")

    await arena.react("carol", "❤", post)

    assert await arena.count(GiveawayEntry) == 1
