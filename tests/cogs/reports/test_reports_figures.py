"""Figures counted from the bus: toxicity scores, moderation by rule, contests, the change
against the period before, the weekly post, and members' data."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bot import bulkwrite
from bot.clock import ManualClock
from bot.cogloader import section_models
from bot.core import Jardinier
from bot.events import (
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    ContestClosed,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageDeleted,
    MessageRef,
    ModerationRecorded,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)
from bot.ruleconf import RuleBookError, load_rule_book
from cogs.netiquette.cog import NetiquetteCog
from cogs.netiquette.toxicity import Classifier, ToxicityUnavailableError
from cogs.reports import buffer
from cogs.reports.cog import ReportsCog
from cogs.reports.recent import RecentMessages, Remembered
from tests.cogs.reports.conftest import StubClassifier
from tests.conftest import START
from tests.ruleconf.test_shipped_french import typography_mistakes
from tests.support.database import held
from tests.support.fake_platform import FakePlatform, Recorded
from tests.support.rulebook import edit_section, refusal_read_in_french

NNBSP = "\N{NARROW NO-BREAK SPACE}"
"""What CLDR puts between an English hour and its AM or PM."""


async def say(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, name: str, text: str
) -> MessageRef:
    message = MessageRef(
        platform.channel("general"), f"m{len(platform.actions)}-{text[:5]}-{name}"
    )
    await core.handle(
        MessageCreated(at=clock.now(), message=message, author=platform.member(name), text=text)
    )
    return message


async def run(core: Jardinier, platform: FakePlatform, clock: ManualClock, line: str) -> Recorded:
    command, _, args = line.removeprefix("/").partition(" ")
    await core.handle(
        CommandInvoked(
            at=clock.now(),
            channel=platform.channel("general"),
            member=platform.member("mod", moderator=True),
            name=command,
            args=args,
        )
    )
    return platform.sent()[-1]


async def test_toxicity_scores_make_the_satisfaction_indicator(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    netiquette = core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)
    for text in ("hello friends", "lovely tomatoes today", "you idiot"):
        await say(core, platform, clock, "alice", text)
    await netiquette.settled()

    report = await run(core, platform, clock, "/report 1")

    lines = report.text.splitlines()
    assert (
        "Satisfaction (source: toxicity scores): 67% civil (2 under 0.2, 1 over 0.5, of 3 "
        "scored), n/a"
    ) in lines
    assert "Moderation actions: 1 — toxicity (1)" in lines
    assert "Retention: I was not here yet the period before." in lines
    assert report.details["file"] is not None


async def test_moderation_contests_and_the_change_against_the_week_before(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    netiquette = core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)

    def no_model(_choice: object) -> Classifier:
        raise ToxicityUnavailableError("no model in this test")

    netiquette.classifier_factory = no_model  # the satisfaction falls back, and says so
    alice = platform.member("alice")
    for _ in range(4):
        await say(core, platform, clock, "alice", "first week message")
    await clock_forward(core, timedelta(days=7))
    for _ in range(6):
        await say(core, platform, clock, "bob", "second week message")
    message = await say(core, platform, clock, "alice", "welcome back everyone")
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("erin")))
    await core.handle(
        ReactionAdded(at=clock.now(), message=message, member=platform.member("bob"), emoji="👍")
    )
    await core.handle(ModerationRecorded(at=clock.now(), member=alice, case_id=1, action="warn"))
    await core.handle(
        ModerationRecorded(at=clock.now(), member=alice, case_id=2, action="delete", rule="spam")
    )
    await core.handle(
        ContestClosed(
            at=clock.now(),
            channel=platform.channel("photos"),
            contest_id="1",
            title="Photo",
            entries=3,
            votes=5,
        )
    )

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    assert lines[1].startswith("Messages: 7 (1 a day), +75% against the period before")
    assert lines[2] == "Active members: 2, +100%"
    assert lines[3] == "Newcomers: 1, +1 — introduced 0, posted 0, still here 1"
    assert lines[4] == (
        "Retention: 100% of the 1 member active the period before posted again (1)"
    )
    assert "Moderation actions: 2 — moderators' commands (1), spam (1)" in lines
    assert "Contests and challenges closed: 1" in lines
    assert (
        "Satisfaction (fallback, no toxicity scores): 33% positive signals (1 vs 2: 1 positive"
        " reaction and 0 thank-yous vs 0 negative reactions and 2 sanctions; votes and other"
        " reactions not counted), —"
    ) in lines
    # The bot came on the last day of the week before.
    assert lines[-1] == (
        "The period before is counted from Nov 2, 2026, when I arrived: the changes are against"
        " its days since."
    )


async def test_nothing_against_nothing_before_is_no_percentage(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await core.members.community_id(platform.community)  # the bot comes
    await clock_forward(core, timedelta(days=7))  # and sees a whole week of nothing

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    # As a change from an empty period is written as the count itself (+3), not as a share.
    assert lines[1] == "Messages: 0 (0 a day), ±0 against the period before"
    assert lines[2] == "Active members: 0, ±0"
    assert lines[3].startswith("Newcomers: 0, ±0 — ")


async def clock_forward(core: Jardinier, delta: timedelta) -> None:
    await core.scheduler.advance(delta)


async def test_the_weekly_report_is_posted_for_the_week_before(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await say(core, platform, clock, "alice", "hello garden")
    [pending] = core.scheduler.pending("reports:weekly:")
    assert pending.next_run is not None
    assert pending.next_run.weekday() == 0
    # Monday 09:05: today's is due for the week before the bot came, which it did not see: one
    # line says so, no page of zeros; the next Monday's covers the week of alice's message.
    await core.scheduler.advance(timedelta(days=8))
    first, posted = [sent for sent in platform.sent() if sent.target.id == "leadership"]
    assert first.text == (
        "📊 No activity report for Oct 26, 2026 to Nov 1, 2026: I only arrived on Nov 2, 2026."
        " The next report will count from then on."
    )
    assert not first.details.get("file")
    assert "Messages: 1 " in posted.text
    assert posted.details["file"].suffix == ".png"
    assert "Counted from" not in posted.text  # a whole week the bot saw


async def test_the_weekly_report_is_scheduled_whatever_the_bot_first_hears_not_only_a_message(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """A community where nobody has posted yet (a join, a reaction) still gets its report."""
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("erin")))

    assert core.scheduler.pending("reports:weekly:")
    await core.scheduler.advance(timedelta(days=8))

    posted = [sent for sent in platform.sent() if sent.target.id == "leadership"]
    assert posted[-1].text.splitlines()[3].startswith("Newcomers: 1, ")


@pytest.mark.parametrize(
    ("locale", "title", "export"),
    [
        (
            "en",
            "📊 Activity report — Garden, Nov 2, 2026",
            "Daily figures of Nov 2, 2026, in one row.",
        ),
        (
            "fr",
            "📊 Rapport d'activité — Garden, journée du 2 nov. 2026",
            "Chiffres de la journée du 2 nov. 2026, sur une ligne.",
        ),
    ],
)
async def test_a_report_of_one_day_names_that_day_once(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    locale: str,
    title: str,
    export: str,
) -> None:
    """Not "Nov 2, 2026 to Nov 2, 2026"."""
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", f"locale: {locale}"))
    assert await core.reload_rules() is None

    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    exported = await run(core, platform, clock, "/report_export 1")

    assert lines[0] == title
    assert exported.text == export


async def test_a_report_reaching_back_before_the_bot_came_says_from_when_it_counts(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await say(core, platform, clock, "alice", "hello garden")
    await clock_forward(core, timedelta(days=2))

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    # Not "(7 days)": leadership would read 3 days of figures as a quiet week.
    assert lines[0] == (
        "📊 Activity report — Garden, Oct 29, 2026 to Nov 4, 2026"
        " (counted from Nov 2, 2026: 3 days of 7)"
    )
    assert lines[-1] == (
        "Counted from Nov 2, 2026, when I arrived: there are no figures of the days before, the"
        " daily average is of the days since, and there is no period before to compare with."
    )
    assert lines[1] == "Messages: 1 (0.3 a day), n/a against the period before"  # 1 in 3 days
    lines = (await run(core, platform, clock, "/report 3")).text.splitlines()
    assert lines[-1] == (
        "No change against the period before: it ended before I arrived, on Nov 2, 2026."
    )
    # The satisfaction too has no change against a period the bot never saw, as the others.
    assert lines[1].endswith("n/a against the period before")
    [satisfaction] = [line for line in lines if line.startswith("Satisfaction")]
    assert satisfaction.endswith(", n/a")


@pytest.mark.parametrize(
    ("locale", "title", "since", "export"),
    [
        (
            "en",
            "📊 Activity report — Garden, Oct 27, 2026 to Nov 2, 2026"
            " (counted from Nov 2, 2026: 1 day of 7)",
            "Counted from Nov 2, 2026, when I arrived: there are no figures of the days before,"
            " the daily average is of the days since, and there is no period before to compare"
            " with.",
            "Daily figures of Nov 2, 2026, in one row.",
        ),
        (
            "fr",
            "📊 Rapport d'activité — Garden, du 27 oct. 2026 au 2 nov. 2026"
            " (compté à partir du 2 nov. 2026\u00a0: 1 jour sur 7)",
            "Compté à partir du 2 nov. 2026, jour de mon arrivée\u00a0: il n'y a pas de chiffres"
            " des jours d'avant, la moyenne par jour porte sur les jours écoulés depuis cette"
            " date, et il n'y a pas de période précédente à comparer.",
            "Chiffres de la journée du 2 nov. 2026, sur une ligne.",
        ),
    ],
)
async def test_the_report_writes_its_days_as_the_communitys_language_does(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    locale: str,
    title: str,
    since: str,
    export: str,
) -> None:
    """Leadership reads ``2 nov. 2026``, not ``2026-11-02``; the CSV's name keeps ISO days, from
    the bot's first day."""
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", f"locale: {locale}"))
    assert await core.reload_rules() is None

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()
    exported = await run(core, platform, clock, "/report_export 7")

    assert lines[0] == title
    assert lines[-1] == since
    assert exported.text == export
    assert exported.details["file"].name.endswith("-2026-11-02-2026-11-02.csv")


