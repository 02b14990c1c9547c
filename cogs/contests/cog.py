"""The contests cog: contests with fair voting, recurring challenges, giveaways, hall of fame.

Phases (opening, reminder, closing with the results) and giveaway draws are persistent jobs
with stable ids whose arguments are a record id and the community's platform (a job waits while
its platform is not running); every announcement is claimed once in the database, so a restart
never doubles one, and recorded once made: one the process died while posting is reported to the
mod-log at the next start, never posted twice. Wins are recorded and published as
``ContestWon`` for the contributors cog; a win the process died before publishing is published
at the next start.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.events import ChannelRef, CommunityRef, MessageRef, UserRef
from cogs.contests.challenges import Challenges
from cogs.contests.contests import erase_contests, export_contests
from cogs.contests.entries import Entries, erase_entries, export_entries
from cogs.contests.giveaways import Giveaways, erase_giveaways, export_giveaways
from cogs.contests.halloffame import HallOfFame, erase_wins, export_wins
from cogs.contests.phases import PHASE_OF_HANDLER
from cogs.contests.retention import forget_contests, forget_giveaways, members_named

if TYPE_CHECKING:
    from bot.core import Jardinier

EXPORT_ORDER = (
    "contests_created",
    "giveaways_created",
    "entries",
    "votes",
    "giveaways",
    "wins",
    "draws",
    "left_out_of_contests",
    "left_out_of_draws",
    "votes_not_counted",
)
"""The parts of a member's export, in the order its file has always listed them."""


class ContestsCog(Challenges, Entries, Giveaways, HallOfFame):
    """Contests, challenges and giveaways that bring the community together."""

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self._refreshed = set()
        self._challenge_runs = asyncio.Lock()

    async def rules_applied(self) -> None:
        """Bring the challenges' cron jobs in line with the rules, complete the runs and give
        back the jobs a process that died lost, report the announcements it lost, and tell the
        wins it did not tell (at start, after reloads)."""
        # The live bot applies the rules before it catches up on the jobs that fell due while
        # it was down: an older job due meanwhile is named its platform in time to wait too,
        # and a job given back now is caught up on with the others.
        await self.name_platforms_of_older_jobs()
        await self.refresh_challenges()
        await self.resume_contests()
        await self.resume_giveaways()
        await self.lost_announcements()
        await self.lost_draws()
        await self.publish_untold_wins()

    async def name_platforms_of_older_jobs(self) -> None:
        """Give the phase and draw jobs stored by an older version, which named only their
        record, their community's platform: like the newer ones, they then wait for it while it
        is not running, rather than run without it and be lost (same id, same time)."""
        scheduler = self.core.scheduler
        for pending in scheduler.pending("contest:") + scheduler.pending("giveaway:"):
            if "platform" in pending.kwargs or pending.next_run is None:
                continue
            if pending.handler in PHASE_OF_HANDLER:
                community = await self.phase_community(int(pending.kwargs["contest_id"]))
            elif pending.handler == "draw_giveaway":
                community = await self.giveaway_community(int(pending.kwargs["giveaway_id"]))
            else:
                continue
            if community is None:
                continue  # its record is gone: the job finds nothing to do, wherever it runs
            scheduler.at(
                pending.id,
                pending.next_run,
                self.name,
                pending.handler,
                **{**pending.kwargs, "platform": community.platform},
            )

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A phase, draw or challenge run fell due too long ago: report it to the mod-log."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler in PHASE_OF_HANDLER:
            await self.contest_phase_missed(handler, kwargs, late_by)
        elif handler == "draw_giveaway":
            await self.giveaway_missed(kwargs, late_by)
        elif handler == "run_challenge":
            await self.challenge_missed(kwargs, late_by)

    async def on_job_given_up(self, handler: str, job_id: str, kwargs: dict[str, Any]) -> None:
        """A close or a draw that failed on every try is left to the moderators: the mod-log
        says which, and what does it."""
        await super().on_job_given_up(handler, job_id, kwargs)
        self.given_up.add(job_id)
        if handler == "close_contest":
            await self.close_given_up(int(kwargs["contest_id"]))
        elif handler == "draw_giveaway":
            await self.draw_given_up(int(kwargs["giveaway_id"]))

    # -- members' data --------------------------------------------------------------------------

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """The member's entries, votes, giveaway entries and wins in ``community``, the
        contests' closes and giveaway draws that left them out (for having left, or as staff),
        and the contests that do not count their vote (banned while it ran)."""
        community_id = await self.community_id(community)
        parts: dict[str, Any] = {}
        async with self.core.db.session() as session:
            for export in (export_contests, export_entries, export_giveaways, export_wins):
                parts.update(await export(session, community_id, user.id))
        # A part no one placed fails the export (then marked incomplete) rather than vanish.
        return {key: parts[key] for key in sorted(parts, key=EXPORT_ORDER.index) if parts[key]}

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the entries (their texts), votes and left-out ids of the contests closed or
        cancelled before ``cutoff``, and the entrants and drawn ids of the giveaways drawn
        before it. The contests, giveaways and places won (the hall of fame) stay."""
        community_id = await self.community_id(community)
        forgotten = await forget_contests(self.core.db, community_id, cutoff)
        forgotten += await forget_giveaways(self.core.db, community_id, cutoff)
        if forgotten:
            self._entry_messages = None  # read again when needed, without the entries gone
        return forgotten

    async def members_still_needed(self, community: CommunityRef) -> set[str]:
        """The authors, voters and giveaway entrants still kept (see
        :func:`~cogs.contests.retention.members_named`)."""
        return await members_named(self.core.db, await self.community_id(community))

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget the member's entries (with their votes), votes, giveaway entries and wins,
        their id in the giveaway draws they won, among those a close or a draw left out for
        having left, and on what they created, and the bot's posts of their entries."""
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            # Votes and entries before the contests they point to, tickets and draws before
            # their giveaways: a row goes or changes before the one it refers to.
            posts = await erase_entries(session, community_id, user.id)
            await erase_giveaways(session, community_id, user.id)
            await erase_wins(session, community_id, user.id)
            await erase_contests(session, community_id, user.id)
            await session.commit()
        if posts:
            await self.actions.delete_many(
                [
                    MessageRef(ChannelRef(community, channel_id), message_id)
                    for channel_id, message_id in posts
                ]
            )
