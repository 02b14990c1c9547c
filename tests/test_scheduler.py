"""Jobs survive restarts: never lost, never doubled; a job far past its time is reported missed."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.clock import ManualClock, SystemClock
from bot.scheduler import Scheduler
from tests.support.waiting import eventually

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Recorder:
    """A job runner that writes down what ran, and when by the clock."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.ran: list[tuple[str, dict[str, Any], datetime]] = []
        self.missed: list[tuple[str, timedelta]] = []
        self.given_up: list[str] = []
        self.platforms: dict[str, object] = {}

    def runs_cog(self, cog: str) -> bool:
        return True

    def serves_platform(self, name: str) -> bool:
        return name in self.platforms

    async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
        self.ran.append((handler, dict(kwargs), self.clock.now()))

    async def job_missed(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any], late_by: timedelta
    ) -> None:
        self.missed.append((job_id, late_by))

    async def job_given_up(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any]
    ) -> None:
        self.given_up.append(job_id)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobs.db'}"


async def started(store: str, at: datetime) -> tuple[Scheduler, Recorder]:
    clock = ManualClock(at)
    scheduler = Scheduler(clock, store_url=store)
    recorder = Recorder(clock)
    await scheduler.start(recorder)
    return scheduler, recorder


async def test_job_fires_once_at_its_time(store: str) -> None:
    scheduler, recorder = await started(store, T0)
    scheduler.at("contest:1:close", T0 + timedelta(hours=2), "contests", "close", contest=1)
    assert await scheduler.advance(timedelta(hours=1)) == 0
    assert await scheduler.advance(timedelta(hours=5)) == 1
    assert recorder.ran == [("close", {"contest": 1}, T0 + timedelta(hours=2))]
    assert scheduler.pending() == []
    await scheduler.shutdown()


async def test_job_scheduled_before_a_restart_fires_once_after_it(store: str) -> None:
    first, _ = await started(store, T0)
    first.at("contest:1:close", T0 + timedelta(hours=2), "contests", "close", contest=1)
    await first.shutdown()

    second, recorder = await started(store, T0 + timedelta(minutes=5))
    assert [job.id for job in second.pending()] == ["contest:1:close"]
    await second.advance(timedelta(hours=3))
    assert [handler for handler, _, _ in recorder.ran] == ["close"]
    await second.shutdown()

    third, recorder = await started(store, T0 + timedelta(hours=4))
    await third.advance(timedelta(days=1))
    assert recorder.ran == []
    await third.shutdown()


async def test_job_due_while_down_runs_at_start_within_the_grace(store: str) -> None:
    first, _ = await started(store, T0)
    first.at("announce:x", T0 + timedelta(hours=1), "announcements", "post", id="x")
    await first.shutdown()

    second, recorder = await started(store, T0 + timedelta(hours=1, minutes=30))
    assert [handler for handler, _, _ in recorder.ran] == ["post"]
    assert recorder.missed == []
    await second.shutdown()


async def test_job_due_long_before_start_is_reported_missed_not_run(store: str) -> None:
    first, _ = await started(store, T0)
    first.at("announce:x", T0 + timedelta(hours=1), "announcements", "post", id="x")
    await first.shutdown()

    second, recorder = await started(store, T0 + timedelta(days=2))
    assert recorder.ran == []
    assert recorder.missed == [("announce:x", timedelta(days=2) - timedelta(hours=1))]
    assert second.pending() == []
    await second.shutdown()


async def test_same_id_replaces_instead_of_doubling(store: str) -> None:
    scheduler, recorder = await started(store, T0)
    scheduler.at("contest:1:close", T0 + timedelta(hours=1), "contests", "close")
    scheduler.at("contest:1:close", T0 + timedelta(hours=3), "contests", "close")
    await scheduler.advance(timedelta(hours=4))
    assert [when for _, _, when in recorder.ran] == [T0 + timedelta(hours=3)]
    await scheduler.shutdown()


async def test_recurring_job_runs_each_time_in_order_then_coalesces_after_downtime(
    store: str,
) -> None:
    scheduler, recorder = await started(store, T0)
    scheduler.cron("challenge:weekly", "contests", "open", hour="*/6", minute=0)
    scheduler.at("one-off", T0 + timedelta(hours=7), "contests", "once")
    await scheduler.advance(timedelta(hours=13))
    assert [(handler, when.hour) for handler, _, when in recorder.ran] == [
        ("open", 12),
        ("once", 16),
        ("open", 18),
    ]
    await scheduler.shutdown()

    # Down for a day: the recurring job runs once for the gap (coalesced), not four times.
    later, recorder = await started(store, T0 + timedelta(days=1, hours=9, minutes=10))
    assert [handler for handler, _, _ in recorder.ran] == ["open"]
    [job] = later.pending()
    assert job.next_run == T0 + timedelta(days=1, hours=15)
    await later.shutdown()


AUTUMN_EVE = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
"""Noon (UTC) the day before Paris puts its clocks back, at 03:00 (CEST) on 25 October 2026."""


async def test_a_daily_time_the_autumn_change_repeats_runs_once_that_day(store: str) -> None:
    scheduler, recorder = await started(store, AUTUMN_EVE)
    scheduler.cron(
        "challenge:night", "contests", "run", timezone="Europe/Paris", hour=2, minute=30
    )
    await scheduler.advance(timedelta(days=2))
    # 02:30 CEST on the 25th (00:30 UTC), not 02:30 CET (01:30 UTC) too; 02:30 CET on the 26th.
    assert [when for _, _, when in recorder.ran] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    await scheduler.shutdown()


async def test_an_hourly_schedule_runs_in_the_repeated_hour_too(store: str) -> None:
    scheduler, recorder = await started(store, datetime(2026, 10, 24, 22, 30, tzinfo=UTC))
    scheduler.cron("digest:hourly", "contributors", "run", timezone="Europe/Paris", minute=0)
    await scheduler.advance(timedelta(hours=4))
    # 01:00 CEST, 02:00 CEST, 02:00 CET, 03:00 CET: one run each hour that passes.
    assert [when.hour for _, _, when in recorder.ran] == [23, 0, 1, 2]
    await scheduler.shutdown()


async def test_a_daily_time_the_spring_change_skips_runs_an_hour_later(store: str) -> None:
    scheduler, recorder = await started(store, datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    scheduler.cron(
        "challenge:night", "contests", "run", timezone="Europe/Paris", hour=2, minute=30
    )
    await scheduler.advance(timedelta(days=2))
    # No 02:30 on the 28th in Paris: 03:30 CEST (01:30 UTC); 02:30 CEST on the 29th.
    assert [when for _, _, when in recorder.ran] == [
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2027, 3, 29, 0, 30, tzinfo=UTC),
    ]
    await scheduler.shutdown()


