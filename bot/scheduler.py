"""Scheduled jobs that survive restarts: APScheduler 3, jobs saved to the database.

Jobs have stable ids (``contest:42:close``) and plain arguments: they name a cog and one of its
``@job`` handlers, never a live object. ``coalesce`` and a misfire grace mean a restart neither
loses nor doubles a job: at start the scheduler catches up on what fell due while the bot was down
(once, within the grace; a job later than that is reported missed to its cog). A job found later
than the grace while the bot runs (the machine slept, the clock jumped) is reported missed too.
A job whose cog is not loaded is kept, paused, until a rule book loads the cog again; one for a
community whose platform is not running (the bot started without its token, the console on a copy
of the database) is kept, paused, until the bot starts with that platform, and runs then, late, as
one that waited for its cog does (a weekly report too: it is not moved on to next week unrun).
A one-off job whose handler raised, or whose missed report its cog failed to handle (a locked
database), is tried again later (:data:`RETRY_DELAYS`), then given up, and its cog told so (a lift
still owed is left to a moderator); a recurring one goes on at its times.

A recurring job is moved on to its next time before its handler runs (the handler may plan the
same id again). Saved with that move, in the same row, is the run in progress (``running``), taken
out when the handler returns or raises: one the process died in the middle of (a kill, a power
loss, a stop while it ran) is found at the next start and due again at its time, so the catch-up
runs it, or reports it missed past the grace, as any job owed. A handler that has done its work
before its end (it only writes down that it ran) says so with :meth:`Scheduler.run_ended`: a stop
after that does not run it again. A run that returned is never run again, except when the process
dies within the milliseconds the job store takes to save that it returned.

A one-off job leaves the store when it is handed over to run, so one the process dies in is lost,
and a handler's work is never repeated; one planned with :meth:`Scheduler.at_until_done` stays
stored while it runs, paused, with its run in progress, and is due again at the next start as a
recurring job's run is. Its handler must tell a second run from the first (what it did is written
down before it is done, a nudge claimed before it is sent).

Cron schedules read the community's wall clock, as cron does: a time the autumn change of hour
shows twice (02:30 in Paris on the last Sunday of October) comes once, the first time; one the
spring change skips comes an hour later (03:30). A schedule of every hour (``*`` or ``*/2`` as
the hour) goes by the hours that pass, the repeated one included.

With a :class:`~bot.clock.ManualClock` (console, tests, replay) nothing fires on its own:
:meth:`Scheduler.advance` moves the clock and runs each job that falls due, in time order, with the
clock set to the job's time.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.executors.base import BaseExecutor
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
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
"""How long after each failure a one-off job is tried again; failing once more, it is given up."""
RUNNING = "running"
"""The argument of a recurring job, or of a one-off one kept until done, that remembers the run in
progress: when it was due."""
UNTIL_DONE = "until_done"
"""The argument of a one-off job kept in the store while it runs (see
:meth:`Scheduler.at_until_done`)."""

_current_run: ContextVar[tuple[str, datetime] | None] = ContextVar("current_run", default=None)
"""The job whose handler runs in this task, and when its run was due."""


class JobRunner(Protocol):
    """What runs a job's handler: the core, which knows the loaded cogs and the platforms."""

    def serves_platform(self, name: str) -> bool:
        """Whether the platform ``name`` runs: a job naming another (its ``platform``
        argument), absent or failed for good, waits for it."""

    def runs_cog(self, cog: str) -> bool:
        """Whether ``cog`` is loaded: the jobs of one that is not wait for it."""

    async def run_job(self, cog: str, handler: str, kwargs: Mapping[str, Any]) -> None:
        """Call ``handler`` of ``cog`` with ``kwargs``; raises what the handler raised."""

    async def job_missed(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any], late_by: timedelta
    ) -> None:
        """Tell ``cog`` that a job fell due too long ago to run; raises what its cog raised."""

    async def job_given_up(
        self, cog: str, handler: str, job_id: str, kwargs: Mapping[str, Any]
    ) -> None:
        """Tell ``cog`` that its one-off job failed every try and will not run again; raises
        what its cog raised."""