async def test_figures_survive_a_flush_and_members_data_is_erased(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("dave")))
    await say(core, platform, clock, "dave", "hello there")
    netiquette = core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)
    await netiquette.settled()  # its toxicity score is counted too
    assert await cog.flush() > 0
    assert await cog.flush() == 0
    user = platform.member("dave").user
    exported = await cog.export_member_data(platform.community, user)
    assert exported["reports"]["active_days"] == [clock.now().date().isoformat()]
    assert exported["reports"]["arrivals"][0]["first_message_at"] is not None
    await cog.erase_member_data(platform.community, user)
    assert await cog.export_member_data(platform.community, user) == {}


async def test_a_flush_of_more_rows_than_one_statement_takes_writes_them_all(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulkwrite, "ROWS_PER_CALL", 2)
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    names = [f"newcomer{n}" for n in range(5)]
    for name in names:
        await core.handle(MemberJoined(at=clock.now(), member=platform.member(name)))
        await say(core, platform, clock, name, "hello there")
    await cog.flush()
    for name in names:
        exported = await cog.export_member_data(platform.community, platform.member(name).user)
        assert exported["reports"]["active_days"] == [clock.now().date().isoformat()]
        assert exported["reports"]["arrivals"][0]["first_message_at"] is not None


@pytest.mark.parametrize("typed", ["30", "30d", "30j"])
async def test_the_days_are_typed_as_a_number_or_as_days(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, typed: str
) -> None:
    answer = await run(core, platform, clock, f"/report {typed}")
    assert answer.text.startswith(
        "📊 Activity report — Garden, Oct 4, 2026 to Nov 2, 2026"
        " (counted from Nov 2, 2026: 1 day of 30)"
    )


