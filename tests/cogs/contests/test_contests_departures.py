"""Members who left (or were kicked or banned: platforms report those as departures) win
nothing: not in a giveaway's draw, not in its reroll, not on a contest's podium, and the results
name the entries passed over. A member banned while a contest runs has their vote in it not
counted; one who left of their own accord cast an honest vote: it counts. Who was left out is
kept with the close and the draw: results shown later are those announced, whoever comes back
or leaves again since."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select, update

from bot.events import MemberLeft, ModerationLifted, ModerationRecorded
from cogs.contests.draw import draw, entrants_hash
from cogs.contests.models import Contest, GiveawayDraw
from tests.cogs.contests.arena import WEEKLY, Arena
from tests.cogs.contests.conftest import ArenaFactory


def drawn_names(text: str) -> list[str]:
    found = re.search(r"congratulations (.+)! ", text)
    assert found is not None, text
    return found.group(1).split(", ")


async def leave(arena: Arena, *names: str) -> None:
    for name in names:
        await arena.handle(MemberLeft(at=arena.clock.now(), member=arena.member(name)))


async def giveaway_entered_by(arena: Arena, names: tuple[str, ...], winners: int) -> None:
    await arena.run("mod", f'/giveaway "A bag of seeds" {winners} 1d')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in names:
        await arena.press(name, "giveaway:1", post)


async def test_a_giveaway_never_draws_an_entrant_who_has_left(arena: Arena) -> None:
    await giveaway_entered_by(arena, ("alice", "bob", "carol", "dave"), winners=4)
    await leave(arena, "bob", "dave")  # dave, say, was banned
    await arena.wait(timedelta(days=1))
    [result] = arena.posted("congratulations")
    assert sorted(drawn_names(result.text)) == ["alice", "carol"]
    assert "Drawn among 2 entrants" in result.text
    assert sorted(event.member.name for event in arena.events) == ["alice", "carol"]
    # The list anyone re-runs the draw from is the one drawn from.
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    assert listing.splitlines() == [
        f"Giveaway 1: 2 entrants (hash {entrants_hash(['id-alice', 'id-carol'])}), in draw order:",
        "id-alice (alice)",
        "id-carol (carol)",
    ]


async def test_a_giveaway_whose_entrants_all_left_has_no_winner(arena: Arena) -> None:
    await giveaway_entered_by(arena, ("alice",), winners=1)
    await leave(arena, "alice")
    await arena.wait(timedelta(days=1))
    assert arena.posted(
        "Giveaway 1 (A bag of seeds): its entrants have all left, or are its creator or "
        "moderators, so nobody wins this time."
    )
    assert arena.events == []


async def test_a_reroll_skips_entrants_who_left_after_the_first_draw(arena: Arena) -> None:
    arena.cog.seeds = lambda: "first"
    await giveaway_entered_by(arena, ("alice", "bob", "carol"), winners=1)
    await arena.wait(timedelta(days=1))
    [winner] = drawn_names(arena.posted("congratulations")[0].text)
    stays, goes = sorted({"alice", "bob", "carol"} - {winner})
    await arena.wait(timedelta(hours=1))
    await leave(arena, goes)
    await arena.wait(timedelta(hours=1))
    await arena.run("mod", "/giveaway_reroll 1 2")
    [reroll] = arena.posted("new draw")
    assert drawn_names(reroll.text) == [stays]
    assert "among the only entrant who had not won," in reroll.text
    # Who won the first draw is listed as then, though someone left since.
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    assert listing.startswith("Giveaway 1: 3 entrants")


async def test_an_entry_whose_author_left_does_not_win(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol", "dave", "erin")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 old pond")
    await arena.run("bob", "/submit 1 a frog")
    for voter in ("carol", "dave"):
        await arena.run(voter, "/vote 1 1")
    await arena.run("erin", "/vote 1 2")
    await leave(arena, "alice")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines() == [
        "🏆 Contest 1 “Haiku” is closed: 2 entries, 3 votes.",
        "1. bob — entry 2, votes: 1",
        "Not ranked, as their authors are no longer here: entry 1 by alice (2 votes).",
    ]
    assert [(event.member.name, event.rank) for event in arena.events] == [("bob", 1)]
    # Someone leaving after the close changes nothing to the results shown again.
    await arena.wait(timedelta(hours=1))
    await leave(arena, "bob")
    assert await arena.run("carol", "/contest_results 1") == results.text


async def test_a_contest_whose_voted_authors_all_left_says_why_nobody_won(arena: Arena) -> None:
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 old pond")
    await arena.run("bob", "/vote 1 1")
    await leave(arena, "alice")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1] == (
        "No winner this time: the members whose entries could have won have left."
    )
    assert arena.events == []


async def test_a_random_challenge_draws_one_ticket_per_member_still_here(
    open_arena: ArenaFactory,
) -> None:
    random = {**WEEKLY, "choose_by": "random", "open_for": "1d", "winners": 3}
    arena = await open_arena(
        contests={"challenges": {"weekly": {**random, "entries_per_member": 3}}}
    )
    arena.cog.seeds = lambda: "seed-3"
    await arena.veterans("alice", "bob", "carol")
    await arena.wait(timedelta(days=5))  # Monday 9 November, 09:00: the challenge opens
    for line in ("/submit 1 one", "/submit 1 two", "/submit 1 three"):
        await arena.run("alice", line, channel="photos")
    await arena.run("bob", "/submit 1 four", channel="photos")
    await arena.run("carol", "/submit 1 five", channel="photos")
    await leave(arena, "carol")
    await arena.wait(timedelta(days=1))
    [results] = arena.posted("is closed")
    # alice's three entries are one ticket (entry 1), bob's is entry 4; carol left.
    tickets = ["1", "4"]
    assert f"entries 1 4; seed seed-3, hash {entrants_hash(tickets)}" in results.text
    places = {"1": "alice", "4": "bob"}
    expected = [places[number] for number in draw("seed-3", tickets, 3)]
    assert [event.member.name for event in arena.events] == expected
    assert sorted(expected) == ["alice", "bob"]


def published_hash(text: str) -> str:
    found = re.search(r"hash ([0-9a-f]{64})", text)
    assert found is not None, text
    return found.group(1)


async def stored_exclusions(arena: Arena) -> tuple[list[str | None], list[str | None]]:
    """What the contests' closes and the giveaway draws recorded as left out, in order."""
    async with arena.core.db.session() as session:
        contests = (
            await session.exec(select(Contest.excluded_ids).order_by(col(Contest.id)))
        ).all()
        draws = (
            await session.exec(select(GiveawayDraw.excluded_ids).order_by(col(GiveawayDraw.id)))
        ).all()
    return list(contests), list(draws)