async def test_a_daily_job_saved_by_an_earlier_version_runs_once_on_the_autumn_change(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as earlier:
        earlier.setattr("bot.scheduler.WallClockCronTrigger", CronTrigger)
        first, _ = await started(store, AUTUMN_EVE)
        first.cron("challenge:night", "contests", "run", timezone="Europe/Paris", hour=2)
        await first.shutdown()

    scheduler, recorder = await started(store, AUTUMN_EVE + timedelta(hours=1))
    await scheduler.advance(timedelta(days=1))
    assert [when for _, _, when in recorder.ran] == [datetime(2026, 10, 25, 0, 0, tzinfo=UTC)]
    await scheduler.shutdown()


async def test_cancel_removes_a_pending_job(store: str) -> None:
    scheduler, recorder = await started(store, T0)
    scheduler.at("a", T0 + timedelta(hours=1), "c", "h")
    assert scheduler.cancel("a") is True
    assert scheduler.cancel("a") is False
    await scheduler.advance(timedelta(hours=2))
    assert recorder.ran == []
    await scheduler.shutdown()


async def test_naive_datetimes_are_refused(store: str) -> None:
    scheduler, _ = await started(store, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler.at("a", datetime(2026, 11, 2, 10, 0), "c", "h")  # noqa: DTZ001
    await scheduler.shutdown()


async def test_with_the_system_clock_jobs_fire_on_their_own() -> None:

    clock = SystemClock()
    scheduler = Scheduler(clock)
    fired = asyncio.Event()

    class Runner:
        def runs_cog(self, cog: str) -> bool:
            return True

        def serves_platform(self, name: str) -> bool:
            return False

        async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
            assert (cog, handler, kwargs) == ("announcements", "post", {"id": "x"})
            fired.set()

        async def job_missed(self, *args: object) -> None:
            raise AssertionError("not missed")

    await scheduler.start(Runner())  # type: ignore[arg-type]
    try:
        scheduler.at(
            "announce:x",
            clock.now() + timedelta(milliseconds=200),
            "announcements",
            "post",
            id="x",
        )
        await asyncio.wait_for(fired.wait(), timeout=10)
        with pytest.raises(TypeError, match="only a manual clock"):
            await scheduler.advance(timedelta(hours=1))
    finally:
        await scheduler.shutdown()


async def test_a_locked_database_delays_only_the_saving_of_a_job(
    store: str, tmp_path: Path
) -> None:
    import sqlite3

    scheduler, recorder = await started(store, T0)
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    # Scheduling answers at once from memory; the save waits in the background.
    scheduler.at("contest:1:close", T0 + timedelta(hours=2), "contests", "close", contest=1)
    assert [job.id for job in scheduler.pending()] == ["contest:1:close"]
    locker.execute("ROLLBACK")
    locker.close()
    await scheduler.shutdown()  # writes what is queued

    saved = sqlite3.connect(tmp_path / "jobs.db").execute("SELECT id FROM apscheduler_jobs")
    assert saved.fetchall() == [("contest:1:close",)]
    again, recorder = await started(store, T0 + timedelta(hours=3))
    await again.advance(timedelta(minutes=1))
    assert [handler for handler, _, _ in recorder.ran] == ["close"]
    await again.shutdown()


async def test_stopping_while_a_transaction_is_open_on_the_loop_still_saves_the_jobs(
    store: str, tmp_path: Path
) -> None:
    import aiosqlite

    scheduler, _ = await started(store, T0)
    # A buffer's flush, mid-transaction on the event loop, holds the write lock when the bot
    # stops: it can commit only if stopping lets the loop run while the job writes wait.
    writer = await aiosqlite.connect(tmp_path / "jobs.db", isolation_level=None)
    await writer.execute("BEGIN IMMEDIATE")
    scheduler.at("contest:1:close", T0 + timedelta(hours=2), "contests", "close", contest=1)

    async def commit_soon() -> None:
        await asyncio.sleep(0.2)
        await writer.execute("COMMIT")

    committing = asyncio.create_task(commit_soon())
    await scheduler.shutdown()
    await committing
    await writer.close()

    saved = sqlite3.connect(tmp_path / "jobs.db").execute("SELECT id FROM apscheduler_jobs")
    assert saved.fetchall() == [("contest:1:close",)]


async def test_changes_queued_behind_a_lock_are_saved_in_order(store: str, tmp_path: Path) -> None:
    scheduler, _ = await started(store, T0)
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # every change below queues up behind this writer
    scheduler.at("a", T0 + timedelta(hours=1), "contests", "close", contest=1)
    scheduler.at("b", T0 + timedelta(hours=1), "contests", "close", contest=2)
    scheduler.cancel("a")
    scheduler.at("b", T0 + timedelta(hours=5), "contests", "close", contest=2)
    scheduler.at("c", T0 + timedelta(hours=2), "contests", "close", contest=3)
    locker.execute("ROLLBACK")
    locker.close()
    await scheduler.shutdown()

    again, recorder = await started(store, T0)
    assert {job.id: job.next_run for job in again.pending()} == {
        "b": T0 + timedelta(hours=5),
        "c": T0 + timedelta(hours=2),
    }
    await again.advance(timedelta(hours=6))
    assert [kwargs["contest"] for _, kwargs, _ in recorder.ran] == [3, 2]
    await again.shutdown()


async def test_a_row_this_run_does_not_know_of_is_replaced_by_the_job_in_memory(
    store: str, tmp_path: Path
) -> None:
    scheduler, _ = await started(store, T0)
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    # A stale row under an id this run schedules: a plain insert would be refused by the table.
    locker.execute(
        "INSERT INTO apscheduler_jobs (id, next_run_time, job_state) VALUES ('b', 0, x'00')"
    )
    scheduler.at("a", T0 + timedelta(hours=1), "contests", "close", contest=1)
    scheduler.at("b", T0 + timedelta(hours=1), "contests", "close", contest=2)
    scheduler.at("c", T0 + timedelta(hours=1), "contests", "close", contest=3)
    locker.execute("COMMIT")
    locker.close()
    await scheduler.shutdown()

    again, recorder = await started(store, T0)
    await again.advance(timedelta(hours=2))
    assert sorted(kwargs["contest"] for _, kwargs, _ in recorder.ran) == [1, 2, 3]
    await again.shutdown()


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock outlasts the busy timeout (5 s in production) within a test's patience."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=100))
    monkeypatch.setattr("bot.jobstore.RETRY_FIRST", 0.05)


async def until_refused(caplog: pytest.LogCaptureFixture, times: int = 1) -> None:
    """Wait until the job store has had ``times`` writes refused (it says so at each)."""
    await eventually(
        lambda: caplog.text.count("scheduled job changes not saved yet") >= times,
        f"the locked database refuses {times} write(s)",
    )


@pytest.mark.usefixtures("short_busy_timeout")
async def test_changes_refused_by_a_lock_longer_than_the_busy_timeout_are_saved_afterwards(
    store: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, _ = await started(store, T0)
    scheduler.at("announcement:1", T0 + timedelta(hours=2), "announcements", "post")
    await scheduler.shutdown()
    scheduler, _ = await started(store, T0)
    # A backup or a replay holds the database longer than the busy timeout: these are refused.
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.at("lift:ban:x", T0 + timedelta(days=1), "netiquette", "lift_ban", user="x")
    scheduler.cancel("announcement:1")  # a moderator cancelled the announcement
    await until_refused(caplog, times=2)  # the second try, refused too, had both changes
    locker.execute("ROLLBACK")
    locker.close()
    scheduler.at("lift:ban:x", T0 + timedelta(days=2), "netiquette", "lift_ban", user="x")
    await scheduler.shutdown()

    # The temporary ban is still lifted, at its new end; the cancelled announcement is not posted.
    again, recorder = await started(store, T0 + timedelta(hours=3))
    assert {job.id: job.next_run for job in again.pending()} == {
        "lift:ban:x": T0 + timedelta(days=2)
    }
    await again.advance(timedelta(days=2))
    assert [handler for handler, _, _ in recorder.ran] == ["lift_ban"]
    await again.shutdown()


@pytest.mark.usefixtures("short_busy_timeout")
async def test_a_refused_change_is_tried_again_without_waiting_for_the_stop(
    store: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, _ = await started(store, T0)
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.at("lift:ban:x", T0 + timedelta(days=1), "netiquette", "lift_ban", user="x")
    await until_refused(caplog)
    locker.execute("ROLLBACK")
    locker.close()

    def saved() -> list[str]:
        database = sqlite3.connect(tmp_path / "jobs.db")
        try:
            return [row[0] for row in database.execute("SELECT id FROM apscheduler_jobs")]
        finally:
            database.close()

    # A crash from now on keeps the lift: it is on disk without a stop.
    await eventually(lambda: saved() == ["lift:ban:x"], "the refused job is saved")
    await scheduler.shutdown()


@pytest.mark.usefixtures("short_busy_timeout")
async def test_a_refused_write_and_its_recovery_are_each_one_warning_line(
    store: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.jobstore")  # the level an operator reads
    scheduler, _ = await started(store, T0)
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.at("lift:ban:x", T0 + timedelta(days=1), "netiquette", "lift_ban", user="x")
    await until_refused(caplog)
    locker.execute("ROLLBACK")
    locker.close()
    await eventually(lambda: "saved again" in caplog.text, "the recovery is told")
    await scheduler.shutdown()

    *refused, recovered = [record for record in caplog.records if record.name == "bot.jobstore"]
    assert refused
    for record in refused:
        assert record.levelno == logging.WARNING
        assert "\n" not in record.getMessage()
        assert record.getMessage().endswith(": OperationalError: database is locked")
    assert (recovered.levelno, recovered.getMessage()) == (
        logging.WARNING,
        "scheduled jobs saved again",
    )


@pytest.mark.usefixtures("short_busy_timeout")
async def test_a_database_refusing_until_the_stop_is_reported_and_keeps_what_it_had(
    store: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, _ = await started(store, T0)
    scheduler.at("a", T0 + timedelta(hours=1), "contests", "close", contest=1)
    await asyncio.to_thread(scheduler._store.flush)  # type: ignore[union-attr]
    locker = sqlite3.connect(tmp_path / "jobs.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.at("b", T0 + timedelta(hours=1), "contests", "close", contest=2)
    await scheduler.shutdown()
    locker.execute("ROLLBACK")
    locker.close()

    assert "could not be saved at stop" in caplog.text
    again, _ = await started(store, T0)
    assert [job.id for job in again.pending()] == ["a"]
    await again.shutdown()