async def test_a_window_out_of_bounds_gets_the_usage(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    answer = await run(core, platform, clock, "/report 0")
    assert answer.text == (
        "Usage: /report [days] (days should be from 1 to 366, not 0)."
        " Type /help report for details."
    )
    assert not answer.details.get("file")


async def test_figures_a_refused_flush_kept_are_written_with_the_next(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    write = cog.buffer._write
    refused = False

    async def refusing_write(pending: buffer.Pending) -> None:
        nonlocal refused
        if not refused:
            refused = True
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        await write(pending)

    monkeypatch.setattr(cog.buffer, "_write", refusing_write)
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("dave")))
    await say(core, platform, clock, "dave", "hello there")
    await say(core, platform, clock, "alice", "thanks dave!")
    assert await cog.flush() == 0  # refused: kept
    await say(core, platform, clock, "alice", "Merci beaucoup")
    await say(core, platform, clock, "bob", "lovely tomatoes today")
    figures = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert figures.total("messages") == 4
    assert figures.total("thanks") == 2
    assert figures.total("joined") == 1
    assert figures.active_members == 3
    assert figures.channels == [("#general", 4)]
    exported = await cog.export_member_data(platform.community, platform.member("dave").user)
    assert exported["reports"]["arrivals"][0]["first_message_at"] is not None


@pytest.fixture
def busy_core(busy_core: Jardinier) -> Jardinier:
    """The shared busy core (tests/conftest.py), its toxicity model a local stand-in."""
    netiquette = busy_core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)
    netiquette.classifier_factory = lambda _choice: StubClassifier()
    return busy_core


async def test_figures_are_written_when_the_bot_stops_while_another_process_holds_the_database(
    busy_core: Jardinier, platform: FakePlatform, clock: ManualClock, tmp_path: Path
) -> None:
    await say(busy_core, platform, clock, "alice", "hello garden")
    await busy_core.members.flush()  # the member is recorded: only the figures wait
    with held(tmp_path / "bot.db") as other:

        async def done_soon() -> None:
            await asyncio.sleep(0.5)  # longer than the busy timeout: the first write is refused
            other.execute("ROLLBACK")

        other_process = asyncio.create_task(done_soon())
        await busy_core.stop()
        await other_process
    with sqlite3.connect(tmp_path / "bot.db") as reader:
        rows = reader.execute("SELECT messages FROM report_days").fetchall()
    assert rows == [(1,)]


