"""The weekly summary's job, ``reputation:summary:<community>``, kept in line with the rule book.

Scheduled on ``summary.schedule`` (cron fields, community time zone) the first time the cog hears
from a community, and brought in line at start and after every reload, the stored jobs too. No
job where the summary is off: no schedule, no channel, no name watched, or the cog off. A job
stored under another rule book's schedule is not run, nor reported missed when it fell due while
the bot was down: it is rescheduled as the rules now say, or cancelled.
Its arguments are plain: the community's platform, id and name, and the schedule they were made
for (``signature``). The scheduler's cron reads the wall clock: a time the autumn change of hour
repeats comes once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.crontab import crontab_fields
from bot.events import CommunityRef

if TYPE_CHECKING:
    from cogs.reputation.base import ReputationBase

HANDLER = "post_summary"


class SummaryJob:
    """Each community's summary job."""

    def __init__(self, cog: ReputationBase) -> None:
        self._cog = cog
        self._checked: dict[CommunityRef, object] = {}
        """The rule book each community's job was last brought in line with."""

    def job_id(self, community: CommunityRef) -> str:
        """``reputation:summary:<platform>-<id>``, stable across restarts."""
        return f"{self._cog.name}:summary:{community.key}"

    def signature(self, community: CommunityRef) -> str | None:
        """The schedule the rule book gives the community's summary; None when it has none."""
        settings = self._cog.settings(community)
        if (
            not settings.summary.schedule
            or not settings.channel
            or not settings.names
            or not self._cog.core.cog_enabled(self._cog.name, community)
        ):
            return None
        zone = self._cog.core.community_config(community).timezone
        return f"{' '.join(settings.summary.schedule.split())} {zone}"

    def ensure(self, community: CommunityRef) -> None:
        """Schedule (or cancel) the community's job as the rule book says; cheap when done
        already under this rule book."""
        book = self._cog.core.rules.current
        if self._checked.get(community) is book:
            return
        self._checked[community] = book
        self.bring_in_line(community)

    def bring_in_line(self, community: CommunityRef) -> None:
        """Schedule the community's job as the rule book now says, or cancel it."""
        scheduler = self._cog.core.scheduler
        job_id = self.job_id(community)
        signature = self.signature(community)
        if signature is None:
            scheduler.cancel(job_id)
            return
        stored = scheduler.scheduled(job_id)
        # A job stored with this signature keeps its next run: a restart must not push it back.
        if stored is not None and stored.kwargs.get("signature") == signature:
            return
        schedule = self._cog.settings(community).summary.schedule
        assert schedule is not None
        scheduler.cron(
            job_id,
            self._cog.name,
            HANDLER,
            timezone=self._cog.core.community_config(community).timezone,
            kwargs={
                "platform": community.platform,
                "community_id": community.id,
                "community_name": community.name,
                "signature": signature,
            },
            **crontab_fields(schedule),
        )

    def rules_applied(self) -> None:
        """At start and after a reload: the jobs of the communities seen and of those stored."""
        self._checked.clear()
        communities = {community.key: community for community in self._cog.core.communities_seen}
        for stored in self._cog.core.scheduler.pending(f"{self._cog.name}:summary:"):
            community = self.community(stored.kwargs)
            communities.setdefault(community.key, community)
        for community in communities.values():
            self.ensure(community)

    @staticmethod
    def community(arguments: Mapping[str, Any]) -> CommunityRef:
        """The community a job's arguments name."""
        return CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )
