"""The catch-up at start, and what keeps jobs running when it goes wrong: a job cancelled while
it runs, a cog failing to handle a missed job, a clock that jumps, a cog that is not loaded, a job
that fails (tried again a few times)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.clock import ManualClock, SystemClock
from bot.core import Jardinier
from bot.events import MemberJoined, MemberLeft, MessageCreated, MessageRef
from bot.scheduler import Scheduler
from tests.cogs.netiquette.forum import write_netiquette
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only
from tests.support.waiting import eventually

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NNBSP = "\u202f"
"""What a time of day is written with before AM and PM."""


class Runner:
    """A job runner that writes down what ran and what was reported missed; ``on_run`` does
    what a handler would (cancel another job), ``absent`` names cogs that are not loaded,
    ``platforms`` the platforms running; ``missed_fails`` and ``run_fails`` are how many reports
    and runs fail next (the database busy); ``given_up`` the jobs given up as the cog heard of
    them, ``given_up_fails`` a cog that fails to hear it.
    """

    def __init__(self, *, absent: frozenset[str] = frozenset()) -> None:
        self.ran: list[str] = []
        self.missed: list[tuple[str, timedelta]] = []
        self.given_up: list[tuple[str, str, str, dict[str, Any]]] = []
        self.given_up_fails = False
        self.absent = absent
        self.platforms: dict[str, object] = {"fake": object()}
        self.on_run: Callable[[str], None] = lambda handler: None
        self.missed_fails = 0
        self.run_fails = 0

    def runs_cog(self, cog: str) -> bool:
        return cog not in self.absent

    def serves_platform(self, name: str) -> bool:
        return name in self.platforms

    async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
        self.ran.append(handler)
        self.on_run(handler)
        if self.run_fails:
            self.run_fails -= 1
            raise OperationalError("UPDATE", {}, Exception("database is locked"))

    async def job_missed(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any], late_by: timedelta
    ) -> None:
        self.missed.append((job_id, late_by))
        if self.missed_fails:
            self.missed_fails -= 1
            raise OperationalError("UPDATE", {}, Exception("database is locked"))

    async def job_given_up(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any]
    ) -> None:
        self.given_up.append((cog, handler, job_id, dict(kwargs)))
        if self.given_up_fails:
            raise RuntimeError("a bug in the cog's hook")


class JumpingClock(SystemClock):
    """The system clock, but able to jump forward (a machine resumed, an NTP step)."""

    def __init__(self) -> None:
        self.jump = timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.jump


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobs.db'}"


async def down_with(store: str, *jobs: tuple[str, timedelta, str], start: datetime = T0) -> None:
    """A bot that planned ``jobs`` (id, due after ``start``, handler) then stopped."""
    scheduler = Scheduler(ManualClock(start), store_url=store)
    await scheduler.start(Runner())
    for job_id, due, handler in jobs:
        scheduler.at(job_id, start + due, "welcome", handler)
    await scheduler.shutdown()


async def test_a_job_cancelled_by_one_run_in_the_catch_up_is_skipped_and_the_rest_run(
    store: str,
) -> None:
    await down_with(
        store,
        ("welcome:gate:x", timedelta(minutes=10), "gate_expired"),
        ("welcome:nudge:x", timedelta(minutes=30), "nudge"),
        ("other", timedelta(minutes=40), "other"),
    )
    scheduler = Scheduler(ManualClock(T0 + timedelta(minutes=50)), store_url=store)
    runner = Runner()
    # The gate's expiry removes the newcomer, whose nudge goes with them.
    runner.on_run = lambda handler: (
        handler == "gate_expired" and scheduler.cancel("welcome:nudge:x")
    )
    await scheduler.start(runner)
    assert runner.ran == ["gate_expired", "other"]
    assert scheduler.pending() == []
    await scheduler.shutdown()


async def test_jobs_run_on_time_after_a_catch_up_that_went_wrong(store: str) -> None:
    clock = SystemClock()
    await down_with(
        store,
        ("welcome:nudge:y", timedelta(0), "nudge"),  # missed: its cog fails to say so
        ("welcome:gate:x", timedelta(minutes=110), "gate_expired"),
        ("welcome:nudge:x", timedelta(minutes=115), "nudge"),
        start=clock.now() - timedelta(hours=2),
    )
    scheduler = Scheduler(clock, store_url=store)
    runner = Runner()
    runner.missed_fails = 1  # the database busy at start
    runner.on_run = lambda handler: (
        handler == "gate_expired" and scheduler.cancel("welcome:nudge:x")
    )
    await scheduler.start(runner, on_time=False)
    try:
        await scheduler.run_on_time()
        assert [job_id for job_id, _ in runner.missed] == ["welcome:nudge:y"]
        assert runner.ran == ["gate_expired"]
        # Caught up: a ban to lift in a moment is lifted on time.
        scheduler.at("netiquette:ban:x", clock.now() + timedelta(milliseconds=200), "n", "lift")
        await eventually(lambda: runner.ran == ["gate_expired", "lift"], "the ban is lifted")
    finally:
        await scheduler.shutdown()


async def test_a_job_found_hours_late_while_the_bot_runs_is_reported_missed_to_its_cog(
    store: str,
) -> None:
    clock = JumpingClock()
    scheduler = Scheduler(clock, store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    try:
        due = clock.now() + timedelta(milliseconds=300)
        scheduler.at("netiquette:ban:c1:bob", due, "netiquette", "lift_ban")
        clock.jump = timedelta(hours=2)  # the machine slept through it
        await eventually(lambda: runner.missed != [], "the lift is reported missed")
        [(job_id, late_by)] = runner.missed
        assert job_id == "netiquette:ban:c1:bob"
        assert timedelta(hours=2) <= late_by < timedelta(hours=2, minutes=1)
        assert runner.ran == []
        assert scheduler.pending() == []
    finally:
        await scheduler.shutdown()


async def test_a_job_whose_cog_is_not_loaded_waits_for_it_across_restarts(
    store: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = Scheduler(ManualClock(T0), store_url=store)
    await first.start(Runner())
    first.at("netiquette:ban:c1:bob", T0 + timedelta(hours=1), "netiquette", "lift_ban")
    first.at("netiquette:ban:c1:eve", T0 + timedelta(hours=3), "netiquette", "lift_ban")
    await first.shutdown()

    # Restarted with the netiquette left out of the rule book: nothing is lifted, nothing lost.
    clock = ManualClock(T0 + timedelta(hours=1, minutes=5))
    second = Scheduler(clock, store_url=store)
    runner = Runner(absent=frozenset({"netiquette"}))
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await second.start(runner)
        await second.advance(timedelta(days=1))
    assert runner.ran == runner.missed == []
    assert {job.id for job in second.pending()} == {
        "netiquette:ban:c1:bob",
        "netiquette:ban:c1:eve",
    }
    waiting = [record for record in caplog.records if "waits for the cog" in record.message]
    assert len(waiting) == 1
    assert "netiquette" in waiting[0].getMessage()
    await second.shutdown()

    # Enabled again: the lifts owed are done (past the grace: as missed, which lifts).
    third = Scheduler(ManualClock(T0 + timedelta(days=2)), store_url=store)
    runner = Runner()
    await third.start(runner)
    assert sorted(job_id for job_id, _ in runner.missed) == [
        "netiquette:ban:c1:bob",
        "netiquette:ban:c1:eve",
    ]
    assert third.pending() == []
    await third.shutdown()


async def test_a_job_of_a_cog_not_loaded_falling_due_while_running_waits_for_it(
    store: str,
) -> None:
    clock = SystemClock()
    scheduler = Scheduler(clock, store_url=store)
    runner = Runner(absent=frozenset({"netiquette"}))
    await scheduler.start(runner)
    try:
        due = clock.now() + timedelta(milliseconds=200)
        scheduler.at("netiquette:ban:c1:bob", due, "netiquette", "lift_ban")
        await eventually(
            lambda: [job.next_run for job in scheduler.pending()] == [None], "the lift waits"
        )
        assert runner.ran == []
        runner.absent = frozenset()  # a reload enables the cog
        await scheduler.cogs_loaded()
        await eventually(lambda: runner.ran == ["lift_ban"], "the ban is lifted")
        assert scheduler.pending() == []
    finally:
        await scheduler.shutdown()


async def test_a_daily_job_due_while_its_cog_was_not_loaded_runs_once_it_is(
    store: str,
) -> None:
    clock = ManualClock(T0 - timedelta(hours=1))
    scheduler = Scheduler(clock, store_url=store)
    runner = Runner(absent=frozenset({"contests"}))
    await scheduler.start(runner)
    scheduler.cron("contests:c1:daily", "contests", "daily_report", hour=9, minute=0)
    scheduler.at("contests:c1:close", T0, "contests", "close")
    await scheduler.advance(timedelta(hours=1, minutes=30))
    assert runner.ran == []

    runner.absent = frozenset()  # a reload enables the cog at 09:30
    await scheduler.cogs_loaded()
    assert sorted(runner.ran) == ["close", "daily_report"]
    assert runner.missed == []
    assert scheduler.next_run("contests:c1:daily") == T0 + timedelta(days=1)
    await scheduler.shutdown()


async def test_a_daily_job_that_waited_past_the_grace_is_reported_missed_after_a_restart(
    store: str,
) -> None:
    first = Scheduler(ManualClock(T0 - timedelta(hours=1)), store_url=store)
    runner = Runner(absent=frozenset({"contests"}))
    await first.start(runner)
    first.cron("contests:c1:daily", "contests", "daily_report", hour=9, minute=0)
    await first.advance(timedelta(hours=2))
    await first.shutdown()

    # Restarted at 12:00 with the cog loaded: the 09:00 report is three hours late.
    second = Scheduler(ManualClock(T0 + timedelta(hours=3)), store_url=store)
    runner = Runner()
    await second.start(runner)
    assert runner.ran == []
    assert runner.missed == [("contests:c1:daily", timedelta(hours=3))]
    assert second.next_run("contests:c1:daily") == T0 + timedelta(days=1)
    await second.shutdown()


def weekly_report(scheduler: Scheduler, platform: str) -> None:
    """The Monday 09:00 report of a community of ``platform``."""
    scheduler.cron(
        f"reports:weekly:{platform}-c1",
        "reports",
        "post_report",
        kwargs={"platform": platform, "community_id": "c1", "community_name": "Garden"},
        day_of_week="mon",
        hour=9,
        minute=0,
    )


async def test_jobs_of_a_platform_not_running_wait_for_it_across_restarts(
    store: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = Scheduler(ManualClock(T0 - timedelta(hours=1)), store_url=store)
    runner = Runner()
    runner.platforms = {"fake": object(), "telegram": object()}
    await first.start(runner)
    weekly_report(first, "telegram")
    lift = {"platform": "telegram", "community_id": "c1", "user_id": "bob"}
    first.at("netiquette:ban:telegram-c1:bob", T0, "netiquette", "lift_ban", **lift)
    first.at("welcome:nudge:fake-c1:eve", T0, "welcome", "nudge", platform="fake")
    await first.shutdown()

    # Restarted without its Telegram token: the Telegram jobs fall due and wait, the rest run.
    clock = ManualClock(T0 - timedelta(minutes=30))
    second = Scheduler(clock, store_url=store)
    runner = Runner()
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await second.start(runner)
        await second.advance(timedelta(hours=1))
    assert runner.ran == ["nudge"]
    assert runner.missed == []
    assert {job.id: job.next_run for job in second.pending()} == {
        "netiquette:ban:telegram-c1:bob": None,
        "reports:weekly:telegram-c1": None,
    }
    waiting = [record.getMessage() for record in caplog.records if "telegram" in record.message]
    assert waiting == [
        "2 scheduled jobs wait for the telegram platform, which is not running: held until the "
        "bot runs with it again"
    ]
    await second.shutdown()

    # Back with Telegram, 40 minutes late: the lift and this week's report run now, once.
    third = Scheduler(ManualClock(T0 + timedelta(minutes=40)), store_url=store)
    runner = Runner()
    runner.platforms = {"telegram": object()}
    await third.start(runner)
    assert sorted(runner.ran) == ["lift_ban", "post_report"]
    assert runner.missed == []
    assert [(job.id, job.next_run) for job in third.pending()] == [
        ("reports:weekly:telegram-c1", T0 + timedelta(days=7))
    ]
    await third.shutdown()


async def test_a_weekly_job_of_a_platform_back_after_the_grace_is_reported_missed(
    store: str,
) -> None:
    first = Scheduler(ManualClock(T0 - timedelta(hours=1)), store_url=store)
    runner = Runner()
    await first.start(runner)  # Telegram is not running: the Monday report waits
    weekly_report(first, "telegram")
    await first.advance(timedelta(hours=2))
    assert runner.ran == []
    await first.shutdown()

    second = Scheduler(ManualClock(T0 + timedelta(days=2)), store_url=store)
    runner = Runner()
    runner.platforms = {"telegram": object()}
    await second.start(runner)
    assert runner.ran == []
    assert runner.missed == [("reports:weekly:telegram-c1", timedelta(days=2))]
    assert second.next_run("reports:weekly:telegram-c1") == T0 + timedelta(days=7)
    await second.shutdown()


async def test_a_missed_job_whose_handling_failed_is_reported_again_a_minute_later(
    store: str,
) -> None:
    await down_with(store, ("netiquette:ban:x", timedelta(minutes=10), "lift_ban"))
    scheduler = Scheduler(ManualClock(T0 + timedelta(hours=2)), store_url=store)
    runner = Runner()
    runner.missed_fails = 1  # the database busy at start
    await scheduler.start(runner)
    assert scheduler.next_run("netiquette:ban:x") == T0 + timedelta(hours=2, minutes=1)
    await scheduler.advance(timedelta(hours=2))
    # Reported again, as missed (not run late), and only until its cog handled it.
    assert runner.missed == [
        ("netiquette:ban:x", timedelta(hours=1, minutes=50)),
        ("netiquette:ban:x", timedelta(hours=1, minutes=51)),
    ]
    assert runner.ran == []
    assert scheduler.pending() == []
    await scheduler.shutdown()


async def test_a_missed_job_its_cog_always_fails_to_handle_is_given_up_after_four_tries(
    store: str, caplog: pytest.LogCaptureFixture
) -> None:
    await down_with(store, ("netiquette:ban:x", timedelta(minutes=10), "lift_ban"))
    scheduler = Scheduler(ManualClock(T0 + timedelta(hours=2)), store_url=store)
    runner = Runner()
    runner.missed_fails = 1_000  # a bug: waiting cures nothing
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        await scheduler.start(runner)
        await scheduler.advance(timedelta(days=1))
    tried = [T0 + timedelta(minutes=10) + late_by for _, late_by in runner.missed]
    start = T0 + timedelta(hours=2)
    assert tried == [start + timedelta(minutes=minutes) for minutes in (0, 1, 6, 36)]
    assert scheduler.pending() == []
    assert "failed 4 times; given up" in caplog.records[-1].message
    # Its cog hears of it once: a lift still owed is left to a moderator.
    assert runner.given_up == [("welcome", "lift_ban", "netiquette:ban:x", {})]
    await scheduler.shutdown()


async def test_a_one_off_job_failing_every_try_is_given_up_and_its_cog_told_once_after_the_last(
    store: str,
) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    scheduler.at("welcome:nudge:x", T0 + timedelta(minutes=10), "welcome", "nudge", member="a")
    runner.run_fails = 1_000  # a bug: waiting cures nothing
    await scheduler.advance(timedelta(minutes=45))  # tried at 10, 11 and 16 minutes
    assert runner.ran == ["nudge"] * 3
    assert runner.given_up == []
    await scheduler.advance(timedelta(minutes=1))  # the last try, at 46 minutes
    assert runner.ran == ["nudge"] * 4
    assert runner.given_up == [("welcome", "nudge", "welcome:nudge:x", {"member": "a"})]
    await scheduler.advance(timedelta(days=2))
    assert runner.ran == ["nudge"] * 4
    assert len(runner.given_up) == 1
    assert scheduler.pending() == []
    await scheduler.shutdown()


async def test_a_cog_failing_to_hear_its_job_given_up_stops_no_other_job(
    store: str, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    scheduler.at("welcome:nudge:x", T0 + timedelta(minutes=10), "welcome", "nudge")
    scheduler.at("welcome:other", T0 + timedelta(minutes=46), "welcome", "other")
    runner.run_fails = 4
    runner.given_up_fails = True
    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        await scheduler.advance(timedelta(hours=1))
    assert runner.ran == ["nudge"] * 4 + ["other"]
    assert len(runner.given_up) == 1
    assert "failed to handle the given-up job welcome:nudge:x" in caplog.records[-1].message
    assert scheduler.pending() == []
    scheduler.at("welcome:later", T0 + timedelta(hours=2), "welcome", "later")
    await scheduler.advance(timedelta(hours=1))
    assert runner.ran[-1] == "later"
    await scheduler.shutdown()


async def test_a_one_off_job_that_failed_runs_again_once(store: str) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    scheduler.at("welcome:nudge:x", T0 + timedelta(minutes=10), "welcome", "nudge")
    runner.run_fails = 1
    await scheduler.advance(timedelta(minutes=10))
    assert runner.ran == ["nudge"]
    assert scheduler.next_run("welcome:nudge:x") == T0 + timedelta(minutes=11)
    await scheduler.advance(timedelta(hours=2))
    assert runner.ran == ["nudge", "nudge"]
    assert scheduler.pending() == []
    assert runner.given_up == []
    await scheduler.shutdown()


async def test_a_retry_planned_before_a_restart_happens_after_it(store: str) -> None:
    first = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await first.start(runner)
    first.at("welcome:nudge:x", T0 + timedelta(minutes=10), "welcome", "nudge")
    runner.run_fails = 1
    await first.advance(timedelta(minutes=10))
    await first.shutdown()

    second = Scheduler(ManualClock(T0 + timedelta(minutes=20)), store_url=store)
    runner = Runner()
    await second.start(runner)
    assert runner.ran == ["nudge"]
    assert second.pending() == []
    await second.shutdown()


async def test_a_recurring_job_that_failed_is_not_tried_again_before_its_next_time(
    store: str,
) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    scheduler.cron("reports:c1:daily", "reports", "daily", hour=9, minute=30)
    runner.run_fails = 1
    await scheduler.advance(timedelta(hours=1))
    assert runner.ran == ["daily"]
    assert scheduler.next_run("reports:c1:daily") == T0 + timedelta(days=1, minutes=30)
    await scheduler.advance(timedelta(hours=2))
    assert runner.ran == ["daily"]
    await scheduler.shutdown()


async def test_a_recurring_job_failing_every_time_is_never_given_up(store: str) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    scheduler.cron("reports:c1:daily", "reports", "daily", hour=9, minute=30)
    runner.run_fails = 1_000
    await scheduler.advance(timedelta(days=10))
    assert runner.ran == ["daily"] * 10
    assert runner.given_up == []
    assert scheduler.next_run("reports:c1:daily") == T0 + timedelta(days=10, minutes=30)
    await scheduler.shutdown()


async def test_a_schedule_that_never_comes_is_refused(store: str) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    await scheduler.start(Runner())
    with pytest.raises(ValueError, match="never runs"):
        scheduler.cron("challenge:c1:feb", "contests", "run_challenge", day=31, month=2)
    assert scheduler.pending() == []
    await scheduler.shutdown()


class Crash(BaseException):
    """The process killed while a handler runs (kill -9, power loss, out of memory): nothing
    after it runs, neither the handler's end nor the scheduler's."""


def crashing(on: str) -> Callable[[str], None]:
    """An ``on_run`` that kills the process the first time the handler ``on`` runs."""
    crashed: list[str] = []

    def run(handler: str) -> None:
        if handler == on and not crashed:
            crashed.append(handler)
            raise Crash

    return run


async def killed(scheduler: Scheduler) -> None:
    """What a kill leaves on disk: the jobs as the store's writer last saved them (it saves
    each change within milliseconds). Nothing of a stop runs."""
    assert scheduler._store is not None
    await asyncio.to_thread(scheduler._store.flush)


def daily_summary(scheduler: Scheduler) -> None:
    """A community's summary, every day at 09:00 (a cron job of no weekly kind)."""
    scheduler.cron(
        "reputation:summary:fake-c1",
        "reputation",
        "post_summary",
        kwargs={"platform": "fake", "community_id": "c1", "community_name": "Garden"},
        hour=9,
        minute=0,
    )


async def summary_killed_while_posting(store: str) -> Scheduler:
    """The bot killed on Monday at 09:00 while the day's summary is being posted."""
    scheduler = Scheduler(ManualClock(T0 - timedelta(hours=1)), store_url=store)
    runner = Runner()
    runner.on_run = crashing("post_summary")
    await scheduler.start(runner)
    daily_summary(scheduler)
    with pytest.raises(Crash):
        await scheduler.advance(timedelta(hours=2))
    assert runner.ran == ["post_summary"]
    await killed(scheduler)
    return scheduler


async def test_a_recurring_job_killed_in_its_run_runs_again_at_the_next_start(
    store: str, caplog: pytest.LogCaptureFixture
) -> None:
    dead = await summary_killed_while_posting(store)

    # Back twenty minutes later: the summary cut short is owed, and posted once.
    scheduler = Scheduler(ManualClock(T0 + timedelta(minutes=20)), store_url=store)
    runner = Runner()
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await scheduler.start(runner)
    assert runner.ran == ["post_summary"]
    assert runner.missed == []
    assert "reputation:summary:fake-c1: its run due at 2026-11-02 09:00" in caplog.text
    assert scheduler.next_run("reputation:summary:fake-c1") == T0 + timedelta(days=1)
    await scheduler.shutdown()

    # Done: not again at the next start, and the next one comes the day after, as usual.
    scheduler = Scheduler(ManualClock(T0 + timedelta(minutes=30)), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    await scheduler.advance(timedelta(days=1))
    assert runner.ran == ["post_summary"]
    assert runner.missed == []
    await scheduler.shutdown()
    await dead.shutdown()


async def test_a_recurring_job_killed_in_its_run_and_back_past_the_grace_is_reported_missed(
    store: str,
) -> None:
    dead = await summary_killed_while_posting(store)

    scheduler = Scheduler(ManualClock(T0 + timedelta(hours=3)), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    assert runner.ran == []
    assert runner.missed == [("reputation:summary:fake-c1", timedelta(hours=3))]
    assert scheduler.next_run("reputation:summary:fake-c1") == T0 + timedelta(days=1)
    await scheduler.shutdown()
    await dead.shutdown()


async def test_a_recurring_run_that_ended_or_failed_before_a_kill_is_not_run_again(
    store: str,
) -> None:
    scheduler = Scheduler(ManualClock(T0 - timedelta(hours=1)), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    daily_summary(scheduler)
    scheduler.cron("reports:c1:daily", "reports", "daily", hour=9, minute=0)

    def run(handler: str) -> None:
        if handler == "post_summary":
            # Posted; killed while it writes down what it posted.
            scheduler.run_ended()
            raise Crash
        runner.run_fails = 1  # the daily report fails (the database busy)

    runner.on_run = run
    with pytest.raises(Crash):
        await scheduler.advance(timedelta(hours=2))
    await killed(scheduler)

    again = Scheduler(ManualClock(T0 + timedelta(minutes=20)), store_url=store)
    runner = Runner()
    await again.start(runner)
    assert runner.ran == []
    assert runner.missed == []
    await again.shutdown()
    await scheduler.shutdown()


async def test_a_recurring_job_killed_in_a_run_on_time_is_due_again_at_that_time(
    store: str,
) -> None:
    scheduler = Scheduler(SystemClock(), store_url=store)
    runner = Runner()
    moved_on: list[datetime | None] = []
    crash = crashing("tick")

    def run(handler: str) -> None:
        moved_on.append(scheduler.next_run("reports:c1:tick"))
        crash(handler)

    runner.on_run = run
    await scheduler.start(runner)
    scheduler.cron("reports:c1:tick", "reports", "tick", second="*")
    await eventually(lambda: runner.ran == ["tick"], "the job runs on time")
    await killed(scheduler)
    # Every second: the run killed was due a second before the time the job was moved on to.
    [following] = moved_on
    assert following is not None
    due = following - timedelta(seconds=1)

    again = Scheduler(ManualClock(due + timedelta(milliseconds=500)), store_url=store)
    runner = Runner()
    await again.start(runner, on_time=False)
    assert again.next_run("reports:c1:tick") == due
    await again.run_on_time()
    assert runner.ran == ["tick"]
    await again.shutdown()
    await scheduler.shutdown()


# -- the bot ------------------------------------------------------------------------------------


async def garden(rules: Path, url: str, clock: ManualClock, platform: FakePlatform) -> Jardinier:
    return Jardinier(rules_dir=rules, database_url=url, platforms=[platform], clock=clock)


def announcement(core: Jardinier, due: datetime) -> None:
    core.scheduler.at(
        "announcement:fake-c1:abc",
        due,
        "announcements",
        "post",
        id="abc",
        platform="fake",
        community_id="c1",
        community_name="Garden",
        channel_id="news",
        channel_name="#news",
        text="Contest opens now!",
    )


async def test_a_member_leaving_during_the_catch_up_stops_no_announcement(
    rules_dir: Path, tmp_path: Path
) -> None:
    enable_only(rules_dir, "welcome", "announcements")
    edit_section(rules_dir, "welcome", {"introductions": {"nudge_after": "10m"}})
    url = f"sqlite+aiosqlite:///{tmp_path / 'garden.db'}"
    clock = ManualClock(T0)
    platform = FakePlatform()
    first = await garden(rules_dir, url, clock, platform)
    await first.start()
    alice, bob = platform.member("alice"), platform.member("bob")
    await first.handle(MemberJoined(at=T0, member=alice))
    clock.set(T0 + timedelta(minutes=1))
    await first.handle(MemberJoined(at=clock.now(), member=bob))
    announcement(first, T0 + timedelta(minutes=20))
    await first.stop()

    clock.set(T0 + timedelta(minutes=30))  # back: both nudges and the announcement are due
    platform.actions.clear()
    second = await garden(rules_dir, url, clock, platform)
    await second.start(jobs_on_time=False)
    send = platform.send

    async def bob_leaves_as_alice_is_nudged(*args: Any, **options: Any) -> Any:
        sent = await send(*args, **options)
        if "alice" in args[1]:
            await second.handle(MemberLeft(at=clock.now(), member=bob))
        return sent

    platform.send = bob_leaves_as_alice_is_nudged  # type: ignore[method-assign]
    await second.run_jobs_once_connected()
    assert [recorded.target.name for recorded in platform.sent()] == ["#intros", "#news"]
    assert second.scheduler.pending() == []
    await second.stop()


async def test_a_cog_failing_on_a_missed_job_stops_no_other_job(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enable_only(rules_dir, "welcome", "announcements")
    edit_section(rules_dir, "welcome", {"introductions": {"nudge_after": "10m"}})
    url = f"sqlite+aiosqlite:///{tmp_path / 'garden.db'}"
    clock = ManualClock(T0)
    platform = FakePlatform()
    first = await garden(rules_dir, url, clock, platform)
    await first.start()
    await first.handle(MemberJoined(at=T0, member=platform.member("alice")))
    announcement(first, T0 + timedelta(hours=1, minutes=50))
    await first.stop()

    clock.set(T0 + timedelta(hours=2))  # the nudge is missed; the announcement 10 minutes late
    platform.actions.clear()
    second = await garden(rules_dir, url, clock, platform)
    await second.start(jobs_on_time=False)

    async def database_busy(*args: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(second.cogs["welcome"], "on_job_missed", database_busy)
    await second.run_jobs_once_connected()
    assert [recorded.text for recorded in platform.sent()] == ["Contest opens now!"]
    await second.stop()


def unbans(platform: FakePlatform) -> list[Any]:
    return [recorded for recorded in platform.actions if recorded.action == "unban"]


ADS = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {"delete": True, "ban": {"duration": "1d", "reason": "Ads"}},
    }
}


async def bob_banned_for_a_day(
    rules_dir: Path, tmp_path: Path
) -> tuple[str, ManualClock, FakePlatform]:
    """A first run in which the netiquette bans bob for a day (an invite at T0), then stops;
    the database's URL, the clock and the platform, for the runs that follow."""
    write_netiquette(rules_dir, ADS)
    url = f"sqlite+aiosqlite:///{tmp_path / 'garden.db'}"
    clock = ManualClock(T0)
    platform = FakePlatform()
    first = await garden(rules_dir, url, clock, platform)
    await first.start()
    spam = MessageRef(platform.channel("general"), "m1")
    bob = platform.member("bob")
    await first.handle(MessageCreated(at=T0, message=spam, author=bob, text="discord.gg/spam"))
    await first.stop()
    return url, clock, platform


async def test_a_ban_ending_while_the_netiquette_is_off_is_lifted_once_it_is_back(
    rules_dir: Path, tmp_path: Path
) -> None:
    url, clock, platform = await bob_banned_for_a_day(rules_dir, tmp_path)
    assert len([r for r in platform.actions if r.action == "ban"]) == 1

    # The operator turns the netiquette off for a while; the ban ends meanwhile.
    enable_only(rules_dir, "welcome")
    clock.set(T0 + timedelta(days=1, minutes=5))
    second = await garden(rules_dir, url, clock, platform)
    await second.start()
    await second.scheduler.advance(timedelta(hours=1))
    assert unbans(platform) == []
    await second.stop()

    # Back on, at the next start: bob is let back in.
    enable_only(rules_dir, "netiquette")
    clock.set(T0 + timedelta(days=3))
    third = await garden(rules_dir, url, clock, platform)
    await third.start()
    [unban] = unbans(platform)
    assert unban.target.name == "bob"
    assert third.scheduler.pending("netiquette:") == []
    await third.stop()


async def test_a_reload_enabling_the_netiquette_lifts_the_bans_that_waited(
    rules_dir: Path, tmp_path: Path
) -> None:
    url, clock, platform = await bob_banned_for_a_day(rules_dir, tmp_path)

    enable_only(rules_dir, "welcome")
    clock.set(T0 + timedelta(days=1, minutes=5))
    second = await garden(rules_dir, url, clock, platform)
    await second.start()
    assert unbans(platform) == []
    enable_only(rules_dir, "welcome", "netiquette")
    assert await second.reload_rules() is None
    [unban] = unbans(platform)
    assert unban.target.name == "bob"
    await second.stop()


async def test_a_ban_whose_missed_lift_failed_at_start_is_lifted_a_minute_later(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, clock, platform = await bob_banned_for_a_day(rules_dir, tmp_path)

    clock.set(T0 + timedelta(days=3))  # back long after the ban ended
    second = await garden(rules_dir, url, clock, platform)
    await second.start(jobs_on_time=False)
    sanctions = second.cogs["netiquette"].sanctions  # type: ignore[attr-defined]
    lift_due = sanctions.lift_due
    calls = []

    async def database_busy_once(*args: Any) -> None:
        calls.append(clock.now())
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        await lift_due(*args)

    monkeypatch.setattr(sanctions, "lift_due", database_busy_once)
    await second.run_jobs_once_connected()
    assert unbans(platform) == []
    await second.scheduler.advance(timedelta(hours=1))
    [unban] = unbans(platform)
    assert unban.target.name == "bob"
    assert calls == [T0 + timedelta(days=3), T0 + timedelta(days=3, minutes=1)]
    assert second.scheduler.pending("netiquette:") == []
    await second.stop()


async def test_a_ban_whose_missed_lift_always_fails_is_left_to_the_moderators(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, clock, platform = await bob_banned_for_a_day(rules_dir, tmp_path)

    clock.set(T0 + timedelta(days=3))  # back long after the ban ended
    second = await garden(rules_dir, url, clock, platform)
    await second.start(jobs_on_time=False)
    sanctions = second.cogs["netiquette"].sanctions  # type: ignore[attr-defined]

    async def database_locked(*args: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(sanctions, "lift_due", database_locked)
    platform.actions.clear()
    await second.run_jobs_once_connected()
    await second.scheduler.advance(timedelta(minutes=35))
    assert [recorded.text for recorded in platform.sent()] == []
    await second.scheduler.advance(timedelta(hours=1))  # the fourth try, 36 minutes on
    assert unbans(platform) == []
    assert [(recorded.target.name, recorded.text) for recorded in platform.sent()] == [
        (
            "#mod-log",
            "⚠️ The ban of bob is over but lifting it failed on an error of mine every time I "
            "tried (case 1); the bot's log has the details. "
            "Lift it by hand with /unban: that closes the case.",
        )
    ]
    assert second.scheduler.pending("netiquette:") == []
    await second.stop()


async def test_an_announcement_whose_job_failed_after_posting_is_not_posted_again(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a handler safe to run again (a lift) is retried: an announcement posted before its
    # handler failed (the database locked) would be posted a second time.
    enable_only(rules_dir, "announcements")
    url = f"sqlite+aiosqlite:///{tmp_path / 'garden.db'}"
    clock = ManualClock(T0)
    platform = FakePlatform()
    core = await garden(rules_dir, url, clock, platform)
    await core.start()
    cog = core.cogs["announcements"]
    post = cog.post  # type: ignore[attr-defined]

    async def posted_then_failed(**arguments: Any) -> None:
        await post(**arguments)
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(cog, "post", posted_then_failed)
    setattr(posted_then_failed, "__jardinier_job__", True)  # noqa: B010 - as @job marks it
    announcement(core, T0 + timedelta(minutes=5))
    await core.scheduler.advance(timedelta(hours=2))
    assert [sent.text for sent in platform.sent()].count("Contest opens now!") == 1
    assert core.scheduler.pending("announcement:") == []
    await core.stop()


class PostingThenDying(FakePlatform):
    """Posts the announcement, and the process is killed before the post returns."""

    async def send(self, channel: Any, text: str, **options: Any) -> Any:
        sent = await super().send(channel, text, **options)
        if text == "Contest opens now!":
            raise Crash
        return sent


@pytest.mark.parametrize("down", [timedelta(minutes=20), timedelta(hours=5)])
async def test_an_announcement_the_process_died_posting_is_reported_not_posted_twice(
    rules_dir: Path, tmp_path: Path, down: timedelta
) -> None:
    enable_only(rules_dir, "announcements")
    url = f"sqlite+aiosqlite:///{tmp_path / 'garden.db'}"
    clock = ManualClock(T0)
    platform = PostingThenDying()
    first = await garden(rules_dir, url, clock, platform)
    await first.start()
    announcement(first, T0 + timedelta(minutes=5))
    with pytest.raises(Crash):
        await first.scheduler.advance(timedelta(minutes=10))
    await killed(first.scheduler)
    await first.stop()

    clock.advance(down)  # back within the grace, or reported missed past it: the same report
    second = await garden(rules_dir, url, clock, platform)
    await second.start()
    await second.scheduler.advance(timedelta(hours=1))
    texts = [(sent.target.name, sent.text) for sent in platform.sent()]
    # Whether the platform took it is unknown to the bot: it says so, and does not post again.
    assert texts == [
        ("#news", "Contest opens now!"),
        (
            "#mod-log",
            "⚠️ Announcement abc may not have been posted in #news: I stopped while posting it, "
            f"on Mon, Nov 2, 2026, 10:05{NNBSP}AM (CET). I do not post it again, so that it "
            "never shows twice. If it is not there, post this:\nContest opens now!",
        ),
    ]
    assert second.scheduler.pending() == []
    await second.stop()


async def test_an_announcement_due_while_its_platform_is_not_running_is_posted_once_it_is(
    rules_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    enable_only(rules_dir, "announcements")
    url = f"sqlite+aiosqlite:///{tmp_path / 'garden.db'}"
    clock = ManualClock(T0)
    platform = FakePlatform()
    first = await garden(rules_dir, url, clock, platform)
    await first.start()
    announcement(first, T0 + timedelta(minutes=20))
    await first.stop()

    # Started on the same database with another platform only (the console, a token missing).
    clock.set(T0 + timedelta(minutes=30))
    console = FakePlatform("console")
    second = await garden(rules_dir, url, clock, console)
    with caplog.at_level(logging.WARNING):
        await second.start()
        await second.scheduler.advance(timedelta(minutes=10))
    assert console.actions == platform.sent() == []
    assert [job.id for job in second.scheduler.pending("announcement:")] == [
        "announcement:fake-c1:abc"
    ]
    assert "no fake platform is running" not in caplog.text
    await second.stop()

    clock.set(T0 + timedelta(minutes=45))
    third = await garden(rules_dir, url, clock, platform)
    await third.start()
    await third.scheduler.advance(timedelta(hours=1))
    assert [(sent.target.name, sent.text) for sent in platform.sent()] == [
        ("#news", "Contest opens now!")
    ]
    assert third.scheduler.pending("announcement:") == []
    await third.stop()


async def test_a_ban_ending_while_its_platform_is_not_running_is_lifted_once_it_is(
    rules_dir: Path, tmp_path: Path
) -> None:
    url, clock, platform = await bob_banned_for_a_day(rules_dir, tmp_path)

    clock.set(T0 + timedelta(days=1, minutes=5))
    console = FakePlatform("console")
    second = await garden(rules_dir, url, clock, console)
    await second.start()
    await second.scheduler.advance(timedelta(hours=1))
    assert unbans(platform) == []
    assert console.actions == []
    assert [job.id for job in second.scheduler.pending("netiquette:")] == [
        "netiquette:ban:fake-c1:id-bob"
    ]
    await second.stop()

    clock.set(T0 + timedelta(days=1, hours=2))
    third = await garden(rules_dir, url, clock, platform)
    await third.start()
    [unban] = unbans(platform)
    assert unban.target.name == "bob"
    assert third.scheduler.pending("netiquette:") == []
    await third.stop()