async def run_scheduled_job(
    cog: str,
    handler: str,
    kwargs: dict[str, Any],
    *,
    paused_due: datetime | None = None,
    failed: int = 0,
    first_due: datetime | None = None,
    missed: bool = False,
    running: datetime | None = None,
    until_done: bool = False,
) -> None:
    """The function every stored job names; the scheduler that owns the job runs its handler
    through its bot (see :class:`_ClockExecutor`), so this is never called.

    ``paused_due`` is when a job paused for its cog fell due: it is due then once released. A job
    tried again after a failure has ``failed`` tries behind it, was first due at ``first_due``,
    and is reported missed again rather than run when it was ``missed`` then. A recurring job
    whose run due at ``running`` is in progress runs it again at the next start if the process
    dies before it returns; so does a one-off job ``until_done``, kept stored while it runs.
    """
    log.warning("job for %s.%s called outside its scheduler; skipped", cog, handler)


# APScheduler checks a job's arguments against its function's signature each time a job is
# planned (a lift at every timeout, a nudge at every join): worked out once, not at each.
run_scheduled_job.__signature__ = inspect.signature(run_scheduled_job)  # type: ignore[attr-defined]


class WallClockCronTrigger(CronTrigger):
    """A cron trigger that skips the second showing of a wall-clock time the autumn change of
    hour repeats, unless its hour is a wildcard (as cron does: its every-hour jobs keep the
    repeated hour, an hour that did pass)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The next fire time after ``previous_fire_time`` (or from ``now``), repeats left out."""
        following: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while following is not None and self._repeated(following):
            following = super().get_next_fire_time(following, following)
        return following

    def _repeated(self, moment: datetime) -> bool:
        """Whether ``moment`` is the second showing of its wall-clock time (``fold=1`` where the
        clock was put back) on a schedule of fixed hours."""
        if moment.fold == 0:
            return False
        hours = next(field for field in self.fields if field.name == "hour")
        if str(hours).startswith("*"):
            return False
        return bool(moment.replace(fold=0).utcoffset() != moment.utcoffset())


def _wall_clock(trigger: CronTrigger) -> WallClockCronTrigger:
    """``trigger`` as a :class:`WallClockCronTrigger` (a job stored before it existed)."""
    upgraded: WallClockCronTrigger = WallClockCronTrigger.__new__(WallClockCronTrigger)
    upgraded.__setstate__(trigger.__getstate__())
    return upgraded


