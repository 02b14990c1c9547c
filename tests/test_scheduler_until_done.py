"""One-off jobs kept until done: a run the process dies in is due again at the next start, a run
that ended is not; a plain one-off job killed in its run is not run again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock, SystemClock
from bot.scheduler import Scheduler
from tests.support.waiting import eventually
from tests.test_scheduler_catchup import Crash, Runner, crashing, killed

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NUDGE = "welcome:nudge:fake-c1:bob"


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobs.db'}"


class AsyncRunner(Runner):
    """A runner whose ``while_running`` awaits what a handler (or an event meanwhile) does."""

    def __init__(self) -> None:
        super().__init__()
        self.while_running: Callable[[str], Awaitable[None]] | None = None

    async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
        await super().run_job(cog, handler, kwargs)
        if self.while_running is not None:
            await self.while_running(handler)


async def nudge_killed_while_running(store: str, *, kept: bool = True) -> Scheduler:
    """A bot killed at 09:10 while the nudge due then runs (planned kept until done, or not)."""
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()
    runner.on_run = crashing("nudge")
    await scheduler.start(runner)
    plan = scheduler.at_until_done if kept else scheduler.at
    plan(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge", user_id="bob")
    with pytest.raises(Crash):
        await scheduler.advance(timedelta(minutes=15))
    assert runner.ran == ["nudge"]
    await killed(scheduler)
    return scheduler


async def started(store: str, at: datetime) -> tuple[Scheduler, Runner]:
    scheduler = Scheduler(ManualClock(at), store_url=store)
    runner = Runner()
    await scheduler.start(runner)
    return scheduler, runner


async def test_a_job_kept_until_done_killed_in_its_run_runs_again_at_the_next_start(
    store: str,
) -> None:
    dead = await nudge_killed_while_running(store)

    again, runner = await started(store, T0 + timedelta(minutes=30))
    assert runner.ran == ["nudge"]
    assert runner.missed == []
    assert again.pending() == []
    await again.shutdown()

    # Done: not again.
    third, runner = await started(store, T0 + timedelta(minutes=40))
    await third.advance(timedelta(days=1))
    assert runner.ran == []
    await third.shutdown()
    await dead.shutdown()


async def test_a_job_kept_until_done_killed_and_back_past_the_grace_is_reported_missed(
    store: str,
) -> None:
    dead = await nudge_killed_while_running(store)

    again, runner = await started(store, T0 + timedelta(hours=5))
    assert runner.ran == []
    assert runner.missed == [(NUDGE, timedelta(hours=4, minutes=50))]
    assert again.pending() == []
    await again.shutdown()
    await dead.shutdown()


async def test_a_plain_one_off_job_killed_in_its_run_is_not_run_again(store: str) -> None:
    # Its handler may have done its work (an announcement posted): a second run would repeat it.
    dead = await nudge_killed_while_running(store, kept=False)

    again, runner = await started(store, T0 + timedelta(minutes=30))
    assert runner.ran == []
    assert runner.missed == []
    assert again.pending() == []
    await again.shutdown()
    await dead.shutdown()


async def test_a_job_kept_until_done_that_returned_is_gone_and_not_run_again(store: str) -> None:
    scheduler, runner = await started(store, T0)
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge")
    await scheduler.advance(timedelta(minutes=15))
    assert runner.ran == ["nudge"]
    assert scheduler.pending() == []
    await killed(scheduler)

    again, runner = await started(store, T0 + timedelta(minutes=20))
    await again.advance(timedelta(days=1))
    assert runner.ran == []
    await again.shutdown()
    await scheduler.shutdown()


async def test_a_job_kept_until_done_is_listed_without_a_next_run_while_it_runs(
    store: str,
) -> None:
    scheduler, runner = await started(store, T0)
    seen: list[tuple[bool, datetime | None]] = []
    runner.on_run = lambda _handler: seen.append(
        (scheduler.scheduled(NUDGE) is not None, scheduler.next_run(NUDGE))
    )
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge")
    await scheduler.advance(timedelta(minutes=15))
    assert seen == [(True, None)]
    await scheduler.shutdown()


async def test_a_reload_while_a_job_kept_until_done_runs_does_not_run_it_twice(
    store: str,
) -> None:
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = AsyncRunner()

    async def reload(_handler: str) -> None:
        await scheduler.cogs_loaded()  # a rule book enabling a cog, while the nudge runs

    runner.while_running = reload
    await scheduler.start(runner)
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge")
    await scheduler.advance(timedelta(hours=2))
    assert runner.ran == ["nudge"]
    assert scheduler.pending() == []
    await scheduler.shutdown()


async def test_a_job_kept_until_done_planned_again_by_its_handler_runs_at_its_new_time(
    store: str,
) -> None:
    scheduler, runner = await started(store, T0)

    def later(_handler: str) -> None:
        if len(runner.ran) == 1:  # too many at once: in an hour
            scheduler.at_until_done(NUDGE, T0 + timedelta(hours=1), "welcome", "nudge")

    runner.on_run = later
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge")
    await scheduler.advance(timedelta(minutes=15))
    assert scheduler.next_run(NUDGE) == T0 + timedelta(hours=1)
    await scheduler.advance(timedelta(hours=2))
    assert runner.ran == ["nudge", "nudge"]
    assert scheduler.pending() == []
    await scheduler.shutdown()


async def test_a_job_kept_until_done_cancelled_while_it_runs_is_not_run_after_a_kill(
    store: str,
) -> None:
    scheduler, runner = await started(store, T0)

    def cancelled_then_killed(_handler: str) -> None:
        scheduler.cancel(NUDGE)  # the newcomer introduced themselves meanwhile
        raise Crash

    runner.on_run = cancelled_then_killed
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge")
    with pytest.raises(Crash):
        await scheduler.advance(timedelta(minutes=15))
    await killed(scheduler)

    again, runner = await started(store, T0 + timedelta(minutes=20))
    assert runner.ran == []
    assert again.pending() == []
    await again.shutdown()
    await scheduler.shutdown()


async def test_a_job_kept_until_done_that_failed_is_tried_again_and_kept_then_too(
    store: str,
) -> None:
    scheduler, runner = await started(store, T0)
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge")
    runner.run_fails = 1
    await scheduler.advance(timedelta(minutes=10))
    assert scheduler.next_run(NUDGE) == T0 + timedelta(minutes=11)
    runner.on_run = crashing("nudge")  # the retry is killed in its turn
    with pytest.raises(Crash):
        await scheduler.advance(timedelta(minutes=5))
    assert runner.ran == ["nudge", "nudge"]
    await killed(scheduler)

    again, runner = await started(store, T0 + timedelta(minutes=20))
    assert runner.ran == ["nudge"]
    assert again.pending() == []
    await again.shutdown()
    await scheduler.shutdown()


async def test_a_job_kept_until_done_killed_in_a_run_on_time_is_due_again_at_that_time(
    store: str,
) -> None:
    scheduler = Scheduler(SystemClock(), store_url=store)
    runner = Runner()
    runner.on_run = crashing("nudge")
    await scheduler.start(runner)
    due = SystemClock().now() + timedelta(milliseconds=200)
    scheduler.at_until_done(NUDGE, due, "welcome", "nudge")
    await eventually(lambda: runner.ran == ["nudge"], "the job runs on time")
    await killed(scheduler)

    again = Scheduler(ManualClock(due + timedelta(seconds=1)), store_url=store)
    runner = Runner()
    await again.start(runner, on_time=False)
    assert again.next_run(NUDGE) == due
    await again.run_on_time()
    assert runner.ran == ["nudge"]
    assert again.pending() == []
    await again.shutdown()
    await scheduler.shutdown()


async def test_arguments_changed_while_a_kept_job_runs_are_those_of_its_run_after_a_kill(
    store: str,
) -> None:
    """What an erasure takes out of a job while it runs (kept, paused, with its run in
    progress) is not in the job the next start runs again."""
    scheduler = Scheduler(ManualClock(T0), store_url=store)
    runner = Runner()

    def erased_then_killed(_handler: str) -> None:
        assert scheduler.change_arguments(NUDGE, user_id="someone else")
        raise Crash

    runner.on_run = erased_then_killed
    await scheduler.start(runner)
    scheduler.at_until_done(NUDGE, T0 + timedelta(minutes=10), "welcome", "nudge", user_id="bob")
    with pytest.raises(Crash):
        await scheduler.advance(timedelta(minutes=15))
    await killed(scheduler)

    again = Scheduler(ManualClock(T0 + timedelta(minutes=30)), store_url=store)
    seen: list[Mapping[str, Any]] = []

    class Seeing(Runner):
        async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
            seen.append(dict(kwargs))
            await super().run_job(cog, handler, kwargs)

    await again.start(Seeing())
    assert [arguments.get("user_id") for arguments in seen] == ["someone else"]
    assert again.pending() == []
    assert not again.change_arguments(NUDGE, user_id="bob")
    await again.shutdown()
    await scheduler.shutdown()
