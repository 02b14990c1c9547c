"""Jobs saved by a later version of the bot (before a rollback to this one) still load and run:
what this version does not know of them is left out, with a warning."""

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
from tests.test_scheduler_catchup import Runner, summary_killed_while_posting

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "jobs.db"


@pytest.fixture
def store(database: Path) -> str:
    return f"sqlite:///{database}"


def saved_by_a_later_version(database: Path, job_id: str, **arguments: object) -> None:
    """Add to the saved job ``job_id`` arguments of its own (as a later version's scheduler
    remembers more of a job than this one: a run in progress, a kind of retry)."""
    with closing(sqlite3.connect(database)) as connection, connection:
        [(blob,)] = connection.execute(
            "SELECT job_state FROM apscheduler_jobs WHERE id = ?", (job_id,)
        )
        state = pickle.loads(blob)
        state["kwargs"] = {**state["kwargs"], **arguments}
        connection.execute(
            "UPDATE apscheduler_jobs SET job_state = ? WHERE id = ?",
            (pickle.dumps(state), job_id),
        )


async def test_a_run_cut_short_under_a_later_version_runs_after_a_rollback(
    store: str, database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dead = await summary_killed_while_posting(store)
    await dead.shutdown()
    saved_by_a_later_version(database, "reputation:summary:fake-c1", attempt=2)

    scheduler = Scheduler(ManualClock(T0 + timedelta(minutes=20)), store_url=store)
    runner = Runner()
    with caplog.at_level(logging.WARNING, logger="bot.jobstore"):
        await scheduler.start(runner)
    assert runner.ran == ["post_summary"]
    assert scheduler.next_run("reputation:summary:fake-c1") == T0 + timedelta(days=1)
    assert (
        "job reputation:summary:fake-c1 was saved with arguments this version does not take "
        "(attempt)" in caplog.text
    )
    await scheduler.shutdown()


async def test_a_job_of_a_later_version_waiting_for_its_platform_is_kept_after_a_rollback(
    store: str, database: Path
) -> None:
    first = Scheduler(ManualClock(T0), store_url=store)
    await first.start(Runner())
    first.at("lift:x", T0 + timedelta(hours=1), "netiquette", "lift_ban", platform="telegram")
    await first.shutdown()
    saved_by_a_later_version(database, "lift:x", attempt=2)

    # Telegram is not running: the lift waits for it, and runs once it is back.
    second = Scheduler(ManualClock(T0 + timedelta(hours=2)), store_url=store)
    runner = Runner()
    await second.start(runner)
    assert runner.ran == []
    assert [job.id for job in second.pending()] == ["lift:x"]
    await second.shutdown()

    third = Scheduler(ManualClock(T0 + timedelta(hours=2)), store_url=store)
    runner = Runner()
    runner.platforms["telegram"] = object()
    await third.start(runner)
    assert runner.ran == ["lift_ban"]
    await third.shutdown()
