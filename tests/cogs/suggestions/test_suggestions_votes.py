"""Members suggest and vote; moderators answer; the author is told; the digest ranks by votes."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ReactionAdded
from bot.platform import Capability
from cogs.suggestions.similarity import closest, similarity
from tests.cogs.suggestions.board import Board
from tests.support.fake_platform import FakePlatform


async def test_three_members_suggest_vote_and_a_moderator_accepts_one(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("bob", "/suggest Workshops on composting for beginners")
    await board.run("carol", "/suggest Shared tools shed with a booking sheet")
    # Everyone likes the seed swap; bob's workshops get one up and one down.
    await board.vote("bob", 1, "up")
    await board.vote("carol", 1, "up")
    await board.vote("alice", 2, "up")
    await board.vote("carol", 2, "down")
    await board.vote("alice", 3, "down")

    answer = await board.run("mod", "/suggestion 1 accepted We will host it in March")
    files = board.read_files()

    assert answer.text == "Suggestion #1 is now accepted; its author has been told."
    assert answer.details["private_to"] == board.member("mod")
    [told] = board.dms("alice")
    assert "#1" in told
    assert "is now accepted" in told
    assert "We will host it in March" in told

    digest = await board.digest()
    lines = digest.text.splitlines()
    top = lines[lines.index("Top suggestions by votes") + 1 :][:3]
    assert top == [
        "1. #1 A monthly seed swap in the library — 👍 2 · 👎 0 — accepted (by alice)",
        "2. #2 Workshops on composting for beginners — 👍 1 · 👎 1 — open (by bob)",
        "3. #3 Shared tools shed with a booking sheet — 👍 0 · 👎 1 — open (by carol)",
    ]
    assert "- #1 A monthly seed swap in the library — accepted: We will host it in March" in lines
    # Posted to leadership, with a Markdown file attached.
    [posted] = [s for s in board.platform.sent() if s.target.id == "leadership"]
    assert posted is digest
    path = posted.details["file"]
    assert path is not None
    assert path.suffix == ".md"
    assert r"1. \#1 A monthly seed swap in the library" in files[path.name]
    assert digest.details["file"] == path


async def test_suggestions_are_numbered_and_posted_with_vote_buttons(board: Board) -> None:
    answer = await board.run("alice", "/suggest A monthly seed swap in the library")

    assert answer.text == "Thank you! Your suggestion is #1, in #suggestions."
    post = board.post_of(1)
    assert post.text.startswith("💡 Suggestion #1 by alice:\nA monthly seed swap")
    ids = [button.id for button in post.details["buttons"]]
    assert ids == ["suggestion:1:up", "suggestion:1:down"]


async def test_a_second_press_changes_or_withdraws_the_vote(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)

    async def tallies() -> tuple[int, int]:
        found = await cog.book.get(community_id, 1)  # type: ignore[attr-defined]
        return found.up, found.down

    await board.vote("bob", 1, "up")
    await board.vote("bob", 1, "up")
    assert await tallies() == (0, 0)
    await board.vote("bob", 1, "up")
    await board.vote("bob", 1, "down")
    assert await tallies() == (0, 1)
    # Reactions are votes too, the same single vote per member.
    await board.react("bob", 1, "👍")
    await board.react("carol", 1, "👍")
    assert await tallies() == (2, 0)
    await board.react("carol", 1, "👍", remove=True)
    assert await tallies() == (1, 0)
    # The author cannot vote for their own suggestion.
    await board.vote("alice", 1, "up")
    assert await tallies() == (1, 0)
    assert board.platform.sent()[-1].text == "You cannot vote on your own suggestion."


async def test_each_press_is_answered_privately_with_what_became_of_the_vote(
    board: Board,
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.vote("carol", 1, "down")

    answers = []
    for direction in ("up", "down", "down"):
        await board.vote("bob", 1, direction)
        answers.append(board.platform.sent()[-1])

    assert [answer.text for answer in answers] == [
        "Vote 👍 counted on suggestion #1 · 👍 1 · 👎 1. Press 👍 again to withdraw it.",
        "Vote changed to 👎 on suggestion #1 · 👍 0 · 👎 2",
        "Vote 👎 withdrawn from suggestion #1 · 👍 0 · 👎 1",
    ]
    assert {answer.details["private_to"] for answer in answers} == {board.member("bob")}
    # A reaction shows itself: it gets no answer.
    before = len(board.platform.sent())
    await board.react("dan", 1, "👍")
    assert len(board.platform.sent()) == before


async def test_a_french_press_is_answered_in_french(board: Board, rules_dir: Path) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggerer Un troc de graines chaque mois")
    [post] = board.sent("suggestions")

    await board.press("bruno", "suggestion:1:up", under=post)
    counted = board.platform.sent()[-1].text
    await board.press("bruno", "suggestion:1:up", under=post)
    withdrawn = board.platform.sent()[-1].text

    assert counted.replace("\u00a0", " ") == (
        "Vote 👍 compté pour la suggestion n° 1 · 👍 1 · 👎 0."
        " Appuyez de nouveau sur 👍 pour le retirer."
    )
    assert withdrawn.replace("\u00a0", " ") == "Vote 👍 retiré de la suggestion n° 1 · 👍 0 · 👎 0"


async def test_a_near_duplicate_points_to_the_open_suggestion(board: Board) -> None:
    await board.run("alice", "/suggest Add a monthly seed swap in the library!")
    before = len(board.platform.sent())

    answer = await board.run("bob", "/suggest add a monthly seed-swap in the library")

    assert answer.text.startswith("This looks like suggestion #1 (open)")
    assert len(board.platform.sent()) == before + 1  # no new post
    await board.run("mod", "/suggestion 1 declined")
    answer = await board.run("bob", "/suggest add a monthly seed-swap in the library")
    assert answer.text == "Thank you! Your suggestion is #2, in #suggestions."


def test_similarity_folds_case_accents_and_punctuation() -> None:
    assert similarity("Créer un JARDIN partagé !", "creer un jardin partage") == 1.0
    assert similarity("Compost workshop", "Weekly photo contest") < 0.5
    found = closest(
        "a seed swap each month", [(1, "Tool shed"), (2, "A seed swap every month")], 0.8
    )
    assert found == 2


async def test_the_author_is_told_in_the_channel_when_dms_are_refused(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    board.platform.refuse["dm"] = ("no_direct_messages", {"target": "alice"})

    answer = await board.run("mod", "/suggestion 1 planned Spring")

    assert answer.text == "Suggestion #1 is now planned; its author has been told."
    notice = board.sent("suggestions")[-1]
    assert notice.text.startswith("alice: Your suggestion #1")
    assert notice.details["mention"] == (board.member("alice").user,)
    assert notice.details["reply_to"] == board.post_of(1).details["message"]


async def test_votes_close_with_the_suggestion_and_unknown_numbers_are_refused(
    board: Board,
) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("mod", "/suggestion 1 done")
    await board.vote("bob", 1, "up")
    assert board.platform.sent()[-1].text == "Suggestion #1 is done: votes are closed."
    answer = await board.run("mod", "/suggestion 9 accepted")
    assert answer.text == "There is no suggestion #9."
    answer = await board.run("bob", "/suggestion 1 accepted")
    assert "for moderators" in answer.text


async def test_without_buttons_the_bot_offers_reactions(
    board: Board, platform: FakePlatform
) -> None:
    platform.capabilities = frozenset(Capability) - {Capability.BUTTONS}
    await board.run("alice", "/suggest A monthly seed swap in the library")
    reactions = [a.text for a in platform.actions if a.action == "react"]
    assert reactions == ["👍", "👎"]
    await board.react("bob", 1, "👍")
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(platform.community)
    found = await cog.book.get(community_id, 1)  # type: ignore[attr-defined]
    assert (found.up, found.down) == (1, 0)


async def test_the_digest_is_posted_weekly_in_the_community_time_zone(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    [pending] = board.core.scheduler.pending("suggestions:digest:")
    # The shipped book's time zone is Europe/Paris: Monday 09:00 there is 08:00 UTC in winter.
    assert pending.next_run is not None
    assert pending.next_run.astimezone(board.clock.now().tzinfo).hour == 8
    assert pending.next_run.weekday() == 0
    await board.wait(timedelta(days=7))
    posts = [s for s in board.platform.sent() if s.target.id == "leadership"]
    assert len(posts) == 1
    assert "#1 A monthly seed swap in the library — 👍 0 · 👎 0 — open (by alice)" in posts[0].text


async def test_members_data_is_exported_and_erased(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    await board.run("bob", "/suggest Workshops on composting for beginners")
    await board.vote("alice", 2, "up")
    await board.run("mod", "/suggestion 1 planned Lovely idea, for the spring")
    cog = board.core.cogs["suggestions"]
    community = board.platform.community
    alice = board.member("alice").user
    exported = await cog.export_member_data(community, alice)
    assert exported["suggestions"]["votes"] == [{"suggestion": 2, "vote": 1}]
    [mine] = exported["suggestions"]["suggestions"]
    assert mine["text"].startswith("A monthly seed swap")
    # What the moderators answered about it is kept with it, so it is hers to see too.
    assert (mine["status"], mine["comment"]) == ("planned", "Lovely idea, for the spring")
    assert mine["status_at"] is not None
    await cog.erase_member_data(community, alice)
    assert await cog.export_member_data(community, alice) == {}
    community_id = await board.core.members.community_id(community)
    found = await cog.book.get(community_id, 2)  # type: ignore[attr-defined]
    assert found.up == 0


async def test_a_reaction_before_the_post_exists_does_not_hide_it(board: Board) -> None:
    # Where suggestions are posted is kept in memory once read: a post made afterwards, even
    # under an id that was reacted to before, still takes votes.
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)
    upcoming = board.platform.next_message_ref(board.platform.channel("suggestions"))
    await board.core.handle(
        ReactionAdded(
            at=board.clock.now(), message=upcoming, member=board.member("bob"), emoji="👍"
        )
    )
    await board.run("alice", "/suggest A monthly seed swap in the library")
    assert board.post_of(1).details["message"] == upcoming
    await board.react("bob", 1, "👍")
    found = await cog.book.get(community_id, 1)  # type: ignore[attr-defined]
    assert (found.up, found.down) == (1, 0)


async def test_a_french_digest_says_an_empty_section_is_empty_whatever_its_gender(
    board: Board, rules_dir: Path
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await board.core.reload_rules() is None
    await board.run("alice", "/suggest Un troc de graines chaque mois")

    digest = await board.digest()

    lines = digest.text.splitlines()
    # "Retours notables" is masculine: a feminine "Aucune." read wrong under it.
    assert lines[lines.index("Retours notables") + 1] == "Rien sur la période."
    assert "Nouvelles sur la période" in lines


async def test_taking_a_reaction_back_leaves_a_vote_cast_with_a_button(board: Board) -> None:
    await board.run("alice", "/suggest A monthly seed swap in the library")
    cog = board.core.cogs["suggestions"]
    community_id = await board.core.members.community_id(board.platform.community)

    await board.vote("bob", 1, "up")
    await board.react("bob", 1, "👍")
    await board.react("bob", 1, "👍", remove=True)

    found = await cog.book.get(community_id, 1)  # type: ignore[attr-defined]
    assert (found.up, found.down) == (1, 0)
    # A reaction that changed the vote did cast it: taking it back withdraws it.
    await board.react("bob", 1, "👎")
    await board.react("bob", 1, "👎", remove=True)
    found = await cog.book.get(community_id, 1)  # type: ignore[attr-defined]
    assert (found.up, found.down) == (0, 0)


async def test_votes_at_the_same_moment_are_all_counted_and_a_double_click_is_two_presses(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
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
        await board.run("alice", "/suggest A monthly seed swap in the library")
        caplog.clear()

        await asyncio.gather(*(board.vote(f"m{n}", 1, "up") for n in range(10)))
        await asyncio.gather(board.vote("zed", 1, "up"), board.vote("zed", 1, "up"))
        await asyncio.gather(board.vote("yan", 1, "up"), board.react("yan", 1, "👎"))

        community_id = await core.members.community_id(platform.community)
        found = await core.cogs["suggestions"].book.get(community_id, 1)  # type: ignore[attr-defined]
        # zed pressed twice: voted, then withdrew; yan's last word is one vote either way.
        assert found.up + found.down == 11
        assert found.up in (10, 11)
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        await board.stop()
