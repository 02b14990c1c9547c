"""Scheduled jobs that survive restarts: APScheduler 3, jobs saved to the database.

Jobs have stable ids (``contest:42:close``) and plain arguments: they name a cog and one of its
``@job`` handlers, never a live object. ``coalesce`` and a misfire grace mean a restart neither
loses nor doubles a job: at start the scheduler catches up on what fell due while the bot was down
(once, within the grace; a job later than that is reported missed to its cog).

With a :class:`~bot.clock.ManualClock` (console, tests, replay) nothing fires on its own:
:meth:`Scheduler.advance` moves the clock and runs each job that falls due, in time order, with the
clock set to the job's time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock, ManualClock
from bot.jobstore import WriteBehindJobStore

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
DEFAULT_MISFIRE_GRACE = timedelta(hours=1)
_MAX_CATCH_UP_STEPS = 10_000


class JobRunner(Protocol):
    """What runs a job's handler: the core, which knows the loaded cogs."""

    async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
        """Call ``handler`` of ``cog`` with ``kwargs``."""

    async def job_missed(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any], late_by: timedelta
    ) -> None:
        """Tell ``cog`` that a job fell due too long ago to run."""


_live_runner: JobRunner | None = None


async def run_scheduled_job(cog: str, handler: str, kwargs: dict[str, Any]) -> None:
    """The function every stored job points at; it finds the running bot and calls the handler."""
    if _live_runner is None:
        log.warning("job for %s.%s fired while no bot is running; skipped", cog, handler)
        return
    await _live_runner.run_job(cog, handler, kwargs)


@dataclass(frozen=True)
class ScheduledJob:
    """A pending job, as a cog sees it."""

    id: str
    next_run: datetime | None
    cog: str
    handler: str
    kwargs: Mapping[str, Any]


class Scheduler:
    """The bot's job scheduler; ``store_url`` (a blocking SQLAlchemy URL) makes jobs persistent."""

    def __init__(
        self,
        clock: Clock,
        *,
        store_url: str | None = None,
        misfire_grace: timedelta = DEFAULT_MISFIRE_GRACE,
    ) -> None:
        self.clock = clock
        self.misfire_grace = misfire_grace
        self.manual = isinstance(clock, ManualClock)
        self._store = WriteBehindJobStore(store_url, JOB_TABLE) if store_url else None
        store = self._store or MemoryJobStore()
        self._aps = AsyncIOScheduler(
            jobstores={"default": store},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
                "max_instances": 1,
            },
            timezone=UTC,
        )
        self._runner: JobRunner | None = None
        self._on_time = False

    async def start(self, runner: JobRunner, *, on_time: bool = True) -> None:
        """Open the job store; with ``on_time``, catch up and run jobs on time at once.

        Without it, jobs wait (and are still added) until :meth:`run_on_time`: a bot starting
        lifts the bans that fell due while it was down only once its platforms are connected.
        """
        global _live_runner
        self._runner = runner
        self._aps.start(paused=True)
        if not self.manual:
            if _live_runner is not None:
                raise RuntimeError("only one bot can run real-time jobs in a process")
            _live_runner = runner
        if on_time:
            await self.run_on_time()

    async def run_on_time(self) -> None:
        """Catch up on what fell due while the bot was down, then run jobs on time (once)."""
        if self._on_time:
            return
        self._on_time = True
        await self.run_due()
        if not self.manual:
            self._aps.add_listener(self._on_missed, EVENT_JOB_MISSED)
            self._aps.resume()

    def pause(self) -> None:
        """Start no more jobs (the bot is stopping): those falling due wait for the next start."""
        if self._aps.running:
            self._aps.pause()

    async def shutdown(self) -> None:
        """Stop running jobs; pending ones stay in the store for the next start."""
        global _live_runner
        if self._aps.running:
            self._aps.shutdown(wait=False)  # AsyncIOScheduler defers it to the loop …
        if self._store is not None:
            # … so the jobs are written now, before the caller moves on. The loop keeps running
            # meanwhile: a transaction it holds open (a buffer's flush) must be able to commit,
            # or the job writes would wait for its lock until they time out.
            await asyncio.to_thread(self._store.flush)
        if _live_runner is self._runner:
            _live_runner = None
        self._on_time = False

    def at(self, job_id: str, when: datetime, cog: str, handler: str, **kwargs: Any) -> None:
        """Run ``cog.handler(**kwargs)`` once at ``when``; replaces a job with the same id."""
        if when.tzinfo is None:
            raise ValueError("schedule with a timezone-aware datetime")
        self._add(job_id, DateTrigger(run_date=when, timezone=UTC), cog, handler, kwargs)

    def cron(
        self,
        job_id: str,
        cog: str,
        handler: str,
        *,
        timezone: str = "UTC",
        kwargs: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Run ``cog.handler(**kwargs)`` on a cron schedule (``day_of_week="mon", hour=9``)."""
        trigger = CronTrigger(timezone=timezone, **fields)
        self._add(job_id, trigger, cog, handler, dict(kwargs or {}))

    def _add(self, job_id: str, trigger: Any, cog: str, handler: str, kwargs: dict) -> None:
        # APScheduler would compute the first run from the system time; ours may be a manual clock.
        first_run = trigger.get_next_fire_time(None, self.clock.now())
        self._aps.add_job(
            run_scheduled_job,
            trigger=trigger,
            args=(cog, handler, kwargs),
            id=job_id,
            name=f"{cog}.{handler}",
            replace_existing=True,
            next_run_time=first_run,
        )

    def cancel(self, job_id: str) -> bool:
        """Remove a pending job; False if there was none with that id."""
        if self._aps.get_job(job_id) is None:
            return False
        self._aps.remove_job(job_id)
        return True

    def next_run(self, job_id: str) -> datetime | None:
        """When the pending job ``job_id`` runs next; None if there is no such job."""
        job = self._aps.get_job(job_id)
        return None if job is None else job.next_run_time

    def pending(self, prefix: str = "") -> list[ScheduledJob]:
        """The pending jobs whose id starts with ``prefix``, soonest first."""
        return [_describe(job) for job in self._aps.get_jobs() if job.id.startswith(prefix)]

    async def advance(self, delta: timedelta) -> int:
        """Move a manual clock forward by ``delta``, running each job as it falls due.

        Returns how many jobs ran.
        """
        if not isinstance(self.clock, ManualClock):
            raise TypeError("only a manual clock can be moved")
        target = self.clock.now() + delta
        ran = 0
        while True:
            upcoming = [job.next_run_time for job in self._aps.get_jobs() if job.next_run_time]
            due = min(upcoming, default=None)
            if due is None or due > target:
                break
            self.clock.set(due)
            ran += await self.run_due()
        self.clock.set(target)
        return ran

    async def run_due(self) -> int:
        """Run every job due at the clock's time, once each (coalesced); report the missed."""
        now = self.clock.now()
        ran = 0
        for job in self._aps.get_jobs():
            if job.next_run_time is None or job.next_run_time > now:
                continue
            latest = _latest_fire_time(job, now)
            following = job.trigger.get_next_fire_time(latest, now)
            # Move the job on before running it: a handler may reschedule the same id.
            if following is None:
                self._aps.remove_job(job.id)
            else:
                self._aps.modify_job(job.id, next_run_time=following)
            cog, handler, kwargs = job.args
            late_by = now - latest
            if late_by > self.misfire_grace:
                if self._runner is not None:
                    await self._runner.job_missed(cog, handler, job.id, kwargs, late_by)
                continue
            if self._runner is not None:
                await self._runner.run_job(cog, handler, kwargs)
                ran += 1
        return ran

    def _on_missed(self, event: JobExecutionEvent) -> None:
        log.warning(
            "job %s was due at %s but the bot could not run it in time",
            event.job_id,
            event.scheduled_run_time,
        )


def _latest_fire_time(job: Job, now: datetime) -> datetime:
    latest = job.next_run_time
    for _ in range(_MAX_CATCH_UP_STEPS):
        following = job.trigger.get_next_fire_time(latest, now)
        if following is None or following > now or following <= latest:
            break
        latest = following
    return latest


def _describe(job: Job) -> ScheduledJob:
    cog, handler, kwargs = job.args
    return ScheduledJob(job.id, job.next_run_time, cog, handler, kwargs)