async def test_a_winner_who_left_before_the_close_and_came_back_stays_out_of_the_results(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", "/contest_create Photo 1h")
    await arena.run("bob", "/submit 1 bobpic")
    await arena.run("alice", "/submit 1 alicepic")
    await arena.run("carol", "/vote 1 1")
    await leave(arena, "bob")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1] == (
        "No winner this time: the members whose entries could have won have left."
    )
    assert arena.events == []
    await arena.join("bob")
    # bob is back, but he had left when the contest closed: the results stay as announced.
    assert await arena.run("mod", "/contest_results 1") == results.text


async def test_results_stay_as_announced_when_a_member_who_had_left_comes_back_and_leaves_again(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol", "dave", "erin")
    await arena.run("mod", "/contest_create Photo 1h")
    await arena.run("bob", "/submit 1 bobpic")
    await arena.run("alice", "/submit 1 alicepic")
    for voter in ("carol", "dave"):
        await arena.run(voter, "/vote 1 1")
    await arena.run("erin", "/vote 1 2")
    await leave(arena, "bob")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1] == "1. alice — entry 2, votes: 1"
    await arena.wait(timedelta(hours=1))
    await arena.join("bob")
    await arena.wait(timedelta(days=1))
    await leave(arena, "bob")  # his latest departure is now after the close
    assert await arena.run("mod", "/contest_results 1") == results.text
    assert [(event.member.name, event.rank) for event in arena.events] == [("alice", 1)]


async def test_a_random_challenges_tickets_stay_as_drawn_when_a_member_comes_back(
    open_arena: ArenaFactory,
) -> None:
    random = {**WEEKLY, "choose_by": "random", "open_for": "1d", "winners": 3}
    arena = await open_arena(contests={"challenges": {"weekly": random}})
    arena.cog.seeds = lambda: "seed-3"
    await arena.veterans("alice", "bob", "carol")
    await arena.wait(timedelta(days=5))  # Monday 9 November, 09:00: the challenge opens
    for name, text in (("alice", "one"), ("bob", "two"), ("carol", "three")):
        await arena.run(name, f"/submit 1 {text}", channel="photos")
    await leave(arena, "carol")
    await arena.wait(timedelta(days=1))
    [results] = arena.posted("is closed")
    assert f"entries 1 2; seed seed-3, hash {entrants_hash(['1', '2'])}" in results.text
    await arena.join("carol")
    assert await arena.run("mod", "/contest_results 1") == results.text


async def test_a_giveaways_entrants_stay_those_drawn_from_when_one_who_had_left_leaves_again(
    arena: Arena,
) -> None:
    await giveaway_entered_by(arena, ("alice", "bob", "carol"), winners=1)
    await leave(arena, "bob")
    await arena.wait(timedelta(days=1))
    [result] = arena.posted("congratulations")
    assert "Drawn among 2 entrants" in result.text
    await arena.wait(timedelta(hours=1))
    await arena.join("bob")
    await arena.wait(timedelta(hours=1))
    await leave(arena, "bob")  # his latest departure is now after the draw
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    header, *entrants = listing.splitlines()
    assert entrants == ["id-alice (alice)", "id-carol (carol)"]
    assert header == (
        f"Giveaway 1: 2 entrants (hash {published_hash(result.text)}), in draw order:"
    )
    assert published_hash(result.text) == entrants_hash(["id-alice", "id-carol"])


