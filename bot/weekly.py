"""One weekly job per community, kept in line with the rule book (shout-outs, digests, reports).

A cog asks for its job the first time it hears from a community; the job is (re)scheduled only when
its day, time or the community's time zone changed, cancelled when the rule book turns it off, and
brought in line after every reload. Its arguments are plain: the community's platform, id and name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.events import CommunityRef

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
        signature = (
            f"{schedule.enabled} {schedule.day_of_week} "
            f"{schedule.hour:02d}:{schedule.minute:02d} {zone}"
        )
        if self._applied.get(community) == signature:
            return
        scheduler = self._cog.core.scheduler
        job_id = self.job_id(community)
        if not schedule.enabled:
            scheduler.cancel(job_id)
        else:
            pending = scheduler.pending(job_id)
            # A job already stored with this signature keeps its next run (a restart must not
            # push back a run that is due).
            if not (pending and pending[0].kwargs.get("signature") == signature):
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
        """After a reload: update the jobs of the communities seen, cancel where the cog is off."""
        self._checked.clear()
        seen = {community.key: community for community in self._cog.core.communities_seen}
        for community in seen.values():
            if community not in self._applied and self._cog.core.cog_enabled(
                self._cog.name, community
            ):
                self.ensure(community)  # seen while the cog was off for it
        for community in list(self._applied):
            if self._cog.core.cog_enabled(self._cog.name, community):
                self.ensure(community)
            else:
                self._cog.core.scheduler.cancel(self.job_id(community))
                del self._applied[community]
                self._checked.pop(community, None)

    @staticmethod
    def community(arguments: Mapping[str, Any]) -> CommunityRef:
        """The community a job's arguments name."""
        return CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )
