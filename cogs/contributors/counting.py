"""Counting what members do: messages of substance, replies, mentions, reactions and thanks.

Listeners run at observation priority: a message the netiquette removed first is never seen, and
one removed later (``MessageDeleted``, or marked removed by a moderation cog) takes back every
point it brought. Bots and members who opted out are not counted. No text is stored: only
counters per member per day, and interactions per pair of members per day.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.bus import Priority
from bot.cog import listener
from bot.events import (
    CommunityRef,
    ContestWon,
    MemberIntroduced,
    MessageCreated,
    MessageDeleted,
    MessageRef,
    ModerationPardoned,
    ModerationRecorded,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)
from cogs.contributors.base import ContributorsBase
from cogs.contributors.buffer import DailyKey, EdgeKey
from cogs.contributors.tracked import TrackedMessage

NOT_SANCTIONS = frozenset({"note", "untimeout", "unban"})
"""Case actions that sanction nobody: a moderator's note, a lift."""


def sanctions(actions: str) -> bool:
    """Whether a case's actions (``delete, warn``) sanction the member."""
    return not set(actions.split(", ")) <= NOT_SANCTIONS


class Counting(ContributorsBase):
    """The listeners that feed the counters."""

    def _tracked(self, message: MessageRef | None) -> TrackedMessage | None:
        if message is None:
            return None
        if self.core.bus.is_removed(message):
            # Removed by a moderation cog after we counted it: its points go with it.
            self.ledger.removed(message)
            return None
        return self.ledger.get(message)

    @listener(MessageCreated, priority=Priority.OBSERVATION)
    async def count_message(self, event: MessageCreated) -> None:
        """Score a message, and the reply, mentions and thanks it gives to others."""
        author = event.author.user
        if author.is_bot:
            return
        community = event.community
        self.ensure_shoutout(community)
        optouts = await self.optouts.of(community)
        if author.id in optouts:
            return
        config = self.settings(community)
        day = self._day_of(event.at)
        tracked = TrackedMessage(author.id)
        substantial = len(event.text.strip()) >= config.scoring.min_length
        if substantial and self.pace.allows(
            community, author.id, event.at, config.scoring.per_minute
        ):
            self.ledger.score(event.message, tracked, day)

        parent = self._tracked(event.reply_to)
        if parent is not None and (parent.author_id == author.id or parent.author_id in optouts):
            parent = None
        mentioned = self._mentioned(event.mentions, author, optouts)
        thanked = {parent.author_id} if parent is not None else set()
        thanked |= mentioned
        if parent is not None:
            self._link(community, event, tracked, parent, "reply")
        for target in sorted(mentioned):
            self._link(
                community, event, tracked, self._drawn_by(parent, target), "mention", target
            )
        if thanked and self.detector(community).thanks(event.text):
            for target in sorted(thanked):
                self._link(
                    community, event, tracked, self._drawn_by(parent, target), "thanks", target
                )
        self.ledger.track(event.message, tracked)
        await self.flush_if_full()

    def _day_of(self, at: datetime) -> date:
        """The UTC day of ``at``, one object per day: every tracked message keeps its day."""
        day = at.date()
        if day != self._day:
            self._day = day
        return self._day

    @staticmethod
    def _drawn_by(parent: TrackedMessage | None, target: str) -> TrackedMessage | None:
        """The message replied to, when ``target`` wrote it: it drew this interaction."""
        return parent if parent is not None and parent.author_id == target else None

    @staticmethod
    def _mentioned(mentions: tuple[UserRef, ...], author: UserRef, optouts: set[str]) -> set[str]:
        if not mentions:  # most messages
            return set()
        return {
            user.id
            for user in mentions
            if not user.is_bot and user.id != author.id and user.id not in optouts
        }

    def _link(
        self,
        community: CommunityRef,
        event: MessageCreated,
        tracked: TrackedMessage,
        parent: TrackedMessage | None,
        kind: str,
        target: str | None = None,
    ) -> None:
        """An interaction from the author to ``target`` (the parent's author by default)."""
        if target is None:
            assert parent is not None
            target = parent.author_id
        edge = EdgeKey(community, event.at.date(), event.author.user.id, target, kind)
        contribution = self.ledger.award_edge(edge)
        tracked.tie(contribution)
        if parent is not None:
            # The message replied to brought this too: removing it takes the point back.
            parent.tie(contribution)

    @listener(MessageDeleted, priority=Priority.OBSERVATION)
    async def take_back(self, event: MessageDeleted) -> None:
        """A removed message takes its points with it (its own and those it drew or gave)."""
        self.ledger.removed(event.message)
        await self.flush_if_full()

    @listener(ReactionAdded, priority=Priority.OBSERVATION)
    async def count_reaction(self, event: ReactionAdded) -> None:
        """A member reacting to someone else's message: one point per reacting member."""
        reactor = event.member.user
        tracked = self._tracked(event.message)
        if tracked is None or reactor.is_bot or reactor.id == tracked.author_id:
            return
        if reactor.id in await self.optouts.of(event.community):
            return
        count, contribution = tracked.reaction(reactor.id)
        if contribution is None:
            edge = EdgeKey(
                event.community, event.at.date(), reactor.id, tracked.author_id, "reaction"
            )
            contribution = self.ledger.award_edge(edge)
        tracked.react(reactor.id, count + 1, contribution)
        await self.flush_if_full()

    @listener(ReactionRemoved, priority=Priority.OBSERVATION)
    async def uncount_reaction(self, event: ReactionRemoved) -> None:
        """A reaction taken back; the point goes when the member's last reaction does."""
        tracked = self.ledger.get(event.message)
        if tracked is None:
            return
        count, contribution = tracked.reaction(event.member.user.id)
        if contribution is None:
            return
        tracked.react(event.member.user.id, count - 1, contribution)
        if count <= 1:
            self.ledger.revoke(contribution)

    @listener(MemberIntroduced, priority=Priority.OBSERVATION)
    async def count_introduction(self, event: MemberIntroduced) -> None:
        """A newcomer introduced themselves (told by the welcome cog)."""
        await self._count_daily(event.community, event.member.user, event.at, "introductions")

    @listener(ContestWon, priority=Priority.OBSERVATION)
    async def count_win(self, event: ContestWon) -> None:
        """A member won a contest (told by the contests cog)."""
        await self._count_daily(event.community, event.member.user, event.at, "contest_wins")

    @listener(ModerationRecorded, priority=Priority.OBSERVATION)
    async def count_case(self, event: ModerationRecorded) -> None:
        """A moderation case against a member (told by the netiquette cog)."""
        if sanctions(event.action):
            await self._count_daily(
                event.community, event.member.user, event.at, "moderation_cases"
            )

    @listener(ModerationPardoned, priority=Priority.OBSERVATION)
    async def count_pardon(self, event: ModerationPardoned) -> None:
        """A case pardoned: it no longer keeps the member out of the shout-out."""
        if not sanctions(event.action):
            return
        await self._count_daily(
            event.community, event.member.user, event.recorded_at, "moderation_cases", -1
        )

    async def _count_daily(
        self, community: CommunityRef, user: UserRef, at: datetime, field: str, delta: int = 1
    ) -> None:
        if user.is_bot or user.id in await self.optouts.of(community):
            return
        self.buffer.add_daily(DailyKey(community, user.id, at.date()), field, delta)
        await self.flush_if_full()
