"""Submissions and votes: one vote per member, no self-vote, new members wait, votes move;
votes are answered privately, and voters are told when the entry they voted for is replaced."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from bot.events import ChannelRef, MessageRef, ReactionAdded
from cogs.contests.models import Entry, Vote
from tests.cogs.contests.arena import Arena
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.fake_platform import FakePlatform

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


async def contest_with_two_entries(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol", "dave")
    await arena.run("mod", '/contest_create "Photo de la semaine" 2h')
    await arena.run("alice", "/submit 1 https://example.org/alice.jpg")
    await arena.run("bob", "/submit 1 https://example.org/bob.jpg")


async def test_an_entry_is_posted_in_the_contest_channel_for_votes(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 2h "" "" #contests')
    answer = await arena.run("alice", "/submit 1 Old pond / a frog jumps in", channel="general")
    assert answer == "Your entry 1 to contest 1 is in."
    [entry] = arena.posted("Entry 1 to contest 1, by alice", channel="contests")
    assert "Old pond / a frog jumps in" in entry.text
    assert "Vote with 👍 or /vote 1 1." in entry.text
    assert entry.details["mention"] == ()


async def test_votes_by_command_and_by_reaction_count_once_per_member(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    [alice_entry] = arena.posted("by alice")
    [bob_entry] = arena.posted("by bob")
    assert (
        await arena.run("carol", "/vote 1 1") == "Your vote for entry 1 of contest 1 is counted."
    )
    await arena.react("dave", "👍", bob_entry)
    await arena.react("dave", "👍", alice_entry)  # moves dave's vote
    await arena.react("bob", "❤️", alice_entry)  # not the vote emoji: nothing
    assert "moved from entry 2 to entry 1" in arena.sent()[-1].text
    assert arena.sent()[-1].details["private_to"] == arena.member("dave")
    await arena.wait(timedelta(hours=3))
    [results] = arena.posted("is closed")
    # No tie decided anything: the tie rule is not printed.
    assert results.text.splitlines()[1:] == ["1. alice — entry 1, votes: 2"]
    assert await arena.count(Vote) == 2


async def test_a_vote_by_command_is_answered_privately(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    await arena.run("carol", "/vote 1 1")
    [answer] = arena.posted("Your vote for entry 1")
    assert answer.details["private_to"] == arena.member("carol")
    await arena.run("carol", "/vote 1 2")
    [moved] = arena.posted("moved from entry 1 to entry 2")
    assert moved.details["private_to"] == arena.member("carol")


async def test_self_votes_repeat_votes_and_new_members_are_refused(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    await arena.join("eve")
    assert await arena.run("alice", "/vote 1 1") == "You cannot vote for your own entry."
    await arena.react("bob", "👍", arena.posted("by bob")[0])
    assert arena.sent()[-1].text == "You cannot vote for your own entry."
    assert (
        await arena.run("carol", "/vote 1 2") == "Your vote for entry 2 of contest 1 is counted."
    )
    assert await arena.run("carol", "/vote 1 2") == (
        "You already voted for entry 2; one vote per member."
    )
    # Old enough only after the contest's end: told it is too late for this one.
    too_new = await arena.run("eve", "/vote 1 1")
    assert too_new == (
        "Members can vote once they have been here for 1 day: too late for contest 1, "
        f"which closes on Wed, Nov 4, 2026, 12:00{NNBSP}PM (CET)."
    )
    assert await arena.count(Vote) == 1


async def test_a_new_member_is_told_when_they_can_vote_before_the_end(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 3d')
    await arena.run("alice", "/submit 1 old pond")
    await arena.join("eve")
    assert await arena.run("eve", "/vote 1 1") == (
        "Members can vote once they have been here for 1 day; you can from "
        f"Thu, Nov 5, 2026, 10:00{NNBSP}AM (CET)."
    )


async def test_a_member_first_seen_long_ago_may_vote(arena: Arena) -> None:
    # No join event (they were there before the bot): the first sighting counts.
    await contest_with_two_entries(arena)
    await arena.run("frank", "/contest_list")
    assert (await arena.run("frank", "/vote 1 1")).startswith("Members can vote once they")
    await arena.wait(timedelta(days=1))
    await arena.run("mod", '/contest_create "Second" 2h')
    await arena.run("alice", "/submit 2 again")
    assert (
        await arena.run("frank", "/vote 2 1") == "Your vote for entry 1 of contest 2 is counted."
    )


async def test_taking_the_reaction_back_withdraws_that_vote_only(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    alice_entry, bob_entry = arena.posted("by alice")[0], arena.posted("by bob")[0]
    await arena.react("carol", "👍", alice_entry)
    await arena.react("carol", "👍", bob_entry)
    await arena.react("carol", "👍", alice_entry, added=False)  # her vote is on bob's now
    assert await arena.count(Vote) == 1
    await arena.react("carol", "👍", bob_entry, added=False)
    assert await arena.count(Vote) == 0


async def test_taking_back_a_refused_reaction_keeps_the_vote_cast_with_the_command(
    arena: Arena,
) -> None:
    await contest_with_two_entries(arena)
    [alice_entry] = arena.posted("by alice")
    assert (
        await arena.run("carol", "/vote 1 1") == "Your vote for entry 1 of contest 1 is counted."
    )
    await arena.react("carol", "👍", alice_entry)
    assert arena.sent()[-1].text == "You already voted for entry 1; one vote per member."
    await arena.react("carol", "👍", alice_entry, added=False)  # that 👍 cast nothing
    assert await arena.count(Vote) == 1
    await arena.wait(timedelta(hours=3))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1] == "1. alice — entry 1, votes: 1"


async def test_a_new_submission_replaces_the_old_and_its_votes(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    await arena.run("carol", "/vote 1 1")
    answer = await arena.run("alice", "/submit 1 https://example.org/better.jpg")
    assert answer == (
        "Your new entry 1 to contest 1 replaces your previous one (1 vote on it withdrawn)."
    )
    # The vote was for the old text: carol is told, privately, and may vote again.
    [told] = arena.done("dm")
    assert told.target == arena.member("carol").user
    assert told.text == (
        "Entry 1 of contest 1 “Photo de la semaine”, which you voted for, was replaced by its "
        "author: your vote was withdrawn. You can vote again until "
        f"Wed, Nov 4, 2026, 12:00{NNBSP}PM (CET): /vote 1 <entry>."
    )
    assert await arena.count(Entry) == 2
    assert await arena.count(Vote) == 0
    # The old post is taken down (a 👍 on it would count for nothing); the new one counts.
    old, new = arena.posted("by alice")
    assert "alice.jpg" in old.text
    assert "better.jpg" in new.text
    deleted = [action.target for action in arena.platform.actions if action.action == "delete"]
    assert deleted == [old.details["message"]]
    await arena.react("dave", "👍", new)
    assert await arena.count(Vote) == 1


async def test_several_entries_per_member_when_the_contest_allows(arena: Arena) -> None:
    await arena.veterans("alice")
    await arena.run("mod", '/contest_create "Haiku" 1d "" "" #general 2')
    await arena.run("alice", "/submit 1 first")
    assert await arena.run("alice", "/submit 1 second") == "Your entry 2 to contest 1 is in."
    assert "replaces your previous one" in await arena.run("alice", "/submit 1 third")
    assert await arena.count(Entry) == 2


async def test_ties_go_to_the_earliest_submission(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol", "dave")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("bob", "/submit 1 early")
    await arena.wait(timedelta(minutes=5))
    await arena.run("alice", "/submit 1 late")
    await arena.run("carol", "/vote 1 2")
    await arena.run("dave", "/vote 1 1")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1:] == [
        "1. bob — entry 1, votes: 1",
        "2. alice — entry 2, votes: 1",
        "Ties go to the earliest submission.",
    ]


async def test_votes_and_entries_after_the_close_are_refused(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    await arena.wait(timedelta(hours=2))
    closed = (
        f"Contest 1 closed on Wed, Nov 4, 2026, 12:00{NNBSP}PM (CET): "
        "it no longer takes entries or votes."
    )
    assert await arena.run("carol", "/vote 1 1") == closed
    assert await arena.run("carol", "/submit 1 too late") == closed
    await arena.react("carol", "👍", arena.posted("by alice")[0])
    assert arena.sent()[-1].text == closed
    assert await arena.count(Vote) == 0
    assert await arena.count(Entry) == 2


async def test_a_message_that_later_becomes_an_entry_takes_votes(arena: Arena) -> None:
    # A reaction on a message that is no entry is remembered as such: the bot posting an entry
    # under that very id must make it count again.
    await arena.veterans("alice", "dave")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    upcoming = arena.platform.next_message_ref(arena.platform.channel("general"))
    await arena.core.handle(
        ReactionAdded(
            at=arena.clock.now(), message=upcoming, member=arena.member("dave"), emoji="👍"
        )
    )
    assert await arena.count(Vote) == 0
    await arena.run("alice", "/submit 1 Old pond / a frog jumps in")
    [entry] = arena.posted("Entry 1 to contest 1, by alice")
    assert entry.details["message"].id == upcoming.id
    await arena.react("dave", "👍", entry)
    assert await arena.count(Vote) == 1


class PerChatNumbering(FakePlatform):
    """Numbers the bot's messages per chat, as Telegram does: two groups' posts share ids."""

    def __init__(self) -> None:
        super().__init__()
        self._per_chat: Counter[tuple[str, str]] = Counter()

    async def send(self, channel: ChannelRef, text: str, **options: Any) -> MessageRef:
        key = (channel.community.id, channel.id)
        self._next_id = self._per_chat[key]
        message = await super().send(channel, text, **options)
        self._per_chat[key] = self._next_id
        return message


async def test_a_vote_counts_in_its_own_group_when_another_has_the_same_message_id(
    open_arena: ArenaFactory,
) -> None:
    arena = await open_arena(platform=PerChatNumbering())
    first, second = (
        arena.platform.community,
        arena.platform.community.__class__("fake", "c2", "Orchard"),
    )
    await arena.join("alice")
    arena.platform.community = second
    arena.platform.members.clear()
    await arena.join("dan", "erin")
    await arena.wait(timedelta(days=2))
    # The same steps in each group: a contest, and an entry posted under the same id.
    arena.platform.community = first
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 old pond")
    [alice_post] = arena.posted("by alice")
    arena.platform.community = second
    arena.platform.members.clear()
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("dan", "/submit 2 a frog")
    [dan_post] = arena.posted("by dan")
    assert dan_post.details["message"].id == alice_post.details["message"].id

    await arena.react("erin", "👍", dan_post)
    assert arena.sent()[-1].text == "Your vote for entry 1 of contest 2 is counted."
    assert await arena.count(Vote) == 1
    await arena.react("erin", "👍", dan_post, added=False)
    assert await arena.count(Vote) == 0


async def test_two_reactions_at_once_leave_one_vote(arena: Arena) -> None:
    await contest_with_two_entries(arena)
    alice_entry, bob_entry = arena.posted("by alice")[0], arena.posted("by bob")[0]
    before = len(arena.sent())
    await asyncio.gather(
        arena.react("carol", "👍", alice_entry), arena.react("carol", "👍", bob_entry)
    )
    answers = sorted(action.text for action in arena.sent()[before:])
    assert len(answers) == 2
    assert answers[0].startswith("Your vote for entry ")
    assert answers[1].startswith("Your vote in contest 1 moved from entry ")
    assert await arena.count(Vote) == 1


async def test_a_member_takes_one_place_with_their_best_entry(arena: Arena) -> None:
    await arena.veterans("alice", "bob", "carol", "dave", "erin", "fay", "gus", "hal")
    await arena.run("mod", '/contest_create "Haiku" 2h "" "" #general 2')
    await arena.run("alice", "/submit 1 first")
    await arena.run("alice", "/submit 1 second")
    await arena.run("bob", "/submit 1 third")
    for voter in ("carol", "dave", "erin"):
        await arena.run(voter, "/vote 1 2")
    for voter in ("fay", "gus"):
        await arena.run(voter, "/vote 1 1")
    await arena.run("hal", "/vote 1 3")
    await arena.wait(timedelta(hours=2))
    [results] = arena.posted("is closed")
    assert results.text.splitlines()[1:] == [
        "1. alice — entry 2, votes: 3",
        "2. bob — entry 3, votes: 1",
    ]
    assert [(event.member.name, event.rank) for event in arena.events] == [
        ("alice", 1),
        ("bob", 2),
    ]
