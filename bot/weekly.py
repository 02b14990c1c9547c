"""One weekly job per community, kept in line with the rule book (shout-outs, digests, reports).

A cog asks for its job the first time it hears from a community; the job is (re)scheduled only when
its day, time or the community's time zone changed, cancelled when the rule book turns it off, and
brought in line at start and after every reload (the stored jobs too, not only those of the
communities heard from since). A job stored under another rule book's schedule that falls due
before that is not run: it is rescheduled as the rules now say. Its arguments are plain: the
community's platform, id and name, and the schedule they were made for (``signature``).

The night clocks go back, a cron time in the repeated hour comes twice (APScheduler 3 fires at
02:30 summer time and again at 02:30 winter time): the job's handler is guarded so that a run at a
local time that already came (the last run's, kept in ``core_state``) is skipped. The night clocks
go forward, a time that does not exist runs once, an hour later (APScheduler moves it).

A run the bot is stopped in the middle of (a deploy, the console's input ending, a crash while the
start-up catch-up posts the week's digest) is not lost: the scheduler keeps the run in progress
with the job it moved on to next week, and at the next start the job is due again at that run's
time (see :mod:`bot.scheduler`): the catch-up runs it, or reports it missed past the grace, as any
job owed. What a run had posted before it was cut short may be posted again then; a run that
returned is never run again, even when the stop comes while it is being recorded. An earlier
version kept the job ``<cog>:<name>:<community>:unfinished`` beside it instead: one found at
start is due again at the time its run started.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from bot.cog import job
from bot.events import CommunityRef
from bot.scheduler import ScheduledJob
from bot.state import StateStore

if TYPE_CHECKING:
    from bot.cog import Cog

UNFINISHED = "unfinished_since"
"""The argument of an unfinished run's job (saved by an earlier version): when the run started
(ISO 8601)."""


class WeeklySchedule(Protocol):
    """The settings a weekly job reads from a cog's section."""

    @property
    def enabled(self) -> bool:
        """Whether the job runs at all."""
        ...

    @property
    def day_of_week(self) -> str:
        """``mon`` … ``sun``."""
        ...

    @property
    def hour(self) -> int:
        """Local hour, 0–23."""
        ...

    @property
    def minute(self) -> int:
        """Minute, 0–59."""
        ...


@dataclass(frozen=True)
class Weekly:
    """A weekly schedule decided by a cog from more than one setting."""

    enabled: bool
    day_of_week: str
    hour: int
    minute: int


def local_minute(moment: datetime, zone: ZoneInfo) -> tuple[int, int, int, int, int]:
    """``moment`` as the wall clock in ``zone`` shows it: year, month, day, hour, minute."""
    local = moment.astimezone(zone)
    return (local.year, local.month, local.day, local.hour, local.minute)


def local_time_came_again(previous: datetime | None, now: datetime, zone: ZoneInfo) -> bool:
    """Whether ``now``, not before ``previous``, shows a wall-clock minute that ``previous``
    showed or passed in ``zone``.

    In one zone the wall clock only goes back the night clocks go back: a cron run in the
    repeated hour is then a run that already happened. (A system clock set back is not that.)
    """
    return (
        previous is not None
        and previous <= now
        and local_minute(now, zone) <= local_minute(previous, zone)
    )


