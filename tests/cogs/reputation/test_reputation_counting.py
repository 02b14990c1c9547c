"""Counting: every message naming the organisation once, per local day, with its tone from the
words of the rule book and the toxicity model; deleted mentions taken back; nothing lost to a
busy database."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import MemberRef, UserRef
from tests.cogs.reputation.newsroom import Newsroom
from tests.support.database import held
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

DAY = date(2026, 11, 2)


async def test_each_mention_counts_with_the_tone_of_its_words(newsroom: Newsroom) -> None:
    await newsroom.say("alice", "Merci Jardinier, bravo pour la mise à jour")
    await newsroom.say("bob", "jardinier is a scam, I want a refund")
    await newsroom.say("chloe", "Has anyone tried JARDINIER on Telegram?")
    await newsroom.say("dave", "Merci pour l'arnaque, Jardinier")  # a complaint beside thanks
    await newsroom.say("emma", "Les graines-bio sont arrivées, génial")

    assert await newsroom.days() == {DAY: (5, 2, 2)}


async def test_names_are_matched_whole_ignoring_case_and_accents(newsroom: Newsroom) -> None:
    await newsroom.say("alice", "Les jardiniers du quartier arrosent")  # another word
    await newsroom.say("bob", "Graines Biologiques en vente")  # not the phrase
    await newsroom.say("chloe", "I love the JÁRDINIER app")

    assert await newsroom.days() == {DAY: (1, 1, 0)}


async def test_a_message_naming_the_organisation_twice_or_edited_counts_once(
    newsroom: Newsroom, core: Jardinier
) -> None:
    message = await newsroom.say("alice", "Jardinier, Jardinier, Graines Bio: great")
    await newsroom.edit(message, "alice", "Jardinier is great, Jardinier again")
    plain = await newsroom.say("bob", "the weather is nice")
    await newsroom.edit(plain, "bob", "Jardinier is broken")  # a name added by an edit

    assert await newsroom.days() == {DAY: (1, 1, 0)}


async def test_bots_and_ignored_channels_are_not_counted(
    newsroom: Newsroom, rules_dir: Path, core: Jardinier
) -> None:
    edit_section(rules_dir, "reputation", {"ignore_channels": ["#bot-test"]})
    assert await core.reload_rules() is None
    robot = MemberRef(
        newsroom.platform.community, UserRef("fake", "id-robot", "robot", is_bot=True)
    )
    await newsroom.say("robot", "Jardinier is great", author=robot)
    await newsroom.say("alice", "Jardinier test", channel="bot-test")
    await newsroom.say("alice", "Jardinier is great", channel="general")

    assert await newsroom.days() == {DAY: (1, 1, 0)}


async def test_mentions_count_on_the_local_day_they_were_written(
    newsroom: Newsroom, clock: ManualClock
) -> None:
    await newsroom.say("alice", "Jardinier is great")
    clock.advance(timedelta(days=1))
    await newsroom.say("bob", "Jardinier is broken")
    await newsroom.say("chloe", "Jardinier")

    assert await newsroom.days() == {DAY: (1, 1, 0), DAY + timedelta(days=1): (2, 0, 1)}


async def test_a_mention_scored_hostile_is_negative_and_one_the_netiquette_deletes_is_taken_back(
    newsroom: Newsroom,
) -> None:
    await newsroom.say("alice", "Jardinier is great, truly pathetic people run it")
    await newsroom.say("bob", "Jardinier devs are idiots, idiot")
    await newsroom.say("chloe", "Jardinier is fine")
    await newsroom.settled()

    assert [action.target.id for action in newsroom.done("delete")] == ["m2"]
    # alice's words praise, the model says hostile: negative. bob's was deleted: not counted.
    assert await newsroom.days() == {DAY: (2, 0, 1)}


async def test_a_deleted_mention_is_taken_back(newsroom: Newsroom) -> None:
    kept = await newsroom.say("alice", "Jardinier is great")
    gone = await newsroom.say("bob", "Jardinier is broken")
    assert await newsroom.days() == {DAY: (2, 1, 1)}

    await newsroom.delete(gone)
    await newsroom.delete(gone)  # told twice: taken back once

    assert await newsroom.days() == {DAY: (1, 1, 0)}
    assert kept.id == "m1"


async def test_a_message_naming_nothing_leaves_nothing_behind(newsroom: Newsroom) -> None:
    for n in range(50):
        await newsroom.say("alice", f"hello garden {n}")

    assert await newsroom.days() == {}
    assert len(newsroom.cog.recent) == 0
    assert len(newsroom.cog.buffer) == 0


async def test_a_huge_message_is_read_no_further_than_a_bound(newsroom: Newsroom) -> None:
    zalgo = "J\u0301\u0302\u0303ardinier" + "\u0336" * 200_000
    await newsroom.say("alice", "x" * 1_000_000 + " Jardinier")  # past the bound: not seen
    await newsroom.say("bob", zalgo + " scam")  # named; its complaint, past the bound, unread
    await newsroom.say("chloe", "\x00\x1b[31m Jardinier\x07 great")

    assert await newsroom.days() == {DAY: (2, 1, 0)}


async def test_counts_are_written_when_the_bot_stops_while_another_process_holds_the_database(
    busy_core: Jardinier, platform: FakePlatform, clock: ManualClock, tmp_path: Path
) -> None:
    newsroom = Newsroom(busy_core, platform, clock)
    await newsroom.say("alice", "Jardinier is great")
    await busy_core.members.flush()  # the community is recorded: only the counts wait
    with held(tmp_path / "bot.db") as other:
        assert await newsroom.cog.flush() == 0  # refused for a while: kept
        await newsroom.say("bob", "Jardinier is broken")

        async def done_soon() -> None:
            await asyncio.sleep(0.5)  # longer than the busy timeout: the first write is refused
            other.execute("ROLLBACK")

        other_process = asyncio.create_task(done_soon())
        await busy_core.stop()
        await other_process
    with sqlite3.connect(tmp_path / "bot.db") as reader:
        rows = reader.execute(
            "SELECT day, mentions, positive, negative FROM reputation_days"
        ).fetchall()
    assert rows == [("2026-11-02", 2, 1, 1)]
