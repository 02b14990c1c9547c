"""A saved job this version cannot restore (saved by a later version before a rollback, or a row
damaged on disk) is kept on disk untouched, for a version that can read it, and not loaded; the
operator is told once per job, on one line."""

from __future__ import annotations

import logging
import pickle
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.scheduler import Scheduler
from tests.support.waiting import eventually
from tests.test_scheduler_catchup import Runner

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
UNRESTORABLE = ("lift:garbage", "lift:gone-function", "lift:later-state")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "jobs.db"


@pytest.fixture
def store(database: Path) -> str:
    return f"sqlite:///{database}"


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock outlasts the busy timeout (5 s in production) within a test's patience."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=100))
    monkeypatch.setattr("bot.jobstore.RETRY_FIRST", 0.05)


def saved_rows(database: Path) -> dict[str, bytes]:
    with closing(sqlite3.connect(database)) as connection:
        return dict(connection.execute("SELECT id, job_state FROM apscheduler_jobs"))


def set_state(database: Path, job_id: str, blob: bytes) -> None:
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute(
            "UPDATE apscheduler_jobs SET job_state = ? WHERE id = ?", (blob, job_id)
        )


def changed_state(database: Path, job_id: str, **changes: object) -> bytes:
    [blob] = [state for saved, state in saved_rows(database).items() if saved == job_id]
    return pickle.dumps({**pickle.loads(blob), **changes})


async def saved_with_unrestorable_rows(store: str, database: Path) -> dict[str, bytes]:
    """A database holding one valid job and three this version cannot restore: garbage bytes, a
    function this version lacks, a job state of a later APScheduler. Their rows, as saved."""
    first = Scheduler(ManualClock(T0), store_url=store)
    await first.start(Runner())
    for job_id in ("contest:1:close", *UNRESTORABLE):
        first.at(job_id, T0 + timedelta(hours=1), "contests", "close", contest=1)
    await first.shutdown()
    set_state(database, "lift:garbage", b"\x00 not a pickle at all")
    set_state(
        database,
        "lift:gone-function",
        changed_state(database, "lift:gone-function", func="bot.scheduler:no_such_function"),
    )
    set_state(database, "lift:later-state", changed_state(database, "lift:later-state", version=2))
    rows = saved_rows(database)
    assert set(rows) == {"contest:1:close", *UNRESTORABLE}
    return rows


def kept(rows: dict[str, bytes]) -> dict[str, bytes]:
    return {job_id: blob for job_id, blob in rows.items() if job_id in UNRESTORABLE}


