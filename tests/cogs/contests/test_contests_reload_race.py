"""A rule-book reload while a contest closes, a challenge's run closes or a giveaway is drawn:
the results are posted once, each place is told to the other cogs once, and no announcement
still on its way is reported lost. A cancel that meets the close, or another cancel, is
announced once, or refused."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.events import ChannelRef, CommunityRef, ContestWon, MemberRef, MessageRef
from cogs.contests.models import Contest, Win
from tests.cogs.contests.arena import WEEKLY, Arena
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.rulebook import edit_section

Reload = Callable[[], Awaitable[None]]

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


class Gate:
    """A point the bot stops at the first time it reaches it, until the test lets it on; it
    passes it at once the other times."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    async def stop_here(self) -> None:
        """The bot reaches the gate: the first time, it waits there until the gate opens."""
        if self.reached.is_set():
            return
        self.reached.set()
        await self.opened.wait()


@contextmanager
def held_while_posting(arena: Arena, containing: str, gate: Gate) -> Iterator[None]:
    """The platform takes its time to post the bot's message containing ``containing``: it
    posts it once ``gate`` opens."""
    post = arena.platform.send

    async def send(channel: ChannelRef, text: str, **options: Any) -> MessageRef | None:
        if containing in text:
            await gate.stop_here()
        return await post(channel, text, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.platform, "send", send)
        yield


def held_while_told(arena: Arena, gate: Gate) -> None:
    """Another cog takes its time over the first win it is told of, until ``gate`` opens."""

    async def slow(event: Any) -> None:
        await gate.stop_here()

    arena.core.bus.subscribe("core", ContestWon, slow)


@contextmanager
def held_before_the_claim(arena: Arena, gate: Gate) -> Iterator[None]:
    """The close waits for the database while it works out the results, before it claims the
    contest closed, until ``gate`` opens."""
    outcome = arena.cog.outcome

    async def slow(*arguments: Any) -> Any:
        await gate.stop_here()
        return await outcome(*arguments)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.cog, "outcome", slow)
        yield


async def meanwhile(gate: Gate, moving: Awaitable[Any], reload: Reload) -> None:
    """Let time pass (``moving``); once the bot stops at ``gate``, reload the rule book, and
    let the bot on once the reload is done, or waits its turn behind what the bot does."""
    task = asyncio.ensure_future(moving)
    reloaded: asyncio.Future[None] | None = None
    try:
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        reloaded = asyncio.ensure_future(reload())
        await asyncio.wait({reloaded}, timeout=1)
    finally:
        gate.opened.set()
        await task
        if reloaded is not None:
            await reloaded


def reloading(arena: Arena) -> Reload:
    """A reload of the rule book as it is (``/rules_reload``, a save)."""

    async def reload() -> None:
        assert await arena.core.reload_rules() is None

    return reload


async def haiku_won_by_alice(arena: Arena) -> None:
    """A two-hour contest with alice's entry and bob's vote for it: at its close, alice wins."""
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/vote 1 1")


def wins_told(arena: Arena) -> list[tuple[str, str, int]]:
    """The places told to the other cogs: (member, what was won, place)."""
    return [
        (event.member.name, event.contest_id, event.rank)
        for event in arena.events
        if isinstance(event, ContestWon)
    ]


async def all_told(arena: Arena) -> bool:
    """Whether every win stored is recorded as told."""
    async with arena.core.db.session() as session:
        untold = (await session.exec(select(Win).where(col(Win.published_at).is_(None)))).all()
    return not untold


@pytest.mark.parametrize("held", ["before the claim", "while posting", "while told"])
async def test_a_reload_while_a_contest_closes_posts_its_results_and_tells_its_win_once(
    arena: Arena, held: str
) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()
    if held == "while told":
        held_while_told(arena, gate)
    hold = held_before_the_claim(arena, gate) if held == "before the claim" else None

    with hold or nullcontext(), held_while_posting(arena, "is closed", gate):
        await meanwhile(gate, arena.wait(timedelta(hours=2)), reloading(arena))
    assert await arena.core.reload_rules() is None  # and once more, afterwards
    await arena.wait(timedelta(days=1))

    [results] = arena.posted("is closed", channel="general")
    assert "1. alice — entry 1, votes: 1" in results.text
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await arena.count(Win) == 1
    assert await all_told(arena)
    # Nothing claimed was lost: the mod-log hears of no results that may not have been posted.
    assert arena.sent("mod-log") == []
    assert arena.core.scheduler.pending("contest:") == []


