"""A member's data: exported on request, erased on request, in one community only."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from bot.events import CommunityRef, MemberLeft, ModerationRecorded
from cogs.contests.cog import EXPORT_ORDER
from cogs.contests.draw import entrants_hash
from cogs.contests.models import (
    ChallengeTurn,
    Contest,
    Entry,
    Giveaway,
    GiveawayDraw,
    GiveawayEntry,
    Vote,
    Win,
)
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.conftest import ArenaFactory


async def test_export_and_erase_a_members_contest_data(arena: Arena) -> None:
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Cherry blossom")
    await arena.run("bob", "/vote 1 1")
    await arena.run("alice", "/vote 1 2")
    await arena.run("mod", '/giveaway "Seeds" 1 2h')
    await arena.press("alice", "giveaway:1", arena.posted("Giveaway 1")[0])
    await arena.wait(timedelta(hours=1))
    alice = arena.member("alice").user
    exported = await arena.cog.export_member_data(arena.platform.community, alice)
    assert exported["entries"] == [
        {"contest": 1, "entry": 1, "text": "Old pond", "submitted_at": "2026-11-04T09:00:00+00:00"}
    ]
    assert [vote["entry"] for vote in exported["votes"]] == [2]
    assert [ticket["giveaway"] for ticket in exported["giveaways"]] == [1]
    assert [(win["title"], win["rank"]) for win in exported["wins"]] == [("Haiku", 1)]

    await arena.cog.erase_member_data(arena.platform.community, alice)
    assert await arena.cog.export_member_data(arena.platform.community, alice) == {}
    assert await arena.count(Entry) == 1  # bob's
    assert await arena.count(Vote) == 0  # alice's vote, and bob's vote for her entry
    assert await arena.count(GiveawayEntry) == 0
    assert await arena.count(Win) == 1  # bob's second place


async def draws(arena: Arena) -> list[GiveawayDraw]:
    """The giveaway draws stored, first first."""
    async with arena.core.db.session() as session:
        return list(
            (await session.exec(select(GiveawayDraw).order_by(col(GiveawayDraw.id)))).all()
        )


async def test_an_erased_giveaway_winner_leaves_no_id_and_rerolls_skip_the_others(
    arena: Arena,
) -> None:
    await arena.run("mod", '/giveaway "Seeds" 2 1d')
    [post] = arena.posted("Giveaway 1: Seeds!")
    for name in ("alice", "bob", "carol", "dave"):
        await arena.press(name, "giveaway:1", post)
    await arena.wait(timedelta(days=1))
    [draw] = await draws(arena)
    erased, kept = draw.winner_ids.split("\n")
    user = arena.member(erased.removeprefix("id-")).user
    exported = await arena.cog.export_member_data(arena.platform.community, user)
    assert [(row["giveaway"], row["round"], row["place"]) for row in exported["draws"]] == [
        (1, 1, 1)
    ]

    await arena.cog.erase_member_data(arena.platform.community, user)

    assert await arena.cog.export_member_data(arena.platform.community, user) == {}
    [draw] = await draws(arena)
    assert draw.winner_ids.split("\n") == ["", kept]
    await arena.run("mod", "/giveaway_reroll 1")
    [reroll] = arena.posted("new draw")
    pool = sorted({"id-alice", "id-bob", "id-carol", "id-dave"} - {erased, kept})
    assert f"hash {entrants_hash(pool)}" in reroll.text
    assert "Drawn among the 2 entrants who had not won" in reroll.text
    assert [event.rank for event in arena.events] == [1, 2, 3]


async def test_a_forgotten_moderator_is_no_longer_named_as_a_creator(arena: Arena) -> None:
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("mod", '/giveaway "Seeds" 1 2h')
    mod = arena.member("mod").user
    exported = await arena.cog.export_member_data(arena.platform.community, mod)
    assert (exported["contests_created"], exported["giveaways_created"]) == ([1], [1])

    await arena.cog.erase_member_data(arena.platform.community, mod)

    assert await arena.cog.export_member_data(arena.platform.community, mod) == {}
    async with arena.core.db.session() as session:
        creators = [
            *(await session.exec(select(Contest.created_by))).all(),
            *(await session.exec(select(Giveaway.created_by))).all(),
        ]
    assert creators == ["", ""]  # the contest and the giveaway run on, unsigned


async def test_a_member_left_out_of_a_close_and_a_draw_finds_both_in_their_export(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", "/contest_create Photo 1h")
    await arena.run("mod", '/giveaway "A bag of seeds" 1 1h')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in ("alice", "bob"):
        await arena.press(name, "giveaway:1", post)
    await arena.run("alice", "/submit 1 alicepic")
    await arena.run("bob", "/submit 1 bobpic")
    await arena.run("carol", "/vote 1 2")
    await arena.handle(MemberLeft(at=arena.clock.now(), member=arena.member("bob")))
    await arena.wait(timedelta(hours=2))

    bob = arena.member("bob").user
    exported = await arena.cog.export_member_data(arena.platform.community, bob)
    assert exported["left_out_of_contests"] == [
        {"contest": 1, "title": "Photo", "closed_at": "2026-11-04T10:00:00+00:00"}
    ]
    assert exported["left_out_of_draws"] == [
        {"giveaway": 1, "round": 1, "drawn_at": "2026-11-04T10:00:00+00:00"}
    ]
    alice = arena.member("alice").user
    exported = await arena.cog.export_member_data(arena.platform.community, alice)
    assert "left_out_of_contests" not in exported
    assert "left_out_of_draws" not in exported

    await arena.cog.erase_member_data(arena.platform.community, bob)
    assert await arena.cog.export_member_data(arena.platform.community, bob) == {}


async def banned(arena: Arena, name: str) -> None:
    """A moderator bans ``name``, as the netiquette cog tells it."""
    await arena.core.bus.publish(
        ModerationRecorded(
            at=arena.clock.now(),
            member=arena.member(name),
            case_id=1,
            action="ban",
            moderator=arena.member("mod"),
        )
    )


async def test_a_banned_voter_finds_in_their_export_that_their_vote_was_not_counted(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("mod", '/contest_create "Photo" 3h')
    await arena.run("alice", "/submit 1 old pond")
    await arena.run("alice", "/submit 2 alicepic")
    await arena.run("bob", "/vote 1 1")
    await arena.run("carol", "/vote 1 1")
    await banned(arena, "bob")
    await arena.handle(MemberLeft(at=arena.clock.now(), member=arena.member("bob")))
    await arena.wait(timedelta(hours=2))

    bob = arena.member("bob").user
    exported = await arena.cog.export_member_data(arena.platform.community, bob)
    assert exported["votes"] == [
        {"contest": 1, "entry": 1, "voted_at": "2026-11-04T09:00:00+00:00"}
    ]
    # Photo still runs: a vote bob cast there would not count either.
    assert exported["votes_not_counted"] == [
        {"contest": 1, "title": "Haiku", "closed_at": "2026-11-04T10:00:00+00:00"},
        {"contest": 2, "title": "Photo", "closed_at": None},
    ]
    carol = arena.member("carol").user
    assert "votes_not_counted" not in await arena.cog.export_member_data(
        arena.platform.community, carol
    )

    await arena.cog.erase_member_data(arena.platform.community, bob)
    assert await arena.cog.export_member_data(arena.platform.community, bob) == {}


async def test_a_members_whole_contest_export_keeps_its_parts_in_order(
    open_arena: ArenaFactory,
) -> None:
    # The moderator enters giveaways too: every part of the export has something.
    arena = await open_arena(contests={"giveaways": {"exclude_moderators": False}})
    await arena.veterans("mod", "alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("mod", '/giveaway "Seeds" 1 1h')
    await arena.run("mod", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Cherry blossom")
    await arena.run("mod", "/vote 1 2")
    await arena.run("alice", "/vote 1 1")
    await arena.press("mod", "giveaway:1", arena.posted("Giveaway 1")[0])
    await arena.run("mod", "/contest_create Photo 2h")
    await arena.run("mod", '/giveaway "Bulbs" 1 2h')
    await arena.run("mod", "/submit 2 modpic")
    await arena.run("alice", "/submit 2 alicepic")
    await arena.run("bob", "/vote 2 1")
    for name in ("mod", "alice"):
        await arena.press(name, "giveaway:2", arena.posted("Giveaway 2")[0])
    await banned(arena, "mod")  # their vote in Haiku is not counted
    await arena.wait(timedelta(hours=1))
    await arena.handle(MemberLeft(at=arena.clock.now(), member=arena.member("mod")))
    await arena.wait(timedelta(hours=1))

    mod = arena.member("mod").user
    exported = await arena.cog.export_member_data(arena.platform.community, mod)
    at_9, at_10, at_11 = (f"2026-11-04T{hour:02}:00:00+00:00" for hour in (9, 10, 11))
    # The keys in this order: the export file lists them as they come.
    expected = {
        "contests_created": [1, 2],
        "giveaways_created": [1, 2],
        "entries": [
            {"contest": 1, "entry": 1, "text": "Old pond", "submitted_at": at_9},
            {"contest": 2, "entry": 1, "text": "modpic", "submitted_at": at_9},
        ],
        "votes": [{"contest": 1, "entry": 2, "voted_at": at_9}],
        "giveaways": [
            {"giveaway": 1, "entered_at": at_9},
            {"giveaway": 2, "entered_at": at_9},
        ],
        "wins": [
            {"kind": "contest", "id": 1, "title": "Haiku", "rank": 1, "won_at": at_10},
            {"kind": "giveaway", "id": 1, "title": "Seeds", "rank": 1, "won_at": at_10},
        ],
        "draws": [{"giveaway": 1, "round": 1, "place": 1, "drawn_at": at_10}],
        "left_out_of_contests": [{"contest": 2, "title": "Photo", "closed_at": at_11}],
        "left_out_of_draws": [{"giveaway": 2, "round": 1, "drawn_at": at_11}],
        "votes_not_counted": [{"contest": 1, "title": "Haiku", "closed_at": at_10}],
    }
    assert json.dumps(exported, indent=2) == json.dumps(expected, indent=2)


TABLES = (Contest, Entry, Vote, ChallengeTurn, Giveaway, GiveawayEntry, GiveawayDraw, Win)
"""Every table of the contests cog."""


async def stored(arena: Arena) -> dict[tuple[str, int], dict[str, Any]]:
    """Every row of the contests cog's tables, by table name and id."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    async with arena.core.db.session() as session:
        for table in TABLES:
            for row in (await session.exec(select(table))).all():
                assert row.id is not None
                rows[table.__tablename__, row.id] = row.model_dump()
    return rows