class WeeklyJob:
    """The job ``<cog>:<name>:<community>`` calling ``handler`` of ``cog`` every week."""

    def __init__(
        self,
        cog: Cog,
        name: str,
        handler: str,
        schedule: Callable[[CommunityRef], WeeklySchedule],
    ) -> None:
        self._cog = cog
        self._name = name
        self._handler = handler
        self._schedule = schedule
        self._applied: dict[CommunityRef, str] = {}
        # Asked on every message: the rule book each community was last checked against.
        self._checked: dict[CommunityRef, object] = {}
        self._state = StateStore(cog.core.db)
        run = cog.job_handler(handler)
        if run is not None:
            # The scheduler finds the handler by name on the cog: this instance's is guarded.
            setattr(cog, handler, self._once_per_local_time(run))

    def _once_per_local_time(
        self, run: Callable[..., Awaitable[None]]
    ) -> Callable[..., Awaitable[None]]:
        @functools.wraps(run)
        async def guarded(**arguments: Any) -> None:
            community = self.community(arguments)
            since = arguments.pop(UNFINISHED, None)
            if arguments.get("signature") != self._signature(community):
                # Stored under another rule book (a restart, a reload not yet applied to it).
                self._cog.log.info(
                    "%s not run: the rule book changed its schedule", self.job_id(community)
                )
                self._bring_in_line(community)
                return
            now = self._cog.core.clock.now()
            started = now if since is None else datetime.fromisoformat(since)
            late_by = now - started
            if late_by > self._cog.core.scheduler.misfire_grace:
                # An unfinished run's job that came at the time an earlier version held it for,
                # not planned again at its start by a start of the bot.
                await self._cog.core.job_missed(
                    self._cog.name,
                    self._handler,
                    self.unfinished_id(community),
                    {**arguments, UNFINISHED: since},
                    late_by,
                )
                return
            await self._run_unless_came_again(community, now, run, arguments)

        return job(guarded)

    async def _run_unless_came_again(
        self,
        community: CommunityRef,
        now: datetime,
        run: Callable[..., Awaitable[None]],
        arguments: Mapping[str, Any],
    ) -> None:
        """Run the handler, unless the local time of ``now`` already came (clocks went back);
        the run's time is kept once it ended, posted or failed."""
        key = f"weekly:{self.job_id(community)}:last_run"
        stored = await self._state.get(key)
        previous = None if stored is None else datetime.fromisoformat(stored)
        zone = self._cog.core.community_config(community).zone
        if local_time_came_again(previous, now, zone):
            self._cog.log.info(
                "%s skipped: %s local time already came (clocks went back)",
                self.job_id(community),
                now.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            )
            return
        try:
            await run(**arguments)
        except Exception:
            await self._state.set(key, now.isoformat())
            raise
        # Ended: said before the next await, which a stop may cut short.
        self._cog.core.scheduler.run_ended()
        await self._state.set(key, now.isoformat())

    def _due_again(self, stored: ScheduledJob) -> None:
        """Plan an unfinished run's job found at start at the time the run started (the
        catch-up runs it, or reports it missed), or cancel it where the cog is now off."""
        community = self.community(stored.kwargs)
        if not self._cog.core.cog_enabled(self._cog.name, community):
            self._cog.core.scheduler.cancel(stored.id)
            return
        since = datetime.fromisoformat(stored.kwargs[UNFINISHED])
        if stored.next_run == since:
            return
        self._cog.log.warning(
            "%s: its run of %s was cut short by a stop; due again at that time",
            self.job_id(community),
            since.isoformat(timespec="minutes"),
        )
        self._cog.core.scheduler.at(
            stored.id, since, self._cog.name, self._handler, **dict(stored.kwargs)
        )

    def job_id(self, community: CommunityRef) -> str:
        """``<cog>:<name>:<platform>-<id>``, stable across restarts."""
        return f"{self._cog.name}:{self._name}:{community.key}"

    def unfinished_id(self, community: CommunityRef) -> str:
        """The id of the job an earlier version kept to run again a run of the community's job
        that did not finish (the bot stopped in its middle)."""
        return f"{self.job_id(community)}:unfinished"

    def ensure(self, community: CommunityRef) -> None:
        """Schedule (or cancel) the community's job as the rule book says; cheap when unchanged.

        Asked on every event: the schedule is read again only once the rule book changed (a
        reload, then :meth:`rules_applied`).
        """
        book = self._cog.core.rules.current
        if self._checked.get(community) is book and community in self._applied:
            return
        self._checked[community] = book
        schedule = self._schedule(community)
        zone = self._cog.core.community_config(community).timezone
        signature = self._signature(community)
        if self._applied.get(community) == signature:
            return
        scheduler = self._cog.core.scheduler
        job_id = self.job_id(community)
        if not schedule.enabled:
            scheduler.cancel(job_id)
        else:
            stored = scheduler.scheduled(job_id)
            # A job already stored with this signature keeps its next run (a restart must not
            # push back a run that is due).
            if stored is None or stored.kwargs.get("signature") != signature:
                scheduler.cron(
                    job_id,
                    self._cog.name,
                    self._handler,
                    timezone=zone,
                    kwargs={
                        "platform": community.platform,
                        "community_id": community.id,
                        "community_name": community.name,
                        "signature": signature,
                    },
                    day_of_week=schedule.day_of_week,
                    hour=schedule.hour,
                    minute=schedule.minute,
                )
        self._applied[community] = signature

    def rules_applied(self) -> None:
        """At start and after a reload: update the jobs of the communities seen and of those
        stored, cancel where the cog is off; plan again the runs a stop cut short."""
        self._checked.clear()
        communities = {community.key: community for community in self._applied}
        unfinished = []
        for stored in self._cog.core.scheduler.pending(f"{self._cog.name}:{self._name}:"):
            community = self.community(stored.kwargs)
            if stored.id == self.job_id(community):
                communities.setdefault(community.key, community)
            elif stored.id == self.unfinished_id(community):
                unfinished.append(stored)
        for community in self._cog.core.communities_seen:
            if self._cog.core.cog_enabled(self._cog.name, community):
                communities.setdefault(community.key, community)  # seen while the cog was off
        for community in communities.values():
            self._bring_in_line(community)
        for stored in unfinished:
            self._due_again(stored)

    def _bring_in_line(self, community: CommunityRef) -> None:
        """Schedule the community's job as the rule book now says, or cancel it."""
        # Compared with the job stored, not with what this run last applied.
        self._checked.pop(community, None)
        self._applied.pop(community, None)
        if self._cog.core.cog_enabled(self._cog.name, community):
            self.ensure(community)
        else:
            self._cog.core.scheduler.cancel(self.job_id(community))

    def _signature(self, community: CommunityRef) -> str:
        """The schedule the rule book gives the community's job, as stored in its arguments."""
        schedule = self._schedule(community)
        zone = self._cog.core.community_config(community).timezone
        return (
            f"{schedule.enabled} {schedule.day_of_week} "
            f"{schedule.hour:02d}:{schedule.minute:02d} {zone}"
        )

    @staticmethod
    def community(arguments: Mapping[str, Any]) -> CommunityRef:
        """The community a job's arguments name."""
        return CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )
