"""Weekly per-community jobs follow the rule book: scheduled once, moved, cancelled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ChannelRef,
    CommunityRef,
    CommunitySeen,
    Event,
    MemberRef,
    MessageCreated,
    MessageRef,
    UserRef,
)
from bot.platform import Button, EventSink
from bot.state import StateStore
from bot.weekly import Weekly, WeeklyJob
from tests.conftest import START
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only


async def test_a_weekly_job_is_scheduled_once_moved_on_change_and_cancelled_when_off(
    core: Jardinier, platform: FakePlatform
) -> None:
    settings = {"schedule": Weekly(True, "mon", 9, 0)}
    weekly = WeeklyJob(
        core.cogs["announcements"], "digest", "post", lambda _: settings["schedule"]
    )
    community = platform.community
    assert weekly.job_id(community) == "announcements:digest:fake-c1"

    weekly.ensure(community)
    [job] = core.scheduler.pending("announcements:digest:")
    # Europe/Paris (the shipped time zone): Monday 9 November 2026 09:00 CET is 08:00 UTC.
    assert job.next_run == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    assert WeeklyJob.community(job.kwargs) == community

    weekly.ensure(community)
    assert len(core.scheduler.pending("announcements:digest:")) == 1

    # A schedule changes with the rule book: the core calls rules_applied() after a reload.
    settings["schedule"] = Weekly(True, "fri", 18, 30)
    weekly.rules_applied()
    [moved] = core.scheduler.pending("announcements:digest:")
    assert moved.next_run == datetime(2026, 11, 6, 17, 30, tzinfo=UTC)

    settings["schedule"] = Weekly(False, "fri", 18, 30)
    weekly.rules_applied()
    assert core.scheduler.pending("announcements:digest:") == []


async def test_after_a_reload_the_job_of_a_community_without_the_cog_is_cancelled(
    core: Jardinier, platform: FakePlatform, rules_dir: Path
) -> None:
    weekly = WeeklyJob(
        core.cogs["announcements"], "digest", "post", lambda _: Weekly(True, "mon", 9, 0)
    )
    weekly.ensure(platform.community)
    weekly.rules_applied()
    assert len(core.scheduler.pending("announcements:digest:")) == 1

    enable_only(rules_dir, "welcome")
    assert await core.reload_rules() is None
    weekly.rules_applied()
    assert core.scheduler.pending("announcements:digest:") == []


async def test_a_community_is_seen_once_before_its_first_event(
    core: Jardinier, platform: FakePlatform
) -> None:
    heard: list[str] = []

    async def listen(event: Event) -> None:
        heard.append(type(event).__name__)

    core.bus.subscribe("core", CommunitySeen, listen)
    core.bus.subscribe("core", MessageCreated, listen)
    for number in range(3):
        await core.handle(
            MessageCreated(
                at=START,
                message=MessageRef(platform.channel(), str(number)),
                author=platform.member("alice"),
                text=f"hello number {number}",
            )
        )
    assert heard == ["CommunitySeen", "MessageCreated", "MessageCreated", "MessageCreated"]
    assert core.communities_seen == [platform.community]


async def test_a_reload_that_enables_a_cog_schedules_the_communities_seen_before(
    core: Jardinier, platform: FakePlatform, rules_dir: Path
) -> None:
    enable_only(rules_dir, "welcome")
    assert await core.reload_rules() is None
    await core.handle(
        MessageCreated(
            at=START,
            message=MessageRef(platform.channel(), "1"),
            author=platform.member("alice"),
            text="hello",
        )
    )
    assert core.scheduler.pending("suggestions:") == []
    # The community was seen while the suggestions were off for it: switching them on
    # schedules its digest at once, without waiting for its next message.
    enable_only(rules_dir, "welcome", "suggestions")
    assert await core.reload_rules() is None
    assert [job.id for job in core.scheduler.pending("suggestions:")] == [
        "suggestions:digest:fake-c1"
    ]


async def weekly_digests_posted(
    core: Jardinier,
    platform: FakePlatform,
    rules_dir: Path,
    clock: ManualClock,
    start: datetime,
    hours: int,
) -> list[datetime]:
    """With the digest on Sundays at 02:30 in Paris: when it was posted in ``hours``."""
    clock.set(start)
    enable_only(rules_dir, "suggestions")
    edit_section(
        rules_dir, "suggestions", {"digest": {"day_of_week": "sun", "hour": 2, "minute": 30}}
    )
    assert await core.reload_rules() is None
    await core.handle(
        MessageCreated(
            at=start,
            message=MessageRef(platform.channel(), "1"),
            author=platform.member("alice"),
            text="hello",
        )
    )
    posted: list[datetime] = []
    for _ in range(hours * 2):
        before = len(platform.sent())
        await core.scheduler.advance(timedelta(minutes=30))
        posted += [
            clock.now() for sent in platform.sent()[before:] if sent.target.id == "leadership"
        ]
    return posted


async def test_a_weekly_job_in_the_hour_clocks_go_back_runs_once(
    core: Jardinier, platform: FakePlatform, rules_dir: Path, clock: ManualClock
) -> None:
    # Paris, Sunday 31 October 2027: 02:30 comes twice (00:30 UTC in CEST, 01:30 UTC in CET).
    posted = await weekly_digests_posted(
        core,
        platform,
        rules_dir,
        clock,
        datetime(2027, 10, 30, 12, 0, tzinfo=UTC),
        hours=16 + 7 * 24,
    )
    assert posted == [
        datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 1, 30, tzinfo=UTC),  # the next Sunday, 02:30 CET as usual
    ]


async def test_a_weekly_job_at_a_time_clocks_skip_runs_once_an_hour_later(
    core: Jardinier, platform: FakePlatform, rules_dir: Path, clock: ManualClock
) -> None:
    # Paris, Sunday 28 March 2027: clocks go from 02:00 to 03:00, so 02:30 does not exist.
    posted = await weekly_digests_posted(
        core,
        platform,
        rules_dir,
        clock,
        datetime(2027, 3, 27, 12, 0, tzinfo=UTC),
        hours=16 + 7 * 24,
    )
    assert posted == [
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 03:30 CEST
        datetime(2027, 4, 4, 0, 30, tzinfo=UTC),  # 02:30 CEST
    ]


async def restarted(
    rules_dir: Path,
    database: Path,
    clock: ManualClock,
    platform: FakePlatform,
    *,
    jobs_on_time: bool = True,
) -> Jardinier:
    """The bot started again on the same database and rule book (``jobs_on_time=False``: as
    ``run`` starts it, the jobs due waiting for :meth:`Scheduler.run_on_time`)."""
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{database}",
        platforms=[platform],
        clock=clock,
    )
    await bot.start(jobs_on_time=jobs_on_time)
    return bot


async def reports_heard_from(
    rules_dir: Path, database: Path, clock: ManualClock, platform: FakePlatform
) -> None:
    """A bot with the weekly report on (Mondays 09:05 Paris) hears from Garden, then stops."""
    enable_only(rules_dir, "reports")
    first = await restarted(rules_dir, database, clock, platform)
    await first.handle(
        MessageCreated(
            at=clock.now(),
            message=MessageRef(platform.channel(), "1"),
            author=platform.member("alice"),
            text="hello",
        )
    )
    assert [job.id for job in first.scheduler.pending("reports:")] == ["reports:weekly:fake-c1"]
    await first.stop()
    platform.actions.clear()


def reports_posted(platform: FakePlatform) -> list[str]:
    return [sent.text for sent in platform.sent() if sent.target.id == "leadership"]


async def test_a_report_switched_off_while_the_bot_was_down_is_not_posted(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    platform = FakePlatform()
    database = tmp_path / "garden.db"
    await reports_heard_from(rules_dir, database, clock, platform)

    edit_section(rules_dir, "reports", {"schedule": {"enabled": False}})
    # Started again; Garden says nothing for weeks.
    bot = await restarted(rules_dir, database, clock, platform)
    await bot.scheduler.advance(timedelta(days=15))
    assert reports_posted(platform) == []
    assert bot.scheduler.pending("reports:") == []
    await bot.stop()


async def test_a_report_moved_while_the_bot_was_down_comes_at_its_new_time_only(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    platform = FakePlatform()
    database = tmp_path / "garden.db"
    await reports_heard_from(rules_dir, database, clock, platform)

    # Moved to Tuesdays; the bot is back Monday 9 November at 09:30 Paris, the old time past.
    edit_section(rules_dir, "reports", {"schedule": {"day_of_week": "tue"}})
    clock.set(datetime(2026, 11, 9, 8, 30, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform)
    assert reports_posted(platform) == []
    [job] = bot.scheduler.pending("reports:")
    assert job.next_run == datetime(2026, 11, 10, 8, 5, tzinfo=UTC)
    await bot.scheduler.advance(timedelta(days=2))
    assert len(reports_posted(platform)) == 1
    await bot.stop()


async def test_communities_whose_ids_begin_alike_each_get_their_weekly_job(
    core: Jardinier, platform: FakePlatform
) -> None:
    for number, community_id in enumerate(("c10", "c1")):
        community = CommunityRef("fake", community_id, f"Garden {community_id}")
        channel = ChannelRef(community, "general", "#general")
        await core.handle(
            MessageCreated(
                at=START,
                message=MessageRef(channel, str(number)),
                author=MemberRef(community, UserRef("fake", "alice", "alice")),
                text="hello",
            )
        )
    assert sorted(job.id for job in core.scheduler.pending("reports:")) == [
        "reports:weekly:fake-c1",
        "reports:weekly:fake-c10",
    ]


class StallingPlatform(FakePlatform):
    """A fake platform whose posts in the leadership channel wait until ``release`` is set: a
    weekly job caught in the middle of its run, for a stop to come then."""

    def __init__(self) -> None:
        super().__init__()
        self.stall = True
        self.posting = asyncio.Event()
        self.release = asyncio.Event()

    async def send(
        self,
        channel: ChannelRef,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        buttons: Sequence[Button] = (),
        file: Path | None = None,
        mention: Sequence[UserRef] = (),
        private_to: MemberRef | None = None,
    ) -> MessageRef:
        if self.stall and channel.id == "leadership":
            self.posting.set()
            await self.release.wait()
        return await super().send(
            channel,
            text,
            reply_to=reply_to,
            buttons=buttons,
            file=file,
            mention=mention,
            private_to=private_to,
        )


async def stopped_while_reporting(
    rules_dir: Path, database: Path, clock: ManualClock, platform: StallingPlatform
) -> None:
    """The bot, back on Monday 9 November at 09:40 Paris, catches up on the report due at 09:05
    and is stopped (input ended, a deploy) while posting it."""
    platform.stall = False
    await reports_heard_from(rules_dir, database, clock, platform)
    platform.stall = True
    clock.set(datetime(2026, 11, 9, 8, 40, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    catching_up = asyncio.create_task(bot.scheduler.run_on_time())
    await platform.posting.wait()
    catching_up.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await catching_up
    await bot.stop()
    assert reports_posted(platform) == []
    platform.stall = False


async def test_a_report_stopped_in_the_middle_of_its_run_is_posted_at_the_next_start(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    platform = StallingPlatform()
    database = tmp_path / "garden.db"
    await stopped_while_reporting(rules_dir, database, clock, platform)

    # Back ten minutes later: the week's report is owed, and posted once.
    clock.set(datetime(2026, 11, 9, 8, 50, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    await bot.scheduler.run_on_time()
    assert len(reports_posted(platform)) == 1
    # Once: not again at the next start, and the next one comes the Monday after, as usual.
    await bot.stop()
    bot = await restarted(rules_dir, database, clock, platform)
    await bot.scheduler.advance(timedelta(days=7, hours=1))
    assert len(reports_posted(platform)) == 2
    await bot.stop()


async def test_a_report_stopped_in_its_run_and_back_past_the_grace_is_reported_missed(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    platform = StallingPlatform()
    database = tmp_path / "garden.db"
    await stopped_while_reporting(rules_dir, database, clock, platform)

    # Back two hours later: too late to post it, the moderators are told.
    clock.set(datetime(2026, 11, 9, 10, 40, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    await bot.scheduler.run_on_time()
    assert reports_posted(platform) == []
    [missed] = [sent.text for sent in platform.sent() if sent.target.id == "mod-log"]
    assert "due on" in missed
    assert "was missed" in missed
    await bot.stop()


async def test_a_report_whose_run_ended_just_before_the_stop_is_not_posted_again(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = StallingPlatform()
    platform.stall = False
    database = tmp_path / "garden.db"
    await reports_heard_from(rules_dir, database, clock, platform)
    clock.set(datetime(2026, 11, 9, 8, 40, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    # The report is posted; the stop comes while its run is being recorded as done.
    recording = asyncio.Event()
    original = StateStore.set

    async def stalled(store: StateStore, key: str, value: str) -> None:
        if key.startswith("weekly:"):
            recording.set()
            await asyncio.Event().wait()
        await original(store, key, value)

    monkeypatch.setattr(StateStore, "set", stalled)
    catching_up = asyncio.create_task(bot.scheduler.run_on_time())
    await recording.wait()
    catching_up.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await catching_up
    await bot.stop()
    monkeypatch.setattr(StateStore, "set", original)
    assert len(reports_posted(platform)) == 1

    clock.set(datetime(2026, 11, 9, 8, 50, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    await bot.scheduler.run_on_time()
    assert len(reports_posted(platform)) == 1
    await bot.stop()


class InputEndingPlatform(StallingPlatform):
    """The console fed by a pipe: its input ends while the start-up catch-up posts the week's
    report, whose post then takes ``post_takes`` seconds more (drawing and sending the chart);
    None: it never ends. ``connects``: False, its connection never comes."""

    def __init__(self, *, post_takes: float | None, connects: bool = True) -> None:
        super().__init__()
        self.post_takes = post_takes
        self.connects = connects

    async def start(self, sink: EventSink) -> None:
        if not self.connects:
            return  # input ended before anything came
        await self.posting.wait()
        if self.post_takes is not None:
            asyncio.get_running_loop().call_later(self.post_takes, self.release.set)

    async def ready(self) -> None:
        if not self.connects:
            await asyncio.Event().wait()


async def run_after_the_report_fell_due(
    rules_dir: Path, database: Path, clock: ManualClock, platform: InputEndingPlatform
) -> None:
    """The report heard from, then the bot run (as ``jardinier console`` runs it) on Monday
    9 November at 09:40 Paris, the report due at 09:05 owed, until its platform ends."""
    platform.stall = False
    await reports_heard_from(rules_dir, database, clock, platform)
    platform.stall = True
    clock.set(datetime(2026, 11, 9, 8, 40, tzinfo=UTC))
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{database}",
        platforms=[platform],
        clock=clock,
    )
    await asyncio.wait_for(bot.run(), 30)


async def test_a_report_the_catch_up_posts_when_the_console_input_ends_is_posted_once(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    platform = InputEndingPlatform(post_takes=0.2)
    database = tmp_path / "garden.db"
    await run_after_the_report_fell_due(rules_dir, database, clock, platform)
    assert len(reports_posted(platform)) == 1

    # Finished, so not run again at the next start.
    platform.stall = False
    clock.set(datetime(2026, 11, 9, 8, 50, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    await bot.scheduler.run_on_time()
    assert len(reports_posted(platform)) == 1
    await bot.stop()


async def test_a_catch_up_still_running_past_the_grace_is_stopped_and_run_again_next_time(
    rules_dir: Path,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("bot.core.SHUTDOWN_GRACE", timedelta(seconds=0.3))
    platform = InputEndingPlatform(post_takes=None)
    database = tmp_path / "garden.db"
    await run_after_the_report_fell_due(rules_dir, database, clock, platform)
    assert reports_posted(platform) == []
    assert "the jobs that fell due while the bot was down still run after" in caplog.text

    platform.stall = False
    clock.set(datetime(2026, 11, 9, 8, 50, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    await bot.scheduler.run_on_time()
    assert len(reports_posted(platform)) == 1
    await bot.stop()


async def test_a_catch_up_waiting_for_a_connection_does_not_hold_up_the_end_of_input(
    rules_dir: Path, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A grace longer than the test waits: the bot stops at once, not after it.
    monkeypatch.setattr("bot.core.SHUTDOWN_GRACE", timedelta(minutes=5))
    platform = InputEndingPlatform(post_takes=0.2, connects=False)
    await run_after_the_report_fell_due(rules_dir, tmp_path / "garden.db", clock, platform)
    assert reports_posted(platform) == []


async def test_a_report_an_earlier_version_left_unfinished_is_posted_once_at_the_next_start(
    rules_dir: Path, clock: ManualClock, tmp_path: Path
) -> None:
    platform = FakePlatform()
    database = tmp_path / "garden.db"
    await reports_heard_from(rules_dir, database, clock, platform)
    # Stopped at 09:40 Paris in the middle of the 09:05 report's catch-up, by a version that
    # moved the job on to next week and kept the run to do again in a job of its own.
    started = datetime(2026, 11, 9, 8, 40, tzinfo=UTC)
    clock.set(started)
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    weekly = bot.scheduler.scheduled("reports:weekly:fake-c1")
    assert weekly is not None
    bot.scheduler.cron(
        weekly.id,
        "reports",
        weekly.handler,
        timezone="Europe/Paris",
        kwargs=weekly.kwargs,
        day_of_week="mon",
        hour=9,
        minute=5,
    )
    bot.scheduler.at(
        f"{weekly.id}:unfinished",
        started + timedelta(days=7),
        "reports",
        weekly.handler,
        **weekly.kwargs,
        unfinished_since=started.isoformat(),
    )
    await bot.stop()
    assert reports_posted(platform) == []

    clock.set(datetime(2026, 11, 9, 8, 50, tzinfo=UTC))
    bot = await restarted(rules_dir, database, clock, platform, jobs_on_time=False)
    await bot.scheduler.run_on_time()
    assert len(reports_posted(platform)) == 1
    await bot.stop()
    bot = await restarted(rules_dir, database, clock, platform)
    assert len(reports_posted(platform)) == 1
    assert [(job.id, job.next_run) for job in bot.scheduler.pending("reports:")] == [
        ("reports:weekly:fake-c1", datetime(2026, 11, 16, 8, 5, tzinfo=UTC))
    ]
    await bot.stop()
