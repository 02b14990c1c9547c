"""The weekly shout-out and the role rewards for the week's top contributors.

One cron job per community (``contributors:shoutout:<community>``), in the community's time zone,
scheduled the first time the cog hears from the community and again when the rule book changes
the schedule. The list names the top N and the role goes to the top N, each with those tied
for the Nth place, as ``/top`` lists them (see :func:`~cogs.contributors.scoring.leading`); the
role is taken back from those who dropped out, and its holders are remembered in the core's
state, so a restart takes back the right roles. Both pass over members who left (the rankings
leave them out) and a member with a moderation case in the week (``skip_moderated``): praise in
public for someone the moderators just sanctioned would undo their work.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from bot.actions import Refusals
from bot.cog import job
from bot.events import CommunityRef, MemberRef, UserRef
from bot.localtime import local_time
from bot.platform import MOOT_REFUSALS, Capability
from bot.ruleconf import plain_name, render
from bot.state import StateStore
from bot.weekly import WeeklyJob
from cogs.contributors.base import ContributorsBase, shown
from cogs.contributors.influence import InfluenceConvergenceError
from cogs.contributors.scoring import Span, Standing, leading, places

WEEK = timedelta(days=7)
GONE = MOOT_REFUSALS - {"not_banned"}
"""Refusals of a role change that say the member left: their roles went with them."""


class Shoutout(ContributorsBase):
    """The weekly celebration of the community's contributors."""

    def last_week(self, community: CommunityRef) -> Span:
        """The 7 days before today, in the community's time zone: the week a Monday morning
        shout-out celebrates."""
        today = self.today(community)
        return Span(today - WEEK, today - timedelta(days=1))

    @job
    async def shoutout(self, **arguments: Any) -> None:
        """Post the week's shout-out and move the role rewards (scheduler job)."""
        community = WeeklyJob.community(arguments)
        if not self.core.cog_enabled(self.name, community):
            return
        # A case the netiquette is recording this instant belongs to the week too.
        await self.core.caught_up()
        await self.flush()
        config = self.settings(community)
        window = self.last_week(community)
        with self._reckoning(community) as taken_back:
            passed_over = await self.passed_over(community, window)
            standings = [
                item
                for item in await self.standings(community, window)
                if item.user_id not in passed_over
            ]
            if config.shoutout.enabled and config.shoutout.channel:
                await self._post_shoutout(community, window, standings, passed_over)
            if config.roles.enabled:
                leaders = self.leaders(standings, config.roles.top)
                await self.reward(community, leaders, taken_back=taken_back)

    @contextmanager
    def _reckoning(self, community: CommunityRef) -> Iterator[set[str]]:
        """The members whose role is taken back (an opt-out, an erasure) while the block runs:
        the standings it reckoned still rank them."""
        taken_back: set[str] = set()
        runs = self.taken_back.setdefault(community.key, [])
        runs.append(taken_back)
        try:
            yield taken_back
        finally:
            runs[:] = [run for run in runs if run is not taken_back]
            if not runs:
                del self.taken_back[community.key]

    @staticmethod
    def leaders(standings: list[Standing], count: int) -> list[Standing]:
        """The first ``count`` of ``standings`` and those tied with the last of them, as in
        ``/top`` (see :func:`~cogs.contributors.scoring.leading`)."""
        return leading(standings, [shown(item.score) for item in standings], count)

    async def _post_shoutout(
        self,
        community: CommunityRef,
        window: Span,
        standings: list[Standing],
        passed_over: set[str],
    ) -> None:
        config = self.settings(community)
        texts = self.texts(community)
        top = self.leaders(standings, config.shoutout.top)
        try:
            influencers = await self.influence_of(community, window)
        except InfluenceConvergenceError as error:
            # The rest of the shout-out is worth posting without its influencer line.
            await self.tell_influence_unavailable(community, error)
            influencers = []
        candidates = [item for item in influencers if item.user_id not in passed_over]
        influencer = next(iter(candidates), None)
        since = self.core.clock.now() - timedelta(days=config.shoutout.newcomer_days)
        newcomers = await self.newcomers(community, since)
        # A newcomer already among the top is celebrated there: the line goes to the next one.
        celebrated = {item.user_id for item in top}
        arrived = [
            item
            for item in standings
            if item.user_id in newcomers and item.user_id not in celebrated
        ]
        newcomer = next(iter(arrived), None)
        if not top and influencer is None and newcomer is None:
            return
        mentioned = [item.user_id for item in top]
        mentioned += [found.user_id for found in (influencer, newcomer) if found is not None]
        names = await self.names(community, mentioned)
        lines = [render(texts.shoutout_header, community=community.name or community.id)]
        ranks = places([shown(item.score) for item in top])
        for rank, item in zip(ranks, top, strict=True):
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

    async def reward(
        self, community: CommunityRef, top: list[Standing], *, taken_back: Collection[str] = ()
    ) -> None:
        """Give the role to ``top`` and take it back from the previous holders who dropped out.

        Leaders whose role was taken back since ``top`` was reckoned (``taken_back``, or who
        opted out) get none. The role is given to every leader at each shout-out (a no-op for
        one who has it): a member who left and came back lost it. What is remembered is who
        may hold the role: a removal the platform refused is tried again at the next
        shout-out, unless the member left (the role went with them)."""
        if not self.actions.can(community.platform, Capability.ROLES):
            self.log.info("%s has no roles: no role rewards in %s", community.platform, community)
            return
        role = self.settings(community).roles.role
        state = StateStore(self.core.db)
        key = f"contributors:role_holders:{community.key}"
        # From reading the holders to writing them: an opt-out or erasure waits, and then
        # finds the holders this wrote.
        async with self.role_locks.holding(community.key):
            dropped = set(taken_back) | await self.optouts.of(community)
            leaders = [item.user_id for item in top if item.user_id not in dropped]
            stored = await state.get(key)
            previous: list[str] = json.loads(stored) if stored else []
            names = await self.names(community, [*leaders, *previous])
            holding: list[str] = []
            for user_id in previous:
                if user_id in leaders:
                    continue
                if await self._kept(community, user_id, names[user_id], role) is not None:
                    holding.append(user_id)
            for user_id in leaders:
                member = MemberRef(community, UserRef(community.platform, user_id, names[user_id]))
                # A holder whose grant is refused now may hold it still: kept, to take back.
                if await self.actions.add_role(member, role) or user_id in previous:
                    holding.append(user_id)
            await state.set(key, json.dumps(holding))

    async def _kept(
        self, community: CommunityRef, user_id: str, name: str, role: str
    ) -> Refusals | None:
        """Take ``role`` from the member: ``None`` once they no longer hold it (taken back, or
        they left: the platform says so, and the mod-log need not hear it), else why the
        platform refused."""
        member = MemberRef(community, UserRef(community.platform, user_id, name))
        with self.actions.refusals(expected=GONE) as refused:
            if await self.actions.remove_role(member, role):
                return None
        return None if GONE.intersection(refused.keys) else refused

    async def take_back_role(
        self,
        community: CommunityRef,
        user_id: str,
        *,
        forget: bool = False,
        name: str | None = None,
    ) -> None:
        """Take the reward role back from ``user_id`` now (an opt-out, an erasure), not at the
        next shout-out, and keep a shout-out running from giving it to them; one the platform
        refused to take back is tried again then, unless the member is being forgotten: an
        erasure keeps no id, and the mod-log names the member for a moderator to take it."""
        for run in self.taken_back.get(community.key, ()):
            run.add(user_id)
        state = StateStore(self.core.db)
        key = f"contributors:role_holders:{community.key}"
        async with self.role_locks.holding(community.key):
            stored = await state.get(key)
            holders: list[str] = json.loads(stored) if stored else []
            if user_id not in holders:
                return
            # Named as the erasure names them: the core may have forgotten them already.
            named = plain_name(name) if name else None
            named = named or (await self.names(community, [user_id]))[user_id]
            role = self.settings(community).roles.role
            refused = await self._kept(community, user_id, named, role)
            if refused is not None:
                if not forget:
                    return
                texts = self.texts(community)
                reason = "; ".join(refused)
                await self.core.modlog(
                    community,
                    render(texts.role_kept_after_erasure, role=role, member=named, reason=reason),
                    # The log names the member by id, and the refusal by its kinds only.
                    logged=render(
                        texts.role_kept_after_erasure,
                        role=role,
                        member=user_id,
                        reason=", ".join(refused.keys),
                    ),
                )
            holders.remove(user_id)
            await state.set(key, json.dumps(holders))

    async def on_job_missed(
        self, handler: str, job_id: str, kwargs: dict[str, Any], late_by: timedelta
    ) -> None:
        """A shout-out due while the bot was down is not posted late: say so in the mod-log."""
        await super().on_job_missed(handler, job_id, kwargs, late_by)
        if handler != "shoutout":
            return
        community = WeeklyJob.community(kwargs)
        due = self.core.clock.now() - late_by
        zone = self.core.community_config(community).zone
        when = local_time(due, zone)
        await self.core.modlog(community, render(self.texts(community).shoutout_missed, when=when))