async def test_a_reload_that_changes_a_challenge_while_its_run_closes_posts_the_results_once(
    open_arena: ArenaFactory, contests_rules: Path
) -> None:
    weekly = {**WEEKLY, "open_for": "1d"}
    arena = await open_arena(contests={"challenges": {"weekly": weekly}})
    await arena.veterans("alice", "bob")
    await arena.wait(timedelta(days=5))  # Monday 9 November, 09:00: the run opens
    assert len(arena.posted("theme: ")) == 1
    await arena.run("alice", "/submit 1 Buds at dawn", channel="photos")
    await arena.run("bob", "/vote 1 1", channel="photos")
    gate = Gate()
    held_while_told(arena, gate)

    async def longer_runs() -> None:
        # The run being closed would now end two days later, and on another day.
        longer = {**weekly, "open_for": "3d", "schedule": "0 9 * * tue"}
        edit_section(contests_rules, "contests", {"challenges": {"weekly": longer}})
        assert await arena.core.reload_rules() is None

    with held_while_posting(arena, "is closed", gate):
        await meanwhile(gate, arena.wait(timedelta(days=1)), longer_runs)
    await arena.wait(timedelta(days=3))

    [results] = arena.posted("Contest 1 “Photo of the week — Spring buds” is closed")
    assert "1. alice — entry 1, votes: 1" in results.text
    assert wins_told(arena) == [("alice", "contest:1", 1)]
    assert await arena.count(Contest) == 2  # the next run, from Tuesday; not this one again
    assert len(arena.posted("theme: ")) == 2
    assert arena.sent("mod-log") == []


async def test_a_reload_while_a_challenge_s_run_opens_makes_and_announces_it_once(
    open_arena: ArenaFactory, contests_rules: Path
) -> None:
    arena = await open_arena(contests={"challenges": {"weekly": WEEKLY}})
    await arena.join("alice")
    gate = Gate()

    async def shorter_runs() -> None:
        # The next runs are shorter; the one opening, announced as it was made, stays so.
        shorter = {**WEEKLY, "open_for": "5d"}
        edit_section(contests_rules, "contests", {"challenges": {"weekly": shorter}})
        assert await arena.core.reload_rules() is None

    with held_while_posting(arena, "theme: ", gate):
        await meanwhile(gate, arena.wait(timedelta(days=6, hours=23)), shorter_runs)
    await arena.wait(timedelta(hours=1))

    [opened] = arena.posted("theme: ", channel="photos")
    assert "theme: Spring buds." in opened.text
    assert f"open until Sun, Nov 15, 2026, 9:00{NNBSP}AM (CET)" in opened.text
    assert await arena.count(Contest) == 1
    assert arena.sent("mod-log") == []
    await arena.wait(timedelta(days=7))
    assert [post.text.split("theme: ")[1].split(".")[0] for post in arena.posted("theme: ")] == [
        "Spring buds",
        "Morning dew",
    ]


async def test_an_opening_still_being_posted_is_not_reported_lost_when_its_job_runs_again(
    arena: Arena,
) -> None:
    gate = Gate()

    async def job_run_again_and_a_reload() -> None:
        await arena.cog.open_contest(contest_id=1)  # finds the opening claimed: nothing to do
        assert await arena.core.reload_rules() is None

    with held_while_posting(arena, "is open", gate):
        await meanwhile(
            gate, arena.run("mod", '/contest_create "Haiku" 2h'), job_run_again_and_a_reload
        )
    assert await arena.core.reload_rules() is None

    assert len(arena.posted("is open", channel="general")) == 1
    assert arena.sent("mod-log") == []


async def start_giveaway(arena: Arena, winners: int) -> None:
    """``mod`` starts a one-day giveaway; alice, bob and carol enter."""
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", f'/giveaway "A bag of seeds" {winners} 1d')
    [post] = arena.posted("Giveaway 1: A bag of seeds!")
    for name in ("alice", "bob", "carol"):
        await arena.press(name, "giveaway:1", post)