def visit(arena: Arena, community: CommunityRef) -> None:
    """Drive ``community`` from now on, whose members are met anew."""
    arena.platform.community = community
    arena.platform.members.clear()


async def test_an_erased_member_leaves_no_row_of_theirs_and_no_one_elses_changes(
    open_arena: ArenaFactory,
) -> None:
    # The moderator enters giveaways too: each table holds something of theirs.
    arena = await open_arena(contests={"giveaways": {"exclude_moderators": False}})
    garden, orchard = arena.platform.community, CommunityRef("fake", "c2", "Orchard")
    visit(arena, orchard)
    await arena.join("mod", "dan")
    visit(arena, garden)
    arena.member("mia", moderator=True)
    await arena.veterans("mod", "mia", "alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("mod", '/giveaway "Seeds" 2 1h')
    await arena.run("mia", "/contest_create Photo 2h")
    await arena.run("mia", '/giveaway "Bulbs" 1 2h')
    await arena.run("mod", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Cherry blossom")
    await arena.run("alice", "/vote 1 1")  # for mod's entry: it goes with it
    await arena.run("mod", "/vote 1 2")
    await arena.run("mod", "/submit 2 modpic")
    await arena.run("alice", "/submit 2 alicepic")
    await arena.run("bob", "/submit 2 bobpic")
    await arena.run("mia", "/vote 2 2")
    for name in ("mod", "alice"):
        await arena.press(name, "giveaway:1", arena.posted("Giveaway 1")[0])
    for name in ("mod", "alice", "bob"):
        await arena.press(name, "giveaway:2", arena.posted("Giveaway 2")[0])
    await arena.wait(timedelta(hours=1))
    for name in ("mod", "bob"):
        await arena.handle(MemberLeft(at=arena.clock.now(), member=arena.member(name)))
    await arena.wait(timedelta(hours=1))
    # The same member in another community, where nothing of theirs may go.
    visit(arena, orchard)
    await arena.run("mod", '/contest_create "Orchard haiku" 1h')
    await arena.run("mod", '/giveaway "Apples" 2 1h')
    await arena.run("mod", "/contest_create Pears 2h")
    await arena.run("mod", '/giveaway "Plums" 1 2h')
    for contest in (3, 4):
        await arena.run("mod", f"/submit {contest} Apple blossom")
    await arena.run("dan", "/submit 3 Windfall")
    await arena.run("dan", "/vote 3 1")
    await arena.run("mod", "/vote 3 2")
    for name, giveaway in itertools.product(("mod", "dan"), (3, 4)):
        await arena.press(name, f"giveaway:{giveaway}", arena.posted(f"Giveaway {giveaway}")[0])
    await banned(arena, "mod")  # while both run: their vote in the first is not counted
    await arena.wait(timedelta(hours=1))
    await arena.handle(MemberLeft(at=arena.clock.now(), member=arena.member("mod")))
    await arena.wait(timedelta(hours=1))
    visit(arena, garden)
    mod = arena.member("mod").user
    before = await stored(arena)
    exports = {
        name: await arena.cog.export_member_data(garden, arena.member(name).user)
        for name in ("mia", "alice", "bob")
    }
    in_orchard = await arena.cog.export_member_data(orchard, mod)
    assert tuple(in_orchard) == EXPORT_ORDER
    haiku, modpic = (
        arena.posted(f"Entry 1 to contest {contest}, by mod")[0].details["message"]
        for contest in (1, 2)
    )
    arena.clear()

    await arena.cog.erase_member_data(garden, mod)

    after = await stored(arena)
    assert await arena.cog.export_member_data(garden, mod) == {}
    assert await arena.cog.export_member_data(orchard, mod) == in_orchard
    # Of the others, only alice loses something: her vote, for mod's entry.
    del exports["alice"]["votes"]
    for name, exported in exports.items():
        assert await arena.cog.export_member_data(garden, arena.member(name).user) == exported
    won = before["giveaway_draws", 1]["winner_ids"]
    assert sorted(key for key in before if key not in after) == [
        ("contest_entries", 1),  # mod's entries
        ("contest_entries", 3),
        ("contest_votes", 1),  # alice's vote for mod's entry
        ("contest_votes", 2),  # mod's vote
        ("contest_wins", 1),  # mod's first place in the haiku contest
        ("contest_wins", 3 if won.startswith("id-mod") else 4),  # his place in the seeds draw
        ("giveaway_entries", 1),  # mod's tickets
        ("giveaway_entries", 3),
    ]
    assert after.keys() <= before.keys()
    changed = {
        key: {
            column: (value, after[key][column])
            for column, value in row.items()
            if after[key][column] != value
        }
        for key, row in before.items()
        if key in after and after[key] != row
    }
    assert changed == {
        ("contests", 1): {"created_by": ("id-mod", "")},
        ("contests", 2): {"excluded_ids": ("id-bob\nid-mod", "id-bob")},
        ("giveaways", 1): {"created_by": ("id-mod", "")},
        # alice keeps her place in the draw mod won with her
        ("giveaway_draws", 1): {"winner_ids": (won, won.replace("id-mod", ""))},
        ("giveaway_draws", 2): {"excluded_ids": ("id-bob\nid-mod", "id-bob")},
    }
    # The bot's posts of mod's entries go; that of his entry in the orchard stays.
    deleted = [action.target for action in arena.done("delete")]
    assert len(deleted) == 2
    assert set(deleted) == {haiku, modpic}


async def test_the_retention_forgets_old_entries_votes_and_entrants_and_keeps_the_winners(
    arena: Arena,
) -> None:
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", '/contest_create "Haiku" 1h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Cherry blossom")
    await arena.run("carol", "/vote 1 1")
    await arena.run("bob", "/vote 1 1")
    await arena.run("mod", '/giveaway "Seeds" 1 2h')
    [post] = arena.posted("Giveaway 1: Seeds!")
    for name in ("alice", "bob"):
        await arena.press(name, "giveaway:1", post)
    await arena.wait(timedelta(hours=2))
    [drawn] = await draws(arena)
    assert drawn.winner_ids in {"id-alice", "id-bob"}
    arena.clock.advance(timedelta(days=500))  # the shipped retention is 400 days
    await arena.run("mod", '/contest_create "Spring" 1h')
    await arena.run("carol", "/submit 2 Green shoots")

    assert await arena.core.retention.sweep()

    # The old contest's texts and votes and the giveaway's entrants go; the new contest stays.
    async with arena.core.db.session() as session:
        assert list((await session.exec(select(Entry.text))).all()) == ["Green shoots"]
    assert await arena.count(Vote) == 0
    assert await arena.count(GiveawayEntry) == 0
    [draw] = await draws(arena)
    assert draw.winner_ids == ""  # their place stays taken, their id is gone
    # The places won stay: the hall of fame, and the results name the winners from there.
    assert await arena.count(Win) == 2  # alice first in the contest, the giveaway's winner
    assert "Haiku" in await arena.run("bob", "/hall_of_fame")
    results = await arena.run("bob", "/contest_results 1")
    assert "Its entries and votes are no longer kept" in results
    assert "1. alice — votes: 2" in results
    assert "Old pond" not in results
    # The giveaway's entrants are said forgotten, not "nobody entered"; nothing is redrawn.
    forgotten = "Giveaway 1 (Seeds) was drawn on Wed, Nov 4, 2026"
    assert (await arena.run("bob", "/giveaway_entrants 1")).startswith(forgotten)
    assert "its entrants are no longer kept" in await arena.run("mod", "/giveaway_reroll 1")
    assert await arena.count(Win) == 2
