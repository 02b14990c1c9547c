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
from bot.state import StateStore

if TYPE_CHECKING:
    from bot.cog import Cog


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
            if arguments.get("signature") != self._signature(community):
                # Stored under another rule book (a restart, a reload not yet applied to it).
                self._cog.log.info(
                    "%s not run: the rule book changed its schedule", self.job_id(community)
                )
                self._bring_in_line(community)
                return
            key = f"weekly:{self.job_id(community)}:last_run"
            now = self._cog.core.clock.now()
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
            await self._state.set(key, now.isoformat())
            await run(**arguments)

        return job(guarded)

    def job_id(self, community: CommunityRef) -> str:
        """``<cog>:<name>:<platform>-<id>``, stable across restarts."""
        return f"{self._cog.name}:{self._name}:{community.key}"

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
        stored, cancel where the cog is off."""
        self._checked.clear()
        communities = {community.key: community for community in self._applied}
        for stored in self._cog.core.scheduler.pending(f"{self._cog.name}:{self._name}:"):
            community = self.community(stored.kwargs)
            if stored.id == self.job_id(community):
                communities.setdefault(community.key, community)
        for community in self._cog.core.communities_seen:
            if self._cog.core.cog_enabled(self._cog.name, community):
                communities.setdefault(community.key, community)  # seen while the cog was off
        for community in communities.values():
            self._bring_in_line(community)

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