@contextmanager
def held_while_asking_the_platform(arena: Arena, gate: Gate) -> Iterator[None]:
    """The platform takes its time to say whether an entrant is a moderator (before the draw
    claims the giveaway drawn), until ``gate`` opens."""
    resolve = arena.platform.resolve_member

    async def slow(community: CommunityRef, text: str) -> MemberRef | None:
        await gate.stop_here()
        return await resolve(community, text)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.platform, "resolve_member", slow)
        yield


@pytest.mark.parametrize("held", ["before the claim", "while posting", "while told"])
async def test_a_reload_while_a_giveaway_is_drawn_draws_and_tells_its_winners_once(
    arena: Arena, held: str
) -> None:
    await start_giveaway(arena, winners=2)
    gate = Gate()
    if held == "while told":
        held_while_told(arena, gate)
    asking = held_while_asking_the_platform(arena, gate) if held == "before the claim" else None
    with asking or nullcontext(), held_while_posting(arena, "congratulations", gate):
        await meanwhile(gate, arena.wait(timedelta(days=1)), reloading(arena))
    assert await arena.core.reload_rules() is None
    await arena.wait(timedelta(days=1))

    [result] = arena.posted("congratulations", channel="general")
    told = wins_told(arena)
    assert [(what, place) for _, what, place in told] == [("giveaway:1", 1), ("giveaway:1", 2)]
    assert ", ".join(name for name, _, _ in told) in result.text
    assert await arena.count(Win) == 2
    assert await all_told(arena)
    assert arena.sent("mod-log") == []


async def test_a_reload_while_a_reroll_is_told_tells_the_new_winner_once(arena: Arena) -> None:
    await start_giveaway(arena, winners=1)
    await arena.wait(timedelta(days=1))
    [first] = wins_told(arena)
    gate = Gate()
    held_while_told(arena, gate)  # the first win was told already: this holds the reroll's

    async def reroll() -> None:
        await arena.command("mod", "/giveaway_reroll 1")

    await meanwhile(gate, reroll(), reloading(arena))
    assert await arena.core.reload_rules() is None

    told = wins_told(arena)
    assert told[0] == first
    assert len(told) == 2
    assert told[1][1:] == ("giveaway:1", 2)
    assert told[1][0] != first[0]
    assert len(arena.posted("new draw", channel="general")) == 1
    assert await all_told(arena)


@contextmanager
def cancel_held_after_reading(arena: Arena, gate: Gate) -> Iterator[None]:
    """The first ``/contest_cancel`` has read the contest, still running, and waits for the
    database to write it cancelled until ``gate`` opens."""
    find = arena.cog.find_contest

    async def slow(*arguments: Any) -> Contest:
        contest = await find(*arguments)
        await gate.stop_here()
        return contest

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arena.cog, "find_contest", slow)
        yield


async def test_a_cancel_that_comes_as_the_contest_closes_is_refused(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    await arena.wait(timedelta(hours=1, minutes=59))
    gate = Gate()
    with cancel_held_after_reading(arena, gate):
        cancelling = asyncio.ensure_future(arena.run("mod", "/contest_cancel 1"))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        await arena.wait(timedelta(minutes=1))  # the contest closes, its results are posted
        gate.opened.set()
        answer = await cancelling

    assert answer.startswith("Contest 1 closed on ")
    assert arena.posted("is cancelled") == []
    [results] = arena.posted("is closed", channel="general")
    assert "1. alice — entry 1, votes: 1" in results.text
    assert "1. alice — entry 1, votes: 1" in await arena.run("bob", "/contest_results 1")
    assert wins_told(arena) == [("alice", "contest:1", 1)]


async def test_two_cancels_at_once_announce_the_cancellation_once(arena: Arena) -> None:
    await haiku_won_by_alice(arena)
    gate = Gate()
    with cancel_held_after_reading(arena, gate):
        first = asyncio.ensure_future(arena.run("mod", "/contest_cancel 1"))
        await asyncio.wait_for(gate.reached.wait(), timeout=10)
        second = await arena.run("mod", "/contest_cancel 1")
        gate.opened.set()
        answers = [await first, second]

    assert sorted(answers) == [
        "Contest 1 cancelled; nothing more will be announced for it.",
        "Contest 1 was cancelled.",
    ]
    assert len(arena.posted("“Haiku” is cancelled.", channel="general")) == 1
    await arena.wait(timedelta(days=1))
    assert arena.posted("is closed") == []