async def test_figures_refused_at_stop_until_the_end_are_said_lost_not_kept_for_a_next_flush(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cog = busy_core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    await say(busy_core, platform, clock, "alice", "hello garden")
    await busy_core.members.flush()
    with held(tmp_path / "bot.db"), caplog.at_level(logging.WARNING, logger="cogs.reports"):
        await cog.buffer.flush_last(cog.flush, within=0.5)  # as when the bot stops
    [lost] = [record for record in caplog.records if record.name == "cogs.reports"]
    assert lost.levelno == logging.ERROR
    assert lost.getMessage() == (
        "3 report figures lost at stop: the database still refused them after 0.5 s "
        "(OperationalError: database is locked)"
    )


async def test_figures_a_bug_fails_to_write_are_said_lost_to_it_with_its_traceback(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)

    async def buggy(_pending: buffer.Pending) -> None:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    await say(core, platform, clock, "alice", "hello garden")
    monkeypatch.setattr(cog.buffer, "_write", buggy)
    with caplog.at_level(logging.WARNING, logger="cogs.reports"):
        assert await cog.flush() == 0
    [lost] = [record for record in caplog.records if record.name == "cogs.reports"]
    assert lost.levelno == logging.ERROR
    # Whoever is on call is sent to the bot's code, with where it failed, not to the database.
    assert lost.getMessage() == (
        f"3 report figures of {platform.community.key} lost to a bug in the bot, not a "
        "refusal of the database (TypeError: unsupported operand type(s) for +: 'int' and 'str')"
    )
    assert lost.exc_info is not None
    assert "the database refuses" not in caplog.text
    assert "in buggy" in caplog.text  # the traceback
    assert len(cog.buffer.pending) == 0  # dropped: a bug would fail them again at every flush


async def test_a_newcomer_kept_pending_community_by_community_still_gets_a_first_message(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    write = cog.buffer._write
    refusals = [
        IntegrityError("INSERT", {}, Exception("one row breaks a constraint")),
        OperationalError("INSERT", {}, Exception("database is locked")),
    ]

    async def refusing_write(pending: buffer.Pending) -> None:
        if refusals:
            raise refusals.pop(0)
        await write(pending)

    dave = platform.member("dave")
    await core.handle(MemberJoined(at=clock.now(), member=dave))
    await say(core, platform, clock, "dave", "hello garden")
    await core.handle(MemberLeft(at=clock.now() + timedelta(seconds=5), member=dave))
    clock.advance(timedelta(seconds=10))
    await core.handle(MemberJoined(at=clock.now(), member=dave))
    monkeypatch.setattr(cog.buffer, "_write", refusing_write)
    # Refused for good as a whole, then locked community by community: all of it is kept.
    assert await cog.flush() == 0
    assert not refusals
    clock.advance(timedelta(seconds=5))
    await say(core, platform, clock, "dave", "back again")
    exported = await cog.export_member_data(platform.community, dave.user)
    _first, second = exported["reports"]["arrivals"]
    assert second["first_message_at"] is not None


async def test_figures_of_a_community_the_database_refuses_for_good_hold_up_no_other(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    await say(core, platform, clock, "alice", "hello garden")
    other = CommunityRef("fake", "c2", "Orchard")
    channel = ChannelRef(other, "general", "#general")
    await core.handle(
        MessageCreated(
            at=clock.now(),
            message=MessageRef(channel, "o1"),
            author=MemberRef(other, UserRef("fake", "id-bob", "bob")),
            text="hello orchard",
        )
    )
    # A clean-up script deletes the orchard's row while the bot runs: its figures can never be
    # written (their community is gone), the garden's still must be.
    async with core.db.engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM communities WHERE external_id = 'c2'")
    with caplog.at_level(logging.ERROR, logger="cogs.reports"):
        figures = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert figures.total("messages") == 1
    assert figures.active_members == 1
    assert len(cog.buffer.pending) == 0  # nothing left to fail again at every flush
    [lost] = [record.getMessage() for record in caplog.records]
    assert other.key in lost
    assert "FOREIGN KEY constraint failed" in lost
    await say(core, platform, clock, "carol", "hi all")
    later = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert later.total("messages") == 2


async def test_a_community_named_with_dollars_gets_its_chart(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    # Matplotlib would read "$$ Crypto $$" as a formula and fail the report.
    platform.community = CommunityRef("fake", "c1", "$$ Crypto $$")
    await say(core, platform, clock, "alice", "hello garden")
    answer = await run(core, platform, clock, "/report 7")
    assert answer.text.startswith("📊 Activity report — $$ Crypto $$")
    assert answer.details["file"].suffix == ".png"


def test_a_scheduled_report_longer_than_the_limit_is_refused_at_load(rules_dir: Path) -> None:
    edit_section(rules_dir, "reports", {"max_days": 14, "schedule": {"days": 30}})
    with pytest.raises(RuleBookError) as raised:
        load_rule_book(rules_dir, section_models())
    assert "schedule.days (30) is more than max_days (14)" in str(raised.value)


async def test_a_reaction_toggled_again_and_again_counts_once(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    message = await say(core, platform, clock, "alice", "my first tomatoes of the year")
    bob = platform.member("bob")
    for _ in range(5):
        await core.handle(ReactionAdded(at=clock.now(), message=message, member=bob, emoji="👍"))
        await core.handle(ReactionRemoved(at=clock.now(), message=message, member=bob, emoji="👍"))
    await core.handle(ReactionAdded(at=clock.now(), message=message, member=bob, emoji="👍"))
    figures = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert figures.total("reactions") == 1


@pytest.mark.parametrize(("group", "counted"), [("album-1", 1), (None, 6)])
async def test_an_album_of_six_photos_is_one_message(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, group: str | None, counted: int
) -> None:
    """A Telegram album comes as one message per photo, sharing a group: the report counts the
    album once, as the member posted it; six photos sent one by one are six messages."""
    alice = platform.member("alice")
    for photo in range(6):
        message = MessageRef(platform.channel("general"), f"photo-{photo}")
        await core.handle(
            MessageCreated(
                at=clock.now(),
                message=message,
                author=alice,
                text="my first tomatoes" if photo == 0 else "",
                attachments=(f"tomato-{photo}.jpg",),
                group=group,
            )
        )

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    assert lines[1].startswith(f"Messages: {counted} (")
    assert f"Top channels: general ({counted})" in lines


async def test_a_weekly_report_with_nowhere_to_go_is_reported_in_the_mod_log(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve = platform.resolve_channel

    async def resolving(community: CommunityRef, text: str) -> ChannelRef | None:
        return None if text.lstrip("#") == "leadership" else await resolve(community, text)

    monkeypatch.setattr(platform, "resolve_channel", resolving)
    await say(core, platform, clock, "alice", "hello garden")

    await core.scheduler.advance(timedelta(minutes=10))  # Monday 09:05

    assert [sent.text for sent in platform.sent() if sent.target.id == "mod-log"] == [
        "⚠️ The weekly activity report was not posted: there is no channel “leadership” here."
        " Create it, or set schedule.channel in reports.yaml; /report shows the report"
        " meanwhile."
    ]


async def test_a_french_report_agrees_none_with_channels_and_with_actions(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, rules_dir: Path
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", "locale: fr"))
    assert await core.reload_rules() is None

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    assert "Salons les plus actifs\u00a0: aucun" in lines
    assert "Actions de modération\u00a0: 0 — aucune" in lines


@pytest.mark.parametrize(
    ("locale", "messages", "expected"),
    [
        ("en", 1, "Messages: 1 (under 0.1 a day), n/a against the period before"),
        (
            "fr",
            1,
            "Messages\u00a0: 1 (moins de 0,1 par jour), n.d. par rapport à la période précédente",
        ),
        ("en", 40, "Messages: 40 (0.1 a day), n/a against the period before"),
    ],
)
async def test_a_few_messages_over_a_year_are_not_written_as_none_a_day(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    locale: str,
    messages: int,
    expected: str,
) -> None:
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", f"locale: {locale}"))
    assert await core.reload_rules() is None
    await core.members.community_id(platform.community)  # the bot comes
    clock.advance(timedelta(days=365))  # and has been here every day of the year
    for _ in range(messages):
        await say(core, platform, clock, "alice", "hello garden")

    lines = (await run(core, platform, clock, "/report 366")).text.splitlines()

    assert lines[1] == expected


async def test_a_weekly_report_missed_while_offline_is_reported_with_its_local_time(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    await say(core, platform, clock, "alice", "hello garden")
    [job] = core.scheduler.pending("reports:weekly:")
    late_by = timedelta(hours=2, seconds=30)  # due at 06:59:30; the community runs on UTC here
    await core.cogs["reports"].on_job_missed(job.handler, job.id, dict(job.kwargs), late_by)
    assert [sent.text for sent in platform.sent() if sent.target.id == "mod-log"] == [
        f"The activity report due on Mon, Nov 2, 2026, 6:59{NNBSP}AM (UTC) was missed "
        "while I was offline;"
        " /report shows it now."
    ]


async def test_notes_and_lifts_are_no_sanctions_and_a_pardoned_one_counts_no_more(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """The report counts what the shout-out counts: a rule firing, /warn, /timeout, /kick,
    /ban; a /note or a lift is no sanction, and a pardoned one counts no more."""
    platform.member("alice")
    await run(core, platform, clock, "/note alice Very helpful with newcomers")

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    assert "Moderation actions: 0 — none" in lines
    assert "Satisfaction: no data for this period." in lines

    await run(core, platform, clock, "/timeout alice 10m")  # case 2
    await run(core, platform, clock, "/untimeout alice")  # case 3, a lift
    await run(core, platform, clock, "/warn alice Spam")  # case 4
    await run(core, platform, clock, "/pardon 2")

    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()

    assert "Moderation actions: 1 — moderators' commands (2), pardoned since (−1)" in lines
    assert (
        "Satisfaction (fallback, no toxicity scores): 0% positive signals (0 vs 1: 0 positive"
        " reactions and 0 thank-yous vs 0 negative reactions and 1 sanction; votes and other"
        " reactions not counted), n/a"
    ) in lines


async def test_a_thanks_that_scores_in_the_profile_is_a_positive_signal_of_the_report(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    netiquette = core.cogs["netiquette"]
    assert isinstance(netiquette, NetiquetteCog)

    def no_model(_choice: object) -> Classifier:
        raise ToxicityUnavailableError("no model in this test")

    netiquette.classifier_factory = no_model
    await say(core, platform, clock, "alice", "Je te remercie pour les graines")
    await say(core, platform, clock, "bob", "thank-you for the seeds")

    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()

    assert (
        "Satisfaction (fallback, no toxicity scores): 100% positive signals (2 vs 0: 0 positive"
        " reactions and 2 thank-yous vs 0 negative reactions and 0 sanctions; votes and other"
        " reactions not counted), n/a"
    ) in lines


async def test_a_member_who_comes_back_is_a_newcomer_of_that_week_and_the_week_before_stays(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """chloe joins, leaves a week later and comes back: her return is a join of that week, and
    the report of the week she first came says what it said."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    for name in ("ana", "ben", "chloe"):
        await core.handle(MemberJoined(at=clock.now(), member=platform.member(name)))
    await say(core, platform, clock, "chloe", "hello garden")
    await clock_forward(core, timedelta(days=7))
    first_week = cog.span(platform.community, 7, until_yesterday=True)
    before = await cog.figures(platform.community, first_week)

    await core.handle(MemberJoined(at=clock.now(), member=platform.member("dan")))
    chloe = platform.member("chloe")
    await core.handle(MemberLeft(at=clock.now(), member=chloe))
    await core.handle(MemberJoined(at=clock.now(), member=chloe))  # the same instant

    after = await cog.figures(platform.community, first_week)
    assert (after.newcomers, after.posted, after.stayed) == (3, 1, 3)
    assert (after.newcomers, after.posted, after.stayed) == (
        before.newcomers,
        before.posted,
        before.stayed,
    )
    lines = (await run(core, platform, clock, "/report 7")).text.splitlines()
    assert lines[3] == "Newcomers: 2, -33% — introduced 0, posted 0, still here 2"
    fortnight = await cog.figures(platform.community, cog.span(platform.community, 14))
    assert fortnight.newcomers == fortnight.total("joined") == 5
    assert fortnight.stayed == 5


@pytest.mark.parametrize("flushed", [False, True])
async def test_a_member_who_leaves_and_comes_back_in_the_same_second_is_still_here(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, flushed: bool
) -> None:
    """bob joins, leaves and joins again at the same instant (Telegram's times are whole
    seconds): he is here, in the one stay of that join; one second later is a stay of its own."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    clock.advance(timedelta(days=1))  # a day the bot saw whole
    bob = platform.member("bob")
    await core.handle(MemberJoined(at=clock.now(), member=bob))
    if flushed:
        await cog.flush()
    await core.handle(MemberLeft(at=clock.now(), member=bob))
    await core.handle(MemberJoined(at=clock.now(), member=bob))

    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 0, still here 1")
    [stay] = (await cog.export_member_data(platform.community, bob.user))["reports"]["arrivals"]
    assert stay["left_at"] is None

    # Reopened, the stay ends at his next departure.
    clock.advance(timedelta(minutes=5))
    await core.handle(MemberLeft(at=clock.now(), member=bob))
    [stay] = (await cog.export_member_data(platform.community, bob.user))["reports"]["arrivals"]
    assert stay["left_at"] == clock.now().isoformat()

    clock.advance(timedelta(seconds=1))
    await core.handle(MemberJoined(at=clock.now(), member=bob))
    first, second = (await cog.export_member_data(platform.community, bob.user))["reports"][
        "arrivals"
    ]
    assert first["left_at"] == (clock.now() - timedelta(seconds=1)).isoformat()
    assert second["joined_at"] == clock.now().isoformat()
    assert second["left_at"] is None


@pytest.mark.parametrize("flushed_after", ["", "join", "leave"])
async def test_a_leave_and_rejoin_in_the_same_second_counts_one_newcomer_in_the_days_too(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, flushed_after: str
) -> None:
    """bob joins, leaves and joins again at the same instant: the report's newcomers say one,
    still here, and so do the day's counters (the CSV's): joined 1, left 0, whenever the
    figures are written. Leaving again then is one departure."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    clock.advance(timedelta(days=1))  # a day the bot saw whole
    bob = platform.member("bob")
    await core.handle(MemberJoined(at=clock.now(), member=bob))
    if flushed_after == "join":
        await cog.flush()
    await core.handle(MemberLeft(at=clock.now(), member=bob))
    if flushed_after == "leave":
        await cog.flush()
    await core.handle(MemberJoined(at=clock.now(), member=bob))

    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 0, still here 1")
    today = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert (today.total("joined"), today.total("left")) == (1, 0)

    await core.handle(MemberLeft(at=clock.now(), member=bob))
    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 0, still here 0")
    today = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert (today.total("joined"), today.total("left")) == (1, 1)


@pytest.mark.parametrize("flushed", [False, True])
async def test_a_join_told_twice_is_one_newcomer_in_the_days_too(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, flushed: bool
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    clock.advance(timedelta(days=1))  # a day the bot saw whole
    bob = platform.member("bob")
    await core.handle(MemberJoined(at=clock.now(), member=bob))
    if flushed:
        await cog.flush()
    await core.handle(MemberJoined(at=clock.now(), member=bob))

    today = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert (today.newcomers, today.total("joined"), today.stayed) == (1, 1, 1)


async def test_a_return_within_one_flush_keeps_each_stay_its_own_steps(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    chloe = platform.member("chloe")
    await core.handle(MemberJoined(at=clock.now(), member=chloe))
    await say(core, platform, clock, "chloe", "hello garden")
    await core.handle(MemberLeft(at=clock.now() + timedelta(seconds=5), member=chloe))
    clock.advance(timedelta(seconds=10))
    await core.handle(MemberJoined(at=clock.now(), member=chloe))
    clock.advance(timedelta(seconds=5))
    await say(core, platform, clock, "chloe", "back again")

    exported = await cog.export_member_data(platform.community, chloe.user)

    first, second = exported["reports"]["arrivals"]
    assert first["first_message_at"] is not None
    assert first["left_at"] is not None
    assert second["first_message_at"] > second["joined_at"] > first["left_at"]
    assert second["left_at"] is None


async def test_a_deleted_message_counts_no_more_nor_its_author_if_it_was_their_only_one(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """A message deleted (by its author, a moderator or the bot) is taken back from the day,
    its channel and the thanks; its author stays active while another message of theirs that
    day does, even one written before the deletion was flushed."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    clock.advance(timedelta(days=1))  # a day the bot saw whole
    only = await say(core, platform, clock, "alice", "thanks dave!")
    first = await say(core, platform, clock, "bob", "seedlings are up")
    await cog.flush()  # some of it already written
    await say(core, platform, clock, "bob", "and the beans too")
    for message in (only, first, MessageRef(platform.channel("general"), "never-seen")):
        await core.handle(MessageDeleted(at=clock.now(), message=message))

    figures = await cog.figures(platform.community, cog.span(platform.community, 1))
    assert figures.total("messages") == 1
    assert figures.total("thanks") == 0
    assert figures.channels == [("#general", 1)]
    assert figures.active_ids == {platform.member("bob").user.id}
    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[1].startswith("Messages: 1 (")
    assert "Active members: 1" in lines[2]


@pytest.mark.parametrize("flushed", [False, True])
async def test_a_newcomer_whose_only_message_was_deleted_has_not_posted(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, flushed: bool
) -> None:
    """The funnel's "posted" follows the messages: a newcomer whose one message a moderator
    deleted (spam, a mistake) has not posted, whether the message was written yet or not; one
    who writes again has."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    clock.advance(timedelta(days=1))  # a day the bot saw whole
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("erin")))
    clock.advance(timedelta(minutes=1))
    spam = await say(core, platform, clock, "erin", "buy cheap seeds here")
    if flushed:
        await cog.flush()
    await core.handle(MessageDeleted(at=clock.now(), message=spam))

    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 0, still here 1")
    clock.advance(timedelta(minutes=1))
    await say(core, platform, clock, "erin", "sorry, hello everyone")
    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 1, still here 1")


async def test_a_newcomer_who_posted_on_a_later_day_still_has_posted(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """Deleting a newcomer's first message takes back that day only: one who wrote again the
    next day has posted."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    clock.advance(timedelta(days=1))
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("erin")))
    first = await say(core, platform, clock, "erin", "hello")
    await cog.flush()
    clock.advance(timedelta(days=1))
    await say(core, platform, clock, "erin", "the beans are up")
    await cog.flush()
    await core.handle(MessageDeleted(at=clock.now(), message=first))

    lines = (await run(core, platform, clock, "/report 2")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 1, still here 1")


async def test_a_first_message_deleted_while_a_refused_flush_writes_it_counts_no_more(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spam is deleted while the flush that took it is on its way, and the database refuses
    that flush for a while: the newcomer still has not posted once it is written."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    write = cog.buffer._write
    writing, deleted = asyncio.Event(), asyncio.Event()

    async def refused_after_the_deletion(pending: buffer.Pending) -> None:
        if not deleted.is_set():
            writing.set()
            await deleted.wait()
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        await write(pending)

    monkeypatch.setattr(cog.buffer, "_write", refused_after_the_deletion)
    clock.advance(timedelta(days=1))
    await core.handle(MemberJoined(at=clock.now(), member=platform.member("erin")))
    clock.advance(timedelta(minutes=1))
    spam = await say(core, platform, clock, "erin", "buy cheap seeds here")
    flushing = asyncio.create_task(cog.flush())
    await writing.wait()
    deleting = asyncio.create_task(core.handle(MessageDeleted(at=clock.now(), message=spam)))
    await asyncio.sleep(0.01)
    deleted.set()
    assert await flushing == 0  # refused: kept
    await deleting

    lines = (await run(core, platform, clock, "/report 1")).text.splitlines()
    assert lines[3].startswith("Newcomers: 1, n/a — introduced 0, posted 0, still here 1")


async def test_a_returning_members_first_message_deleted_after_their_return_counts_no_more(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    """erin's first stay is written; she leaves and comes back, then her one message of the
    first stay is deleted: that stay has no first message, the new one is untouched."""
    cog = core.cogs["reports"]
    assert isinstance(cog, ReportsCog)
    erin = platform.member("erin")
    clock.advance(timedelta(days=1))
    await core.handle(MemberJoined(at=clock.now(), member=erin))
    clock.advance(timedelta(minutes=1))
    spam = await say(core, platform, clock, "erin", "buy cheap seeds here")
    await cog.flush()
    clock.advance(timedelta(minutes=1))
    await core.handle(MemberLeft(at=clock.now(), member=erin))
    clock.advance(timedelta(minutes=1))
    await core.handle(MemberJoined(at=clock.now(), member=erin))
    await core.handle(MessageDeleted(at=clock.now(), message=spam))

    exported = await cog.export_member_data(platform.community, erin.user)

    first, second = exported["reports"]["arrivals"]
    assert first["first_message_at"] is None
    assert first["left_at"] is not None
    assert second["first_message_at"] is None


def test_a_member_with_a_forgotten_message_that_day_stays_active() -> None:
    """Past the limit the oldest messages are forgotten: deleting the remembered ones of a
    member who also wrote a forgotten one that day does not make them inactive."""
    general = FakePlatform().channel("general")
    recent = RecentMessages(limit=2)
    day = START.date()
    messages = [MessageRef(general, f"m{index}") for index in range(3)]
    alice = Remembered(day, "alice", "general", thanks=False, at=START)
    for message in messages:
        recent.remember(message, alice)
    assert recent.deleted(messages[0]) is None  # forgotten
    assert recent.deleted(messages[1]) == (alice, False)
    assert recent.deleted(messages[2]) == (alice, False)
    bob = Remembered(day, "bob", "general", thanks=True, at=START)
    recent.remember(messages[0], bob)
    assert recent.deleted(messages[0]) == (bob, True)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "spam (1), the strike ladder (1)"),
        ("fr", "spam (1), l'échelle des sanctions (1)"),
    ],
)
async def test_a_step_of_the_strike_ladder_is_named_in_the_community_language(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    locale: str,
    expected: str,
) -> None:
    """The netiquette records a ladder step under the rule ``strikes``: the breakdown says
    what it is, as it does for the moderators' commands, not ``strikes (1)``."""
    community = rules_dir / "community.yaml"
    community.write_text(community.read_text().replace("locale: en", f"locale: {locale}"))
    assert await core.reload_rules() is None
    alice = platform.member("alice")
    for case_id, rule in ((1, "spam"), (2, "strikes")):
        await core.handle(
            ModerationRecorded(
                at=clock.now(), member=alice, case_id=case_id, action="timeout", rule=rule
            )
        )

    text = (await run(core, platform, clock, "/report 7")).text

    assert f"2 — {expected}" in text


@pytest.mark.parametrize(
    ("changes", "key_path", "english", "french"),
    [
        (
            {"satisfaction": {"civil_below": 0.6, "hostile_above": 0.5}},
            "satisfaction",
            "civil_below must not be above hostile_above",
            "civil_below ne doit pas dépasser hostile_above",
        ),
        (
            {"satisfaction": {"positive_reactions": ["👍", "❤️"], "negative_reactions": ["❤"]}},
            "satisfaction",
            "❤️ is both in positive_reactions and in negative_reactions: keep it in one of them",
            "❤️ est à la fois dans positive_reactions et dans negative_reactions\u00a0: ne le"
            " gardez que dans l'une des deux",
        ),
        (
            {"write": {"flush_every": "2h"}},
            "write.flush_every",
            "flush_every must be between 1s and 1h",
            "flush_every doit être entre 1s et 1h",
        ),
        (
            {"max_days": 14, "schedule": {"days": 30}},
            "",
            "schedule.days (30) is more than max_days (14): the scheduled report could never be"
            " made; lower it or raise max_days",
            "schedule.days (30) dépasse max_days (14)\u00a0: le rapport planifié ne pourrait"
            " jamais être fait\u00a0; baissez-le ou augmentez max_days",
        ),
    ],
)
def test_a_french_community_reads_the_reports_section_s_refusals_in_french(
    rules_dir: Path, changes: dict[str, object], key_path: str, english: str, french: str
) -> None:
    # The checks the reports section makes itself, not the loader's.
    error = refusal_read_in_french(rules_dir, "reports", changes)
    assert (error.key_path, error.message) == (key_path, english)
    assert error.text("fr").endswith(f": {french}")
    assert typography_mistakes(french) == []
