"""Recurring challenges from the rule book: each run is a contest the scheduler creates.

Each enabled challenge of each community is one cron job (``challenge:<community>:<id>``) in the
community's time zone, so 09:00 stays 09:00 local across daylight-saving changes; the night clocks
go back, a run in the repeated hour (APScheduler 3 fires 02:30 twice) is skipped, and the night
they go forward, a time that does not exist runs once, an hour later. The jobs are
brought in line with the rules once the bot has started and after every reload (a challenge
removed from the YAML is cancelled), and when a community is seen for the first time. Themes are
taken in turn; the position is stored, so a restart continues with the next theme.

A run counts from its scheduled time, however late the bot makes it: a run the scheduler
runs late (within its grace) closes when it would have on time. A run missed while the bot was
down is opened late while at least half its ``open_for`` is left, closing when it would have
(the mod-log says so); later than that it is skipped, and the mod-log says when the next one
opens. When the themes run out and start again, the mod-log says so.

A run is two writes: its theme is taken (the turn stored, with the time of the run), then its
contest is made. A run the process died between the two (a kill, a power cut) is completed
when the bot starts again, or by the challenge's next job, with the theme it had taken: its
contest is made and its opening scheduled at the run's time, so the catch-up announces it, or
reports it to the mod-log past the scheduler's grace (its contest then open without an
announcement, as any contest whose opening the bot missed). Never twice: a run that finds its
time already run (its job run again because the process died before the scheduler stored its
next time) does nothing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.bus import Priority
from bot.cog import job, listener
from bot.crontab import crontab_fields
from bot.events import ChannelRef, CommunityRef, CommunitySeen
from bot.ruleconf import render
from bot.scheduler import WallClockCronTrigger
from bot.weekly import local_time_came_again
from cogs.contests.config import ChallengeConfig
from cogs.contests.contests import ContestCommands
from cogs.contests.models import ChallengeTurn, Contest
from cogs.contests.schedules import after

RUN_GUARD = timedelta(seconds=30)
"""Two runs of one challenge closer than this are one run seen twice (cron is per minute)."""


def challenge_job_id(community: CommunityRef, challenge_id: str) -> str:
    """The stable id of a challenge's cron job in one community."""
    return f"challenge:{community.key}:{challenge_id}"


