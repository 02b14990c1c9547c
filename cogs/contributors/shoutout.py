"""The weekly shout-out and the role rewards for the week's top contributors.

One cron job per community (``contributors:shoutout:<community>``), in the community's time zone,
scheduled the first time the cog hears from the community and again when the rule book changes
the schedule. The role goes to the top N and is taken back from those who dropped out; the
holders are remembered in the core's state, so a restart takes back the right roles.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.cog import job
from bot.events import CommunityRef, MemberRef, UserRef
from bot.platform import Capability
from bot.ruleconf import render
from bot.state import StateStore
from cogs.contributors.base import ContributorsBase
from cogs.contributors.scoring import Span, Standing

WEEK = timedelta(days=7)


class Shoutout(ContributorsBase):
    """The weekly celebration of the community's contributors."""

    @staticmethod
    def shoutout_job_id(community: CommunityRef) -> str:
        """``contributors:shoutout:<platform>-<id>``."""
        return f"contributors:shoutout:{community.key}"

    def _schedule_signature(self, community: CommunityRef) -> str:
        shoutout = self.settings(community).shoutout
        zone = self.core.community_config(community).timezone
        return f"{shoutout.day_of_week} {shoutout.hour:02d}:{shoutout.minute:02d} {zone}"

    def ensure_shoutout(self, community: CommunityRef) -> None:
        """Schedule the community's weekly shout-out if it is not, or not as the rules say."""
        scheduled = self.scheduled_shoutouts
        signature = self._schedule_signature(community)
        if scheduled.get(community) == signature:
            return
        job_id = self.shoutout_job_id(community)
        pending = self.core.scheduler.pending(job_id)
        if not (pending and pending[0].kwargs.get("signature") == signature):
            shoutout = self.settings(community).shoutout
            self.core.scheduler.cron(
                job_id,
                self.name,
                "shoutout",
                timezone=self.core.community_config(community).timezone,
                kwargs={
                    "platform": community.platform,
                    "community_id": community.id,
                    "community_name": community.name,
                    "signature": signature,
                },
                day_of_week=shoutout.day_of_week,
                hour=shoutout.hour,
                minute=shoutout.minute,
            )
        scheduled[community] = signature

    def last_week(self) -> Span:
        """The 7 days before today: the week a Monday morning shout-out celebrates."""
        today = self.core.clock.now().date()
        return Span(today - WEEK, today - timedelta(days=1))

    @staticmethod
    def _community(arguments: dict[str, Any]) -> CommunityRef:
        return CommunityRef(
            arguments["platform"], arguments["community_id"], arguments["community_name"]
        )

    @job
    async def shoutout(self, **arguments: Any) -> None:
        """Post the week's shout-out and move the role rewards (scheduler job)."""
        community = self._community(arguments)
        if not self.core.cog_enabled(self.name, community):
            return
        await self.flush()
        config = self.settings(community)
        standings = await self.standings(community, self.last_week())
        if config.shoutout.enabled and config.shoutout.channel:
            await self._post_shoutout(community, standings)
        if config.roles.enabled:
            await self.reward(community, standings[: config.roles.top])

    async def _post_shoutout(self, community: CommunityRef, standings: list[Standing]) -> None:
        config = self.settings(community)
        texts = self.texts(community)
        window = self.last_week()
        top = standings[: config.shoutout.top]
        influencers = await self.influence_of(community, window)
        influencer = influencers[0] if influencers else None
        since = self.core.clock.now() - timedelta(days=config.shoutout.newcomer_days)
        newcomers = await self.newcomers(community, since)
        newcomer = next((item for item in standings if item.user_id in newcomers), None)
        if not top and influencer is None and newcomer is None:
            return
        mentioned = [item.user_id for item in top]
        mentioned += [found.user_id for found in (influencer, newcomer) if found is not None]
        names = await self.names(community, mentioned)
        lines = [render(texts.shoutout_header, community=community.name or community.id)]
        for rank, item in enumerate(top, start=1):
            lines.append(
                render(
                    texts.shoutout_line,
                    rank=rank,
                    member=names[item.user_id],
                    reason=self.reason(community, item, item.main_reason),
                )
            )
        if influencer is not None:
            lines.append(
                render(
                    texts.shoutout_influencer,
                    member=names[influencer.user_id],
                    members=influencer.engaged,
                )
            )
        if newcomer is not None:
            lines.append(
                render(
                    texts.shoutout_newcomer,
                    member=names[newcomer.user_id],
                    reason=self.reason(community, newcomer, newcomer.main_reason),
                )
            )
        channel = await self.core.resolve_channel(community, config.shoutout.channel or "")
        if channel is None:
            self.log.warning("shout-out channel not found in %s", community.key)
            return
        users = [UserRef(community.platform, user_id, names[user_id]) for user_id in names]
        await self.actions.send(channel, "\n".join(lines), mention=users)

    async def reward(self, community: CommunityRef, top: list[Standing]) -> None:
        """Give the role to ``top`` and take it back from the previous holders who dropped out."""
        if not self.actions.can(community.platform, Capability.ROLES):
            self.log.info("%s has no roles: no role rewards in %s", community.platform, community)
            return
        role = self.settings(community).roles.role
        state = StateStore(self.core.db)
        key = f"contributors:role_holders:{community.key}"
        stored = await state.get(key)
        previous: list[str] = json.loads(stored) if stored else []
        holders = [item.user_id for item in top]
        names = await self.names(community, [*holders, *previous])
        for user_id in previous:
            if user_id not in holders:
                member = MemberRef(community, UserRef(community.platform, user_id, names[user_id]))
                await self.actions.remove_role(member, role)
        for user_id in holders:
            if user_id not in previous:
                member = MemberRef(community, UserRef(community.platform, user_id, names[user_id]))
                await self.actions.add_role(member, role)
        await state.set(key, json.dumps(holders))

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A shout-out due while the bot was down is not posted late: say so in the mod-log."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler != "shoutout":
            return
        community = self._community(kwargs)
        due = self.core.clock.now() - late_by
        zone = self.core.community_config(community).zone
        when = due.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        await self.core.modlog(community, render(self.texts(community).shoutout_missed, when=when))
