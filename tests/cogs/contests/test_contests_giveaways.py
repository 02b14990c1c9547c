"""Giveaways: entry by button or reaction, a seeded draw anyone can re-run, rerolls; the
staff stays out of them unless the rule book lets it in."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import CommunityRef, MemberRef
from cogs.contests import giveaways
from cogs.contests.draw import draw, entrants_hash
from cogs.contests.models import GiveawayDraw, GiveawayEntry, Win
from tests.cogs.contests.arena import Arena, dying_at_insert, dying_while_posting
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


def published(text: str) -> tuple[list[str], str, str]:
    found = re.search(r"congratulations (.+)! .*seed (\w+); .*hash (\w+)", text)
    assert found is not None, text
    return found.group(1).split(", "), found.group(2), found.group(3)


async def start_giveaway(arena: Arena, winners: int = 2) -> None:
    answer = await arena.run("mod", f'/giveaway "A bag of seeds" {winners} 1d')
    assert answer.startswith("Giveaway 1 posted in #general; the draw is on ")


async def test_members_enter_by_button_or_reaction_and_the_seed_reproduces_the_draw(
    arena: Arena,
) -> None:
    await start_giveaway(arena)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    assert post.text == (
        "🎉 Giveaway 1: A bag of seeds! 2 winners drawn on "
        f"Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET). Press the button or react with 🎉 to enter."
    )
    assert [button.id for button in post.details["buttons"]] == ["giveaway:1"]
    for name in ("alice", "bob"):
        await arena.press(name, "giveaway:1", post)
    await arena.press("alice", "giveaway:1", post)  # once is enough
    assert len(arena.posted("You are in giveaway 1")) == 2
    for name in ("carol", "dave", "erin"):
        await arena.react(name, "🎉", post)
    await arena.react("erin", "🎉", post, added=False)  # changed her mind
    assert await arena.count(GiveawayEntry) == 4
    await arena.wait(timedelta(days=1))
    [result] = arena.posted("congratulations")
    names, seed, published_hash = published(result.text)
    entrants = ["id-alice", "id-bob", "id-carol", "id-dave"]
    assert published_hash == entrants_hash(entrants)
    assert [f"id-{name}" for name in names] == draw(seed, entrants, 2)
    assert "Drawn among 4 entrants" in result.text
    assert [event.rank for event in arena.events] == [1, 2]
    assert all(event.contest_id == "giveaway:1" for event in arena.events)
    # Told apart from a contest's places: the contributors cog gives a draw no points.
    assert all(event.kind == "giveaway" for event in arena.events)
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    assert listing.splitlines() == [
        f"Giveaway 1: 4 entrants (hash {published_hash}), in draw order:",
        "id-alice (alice)",
        "id-bob (bob)",
        "id-carol (carol)",
        "id-dave (dave)",
    ]


@pytest.mark.parametrize("older", [False, True], ids=["stored-now", "stored-by-an-older-version"])
async def test_a_draw_due_while_the_platform_is_not_running_is_posted_once_it_is(
    open_arena: ArenaFactory, tmp_path: Path, older: bool
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await start_giveaway(first, winners=1)
    [post] = first.posted("Giveaway 1: A bag of seeds!")
    await first.press("alice", "giveaway:1", post)
    if older:
        first.store_as_an_older_version("giveaway:")
    await first.stop()

    # Started on the same database without the community's platform (the console alone).
    console = await open_arena(database=database, platform=FakePlatform("console"))
    await console.wait(timedelta(days=1, minutes=15))
    assert console.platform.actions == []
    assert [job.id for job in console.core.scheduler.pending("giveaway:")] == ["giveaway:1:draw"]
    await console.stop()

    first.platform.actions.clear()
    second = await open_arena(database=database, platform=first.platform)
    [result] = second.posted("congratulations")
    assert published(result.text)[0] == ["alice"]
    assert second.sent("mod-log") == []
    assert second.core.scheduler.pending("giveaway:") == []


async def test_a_draw_the_process_died_during_is_made_at_the_restart(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await start_giveaway(first, winners=1)
    [post] = first.posted("Giveaway 1: A bag of seeds!")
    await first.press("alice", "giveaway:1", post)
    with dying_at_insert(GiveawayDraw):
        await first.wait(timedelta(days=1))
    await first.stop()
    assert first.posted("congratulations") == []
    first.clock.advance(timedelta(minutes=10))
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(minutes=1))
    [result] = second.posted("congratulations")
    assert published(result.text)[0] == ["alice"]
    assert await second.count(GiveawayDraw) == 1
    assert await second.count(Win) == 1
    await second.wait(timedelta(days=1))
    assert len(second.posted("congratulations")) == 1


@pytest.mark.parametrize("went_out", [False, True], ids=["not-posted", "posted"])
async def test_a_draw_the_process_died_while_posting_is_reported_with_its_text_never_twice(
    open_arena: ArenaFactory, tmp_path: Path, went_out: bool
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await start_giveaway(first, winners=1)
    [post] = first.posted("Giveaway 1: A bag of seeds!")
    await first.press("alice", "giveaway:1", post)
    await first.press("bob", "giveaway:1", post)
    with dying_while_posting(first.platform, "congratulations", went_out=went_out):
        await first.wait(timedelta(days=1))
    await first.stop()
    posted = first.posted("congratulations", channel="general")
    assert len(posted) == (1 if went_out else 0)
    first.clock.advance(timedelta(minutes=10))
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(minutes=1))
    # Whether the post went out is unknown: not posted again; the moderators get its text.
    assert second.posted("congratulations", channel="general") == posted
    [report] = second.sent("mod-log")
    lost, result = report.text.split("\n")
    assert lost == (
        "⚠️ The draw of giveaway 1 (A bag of seeds) may not have been posted in #general: I "
        f"stopped while posting it, on Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET). I do not post "
        "it again, so that it never shows twice. If it is not there, post this:"
    )
    assert published(result)[0][0] in {"alice", "bob"}
    [drawn] = [entry.text for entry in posted] or [result]
    assert result == drawn  # the draw as it was made, not another one
    assert await second.count(GiveawayDraw) == 1
    await second.stop()
    first.platform.actions.clear()
    third = await open_arena(database=database, platform=first.platform)
    await third.wait(timedelta(days=1))
    assert third.platform.sent() == []  # reported once


async def test_taking_the_emoji_back_withdraws_only_an_entry_it_made(arena: Arena) -> None:
    await start_giveaway(arena, winners=3)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    await arena.press("alice", "giveaway:1", post)
    await arena.react("alice", "🎉", post)
    await arena.react("alice", "🎉", post, added=False)  # her button entry stays
    await arena.react("bob", "🎉", post)
    await arena.react("bob", "🎉", post, added=False)  # his emoji entry goes
    await arena.react("carol", "🎉", post)
    await arena.press("carol", "giveaway:1", post)  # the button makes it hers for good
    await arena.react("carol", "🎉", post, added=False)
    await arena.wait(timedelta(days=1))
    [result] = arena.posted("congratulations")
    names, _, _ = published(result.text)
    assert sorted(names) == ["alice", "carol"]


async def test_entries_after_the_draw_are_refused(arena: Arena) -> None:
    await start_giveaway(arena)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    await arena.wait(timedelta(days=1))
    await arena.press("alice", "giveaway:1", post)
    assert arena.sent()[-1].text == "Giveaway 1 is closed."
    assert arena.sent()[-1].details["private_to"] == arena.member("alice")
    assert await arena.count(GiveawayEntry) == 0
    assert arena.posted("Giveaway 1 (A bag of seeds): nobody entered, so nobody wins this time.")
    assert not arena.posted("nobody left to draw")


async def test_a_reroll_draws_among_those_who_have_not_won(arena: Arena) -> None:
    await start_giveaway(arena, winners=1)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    assert await arena.run("mod", "/giveaway_reroll 1") == (
        f"Giveaway 1 is drawn on Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET); reroll after that."
    )
    for name in ("alice", "bob", "carol"):
        await arena.press(name, "giveaway:1", post)
    await arena.wait(timedelta(days=1))
    [first_names, _, _] = published(arena.posted("congratulations")[0].text)
    assert await arena.run("mod", "/giveaway_reroll 1 2") == (
        "Giveaway 1 drawn again; the result is in #general."
    )
    [reroll] = arena.posted("new draw")
    names, seed, pool_hash = published(reroll.text)
    pool = sorted({"id-alice", "id-bob", "id-carol"} - {f"id-{first_names[0]}"})
    assert pool_hash == entrants_hash(pool)
    assert [f"id-{name}" for name in names] == draw(seed, pool, 2)
    assert await arena.count(GiveawayDraw) == 2
    assert await arena.count(Win) == 3


async def test_a_reroll_with_nobody_left_tells_the_moderator_and_posts_nothing(
    arena: Arena,
) -> None:
    await start_giveaway(arena, winners=2)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in ("alice", "bob"):
        await arena.press(name, "giveaway:1", post)
    await arena.wait(timedelta(days=1))
    assert arena.posted("congratulations")
    posts = len(arena.sent())
    answer = await arena.run("mod", "/giveaway_reroll 1")
    assert answer == (
        "Nobody is left to draw in giveaway 1: every entrant still here has already won, "
        "or is its creator or a moderator. Nothing was posted."
    )
    assert len(arena.sent()) == posts + 1  # the answer to the moderator, nothing in #general
    assert await arena.count(GiveawayDraw) == 1


async def test_the_hall_of_fame_lists_contest_winners(arena: Arena) -> None:
    assert await arena.run("alice", "/hall_of_fame") == "No contest has been won yet."
    await arena.veterans("alice", "bob", "carol")
    for title in ("Haiku", "Photo"):
        await arena.run("mod", f'/contest_create "{title}" 1h')
    await arena.run("alice", "/submit 1 pond")
    await arena.run("bob", "/submit 2 tomatoes")
    await arena.run("alice", "/submit 2 roses")
    await arena.run("carol", "/vote 1 1")
    await arena.run("carol", "/vote 2 2")
    await arena.run("bob", "/vote 2 2")
    await arena.wait(timedelta(hours=1))
    await start_giveaway(arena)  # giveaways are luck, not in the hall of fame
    assert (await arena.run("carol", "/hall_of_fame")).splitlines() == [
        "🏆 Hall of fame — latest winners:",
        "Nov 4, 2026 — Photo: alice (#1, votes: 2)",
        "Nov 4, 2026 — Haiku: alice (#1, votes: 1)",
        "Most wins: alice ×2",
    ]


async def test_a_second_press_is_told_it_is_in_already(arena: Arena) -> None:
    await start_giveaway(arena)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    await arena.press("alice", "giveaway:1", post)
    await arena.press("alice", "giveaway:1", post)

    again = arena.sent()[-1]
    assert again.text == (
        "You are already in giveaway 1 (A bag of seeds); the draw is on "
        f"Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET)."
    )
    assert again.details["private_to"] == arena.member("alice")
    assert await arena.count(GiveawayEntry) == 1


async def test_the_entrants_of_a_giveaway_nobody_entered_are_no_empty_list(arena: Arena) -> None:
    await start_giveaway(arena)

    assert await arena.run("zoe", "/giveaway_entrants 1") == (
        "Giveaway 1 (A bag of seeds) has no entrants to list."
    )
    await arena.wait(timedelta(days=1))
    assert await arena.run("zoe", "/giveaway_entrants 1") == (
        "Giveaway 1 (A bag of seeds) has no entrants to list."
    )


async def test_the_creator_and_the_moderators_cannot_enter_by_default(arena: Arena) -> None:
    await start_giveaway(arena, winners=1)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    await arena.press("mod", "giveaway:1", post)
    refused = arena.sent()[-1]
    assert refused.text == (
        "Giveaway 1 is for members: its creator and the moderators do not take part."
    )
    assert refused.details["private_to"] == arena.member("mod")
    arena.member("zed", moderator=True)
    await arena.react("zed", "🎉", post)
    assert arena.sent()[-1].text == refused.text
    await arena.press("alice", "giveaway:1", post)
    assert await arena.count(GiveawayEntry) == 1
    await arena.wait(timedelta(days=1))
    assert [event.member.name for event in arena.events] == ["alice"]


async def test_a_community_may_let_its_moderators_enter(open_arena: ArenaFactory) -> None:
    arena = await open_arena(contests={"giveaways": {"exclude_moderators": False}})
    await start_giveaway(arena, winners=1)
    await arena.press("mod", "giveaway:1", arena.posted("Giveaway 1: A bag of seeds!")[0])
    assert arena.sent()[-1].text.startswith("You are in giveaway 1")
    assert await arena.count(GiveawayEntry) == 1


async def test_staff_who_entered_before_being_kept_out_are_not_drawn(
    open_arena: ArenaFactory, contests_rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arena = await open_arena(contests={"giveaways": {"exclude_moderators": False}})
    await start_giveaway(arena, winners=3)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in ("mod", "alice", "bob"):
        await arena.press(name, "giveaway:1", post)
    assert await arena.count(GiveawayEntry) == 3
    # The staff is kept out from now on, and bob becomes a moderator: the platform says so
    # when asked about him by id.
    edit_section(contests_rules, "contests", {"giveaways": {"exclude_moderators": True}})
    assert await arena.core.reload_rules() is None
    arena.member("bob", moderator=True)

    async def resolve(community: CommunityRef, text: str) -> MemberRef | None:
        members = arena.platform.members.values()
        return next((member for member in members if member.user.id == text), None)

    monkeypatch.setattr(arena.platform, "resolve_member", resolve)
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    assert listing.splitlines()[1:] == ["id-alice (alice)"]
    await arena.wait(timedelta(days=1))

    [result] = arena.posted("congratulations")
    assert "congratulations alice!" in result.text
    assert "Drawn among 1 entrant " in result.text
    assert [event.member.name for event in arena.events] == ["alice"]
    # Shown again as drawn, whoever is a moderator by then; a reroll asks again.
    arena.member("bob", moderator=False)
    assert await arena.run("zoe", "/giveaway_entrants 1") == listing
    await arena.run("mod", "/giveaway_reroll 1")
    assert [event.member.name for event in arena.events] == ["alice", "bob"]


async def test_a_platform_slow_to_say_who_moderates_holds_the_entrant_list_only_so_long(
    open_arena: ArenaFactory,
    contests_rules: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    arena = await open_arena(contests={"giveaways": {"exclude_moderators": False}})
    await start_giveaway(arena, winners=1)
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    entrants = [f"member{number}" for number in range(60)]
    for name in entrants:
        await arena.press(name, "giveaway:1", post)
    edit_section(contests_rules, "contests", {"giveaways": {"exclude_moderators": True}})
    assert await arena.core.reload_rules() is None
    asking = 0
    most_at_once = 0
    answered = 0

    async def slow(community: CommunityRef, text: str) -> MemberRef | None:
        # Telegram: one call per entrant, each a while when the Bot API is slow.
        nonlocal asking, most_at_once, answered
        asking += 1
        most_at_once = max(most_at_once, asking)
        try:
            await asyncio.sleep(0.2)
        finally:
            asking -= 1
        answered += 1
        return None

    monkeypatch.setattr(arena.platform, "resolve_member", slow)
    monkeypatch.setattr(giveaways, "STAFF_LOOKUP_SECONDS", 0.5)
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    # Asked 20 at a time, and given up when the time allowed is spent (one at a time, 60
    # entrants would have held the answer 12 s): those not asked are listed as members.
    assert most_at_once == giveaways.STAFF_LOOKUPS_AT_ONCE
    assert answered < len(entrants)
    assert len(listing.splitlines()[1:]) == len(entrants)
    assert "entrant(s) drawn from without knowing whether the platform" in caplog.text


async def test_a_member_too_new_until_after_the_draw_is_told_it_is_too_late(
    open_arena: ArenaFactory,
) -> None:
    arena = await open_arena(contests={"giveaways": {"min_member_age": "2d"}})
    await start_giveaway(arena, winners=1)
    await arena.join("alice")
    await arena.press("alice", "giveaway:1", arena.posted("Giveaway 1: A bag of seeds!")[0])
    assert arena.sent()[-1].text == (
        "Members can enter once they have been here for 2 days: too late for giveaway 1, "
        f"drawn on Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET)."
    )