class _ClockExecutor(BaseExecutor):
    """Runs the jobs APScheduler finds due on the event loop, judging lateness by the
    scheduler's clock: one later than the grace (the machine slept, the clock jumped forward)
    is reported missed to its cog, as one missed while the bot was down is, not dropped."""

    def __init__(
        self,
        fire: Callable[[Job, datetime], Awaitable[None]],
        starting: Callable[[Job, datetime], None],
    ) -> None:
        super().__init__()
        self._fire = fire
        self._starting = starting
        self._tasks: set[asyncio.Future[None]] = set()

    def shutdown(self, wait: bool = True) -> None:
        """Cancel the jobs still running (as APScheduler's asyncio executor does)."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        # Called by the scheduler on the loop; run times are coalesced: the latest counts.
        # APScheduler saves the job moved on just after this: the run in progress with it.
        self._starting(job, run_times[-1])
        task = asyncio.ensure_future(self._fire(job, run_times[-1]))
        self._tasks.add(task)
        task.add_done_callback(functools.partial(self._finished, job.id))

    def _finished(self, job_id: str, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        self._run_job_success(job_id, [])  # lets the job run again (max_instances)


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
            executors={"default": _ClockExecutor(self._fire, self._starting)},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
                "max_instances": 1,
            },
            timezone=UTC,
        )
        self._runner: JobRunner | None = None
        self._on_time = False
        self._stopping = False
        self._cogs_waited_for: set[str] = set()
        """The cogs whose absence was logged: once each."""
        self._platforms_waited_for: set[str] = set()
        """The platforms whose absence was logged: once each."""

    async def start(self, runner: JobRunner, *, on_time: bool = True) -> None:
        """Open the job store; with ``on_time``, catch up and run jobs on time at once.

        Without it, jobs wait (and are still added) until :meth:`run_on_time`: a bot starting
        lifts the bans that fell due while it was down only once its platforms are connected.
        """
        self._runner = runner
        self._stopping = False
        self._cogs_waited_for = set()
        self._platforms_waited_for = set()
        self._aps.start(paused=True)
        for job in self._aps.get_jobs():
            if type(job.trigger) is CronTrigger:
                self._aps.modify_job(job.id, trigger=_wall_clock(job.trigger))
        self._resume_cut_short()
        self._release_waiting()
        self._tell_platforms_waited_for()
        if on_time:
            await self.run_on_time()

    async def run_on_time(self) -> None:
        """Catch up on what fell due while the bot was down, then run jobs on time (once).

        Whatever goes wrong while catching up, the jobs then run on time: a catch-up that
        failed must not leave every later lift, announcement and report unrun until a restart.
        """
        if self._on_time:
            return
        self._on_time = True
        try:
            await self.run_due()
        finally:
            if not self.manual and not self._stopping and self._aps.running:
                self._aps.resume()

    async def cogs_loaded(self) -> None:
        """Cogs were loaded (a reload enabled them): their jobs that waited run as they fell due
        (those due while they waited run now, or are reported missed past the grace)."""
        if self._release_waiting() and self.manual and self._on_time:
            await self.run_due()

    def pause(self) -> None:
        """Start no more jobs (the bot is stopping): those falling due wait for the next start."""
        self._stopping = True
        if self._aps.running:
            self._aps.pause()

    def run_ended(self) -> None:
        """Called by a handler: its run did what it owed (what is left, writing down that it ran,
        may be cut short by a stop); the next start does not run it again."""
        current = _current_run.get()
        if current is not None:
            self._run_over(*current)

    async def shutdown(self) -> None:
        """Stop running jobs; pending ones stay in the store for the next start."""
        self._stopping = True
        if self._aps.running:
            self._aps.shutdown(wait=False)  # AsyncIOScheduler defers it to the loop …
        if self._store is not None:
            # … so the jobs are written now, before the caller moves on. The loop keeps running
            # meanwhile: a transaction it holds open (a buffer's flush) must be able to commit,
            # or the job writes would wait for its lock until they time out.
            await asyncio.to_thread(self._store.flush)
        self._on_time = False

    def at(self, job_id: str, when: datetime, cog: str, handler: str, **kwargs: Any) -> None:
        """Run ``cog.handler(**kwargs)`` once at ``when``; replaces a job with the same id."""
        self._add(job_id, _once_at(when), cog, handler, kwargs)

    def at_until_done(
        self, job_id: str, when: datetime, cog: str, handler: str, **kwargs: Any
    ) -> None:
        """Run ``cog.handler(**kwargs)`` once at ``when``, as :meth:`at` does, and keep the job
        stored until its handler returns or raises: a run the process dies in (a kill, a power
        cut, a stop) is due again at the next start, late, or reported missed past the grace.

        For a handler that a second run cannot make repeat what the first did (it claims its
        work in the database before doing it). While it runs, the job is listed with no next
        run; a handler may plan the same id again, or cancel it.
        """
        self._add(job_id, _once_at(when), cog, handler, kwargs, remembered={UNTIL_DONE: True})

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
        """Run ``cog.handler(**kwargs)`` on a cron schedule (``day_of_week="mon", hour=9``).

        The times are those of ``timezone``'s wall clock: one the autumn change of hour repeats
        comes once (see :class:`WallClockCronTrigger`). Raises ValueError for a schedule that
        never comes again (``day=31, month=2``).
        """
        trigger = WallClockCronTrigger(timezone=timezone, **fields)
        self._add(job_id, trigger, cog, handler, dict(kwargs or {}))

    def _add(
        self,
        job_id: str,
        trigger: Any,
        cog: str,
        handler: str,
        kwargs: dict,
        *,
        remembered: dict[str, Any] | None = None,
    ) -> None:
        # APScheduler would compute the first run from the system time; ours may be a manual clock.
        first_run = trigger.get_next_fire_time(None, self.clock.now())
        if first_run is None:
            # APScheduler would store it paused: a job that silently never runs.
            raise ValueError(f"job {job_id} never runs: its schedule ({trigger}) never comes")
        self._aps.add_job(
            run_scheduled_job,
            trigger=trigger,
            args=(cog, handler, kwargs),
            kwargs=remembered or {},
            id=job_id,
            name=f"{cog}.{handler}",
            replace_existing=True,
            next_run_time=first_run,
        )

    def cancel(self, job_id: str) -> bool:
        """Remove a pending job; False if there was none with that id.

        A job saved by a version that this one cannot read (kept on disk for it, see
        :mod:`bot.jobstore`) is removed too: cancelled now, it must not run after the next
        upgrade (the unban of a ban since made for good)."""
        if self._aps.get_job(job_id) is None:
            return self._store is not None and self._store.drop_kept(job_id)
        self._aps.remove_job(job_id)
        return True

    def forget_kept(self, community_id: str, user_id: str) -> int:
        """Remove the saved jobs this version cannot read that name member ``user_id`` of
        community ``community_id`` (at the member's erasure: such a job cannot be read to take
        them out of it, so it goes whole); how many."""
        if self._store is None:
            return 0
        return self._store.drop_kept_naming(community_id, user_id)

    def next_run(self, job_id: str) -> datetime | None:
        """When the pending job ``job_id`` runs next; None if there is no such job."""
        job = self._aps.get_job(job_id)
        return None if job is None else job.next_run_time

    def change_arguments(self, job_id: str, **changes: Any) -> bool:
        """Change some of the arguments the stored job ``job_id`` hands its handler, its time
        and state (paused for its platform, a run in progress) as they are: what an erasure
        must take out of a saved job. False when no job has that id."""
        job = self._aps.get_job(job_id)
        if job is None:
            return False
        cog, handler, arguments = job.args
        self._aps.modify_job(job_id, args=(cog, handler, {**arguments, **changes}))
        return True

    def scheduled(self, job_id: str) -> ScheduledJob | None:
        """The pending job ``job_id``; None if there is none."""
        job = self._aps.get_job(job_id)
        return None if job is None else _describe(job)

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
        """Run every job due at the clock's time, once each (coalesced); report the missed.

        Returns how many jobs ran.
        """
        now = self.clock.now()
        ran = 0
        for job_id in [job.id for job in self._aps.get_jobs()]:
            # Looked up again: a handler run before (a member's farewell) or an event handled
            # meanwhile may have cancelled or moved this job.
            job = self._aps.get_job(job_id)
            if job is None or job.next_run_time is None or job.next_run_time > now:
                continue
            if not self._may_run(job, job.next_run_time):
                continue
            latest = _latest_fire_time(job, now)
            following = job.trigger.get_next_fire_time(latest, now)
            # Move the job on before running it: a handler may reschedule the same id.
            if following is None:
                self._aps.remove_job(job.id)
            else:
                self._aps.modify_job(
                    job.id, next_run_time=following, kwargs={**job.kwargs, RUNNING: latest}
                )
            if await self._run(job, latest):
                ran += 1
        return ran

    async def _fire(self, job: Job, due: datetime) -> None:
        """Run a job APScheduler found due while running on time."""
        if self._may_run(job, due):
            await self._run(job, due)

    def _starting(self, job: Job, due: datetime) -> None:
        """Remember in a recurring job APScheduler hands over to run that its run due at
        ``due`` is in progress."""
        if not isinstance(job.trigger, DateTrigger):
            self._aps.modify_job(job.id, kwargs={**job.kwargs, RUNNING: due})

    async def _run(self, job: Job, due: datetime) -> bool:
        """:meth:`_dispatch` the job's run due at ``due``; once it returns, the run is over.
        Whether it ran."""
        self._keep_while_running(job, due)
        current = _current_run.set((job.id, due))
        try:
            ran = await self._dispatch(job, due)
        finally:
            _current_run.reset(current)
        # Not when cut short (cancelled by a stop): the next start runs it again.
        self._run_over(job.id, due)
        return ran

    def _keep_while_running(self, job: Job, due: datetime) -> None:
        """Store again, paused, a one-off job kept until done that APScheduler took out of the
        store to run it, with its run due at ``due`` in progress."""
        if not _kept_until_done(job) or self._aps.get_job(job.id) is not None:
            return  # recurring, or not kept; or planned anew under its id meanwhile
        self._put_back(job, job.trigger, {**job.kwargs, RUNNING: due}, None)

    def _run_over(self, job_id: str, due: datetime) -> None:
        """Forget the job's run due at ``due`` as in progress: a one-off job kept until done
        leaves the store."""
        job = self._aps.get_job(job_id)
        # Not one its handler planned anew under the same id.
        if job is None or not _runs_at(job, due):
            return
        if _kept_until_done(job):
            self._aps.remove_job(job_id)
        else:
            self._aps.modify_job(job_id, kwargs=_without(job.kwargs, RUNNING))

    def _resume_cut_short(self) -> None:
        """At start: make the recurring jobs whose run the process died in due again then."""
        for job in self._aps.get_jobs():
            due = job.kwargs.get(RUNNING)
            if due is None:
                continue
            log.warning(
                "job %s: its run due at %s was cut short by a stop; due again at that time",
                job.id,
                due.isoformat(sep=" ", timespec="minutes"),
            )
            self._aps.modify_job(job.id, kwargs=_without(job.kwargs, RUNNING), next_run_time=due)

    async def _dispatch(self, job: Job, due: datetime) -> bool:
        """Run the job's handler, or report it missed when it is later than the grace; whether
        it ran. A failure is logged and a one-off job tried again later, its cog told when it is
        given up: the other jobs due still run."""
        cog, handler, kwargs = job.args
        if self._runner is None:
            return False
        now = self.clock.now()
        first_due = job.kwargs.get("first_due") or due
        missed = job.kwargs.get("missed", False) or now - due > self.misfire_grace
        given_up = False
        try:
            if missed:
                await self._runner.job_missed(cog, handler, job.id, kwargs, now - first_due)
            else:
                await self._runner.run_job(cog, handler, kwargs)
        except Exception:
            given_up = self._failed(job, due, first_due, missed=missed)
        if given_up:
            await self._give_up(job)
        return not missed

    def _failed(self, job: Job, due: datetime, first_due: datetime, *, missed: bool) -> bool:
        """Log the failure of the run due at ``due``; a one-off job is planned again, a few
        times. Whether it is given up."""
        cog, handler, _ = job.args
        what = "the handling of missed job" if missed else "job"
        current = self._aps.get_job(job.id)
        if current is not None and not (_kept_until_done(current) and _runs_at(current, due)):
            # Recurring, or planned again by its handler: it runs at the time it has.
            log.exception("%s %s (%s.%s) failed", what, job.id, cog, handler)
            return False
        failed = job.kwargs.get("failed", 0)
        if failed >= len(RETRY_DELAYS):
            # A failure no wait cures (a bug): not tried for ever.
            log.exception(
                "%s %s (%s.%s) failed %d times; given up", what, job.id, cog, handler, failed + 1
            )
            return True
        when = self.clock.now() + RETRY_DELAYS[failed]
        tries = {"failed": failed + 1, "first_due": first_due, "missed": missed}
        if _kept_until_done(job):
            tries[UNTIL_DONE] = True
        self._put_back(job, DateTrigger(run_date=when, timezone=UTC), tries, when)
        log.exception("%s %s (%s.%s) failed; tried again at %s", what, job.id, cog, handler, when)
        return False

    async def _give_up(self, job: Job) -> None:
        """Tell the job's cog that its job will not run again (what it owed is left undone)."""
        cog, handler, kwargs = job.args
        if self._runner is None:
            return
        try:
            await self._runner.job_given_up(cog, handler, job.id, kwargs)
        except Exception:
            log.exception("cog %s failed to handle the given-up job %s", cog, job.id)

    def _put_back(
        self, job: Job, trigger: Any, kwargs: dict[str, Any], next_run: datetime | None
    ) -> None:
        """Store again, under its id, a one-off job APScheduler took out to run it (paused when
        ``next_run`` is None), in place of the one kept while it ran; ``kwargs`` is what the
        job remembers of its tries."""
        self._aps.add_job(
            run_scheduled_job,
            trigger=trigger,
            args=job.args,
            kwargs=kwargs,
            id=job.id,
            name=job.name,
            replace_existing=True,
            next_run_time=next_run,
        )

    def _may_run(self, job: Job, due: datetime) -> bool:
        """Whether the job's cog is loaded and its platform running; if not, keep the job paused
        until they are, remembering that it fell due at ``due``."""
        if self._runner is None or self._runs(job):
            return True
        current = self._aps.get_job(job.id)
        if current is None:
            # A one-off APScheduler took out of the store when it handed it over to run.
            self._put_back(job, job.trigger, {**job.kwargs, "paused_due": due}, None)
        elif current.args == job.args:
            # Remembered, as a recurring job's next run is already the one after: released,
            # the job is due at this time again, so the catch-up runs it or reports it missed.
            self._aps.modify_job(
                job.id,
                kwargs={**_without(current.kwargs, RUNNING), "paused_due": due},
                next_run_time=None,
            )
        cog = job.args[0]
        if not self._runner.runs_cog(cog):
            if cog not in self._cogs_waited_for:
                self._cogs_waited_for.add(cog)
                log.warning(
                    "job %s waits for the cog %s, which the rule book does not load: "
                    "its jobs run once a rule book enables it again",
                    job.id,
                    cog,
                )
        elif _platform(job) not in self._platforms_waited_for:
            self._tell_platforms_waited_for()
        return False

    def _runs(self, job: Job) -> bool:
        """Whether the job's cog is loaded and the platform of its community (if it names one)
        runs."""
        assert self._runner is not None
        platform = _platform(job)
        return self._runner.runs_cog(job.args[0]) and (
            platform is None or self._runner.serves_platform(platform)
        )

    def _tell_platforms_waited_for(self) -> None:
        """Log, once per platform not running, how many jobs wait for it."""
        if self._runner is None:
            return
        waiting: dict[str, int] = {}
        for job in self._aps.get_jobs():
            platform = _platform(job)
            if platform is not None and not self._runner.serves_platform(platform):
                waiting[platform] = waiting.get(platform, 0) + 1
        for platform, count in waiting.items():
            if platform in self._platforms_waited_for:
                continue
            self._platforms_waited_for.add(platform)
            log.warning(
                "%d scheduled %s for the %s platform, which is not running: "
                "held until the bot runs with it again",
                count,
                "job waits" if count == 1 else "jobs wait",
                platform,
            )

    def _release_waiting(self) -> bool:
        """Put back on schedule the paused jobs whose cog is now loaded and whose platform runs;
        whether there were any."""
        if self._runner is None:
            return False
        now = self.clock.now()
        released = False
        for job in self._aps.get_jobs():
            if job.next_run_time is not None or RUNNING in job.kwargs or not self._runs(job):
                continue  # a one-off kept while it runs is paused, not waiting
            # Due when it was paused: run now, or reported missed past the grace. A job paused
            # before the time was remembered: a one-off keeps its time, a recurring job its next.
            next_run = job.kwargs.get("paused_due") or job.trigger.get_next_fire_time(None, now)
            if next_run is None:
                continue
            self._aps.modify_job(
                job.id, kwargs=_without(job.kwargs, "paused_due"), next_run_time=next_run
            )
            released = True
            log.info("job %s, which waited, is due %s", job.id, next_run)
        return released