async def test_unrestorable_rows_are_kept_not_loaded_and_the_valid_job_runs(
    store: str, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = await saved_with_unrestorable_rows(store, database)
    caplog.set_level(logging.WARNING, logger="bot.jobstore")  # the level an operator reads

    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    assert [job.id for job in scheduler.pending()] == ["contest:1:close"]
    assert kept(saved_rows(database)) == kept(before)
    await scheduler.advance(timedelta(hours=2))
    assert runner.ran == ["close"]
    await scheduler.shutdown()

    assert saved_rows(database) == kept(before)
    warnings = [record for record in caplog.records if record.name == "bot.jobstore"]
    assert len(warnings) == len(UNRESTORABLE)
    for record in warnings:
        assert record.levelno == logging.WARNING
        assert record.exc_info is None
    messages = {record.getMessage().split()[1]: record.getMessage() for record in warnings}
    assert set(messages) == set(UNRESTORABLE)  # one line each
    for job_id, message in messages.items():
        assert "\n" not in message
        assert message.startswith(f"job {job_id} cannot be restored by this version (")
        assert "kept on disk for a version of the bot that can read it" in message
        assert "not a pickle" not in message  # no bytes of the row
    assert "(UnpicklingError: " in messages["lift:garbage"]
    assert "(LookupError: " in messages["lift:gone-function"]
    assert "no_such_function" in messages["lift:gone-function"]
    assert "(ValueError: Job has version 2" in messages["lift:later-state"]


@pytest.mark.usefixtures("short_busy_timeout")
async def test_unrestorable_rows_survive_a_rewrite_of_the_table_and_the_stop(
    store: str, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = await saved_with_unrestorable_rows(store, database)
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    await scheduler.start(Runner())
    # A refused write: the next one rewrites the whole table from memory.
    locker = sqlite3.connect(database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.at("lift:ban:x", T0 + timedelta(days=1), "netiquette", "lift_ban", user="x")
    await eventually(
        lambda: "scheduled job changes not saved yet" in caplog.text, "a write is refused"
    )
    locker.execute("ROLLBACK")
    locker.close()
    await eventually(lambda: "scheduled jobs saved again" in caplog.text, "the table rewritten")
    after_rewrite = saved_rows(database)
    assert set(after_rewrite) == {"contest:1:close", "lift:ban:x", *UNRESTORABLE}
    assert kept(after_rewrite) == kept(before)

    # Refused again until the stop: its last write is a rewrite too.
    locker = sqlite3.connect(database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.cancel("lift:ban:x")
    await eventually(
        lambda: caplog.text.count("scheduled job changes not saved yet") >= 2,
        "a write is refused again",
    )
    locker.execute("ROLLBACK")
    locker.close()
    await scheduler.shutdown()
    after_stop = saved_rows(database)
    assert set(after_stop) == {"contest:1:close", *UNRESTORABLE}
    assert kept(after_stop) == kept(before)


@pytest.mark.usefixtures("short_busy_timeout")
async def test_a_job_scheduled_under_the_id_of_a_kept_row_replaces_it(
    store: str, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = await saved_with_unrestorable_rows(store, database)
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    await scheduler.start(Runner())
    # The newer state wins: this run's lift replaces the one it could not read, in a rewrite of
    # the table too (a write refused first).
    locker = sqlite3.connect(database, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    scheduler.at("lift:garbage", T0 + timedelta(hours=3), "netiquette", "lift_ban", user="y")
    await eventually(
        lambda: "scheduled job changes not saved yet" in caplog.text, "a write is refused"
    )
    locker.execute("ROLLBACK")
    locker.close()
    await eventually(lambda: "scheduled jobs saved again" in caplog.text, "the table rewritten")
    await scheduler.shutdown()
    rows = saved_rows(database)
    assert rows["lift:garbage"] != before["lift:garbage"]
    assert {job_id: rows[job_id] for job_id in UNRESTORABLE[1:]} == {
        job_id: before[job_id] for job_id in UNRESTORABLE[1:]
    }

    caplog.clear()
    again = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    await again.start(runner)
    assert {job.id for job in again.pending()} == {"contest:1:close", "lift:garbage"}
    assert "lift:garbage" not in caplog.text
    await again.advance(timedelta(hours=4))
    assert sorted(runner.ran) == ["close", "lift_ban"]
    await again.shutdown()


async def test_removing_every_job_leaves_the_kept_rows(store: str, database: Path) -> None:
    before = await saved_with_unrestorable_rows(store, database)
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    await scheduler.start(Runner())
    scheduler._aps.remove_all_jobs()  # every job this run knows of
    await scheduler.shutdown()
    assert saved_rows(database) == kept(before)


def saved_by_a_later_version(database: Path, job_id: str) -> None:
    """Make ``job_id``'s row one a later version saved: this one cannot restore it."""
    state = pickle.loads(saved_rows(database)[job_id])
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute(
            "UPDATE apscheduler_jobs SET job_state = ? WHERE id = ?",
            (pickle.dumps({**state, "version": 2}), job_id),
        )


async def test_a_kept_job_cancelled_is_gone_for_the_version_that_can_read_it(
    store: str, database: Path
) -> None:
    job_id = "netiquette:ban:fake:c1:42"
    first = Scheduler(ManualClock(T0), store_url=store)
    await first.start(Runner())
    first.at(job_id, T0 + timedelta(days=1), "netiquette", "lift_ban", user_id="42")
    await first.shutdown()
    saved_by_a_later_version(database, job_id)  # then rolled back to this version

    rolled_back = Scheduler(ManualClock(T0), store_url=store)
    await rolled_back.start(Runner())
    # A ban for good since: the unban the later version planned must not run once it is back.
    assert rolled_back.cancel(job_id)
    assert not rolled_back.cancel(job_id)
    await rolled_back.shutdown()
    assert job_id not in saved_rows(database)


async def test_kept_jobs_naming_an_erased_member_go_and_no_other(
    store: str, database: Path
) -> None:
    first = Scheduler(ManualClock(T0), store_url=store)
    await first.start(Runner())
    at = T0 + timedelta(days=1)
    first.at("nudge:a", at, "welcome", "nudge", community_id="c1", user_id="42")
    first.at("nudge:b", at, "welcome", "nudge", community_id="c1", user_id="1420")
    first.at("nudge:c", at, "welcome", "nudge", community_id="c2", user_id="42")
    first.at("wave:d", at, "welcome", "wave", community_id="c1", members={"42": "ana"})
    await first.shutdown()
    for job_id in ("nudge:a", "nudge:b", "nudge:c", "wave:d"):
        saved_by_a_later_version(database, job_id)

    rolled_back = Scheduler(ManualClock(T0), store_url=store)
    await rolled_back.start(Runner())
    assert rolled_back.forget_kept("c1", "42") == 2
    await rolled_back.shutdown()
    assert sorted(saved_rows(database)) == ["nudge:b", "nudge:c"]