async def test_a_reroll_records_who_it_left_out_and_the_first_draws_list_stays(
    arena: Arena,
) -> None:
    arena.cog.seeds = lambda: "first"
    await giveaway_entered_by(arena, ("alice", "bob", "carol", "dave"), winners=1)
    await leave(arena, "dave")
    await arena.wait(timedelta(days=1))
    [result] = arena.posted("congratulations")
    [winner] = drawn_names(result.text)
    others = sorted({"alice", "bob", "carol"} - {winner})
    await leave(arena, others[0])
    await arena.join("dave")  # back in time for the reroll: he may win it
    await arena.wait(timedelta(hours=1))
    await arena.run("mod", "/giveaway_reroll 1 3")
    [reroll] = arena.posted("new draw")
    assert sorted(drawn_names(reroll.text)) == sorted([others[1], "dave"])
    listing = await arena.run("zoe", "/giveaway_entrants 1")
    assert f"3 entrants (hash {published_hash(result.text)})" in listing
    assert "id-dave" not in listing
    assert await stored_exclusions(arena) == ([], ["id-dave", f"id-{others[0]}"])


async def test_an_erased_member_leaves_no_id_among_those_left_out(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", "/contest_create Photo 1h")
    await arena.run("mod", '/giveaway "A bag of seeds" 1 1h')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in ("alice", "bob", "carol"):
        await arena.press(name, "giveaway:1", post)
    await arena.run("alice", "/submit 1 alicepic")
    await arena.run("bob", "/submit 1 bobpic")
    await arena.run("carol", "/vote 1 2")
    await leave(arena, "alice", "bob")
    await arena.wait(timedelta(hours=2))
    assert await stored_exclusions(arena) == (["id-alice\nid-bob"], ["id-alice\nid-bob"])

    await arena.cog.erase_member_data(arena.platform.community, arena.member("bob").user)

    assert await stored_exclusions(arena) == (["id-alice"], ["id-alice"])
    assert "1 entrant (hash" in await arena.run("zoe", "/giveaway_entrants 1")


async def test_a_contest_closed_before_the_record_was_kept_still_guesses_from_members(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", "/contest_create Photo 1h")
    await arena.run("bob", "/submit 1 bobpic")
    await arena.run("carol", "/vote 1 1")
    await leave(arena, "bob")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    async with arena.core.db.session() as session:
        await session.exec(update(Contest).values(excluded_ids=None))
        await session.commit()
    # As a contest closed by an older bot: bob's row still says he left before the close.
    assert await arena.run("mod", "/contest_results 1") == results.text


async def moderated(arena: Arena, name: str, action: str) -> None:
    """A moderator's ``action`` (``ban``, ``unban``) on ``name``, as the netiquette cog tells it;
    a ban takes them out of the community."""
    await arena.core.bus.publish(
        ModerationRecorded(
            at=arena.clock.now(),
            member=arena.member(name),
            case_id=1,
            action=action,
            moderator=arena.member("mod"),
        )
    )
    if action == "ban":
        await leave(arena, name)


async def test_a_banned_voters_vote_is_not_counted_and_a_departed_voters_is(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol", "dave", "erin")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("bob", "/submit 1 a frog")
    await arena.run("alice", "/submit 1 old pond")
    for voter in ("carol", "dave"):
        await arena.run(voter, "/vote 1 1")
    await arena.run("erin", "/vote 1 2")
    await moderated(arena, "dave", "ban")  # a spammer
    await leave(arena, "carol")  # she voted as a member: her vote stands
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines() == [
        "🏆 Contest 1 “Haiku” is closed: 2 entries, 2 votes.",
        "1. bob — entry 1, votes: 1",
        "2. alice — entry 2, votes: 1",
        "Not counted: 1 vote by members banned during the contest.",
        "Ties go to the earliest submission.",
    ]
    async with arena.core.db.session() as session:
        kept = (await session.exec(select(Contest.banned_voter_ids))).all()
    assert kept == ["id-dave"]
    # dave back (a ban lifted by hand on the platform) changes nothing to the results.
    await arena.join("dave")
    assert await arena.run("mod", "/contest_results 1") == results.text


async def test_a_temporary_ban_running_out_before_the_close_counts_the_vote_again(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 old pond")
    await arena.run("bob", "/submit 1 a frog")
    await arena.run("carol", "/vote 1 2")
    await moderated(arena, "carol", "ban")  # a step of the ladder: banned for an hour
    await arena.wait(timedelta(hours=1))
    # The netiquette cog lifts it when it runs out, and says so.
    await arena.core.bus.publish(
        ModerationLifted(
            at=arena.clock.now(), member=arena.member("carol"), case_id=1, action="ban"
        )
    )
    await arena.join("carol")
    await arena.wait(timedelta(hours=1))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1:] == ["1. bob — entry 2, votes: 1"]


async def test_an_unban_before_the_close_counts_the_vote_again(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 old pond")
    await arena.run("bob", "/submit 1 a frog")
    await arena.run("carol", "/vote 1 2")
    await moderated(arena, "carol", "ban")
    await moderated(arena, "carol", "unban")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1:] == ["1. bob — entry 2, votes: 1"]