def _without(kwargs: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in kwargs.items() if name != key}


def _kept_until_done(job: Job) -> bool:
    """Whether ``job`` is a one-off job kept in the store while it runs."""
    return isinstance(job.trigger, DateTrigger) and bool(job.kwargs.get(UNTIL_DONE))


def _runs_at(job: Job, due: datetime) -> bool:
    """Whether ``job`` is stored with its run due at ``due`` in progress."""
    return bool(job.kwargs.get(RUNNING) == due)


def _platform(job: Job) -> str | None:
    """The platform of the community the job is for, where its arguments name one."""
    platform = job.args[2].get("platform")
    return platform if isinstance(platform, str) else None


def _latest_fire_time(job: Job, now: datetime) -> datetime:
    latest = job.next_run_time
    for _ in range(_MAX_CATCH_UP_STEPS):
        following = job.trigger.get_next_fire_time(latest, now)
        if following is None or following > now or following <= latest:
            break
        latest = following
    return latest


def _once_at(when: datetime) -> DateTrigger:
    """The trigger of a one-off job run at ``when``, which must say its time zone."""
    if when.tzinfo is None:
        raise ValueError("schedule with a timezone-aware datetime")
    return DateTrigger(run_date=when, timezone=UTC)


def _describe(job: Job) -> ScheduledJob:
    cog, handler, kwargs = job.args
    return ScheduledJob(job.id, job.next_run_time, cog, handler, kwargs)