class Challenges(ContestCommands):
    """Recurring challenges: cron jobs that open a contest with the next theme."""

    _refreshed: set[str]
    _challenge_runs: asyncio.Lock
    """Held while a run is taken or completed: a reload completing an interrupted run while
    that run is still on its way would make its contest twice."""

    def _signature(self, community: CommunityRef, challenge: ChallengeConfig) -> str:
        return f"{challenge.schedule}|{self.core.community_config(community).timezone}"

    def _wanted(self, community: CommunityRef) -> dict[str, ChallengeConfig]:
        if not self.core.cog_enabled(self.name, community):
            return {}
        return {
            challenge_id: challenge
            for challenge_id, challenge in self.settings(community).challenges.items()
            if challenge.enabled
        }

    def refresh_community(self, community: CommunityRef) -> None:
        """Bring the community's challenge jobs in line with its rules."""
        self._refreshed.add(community.key)
        prefix = challenge_job_id(community, "")
        existing = {job.id: job for job in self.core.scheduler.pending(prefix)}
        wanted = {
            challenge_job_id(community, challenge_id): (challenge_id, challenge)
            for challenge_id, challenge in self._wanted(community).items()
        }
        for job_id in existing.keys() - wanted.keys():
            self.core.scheduler.cancel(job_id)
            self.log.info("challenge job %s cancelled: no longer in the rules", job_id)
        timezone = self.core.community_config(community).timezone
        for job_id, (challenge_id, challenge) in wanted.items():
            signature = self._signature(community, challenge)
            current = existing.get(job_id)
            if current is not None and current.kwargs.get("signature") == signature:
                continue  # untouched: keep its next run (and any catch-up) as it is
            self.core.scheduler.cron(
                job_id,
                self.name,
                "run_challenge",
                timezone=timezone,
                kwargs={
                    "platform": community.platform,
                    "community_id": community.id,
                    "community_name": community.name,
                    "challenge_id": challenge_id,
                    "signature": signature,
                },
                **crontab_fields(challenge.schedule),
            )

    async def refresh_challenges(self) -> None:
        """Bring every known community's challenge jobs in line with the rules."""
        self._refreshed = set()
        for community in await self.known_communities():
            self.refresh_community(community)
            await self.complete_interrupted_runs(community)

    @listener(CommunitySeen, priority=Priority.OBSERVATION)
    async def notice_community(self, event: CommunitySeen) -> None:
        """A community seen for the first time gets its challenges."""
        if event.community.key not in self._refreshed:
            self.refresh_community(event.community)

    @job
    async def run_challenge(self, **arguments: Any) -> None:
        """Open this week's run of a challenge with its next theme (scheduler job)."""
        community = CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )
        challenge = self._wanted(community).get(arguments["challenge_id"])
        if challenge is None or self._signature(community, challenge) != arguments["signature"]:
            # The rules changed since this job was stored: do as they say now.
            self.refresh_community(community)
            return
        challenge_id = arguments["challenge_id"]
        settings = self.settings(community)
        channel = await self.announce_channel(
            community, challenge.channel or settings.contests.channel, None
        )
        if channel is None:
            # Before the theme is taken: the next run has the theme this one would have had.
            self.log.warning("challenge %s has no channel in %s", challenge_id, community.key)
            return
        await self._open_run(
            community, challenge_id, challenge, channel, self._due(community, challenge)
        )

    async def _open_run(
        self,
        community: CommunityRef,
        challenge_id: str,
        challenge: ChallengeConfig,
        channel: ChannelRef,
        at: datetime,
    ) -> Contest | None:
        """Open the run of ``challenge`` scheduled at ``at`` (now, or earlier: it closes when
        it would have on time); None if that run already happened."""
        async with self._challenge_runs:
            await self._complete_interrupted(community, challenge_id, challenge)
            theme = await self._next_theme(community, challenge_id, challenge, at)
            if theme is None:
                return None
            contest = await self.store_contest(
                await self._run_contest(community, challenge_id, challenge, channel, theme, at)
            )
            await self.begin(community, contest)
            return contest

    def _due(self, community: CommunityRef, challenge: ChallengeConfig) -> datetime:
        """When the run the scheduler is making now was due: the latest time of the schedule
        within the scheduler's grace (now if none, as on time)."""
        now = self.core.clock.now()
        trigger = WallClockCronTrigger(
            timezone=self.core.community_config(community).timezone,
            **crontab_fields(challenge.schedule),
        )
        due = now
        following = trigger.get_next_fire_time(None, now - self.core.scheduler.misfire_grace)
        while following is not None and following <= now:
            due = following
            following = trigger.get_next_fire_time(following, following + timedelta(seconds=1))
        return due

    async def _run_contest(
        self,
        community: CommunityRef,
        challenge_id: str,
        challenge: ChallengeConfig,
        channel: ChannelRef,
        theme: str,
        at: datetime,
    ) -> Contest:
        """The contest of the run of ``challenge`` at ``at``, not stored yet."""
        return Contest(
            community_id=await self.community_id(community),
            title=challenge.title,
            description=challenge.description,
            channel_id=channel.id,
            channel_name=channel.name,
            starts_at=at,
            ends_at=after(at, challenge.open_for, self.zone(community)),
            entries_per_member=challenge.entries_per_member,
            winners=challenge.winners,
            choose_by=challenge.choose_by,
            challenge_id=challenge_id,
            theme=theme,
        )

    async def complete_interrupted_runs(self, community: CommunityRef) -> None:
        """Complete the community's runs whose contest was never made (the process died
        between taking the theme and making it)."""
        for challenge_id, challenge in self._wanted(community).items():
            async with self._challenge_runs:
                await self._complete_interrupted(community, challenge_id, challenge)

    async def _complete_interrupted(
        self, community: CommunityRef, challenge_id: str, challenge: ChallengeConfig
    ) -> None:
        """Make the contest of the challenge's last run if it has none, with the theme that
        run took, and schedule its phases from the run's time (its opening included: the
        scheduler runs it, late, or reports it missed). Call with the runs' lock held."""
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            turn = await _stored_turn(session, community_id, challenge_id)
            if turn is None or turn.last_run_at is None:
                return
            made = (
                await session.exec(
                    select(Contest.id).where(
                        col(Contest.community_id) == community_id,
                        col(Contest.challenge_id) == challenge_id,
                        # Older runs read the clock twice: their contest starts a moment early.
                        col(Contest.starts_at) >= turn.last_run_at - RUN_GUARD,
                    )
                )
            ).first()
        if made is not None:
            return
        if (
            after(turn.last_run_at, challenge.open_for, self.zone(community))
            <= self.core.clock.now()
        ):
            # Its whole run went by (or it had no channel, before a missing channel stopped
            # taking a theme): nothing is left to open or close.
            return
        settings = self.settings(community)
        channel = await self.announce_channel(
            community, challenge.channel or settings.contests.channel, None
        )
        if channel is None:
            return  # said when it ran; tried again at the next start or run
        theme = challenge.themes[(turn.next_theme - 1) % len(challenge.themes)]
        contest = await self.store_contest(
            await self._run_contest(
                community, challenge_id, challenge, channel, theme, turn.last_run_at
            )
        )
        self.log.warning(
            "challenge %s in %s: the run of %s was interrupted; its contest #%s is made now",
            challenge_id,
            community.key,
            turn.last_run_at.isoformat(),
            contest.id,
        )
        self.resume_phases(community, contest)

    async def coming_challenges(self, community: CommunityRef) -> list[tuple[datetime, str]]:
        """The next run of each enabled challenge, as ``/contest_list`` writes it: known before
        it opens, though its contest is made only then."""
        wanted = self._wanted(community)
        if not wanted:
            return []
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            turns = {
                turn.challenge_id: turn
                for turn in await session.exec(
                    select(ChallengeTurn).where(col(ChallengeTurn.community_id) == community_id)
                )
            }
        texts = self.texts(community)
        coming = []
        for challenge_id, challenge in wanted.items():
            when = self.core.scheduler.next_run(challenge_job_id(community, challenge_id))
            if when is None:
                continue
            turn = turns.get(challenge_id)
            theme = challenge.themes[(turn.next_theme if turn else 0) % len(challenge.themes)]
            line = render(
                texts.list_challenge,
                title=challenge.title,
                theme=theme,
                when=self.when(community, when),
            )
            coming.append((when, line))
        return coming

    async def _next_theme(
        self, community: CommunityRef, challenge_id: str, challenge: ChallengeConfig, now: datetime
    ) -> str | None:
        """Take the challenge's next theme for its run at ``now`` (None if this run already
        happened)."""
        community_id = await self.community_id(community)
        async with self.core.db.session() as session:
            turn = await _stored_turn(session, community_id, challenge_id)
            if turn is None:
                turn = ChallengeTurn(community_id=community_id, challenge_id=challenge_id)
            elif turn.last_run_at is not None and (
                now - turn.last_run_at < RUN_GUARD
                or local_time_came_again(turn.last_run_at, now, self.zone(community))
                or not self._came_since(community, challenge, turn.last_run_at, now)
            ):
                return None
            position = turn.next_theme % len(challenge.themes)
            again = position == 0 and turn.last_run_at is not None
            turn.next_theme = (position + 1) % len(challenge.themes)
            turn.last_run_at = now
            session.add(turn)
            await session.commit()
        if again:
            await self.core.modlog(
                community,
                render(
                    self.texts(community).challenge_themes_again,
                    challenge=challenge.title,
                    theme=challenge.themes[position],
                    count=len(challenge.themes),
                ),
            )
        return challenge.themes[position]

    def _came_since(
        self, community: CommunityRef, challenge: ChallengeConfig, last: datetime, now: datetime
    ) -> bool:
        """Whether a time of the challenge's schedule came after its run at ``last``, by
        ``now``: if not, this run is that one again (its job stored before it moved on)."""
        trigger = WallClockCronTrigger(
            timezone=self.core.community_config(community).timezone,
            **crontab_fields(challenge.schedule),
        )
        following = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
        return following is not None and following <= now

    async def challenge_missed(self, kwargs: dict[str, Any], late_by: timedelta) -> None:
        """A run fell due too long ago: opened late while at least half its time is left
        (closing when it would have), else skipped; the moderators are told which."""
        community = CommunityRef(
            kwargs["platform"], kwargs["community_id"], kwargs["community_name"]
        )
        challenge_id = kwargs["challenge_id"]
        challenge = self._wanted(community).get(challenge_id)
        if challenge is None:
            return
        now = self.core.clock.now()
        due = now - late_by
        texts = self.texts(community)
        when = self.when(community, due)
        if after(due, challenge.open_for, self.zone(community)) - now >= challenge.open_for / 2:
            settings = self.settings(community)
            channel = await self.announce_channel(
                community, challenge.channel or settings.contests.channel, None
            )
            if channel is not None:
                contest = await self._open_run(community, challenge_id, challenge, channel, due)
                if contest is not None:
                    await self.core.modlog(
                        community,
                        render(
                            texts.challenge_opened_late,
                            challenge=challenge.title,
                            when=when,
                            id=contest.id,
                            end=self.when(community, contest.ends_at),
                        ),
                    )
                return
        following = self.core.scheduler.next_run(challenge_job_id(community, challenge_id))
        await self.core.modlog(
            community,
            render(
                texts.challenge_missed,
                challenge=challenge.title,
                when=when,
                next=self.when(community, following) if following else "?",
            ),
        )


async def _stored_turn(
    session: AsyncSession, community_id: int, challenge_id: str
) -> ChallengeTurn | None:
    """The stored turn of challenge ``challenge_id`` in a community (None before its first
    run)."""
    return (
        await session.exec(
            select(ChallengeTurn).where(
                col(ChallengeTurn.community_id) == community_id,
                col(ChallengeTurn.challenge_id) == challenge_id,
            )
        )
    ).first()
