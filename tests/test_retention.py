"""The retention sweep: members' day-by-day details older than the rule book's ``retention`` are
forgotten once a day; what the cogs still need and the day totals stay."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot import retention
from bot.clock import ManualClock
from bot.cogloader import section_models
from bot.core import Jardinier
from bot.events import CommunityRef
from bot.models import Member
from bot.retention import SWEPT_AT
from bot.ruleconf import RuleBookError, load_rule_book
from cogs.contests.models import Contest, Entry, Giveaway, GiveawayDraw, GiveawayEntry, Vote, Win
from cogs.contributors.models import DailyActivity, Interaction
from cogs.netiquette.models import Case
from cogs.reports.figures import Span, read_figures
from cogs.reports.models import (
    ReportActive,
    ReportChannel,
    ReportDay,
    ReportModeration,
    ReportNewcomer,
)
from cogs.suggestions.models import Suggestion, SuggestionVote
from cogs.welcome.models import Newcomer
from tests.conftest import START
from tests.support.database import held
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

OLD = START - timedelta(days=500)
"""Before the default retention (400 days)."""
RECENT = START - timedelta(days=10)


def _day(at: datetime) -> date:
    # The shipped book's time zone is Europe/Paris; at 09:00 UTC the day is the same.
    return at.date()


async def _insert(core: Jardinier, model: Any, **values: Any) -> None:
    async with core.db.engine.begin() as connection:
        await connection.execute(insert(model.__table__).values(**values))


async def _count(core: Jardinier, model: Any, *where: Any) -> int:
    table = model.__table__
    async with core.db.engine.connect() as connection:
        query = select(func.count()).select_from(table)
        for condition in where:
            query = query.where(condition)
        return int((await connection.execute(query)).scalar_one())


async def _users(core: Jardinier, model: Any, column: str = "user_id") -> list[str]:
    table = model.__table__
    async with core.db.engine.connect() as connection:
        rows = await connection.execute(select(table.c[column]).order_by(table.c.id))
        return list(rows.scalars())


async def _populate(core: Jardinier, community: CommunityRef) -> int:
    """Details before and after the cutoff in every concerned table; the community's id."""
    cid = await core.members.community_id(community)
    for user, at in (("old", OLD), ("recent", RECENT)):
        await _insert(
            core,
            Member,
            community_id=cid,
            user_id=user,
            name=user,
            first_seen=at,
            joined_at=at,
        )
        await _insert(
            core, DailyActivity, community_id=cid, user_id=user, day=_day(at), messages=3
        )
        await _insert(
            core,
            Interaction,
            community_id=cid,
            day=_day(at),
            source_id=user,
            target_id="someone",
            kind="reply",
            count=1,
        )
        await _insert(core, ReportActive, community_id=cid, day=_day(at), user_id=user)
        await _insert(core, ReportDay, community_id=cid, day=_day(at), messages=7, joined=1)
        await _insert(
            core,
            ReportChannel,
            community_id=cid,
            day=_day(at),
            channel_id="1",
            channel_name="general",
            messages=7,
        )
        await _insert(core, ReportModeration, community_id=cid, day=_day(at), rule="caps", count=1)
        await _insert(
            core,
            Case,
            community_id=cid,
            user_id=user,
            action="warn",
            reason="caps",
            excerpt="SHOUTING",
            points=1,
            created_at=at,
        )
    # Stays of the reports' funnel: one ended long ago, one still open, one ended lately.
    for user, left in (("gone", OLD + timedelta(days=3)), ("here", None), ("late", RECENT)):
        await _insert(
            core, ReportNewcomer, community_id=cid, user_id=user, joined_at=OLD, left_at=left
        )
    # Welcome journeys: a member who came back (two journeys, both old), one who came once.
    for user, joined in (
        ("back", OLD),
        ("back", OLD + timedelta(days=30)),
        ("once", OLD),
    ):
        await _insert(core, Newcomer, community_id=cid, user_id=user, joined_at=joined)
    # Old sanctions still running: a ban never lifted, a timed ban ending next month.
    await _insert(
        core,
        Case,
        community_id=cid,
        user_id="banned",
        action="delete, ban",
        created_at=OLD,
    )
    await _insert(
        core,
        Case,
        community_id=cid,
        user_id="tempbanned",
        action="ban",
        created_at=OLD,
        expires_at=START + timedelta(days=30),
    )
    await _insert(
        core,
        Case,
        community_id=cid,
        user_id="lifted",
        action="timeout",
        created_at=OLD,
        expires_at=OLD + timedelta(hours=1),
        lifted_at=OLD + timedelta(hours=1),
    )
    return cid


@pytest.fixture
def community(platform: FakePlatform) -> CommunityRef:
    return CommunityRef(platform.name, "c1", "Garden")


async def test_old_details_go_and_recent_ones_stay(
    core: Jardinier, community: CommunityRef, caplog: pytest.LogCaptureFixture
) -> None:
    await _populate(core, community)
    caplog.set_level(logging.INFO, logger="bot.retention")

    assert await core.retention.sweep()

    assert await _users(core, DailyActivity) == ["recent"]
    assert await _users(core, Interaction, "source_id") == ["recent"]
    assert await _users(core, ReportActive) == ["recent"]
    assert await _users(core, ReportNewcomer) == ["here", "late"]
    # The member who came back keeps their latest journey (what carries over), however old.
    assert await _users(core, Newcomer) == ["back", "once"]
    assert await _count(core, Newcomer, Newcomer.__table__.c.joined_at > OLD) == 1
    assert await _users(core, Case) == ["recent", "banned", "tempbanned"]
    # The member is the member, not a detail; day totals hold no one's details.
    assert await _count(core, Member) == 2
    assert await _count(core, ReportDay) == 2
    assert await _count(core, ReportChannel) == 2
    assert await _count(core, ReportModeration) == 2
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.retention"]
    assert line == (
        "retention: forgot members' details older than the rule book keeps them: "
        "contributors 2, netiquette 2, reports 2, welcome 1"
    )


async def _returning_id(core: Jardinier, model: Any, **values: Any) -> int:
    async with core.db.engine.begin() as connection:
        inserted = await connection.execute(
            insert(model.__table__).values(**values).returning(model.__table__.c.id)
        )
        return int(inserted.scalar_one())


async def test_old_suggestions_contest_entries_and_giveaway_entrants_go(
    core: Jardinier, community: CommunityRef
) -> None:
    cid = await _populate(core, community)
    for number, at, status in ((1, OLD, "declined"), (2, OLD, "planned"), (3, RECENT, "open")):
        suggestion = await _returning_id(
            core,
            Suggestion,
            community_id=cid,
            number=number,
            author_id="old",
            author_name="old",
            text=f"idea {number}",
            created_at=at,
            status=status,
            status_at=at,
        )
        await _insert(core, SuggestionVote, suggestion_id=suggestion, user_id="x", value=1, at=at)
    for title, at in (("Haiku", OLD), ("Spring", RECENT)):
        contest = await _returning_id(
            core,
            Contest,
            community_id=cid,
            title=title,
            channel_id="general",
            starts_at=at,
            ends_at=at,
            closed_at=at,
            last_entry_number=1,
            excluded_ids="gone",
        )
        entry = await _returning_id(
            core,
            Entry,
            contest_id=contest,
            number=1,
            user_id="old",
            text="my poem",
            submitted_at=at,
        )
        await _insert(core, Vote, contest_id=contest, entry_id=entry, voter_id="x", voted_at=at)
        await _insert(
            core,
            Win,
            community_id=cid,
            kind="contest",
            ref_id=contest,
            title=title,
            user_id="old",
            won_at=at,
        )
        giveaway = await _returning_id(
            core,
            Giveaway,
            community_id=cid,
            prize=title,
            channel_id="general",
            starts_at=at,
            ends_at=at,
            drawn_at=at,
        )
        await _insert(core, GiveawayEntry, giveaway_id=giveaway, user_id="old", entered_at=at)
        await _insert(
            core,
            GiveawayDraw,
            giveaway_id=giveaway,
            round=1,
            seed="s",
            entrants_hash="h",
            entrants=1,
            winner_ids="old",
            drawn_at=at,
        )

    await _insert(
        core, Member, community_id=cid, user_id="left", first_seen=OLD, joined_at=OLD, left_at=OLD
    )

    assert await core.retention.sweep()

    # Declined long ago: gone with its vote; planned, or recent: they stay.
    assert await _users(core, Suggestion, "number") == [2, 3]
    assert await _count(core, SuggestionVote) == 2
    # The old contest and giveaway keep no text, vote, entrant or id; the recent ones all.
    assert await _users(core, Entry, "text") == ["my poem"]
    assert await _count(core, Vote) == 1
    assert await _count(core, GiveawayEntry) == 1
    assert await _users(core, GiveawayDraw, "winner_ids") == ["", "old"]
    assert await _users(core, Contest, "excluded_ids") == ["", "gone"]
    # The hall of fame stays; so do the members still here. One who left long ago, whom
    # nothing kept names, goes.
    assert await _count(core, Win) == 2
    assert await _users(core, Member) == ["old", "recent"]


async def test_members_who_left_long_ago_are_forgotten_unless_something_kept_names_them(
    core: Jardinier, community: CommunityRef, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    cid = await core.members.community_id(community)
    for user, left in (
        ("gone", OLD),
        ("banned", OLD),
        ("thanked", OLD),
        ("entrant", OLD),
        ("lately", RECENT),
        ("here", None),
    ):
        await _insert(
            core,
            Member,
            community_id=cid,
            user_id=user,
            name=user.title(),
            first_seen=OLD,
            joined_at=OLD,
            left_at=left,
        )
    await _insert(core, Case, community_id=cid, user_id="banned", action="ban", created_at=OLD)
    # Thanked lately for a message written before leaving; an entry in a contest still open.
    await _insert(
        core,
        Interaction,
        community_id=cid,
        day=_day(RECENT),
        source_id="here",
        target_id="thanked",
        kind="thanks",
        count=1,
    )
    contest = await _returning_id(
        core,
        Contest,
        community_id=cid,
        title="Haiku",
        channel_id="general",
        starts_at=OLD,
        ends_at=START + timedelta(days=1),
        last_entry_number=1,
    )
    await _insert(
        core, Entry, contest_id=contest, number=1, user_id="entrant", text="…", submitted_at=OLD
    )
    caplog.set_level(logging.INFO, logger="bot.retention")
    contributors: Any = core.cogs["contributors"]

    async def ranked() -> list[str]:
        window = contributors.span(community, "all")
        return [standing.user_id for standing in await contributors.standings(community, window)]

    assert await core.retention.sweep()

    # Who left is not ranked for what they received since.
    assert await ranked() == []
    kept = ["banned", "thanked", "entrant", "lately", "here"]
    assert await _users(core, Member) == kept
    assert "members 1" in caplog.text
    # /unban finds the banned member by their record, though they are no longer here.
    found = await core.resolve_member(community, "banned")
    assert found is not None
    assert found.user.name == "Banned"

    # A year on, the thanks are forgotten, and with them the record of who received them: the
    # rankings have nothing left to bring them back with.
    clock.advance(timedelta(days=400))
    assert await core.retention.sweep()
    assert await _users(core, Member) == ["banned", "entrant", "here"]
    assert await ranked() == []
    assert await contributors.stored(community, "thanked") == {
        "daily": [],
        "interactions": [],
        "wins": [],
    }


async def test_members_who_left_stay_while_a_cog_that_may_name_them_is_not_loaded(
    core: Jardinier, community: CommunityRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = await core.members.community_id(community)
    await _insert(
        core, Member, community_id=cid, user_id="gone", first_seen=OLD, joined_at=OLD, left_at=OLD
    )
    monkeypatch.delitem(core.cogs, "netiquette")

    assert await core.retention.sweep()

    assert await _users(core, Member) == ["gone"]


async def test_a_report_of_the_kept_period_is_unchanged(
    core: Jardinier, community: CommunityRef
) -> None:
    cid = await _populate(core, community)
    zone = core.community_config(community).zone
    kept = Span(_day(RECENT) - timedelta(days=30), _day(START))
    before = await read_figures(core.db, cid, kept, zone, 5)

    assert await core.retention.sweep()

    assert await read_figures(core.db, cid, kept, zone, 5) == before
    # Older periods keep their day totals; who was active then is forgotten.
    old = Span(_day(OLD), _day(OLD))
    figures = await read_figures(core.db, cid, old, zone, 5)
    assert figures.total("messages") == 7
    assert figures.active_members == 0


async def test_never_keeps_everything(
    core: Jardinier, community: CommunityRef, rules_dir: Path
) -> None:
    await _populate(core, community)
    edit_section(rules_dir, "community", {"retention": "never"})
    assert await core.reload_rules() is None

    assert await core.retention.sweep()

    assert await _count(core, DailyActivity) == 2
    assert await _count(core, ReportActive) == 2
    assert await _count(core, ReportNewcomer) == 3
    assert await _count(core, Newcomer) == 3
    assert await _count(core, Case) == 5


async def test_a_retention_shorter_than_the_strike_ladder_keeps_the_strikes(
    core: Jardinier,
    community: CommunityRef,
    rules_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cid = await core.members.community_id(community)
    for user, days in (("struck", 20), ("long_ago", 40)):
        await _insert(
            core,
            Case,
            community_id=cid,
            user_id=user,
            action="warn",
            points=1,
            created_at=START - timedelta(days=days),
        )
    edit_section(rules_dir, "community", {"retention": "7d"})
    assert await core.reload_rules() is None

    assert await core.retention.sweep()

    # The shipped ladder counts points 30 days: a strike of 20 days ago still counts.
    assert await _users(core, Case) == ["struck"]
    assert "cases are kept 30d, longer than the rule book's retention" in caplog.text


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("12h", "keep members' details at least 1d"),
        ("0d", "keep members' details at least 1d"),
        (None, "write how long members' details are kept"),
        ("forever", "write how long members' details are kept"),
        (400, "write how long members' details are kept"),
        ("99999w", "'99999w' is too long; write at most 5200w, or never"),
    ],
)
def test_the_book_refuses_a_wrong_retention(rules_dir: Path, written: object, said: str) -> None:
    edit_section(rules_dir, "community", {"retention": written})
    with pytest.raises(RuleBookError) as raised:
        load_rule_book(rules_dir, section_models())
    [error] = raised.value.errors
    assert error.file.name == "community.yaml"
    assert error.key_path == "retention"
    assert said in error.message
    assert error.line > 0


def test_the_book_reads_a_retention(rules_dir: Path) -> None:
    assert load_rule_book(rules_dir, section_models()).community().retention == timedelta(days=400)
    edit_section(rules_dir, "community", {"retention": "2w"})
    assert load_rule_book(rules_dir, section_models()).community().retention == timedelta(weeks=2)
    edit_section(rules_dir, "community", {"retention": "never"})
    assert load_rule_book(rules_dir, section_models()).community().retention is None


def test_a_french_book_reads_the_refusal_in_french(rules_dir: Path) -> None:
    edit_section(rules_dir, "community", {"locale": "fr", "retention": "12h"})
    with pytest.raises(RuleBookError) as raised:
        load_rule_book(rules_dir, section_models())
    [error] = raised.value.errors
    assert "gardez les données des membres au moins 1j" in error.text("fr")


def test_a_retention_too_long_is_shown_as_written_in_both_languages(rules_dir: Path) -> None:
    edit_section(rules_dir, "community", {"locale": "fr", "retention": "99999w\u00a0"})
    with pytest.raises(RuleBookError) as raised:
        load_rule_book(rules_dir, section_models())
    [error] = raised.value.errors
    # The invisible no-break space is shown once escaped, never doubled as repr would.
    assert "'99999w\\xa0' est trop long" in error.text("fr")
    assert "'99999w\\xa0' is too long" in error.text("en")


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "REFUSED_PAUSES", (0.05, 0.1))


@pytest.mark.usefixtures("quick_retries")
async def test_a_busy_database_is_waited_for_and_nothing_is_lost(
    busy_core: Jardinier, community: CommunityRef, tmp_path: Path
) -> None:
    await _populate(busy_core, community)
    with held(tmp_path / "bot.db"):
        sweeping = asyncio.create_task(busy_core.retention.sweep())
        await asyncio.sleep(0.2)  # refused at least once meanwhile
    assert await sweeping

    assert await _users(busy_core, DailyActivity) == ["recent"]
    assert await _users(busy_core, Case) == ["recent", "banned", "tempbanned"]


@pytest.mark.usefixtures("quick_retries")
async def test_a_database_busy_too_long_leaves_the_sweep_for_later(
    busy_core: Jardinier,
    community: CommunityRef,
    tmp_path: Path,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await _populate(busy_core, community)
    with held(tmp_path / "bot.db"):
        await busy_core.retention.sweep_if_due()
    assert "old details not all forgotten" in caplog.text
    # Nothing recent went, and the old rows wait for the next try.
    assert await _users(busy_core, DailyActivity) == ["old", "recent"]
    assert await busy_core.retention.sweep_if_due() == retention.RETRY_AFTER  # not yet
    assert await _count(busy_core, DailyActivity) == 2

    clock.advance(retention.RETRY_AFTER)
    await busy_core.retention.sweep_if_due()

    assert await _users(busy_core, DailyActivity) == ["recent"]


@pytest.fixture
async def database(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'restarts.db'}"


async def _start(
    rules_dir: Path, clock: ManualClock, platform: FakePlatform, database: str
) -> Jardinier:
    bot = Jardinier(rules_dir=rules_dir, database_url=database, platforms=[platform], clock=clock)
    await bot.start()
    return bot


async def test_a_restart_neither_skips_nor_doubles_the_daily_sweep(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    database: str,
    community: CommunityRef,
) -> None:
    first = await _start(rules_dir, clock, platform, database)
    await _populate(first, community)
    await first.retention.sweep_if_due()
    swept_at = await first.retention._state.get(SWEPT_AT)
    assert swept_at == START.isoformat()
    await first.stop()

    # Back two hours later, with a detail that has just become old: not swept again today.
    clock.advance(timedelta(hours=2))
    second = await _start(rules_dir, clock, platform, database)
    try:
        cid = await second.members.community_id(community)
        await _insert(second, ReportActive, community_id=cid, day=_day(OLD), user_id="just_old")
        assert await second.retention.sweep_if_due() == timedelta(hours=1)
        assert await second.retention._state.get(SWEPT_AT) == swept_at
        assert await _count(second, ReportActive) == 2

        # A day after the last sweep, however many restarts came between, it sweeps.
        clock.advance(timedelta(hours=22))
        await second.retention.sweep_if_due()
        assert await _users(second, ReportActive) == ["recent"]
        assert await second.retention._state.get(SWEPT_AT) == clock.now().isoformat()
    finally:
        await second.stop()


async def test_two_looks_at_once_sweep_once(
    core: Jardinier, community: CommunityRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _populate(core, community)
    asked: list[str] = []
    reports = core.cogs["reports"]
    forget = reports.forget_before

    async def counted(community: CommunityRef, cutoff: datetime) -> int:
        asked.append(community.key)
        await asyncio.sleep(0.01)
        return await forget(community, cutoff)

    monkeypatch.setattr(reports, "forget_before", counted)

    await asyncio.gather(core.retention.sweep_if_due(), core.retention.sweep_if_due())

    assert asked == [community.key]


async def test_the_running_bot_sweeps_on_its_own(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    community: CommunityRef,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A database file, as in production: an in-memory one is a single connection shared by
    # every coroutine, where the poll below ending its read rolls back the sweep's transaction.
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    try:
        await bot.retention.stop()
        await _populate(bot, community)
        monkeypatch.setattr(retention, "FIRST_LOOK_AFTER", timedelta(seconds=0.05))
        bot.retention.start()
        deadline = time.monotonic() + 15  # a loaded machine (the full suite on two cores)
        while await bot.retention._state.get(SWEPT_AT) is None:
            assert time.monotonic() < deadline, "the sweep ran within 15 s"
            await asyncio.sleep(0.02)
        assert await _users(bot, DailyActivity) == ["recent"]
    finally:
        await bot.stop()
