"""Phases announced by the scheduler: opening, reminder, results; once each, restarts included."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import ContestClosed, Event
from cogs.contests.models import Contest, Win
from tests.cogs.contests.arena import Arena, dying_at_insert, dying_while_posting
from tests.cogs.contests.conftest import ArenaFactory
from tests.support.fake_platform import FakePlatform

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


async def haiku_with_a_vote(arena: Arena) -> None:
    """A two-hour contest with alice's entry and bob's vote for it: closed, alice wins."""
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/vote 1 1")


async def test_a_contest_opens_reminds_and_closes_on_schedule(arena: Arena) -> None:
    answer = await arena.run(
        "mod", '/contest_create "Haiku" 2026-11-03T18:00 "Three lines" 2026-11-03T10:00'
    )
    assert answer == (
        f"Contest 1 “Haiku” is set: open from Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET) "
        f"to Tue, Nov 3, 2026, 6:00{NNBSP}PM (CET) in #general."
    )
    assert arena.posted("is open") == []
    assert f"opens Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET)" in await arena.run(
        "alice", "/contest_list"
    )
    assert (
        await arena.run("alice", "/submit 1 early")
        == f"Contest 1 opens on Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET)."
    )
    await arena.wait(timedelta(hours=24))  # 2026-11-03 09:00 UTC = 10:00 CET
    [opened] = arena.posted("is open")
    assert opened.text.startswith(
        f"📣 Contest 1: “Haiku” is open until Tue, Nov 3, 2026, 6:00{NNBSP}PM (CET)!"
    )
    assert "Three lines" in opened.text
    await arena.run("alice", "/submit 1 Old pond")
    await arena.wait(timedelta(hours=7))  # one hour before the end
    [reminder] = arena.posted("⏰")
    assert reminder.text == (
        f"⏰ Contest 1 “Haiku” closes in 1 hour, on Tue, Nov 3, 2026, 6:00{NNBSP}PM (CET); "
        "1 entry so far."
    )
    await arena.wait(timedelta(hours=1))
    [results] = arena.posted("is closed")
    assert results.text.splitlines() == [
        "🏆 Contest 1 “Haiku” is closed: 1 entry, 0 votes.",
        "No votes were cast: no winner this time.",
    ]
    assert arena.core.scheduler.pending("contest:") == []


async def test_phase_jobs_have_stable_ids(arena: Arena) -> None:
    await arena.run("mod", '/contest_create "Haiku" 3h "" 1h')
    assert [job.id for job in arena.core.scheduler.pending("contest:")] == [
        "contest:1:open",
        "contest:1:remind",
        "contest:1:close",
    ]


async def test_closing_twice_announces_once(arena: Arena) -> None:
    await arena.veterans("alice", "bob")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/vote 1 1")
    await arena.wait(timedelta(hours=2))
    await arena.cog.close_contest(contest_id=1)  # a job run again: claimed already
    assert len(arena.posted("is closed")) == 1
    assert await arena.count(Win) == 1
    [won] = arena.events
    assert (won.member.user.id, won.contest_id, won.title, won.rank, won.kind) == (
        "id-alice",
        "contest:1",
        "Haiku",
        1,
        "contest",
    )


async def test_a_restart_neither_loses_nor_doubles_the_results(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_with_a_vote(first)
    await first.stop()

    second = await open_arena(database=database, platform=first.platform)
    first.platform.actions.clear()
    await second.wait(timedelta(hours=3))
    assert len(second.posted("is closed")) == 1
    await second.stop()

    third = await open_arena(database=database, platform=first.platform)
    await third.wait(timedelta(days=1))
    assert len(third.posted("is closed")) == 1
    assert await third.count(Win) == 1


async def test_a_close_the_process_died_during_is_done_at_the_restart(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_with_a_vote(first)
    with dying_at_insert(Win):
        await first.wait(timedelta(hours=2))  # dies as it records the winner
    await first.stop()
    assert first.posted("is closed") == []
    first.clock.advance(timedelta(minutes=10))
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(minutes=1))
    [results] = second.posted("is closed")
    assert "alice" in results.text
    assert await second.count(Win) == 1
    await second.wait(timedelta(days=1))
    assert len(second.posted("is closed")) == 1


@pytest.mark.parametrize("went_out", [False, True], ids=["not-posted", "posted"])
async def test_results_the_process_died_while_posting_are_reported_never_posted_twice(
    open_arena: ArenaFactory, tmp_path: Path, went_out: bool
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_with_a_vote(first)
    with dying_while_posting(first.platform, "is closed", went_out=went_out):
        await first.wait(timedelta(hours=2))
    await first.stop()
    first.clock.advance(timedelta(minutes=10))
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(minutes=1))
    # Whether the post went out is unknown: it is not posted again, the moderators are told.
    assert len(second.posted("is closed", channel="general")) == (1 if went_out else 0)
    [report] = second.sent("mod-log")
    assert report.text == (
        "⚠️ The results of contest 1 “Haiku” may not have been posted in #general: I stopped "
        f"while posting them, on Wed, Nov 4, 2026, 12:00{NNBSP}PM (CET). I do not post them "
        "again, so that they never show twice. If they are not there, run /contest_results 1 "
        "in #general."
    )
    assert "1. alice — entry 1, votes: 1" in await second.run("mod", "/contest_results 1")
    await second.stop()
    first.platform.actions.clear()
    third = await open_arena(database=database, platform=first.platform)
    await third.wait(timedelta(days=1))
    assert third.platform.sent() == []  # reported once, and nothing posted again
    assert await third.count(Win) == 1


async def test_an_opening_the_process_died_while_posting_is_reported_while_the_contest_runs(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 1d "" 1h')
    with dying_while_posting(first.platform, "is open", went_out=False):
        await first.wait(timedelta(hours=1))
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    assert second.posted("is open", channel="general") == []
    [report] = second.sent("mod-log")
    assert report.text == (
        "⚠️ The opening of contest 1 “Haiku” may not have been posted in #general: I stopped "
        f"while posting it, on Mon, Nov 2, 2026, 11:00{NNBSP}AM (CET). I do not post it again, "
        "so that it never shows twice. If it is not there, tell the members: the contest is "
        f"open until Tue, Nov 3, 2026, 11:00{NNBSP}AM (CET), and /contest_list shows it."
    )


async def test_a_reminder_lost_by_a_process_that_died_is_moot_once_the_contest_is_over(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 2h "" 1h')
    await first.wait(timedelta(hours=1))
    with dying_while_posting(first.platform, "⏰", went_out=False):
        await first.wait(timedelta(minutes=61))
    await first.stop()
    first.clock.advance(timedelta(hours=2))  # back after the end
    second = await open_arena(database=database, platform=first.platform)
    assert second.posted("⏰") == []
    assert all("may not have been posted" not in post.text for post in second.sent("mod-log"))
    assert len(second.posted("is closed")) == 1


async def test_results_the_platform_refused_are_not_reported_as_lost_at_the_restart(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 2h')
    first.platform.refuse["send"] = (
        "lacking_permission",
        {"platform": "Discord", "where": "#general", "permission": "send_messages"},
    )
    await first.wait(timedelta(hours=2))
    await first.stop()
    del first.platform.refuse["send"]
    assert first.posted("is closed") == []
    second = await open_arena(database=database, platform=first.platform)
    assert second.sent("mod-log") == []  # the refusal was the actions' to report, once
    assert second.posted("is closed") == []


async def test_a_contest_whose_jobs_were_never_stored_still_opens_and_closes(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 2h "" 1h')
    # The process died after storing the contest, before the job store wrote its jobs.
    first.cog.cancel_phases(1)
    await first.stop()
    second = await open_arena(database=database, platform=first.platform)
    await second.wait(timedelta(hours=1))
    assert len(second.posted("is open")) == 1
    await second.wait(timedelta(hours=2))
    assert len(second.posted("is closed")) == 1


async def test_a_close_due_during_downtime_runs_at_start_within_the_grace(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 2h')
    await first.stop()
    first.clock.advance(timedelta(hours=2, minutes=30))  # down while it closed; grace 1h
    second = await open_arena(database=database, platform=first.platform)
    assert len(second.posted("is closed")) == 1
    assert second.posted("offline") == []


async def test_results_missed_beyond_the_grace_are_posted_late_and_dated_when_due(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await haiku_with_a_vote(first)
    await first.stop()
    first.platform.actions.clear()
    first.clock.advance(timedelta(days=1, hours=5))  # back the next day
    second = await open_arena(database=database, platform=first.platform)
    # Results do not go stale: posted, saying they come late.
    [results] = second.posted("is closed", channel="general")
    assert results.text.splitlines() == [
        "🏆 Contest 1 “Haiku” is closed: 1 entry, 1 vote.",
        "1. alice — entry 1, votes: 1",
        f"Posted late: I was offline when the contest ended, on Wed, Nov 4, 2026, 12:00{NNBSP}PM"
        " (CET).",
    ]
    [report] = second.sent("mod-log")
    assert report.text == (
        "The results of contest 1 “Haiku” were due on "
        f"Wed, Nov 4, 2026, 12:00{NNBSP}PM (CET) while I was offline; they were posted late "
        "in #general."
    )
    # Won when the contest ended, not when the bot came back.
    assert await second.count(Win) == 1
    hall = await second.run("mod", "/hall_of_fame")
    assert "Nov 4, 2026 — Haiku: alice (#1, votes: 1)" in hall
    assert "1. alice — entry 1, votes: 1" in await second.run("mod", "/contest_results 1")


@pytest.mark.parametrize("older", [False, True], ids=["stored-now", "stored-by-an-older-version"])
async def test_results_due_while_the_platform_is_not_running_are_announced_once_it_is(
    open_arena: ArenaFactory, tmp_path: Path, older: bool
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.run("mod", '/contest_create "Haiku" 2h')
    if older:
        first.store_as_an_older_version("contest:")
    await first.stop()

    # Started on the same database without the community's platform (the console alone).
    console = await open_arena(database=database, platform=FakePlatform("console"))
    await console.wait(timedelta(hours=2, minutes=15))
    assert console.platform.actions == []
    assert sorted(job.id for job in console.core.scheduler.pending("contest:")) == [
        "contest:1:close",
        "contest:1:remind",
    ]
    await console.stop()

    first.platform.actions.clear()
    second = await open_arena(database=database, platform=first.platform)
    # The reminder is moot once the contest is over; the results are announced.
    assert second.posted("⏰") == []
    [results] = second.posted("is closed")
    assert results.text == "Contest 1 “Haiku” is closed, with no entries this time."
    assert second.sent("mod-log") == []
    assert second.core.scheduler.pending("contest:") == []


async def test_results_are_refused_while_open_and_cancel_stops_everything(arena: Arena) -> None:
    await arena.run("mod", '/contest_create "Haiku" 2h')
    assert await arena.run("alice", "/contest_results 1") == (
        f"Contest 1 is open until Mon, Nov 2, 2026, 12:00{NNBSP}PM (CET); "
        "the results come when it closes."
    )
    assert await arena.run("mod", "/contest_cancel 1") == (
        "Contest 1 cancelled; nothing more will be announced for it."
    )
    assert arena.posted("“Haiku” is cancelled.")
    assert arena.core.scheduler.pending("contest:") == []
    await arena.wait(timedelta(hours=3))
    assert arena.posted("is closed") == []
    assert await arena.run("alice", "/submit 1 late") == "Contest 1 was cancelled."
    assert await arena.run("mod", "/contest_cancel 1") == "Contest 1 was cancelled."
    async with arena.core.db.session() as session:
        contest = await session.get(Contest, 1)
    assert contest is not None
    assert contest.cancelled_at is not None


async def test_contest_list_shows_open_and_upcoming(arena: Arena) -> None:
    assert await arena.run("alice", "/contest_list") == "No contest is open or coming."
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("mod", '/contest_create "Photo" 1d "" 1d')
    assert (await arena.run("alice", "/contest_list")).splitlines() == [
        "Contests:",
        f"1 — “Haiku”: open until Mon, Nov 2, 2026, 12:00{NNBSP}PM (CET)",
        f"2 — “Photo”: opens Tue, Nov 3, 2026, 10:00{NNBSP}AM (CET)",
    ]


async def test_an_opening_missed_beyond_the_grace_goes_to_the_mod_log(
    open_arena: ArenaFactory, tmp_path: Path
) -> None:
    database = tmp_path / "j.db"
    first = await open_arena(database=database)
    await first.veterans("alice")
    await first.run("mod", '/contest_create "Haiku" 1d "" 1h')
    await first.stop()
    first.platform.actions.clear()
    first.clock.advance(timedelta(hours=3))
    second = await open_arena(database=database, platform=first.platform)
    assert second.posted("is open", channel="general") == []
    [report] = second.sent("mod-log")
    assert report.text == (
        f"The opening of contest 1 “Haiku” was due on Wed, Nov 4, 2026, 11:00{NNBSP}AM (CET) "
        "while I was offline; it was not announced."
    )
    # The contest is open all the same, and closes on time.
    assert await second.run("alice", "/submit 1 Old pond") == "Your entry 1 to contest 1 is in."
    await second.wait(timedelta(days=1))
    assert len(second.posted("is closed")) == 1


async def test_a_closed_contest_is_announced_to_the_other_cogs(arena: Arena) -> None:
    closed: list[ContestClosed] = []

    async def listen(event: Event) -> None:
        assert isinstance(event, ContestClosed)
        closed.append(event)

    arena.core.bus.subscribe("core", ContestClosed, listen)  # "core" serves every community
    await arena.veterans("alice", "bob", "carol")
    await arena.run("mod", '/contest_create "Haiku" 2h')
    await arena.run("alice", "/submit 1 Old pond")
    await arena.run("bob", "/submit 1 Frog jumps")
    await arena.run("carol", "/vote 1 1")
    await arena.wait(timedelta(hours=2))
    await arena.cog.close_contest(contest_id=1)
    [event] = closed
    assert (event.contest_id, event.title, event.entries, event.votes) == (
        "contest:1",
        "Haiku",
        2,
        1,
    )
    assert event.channel.name == "#general"
