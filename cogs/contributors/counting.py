"""Counting what members do: messages of substance, replies, mentions, reactions and thanks.

Listeners run at observation priority: a message the netiquette removed first is never seen, and
one removed later (``MessageDeleted``, or marked removed by a moderation cog) takes back every
point it brought; one edited is scored again (``MessageEdited``), for the day it was posted. Bots
and members who opted out are not counted. No text is stored: only counters per member per day,
and interactions per pair of members per day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.albums import LastAlbums
from bot.bus import Priority
from bot.cog import listener
from bot.dbrefusals import may_pass, reason
from bot.events import (
    CommunityRef,
    ContestWon,
    MemberIntroduced,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ModerationPardoned,
    ModerationRecorded,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)
from bot.localdays import LocalDays
from cogs.contributors.base import ContributorsBase
from cogs.contributors.config import ContributorsConfig
from cogs.contributors.thanks import ThanksDetector
from cogs.contributors.tracked import NOBODY, Addressed, TrackedMessage
from cogs.contributors.wins import record_win

if TYPE_CHECKING:
    from bot.core import Jardinier


NOT_SANCTIONS = frozenset({"note", "untimeout", "unban"})
"""Case actions that sanction nobody: a moderator's note, a lift."""


def sanctions(actions: str) -> bool:
    """Whether a case's actions (``delete, warn``) sanction the member."""
    return not set(actions.split(", ")) <= NOT_SANCTIONS


class CommunityCounting:
    """What counting reads of one community, resolved once per rule book: the listeners ask
    for it on every event."""

    __slots__ = ("book", "community", "days", "detector", "min_length", "optouts", "per_minute")

    def __init__(
        self,
        book: object,
        community: CommunityRef,
        config: ContributorsConfig,
        optouts: set[str],
        detector: ThanksDetector,
        days: LocalDays,
    ) -> None:
        self.book = book
        """The rule book these settings come from."""
        self.community = community
        """One reference for every counter's key: keys compare by identity, not by field."""
        self.min_length = config.scoring.min_length
        self.per_minute = config.scoring.per_minute
        self.optouts = optouts
        """The members who opted out (the very set :class:`OptOuts` keeps up to date)."""
        self.detector = detector
        self.days = days
        """The community's local dates: counters are kept per day of its own time zone."""


class Counting(ContributorsBase):
    """The listeners that feed the counters."""

    def __init__(self, core: Jardinier) -> None:
        super().__init__(core)
        self._communities: dict[str, CommunityCounting] = {}
        self._albums = LastAlbums()

    async def _counting(self, community: CommunityRef) -> CommunityCounting:
        """The community's counting settings, read again after a reload."""
        book = self.core.rules.current
        config, detector = self.settings(community), self.detector(community)
        self.ensure_shoutout(community)
        optouts = await self.optouts.of(community)
        zone = self.core.community_config(community).zone
        found = self._communities[community.key] = CommunityCounting(
            book, community, config, optouts, detector, LocalDays(zone)
        )
        return found

    def _tracked(self, message: MessageRef | None) -> TrackedMessage | None:
        if message is None:
            return None
        tracked = self.ledger.get(message)
        if tracked is not None and self.core.bus.is_removed(message):
            # Removed by a moderation cog after we counted it: its points go with it.
            self.ledger.removed(message)
            return None
        return tracked

    @listener(MessageCreated, priority=Priority.OBSERVATION)
    async def count_message(self, event: MessageCreated) -> None:
        """Score a message, and the reply, mentions and thanks it gives to others. An album is one
        message, however many photos (and captions) it holds: the first of them that counts
        anything (a point, a reply, a mention) is the album's."""
        author = event.author.user
        if author.is_bot:
            return
        message = event.message
        # Read through the message: the event's ``community`` is two property calls.
        counting = self._communities.get(message.channel.community.key)
        if counting is None or counting.book is not self.core.rules.current:
            counting = await self._counting(message.channel.community)
        author_id = author.id
        if author_id in counting.optouts:
            return
        at = event.at
        day = counting.days.of(at)  # one object per day: every tracked message keeps its day
        tracked = TrackedMessage(author_id)
        group = event.group
        if group is not None and self._albums.counted(counting.community, author_id, group):
            self.ledger.track(message, tracked)  # reactions to any of its photos still count
            return
        if len(event.text.strip()) >= counting.min_length:
            if self.pace.allows(counting.community, author_id, at, counting.per_minute):
                self.buffer.add_daily((counting.community, author_id, day), "messages")
                tracked.scored = day
            else:
                tracked.held = day  # its point comes if another member thanks it
        if event.reply_to is not None or event.mentions:
            self._interactions(counting, event, tracked, day)
        if group is None:
            tracked.day = day
        elif tracked.scored or tracked.held or event.reply_to is not None or event.mentions:
            # The album counted, once: a caption too short (or none) on its first photo leaves
            # a later one the chance to.
            self._albums.remember(counting.community, author_id, group)
            if tracked.scored or tracked.held:
                tracked.day = day  # the photo that carries the album's point
        self.ledger.track(message, tracked)
        if self.buffer.full:
            await self.flush_early()

    async def erase(
        self, community: CommunityRef, user_id: str, *, keep_cases: bool = False
    ) -> None:
        """Forget every counter about ``user_id`` in ``community`` (see
        :meth:`ContributorsBase.erase`), and their last album."""
        self._albums.forget(community, user_id)
        await super().erase(community, user_id, keep_cases=keep_cases)

    def _interactions(
        self,
        counting: CommunityCounting,
        event: MessageCreated,
        tracked: TrackedMessage,
        day: date,
    ) -> None:
        """The reply, mentions and thanks a message gives to others."""
        author = event.author.user
        optouts = counting.optouts
        parent, replied = self._replied(event, author, optouts)
        community = counting.community
        link = self.ledger.link
        if not event.mentions:  # most messages: a reply at most, and its thanks
            if replied is not None:
                link((community, day, author.id, replied, "reply"), tracked, parent)
                if counting.detector.thanks(event.text):
                    link((community, day, author.id, replied, "thanks"), tracked, parent)
                    if parent is not None:
                        self._release(counting, parent, tracked, author.id, day)
                    tracked.addressed = Addressed(event.reply_to, replied, (), (replied,))
                else:
                    tracked.addressed = Addressed(event.reply_to, replied)
            return
        mentioned = self._mentioned(event.mentions, author, optouts)
        if replied is not None:
            # A Discord reply pings its author by default, as a mention: it is one reply.
            mentioned.discard(replied)
        # "thanks @bob for the tip", in answer to carol's question, thanks bob, not carol: the
        # author replied to is thanked only when the thanks name nobody else, even someone
        # who cannot be credited (who opted out, a bot).
        named = self._named(event.mentions, author.id, replied)
        thanked = mentioned if named else {replied} if replied is not None else set()
        if replied is not None:
            link((community, day, author.id, replied, "reply"), tracked, parent)
        for target in sorted(mentioned):
            edge = (community, day, author.id, target, "mention")
            link(edge, tracked, self._drawn_by(parent, target))
        said_thanks = bool(thanked) and counting.detector.thanks(event.text)
        if said_thanks:
            for target in sorted(thanked):
                edge = (community, day, author.id, target, "thanks")
                link(edge, tracked, self._drawn_by(parent, target))
            if parent is not None and replied in thanked:
                self._release(counting, parent, tracked, author.id, day)
        if mentioned or replied is not None:
            tracked.addressed = Addressed(
                event.reply_to if replied is not None else None,
                replied,
                tuple(sorted(mentioned)),
                tuple(sorted(thanked)) if said_thanks else (),
            )

    def _replied(
        self, event: MessageCreated, author: UserRef, optouts: set[str]
    ) -> tuple[TrackedMessage | None, str | None]:
        """The message ``event`` replies to, if still remembered, and who wrote it, if they are
        to be credited (not the author themself, a bot, or a member who opted out).

        A message older than the memory, or posted before a restart, is not remembered: its
        author is then the one the platform names with the reply, if it does.
        """
        reply_to = event.reply_to
        if reply_to is None:
            return None, None
        parent = self._tracked(reply_to)
        if parent is not None:
            replied: str | None = parent.author_id
        elif self.core.bus.is_removed(reply_to):
            return None, None  # removed by a moderation cog: it earns nothing
        else:
            user = event.reply_to_author
            replied = None if user is None or user.is_bot else user.id
            if replied is not None and user is not None:
                # Perhaps never seen posting (the message predates the bot): the rankings
                # name them as the platform does here.
                self.unrecorded.heard(event.message.channel.community, user)
        if replied is None or replied == author.id or replied in optouts:
            return None, None
        return parent, replied

    def _release(
        self,
        counting: CommunityCounting,
        thanked: TrackedMessage,
        thanks: TrackedMessage,
        thanker: str,
        day: date,
    ) -> None:
        """A thanked message earns the point the per-minute cap held back: the cap stops a
        flood, not a quick helper being valued (once a day per thanking member and author)."""
        if thanked.held_day is not None and self.pace.releases(
            counting.community, thanker, thanked.author_id, day
        ):
            self.ledger.release(counting.community, thanked, thanks)

    @staticmethod
    def _drawn_by(parent: TrackedMessage | None, target: str) -> TrackedMessage | None:
        """The message replied to, when ``target`` wrote it: it drew this interaction."""
        return parent if parent is not None and parent.author_id == target else None

    @staticmethod
    def _named(mentions: tuple[UserRef, ...], author_id: str, replied: str | None) -> bool:
        """Whether a message names someone other than its author and the author it replies
        to (whose ping comes with a reply), whether or not they can be credited."""
        return any(user.id != author_id and user.id != replied for user in mentions)

    @staticmethod
    def _mentioned(mentions: tuple[UserRef, ...], author: UserRef, optouts: set[str]) -> set[str]:
        return {
            user.id
            for user in mentions
            if not user.is_bot and user.id != author.id and user.id not in optouts
        }

    @listener(MessageEdited, priority=Priority.OBSERVATION)
    async def rescore_edit(self, event: MessageEdited) -> None:
        """Score an edited message again, for the day it was posted: "ok" edited into a long
        answer earns its point (within the per-minute cap, counted at the edit, like a new
        message: a burst of such edits is a flood too), and an answer edited down to "." loses
        it. Members the edit mentions, or thanks, that the message did not credit yet are
        credited, once (see :meth:`_credit_edit`). A message older than what the cog remembers
        keeps what it earned, and its edit credits no one."""
        message = event.message
        tracked = self._tracked(message)
        if tracked is None:
            return
        counting = self._communities.get(message.channel.community.key)
        if counting is None or counting.book is not self.core.rules.current:
            counting = await self._counting(message.channel.community)
        author_id = tracked.author_id
        if author_id in counting.optouts:
            return
        if len(event.text.strip()) < counting.min_length:
            self.ledger.unscore(message, tracked)
        elif tracked.day is not None and tracked.scored is None and tracked.held is None:
            if self.pace.allows(counting.community, author_id, event.at, counting.per_minute):
                self.ledger.score(message, tracked, tracked.day)
            else:
                tracked.held = tracked.day  # its point comes if another member thanks it
        if event.mentions or tracked.addressed is not NOBODY:
            self._credit_edit(counting, tracked, event, counting.days.of(event.at))
        await self.flush_if_full()

    def _credit_edit(
        self, counting: CommunityCounting, tracked: TrackedMessage, event: MessageEdited, day: date
    ) -> None:
        """What an edit adds, on the day of the edit, as the edited text posted would give it
        (see :meth:`_interactions`): a mention of each member it mentions that the message did
        not, and, when it says thanks, thanks to each member it would thank that it did not
        thank yet. A member is mentioned and thanked once per message, however often it is
        edited. No one who opted out since is credited, nor the author of a message replied to
        that was removed since."""
        addressed = tracked.addressed
        author_id = tracked.author_id
        optouts = counting.optouts
        parent, replied = None, addressed.replied
        if addressed.reply_to is not None:
            parent = self._tracked(addressed.reply_to)
            if parent is None and self.core.bus.is_removed(addressed.reply_to):
                replied = None  # removed by a moderation cog: it draws nothing
        if replied in optouts:
            replied = None
        added = {
            user.id
            for user in event.mentions
            if not user.is_bot
            and user.id != author_id
            and user.id not in optouts
            and user.id != addressed.replied  # a reply is one, as when posted
            and user.id not in addressed.mentioned
        }
        mentioned = added.union(user for user in addressed.mentioned if user not in optouts)
        # As when posted: the author replied to is thanked when the thanks name nobody else,
        # even someone who cannot be credited; nor when the message named someone before.
        named = bool(addressed.mentioned) or self._named(
            event.mentions, author_id, addressed.replied
        )
        would_thank = mentioned if named else {replied} if replied is not None else set()
        thanked: set[str] = set()
        if would_thank and counting.detector.thanks(event.text):
            thanked = would_thank.difference(addressed.thanked)
        if not added and not thanked:
            return
        community, link = counting.community, self.ledger.link
        for target in sorted(added):
            edge = (community, day, author_id, target, "mention")
            link(edge, tracked, self._drawn_by(parent, target))
        for target in sorted(thanked):
            edge = (community, day, author_id, target, "thanks")
            link(edge, tracked, self._drawn_by(parent, target))
        if parent is not None and replied in thanked:
            self._release(counting, parent, tracked, author_id, day)
        tracked.addressed = Addressed(
            addressed.reply_to,
            addressed.replied,
            tuple(sorted(added.union(addressed.mentioned))),
            tuple(sorted(thanked.union(addressed.thanked))),
        )

    @listener(MessageDeleted, priority=Priority.OBSERVATION)
    async def take_back(self, event: MessageDeleted) -> None:
        """A removed message takes its points with it (its own and those it drew or gave)."""
        self.ledger.removed(event.message)
        await self.flush_if_full()

    @listener(ReactionAdded, priority=Priority.OBSERVATION)
    async def count_reaction(self, event: ReactionAdded) -> None:
        """A member reacting to someone else's message: one point per reacting member."""
        reactor = event.member.user
        message = event.message
        tracked = self._tracked(message)
        if tracked is None or reactor.is_bot or reactor.id == tracked.author_id:
            return
        if await self.core.held_back(event.member):
            return  # a newcomer who has not accepted the charter yet (the welcome cog's gate)
        community = message.channel.community
        counting = self._communities.get(community.key)
        if counting is None:
            optouts = await self.optouts.of(community)
            day = self.local_day(community, event.at)
        else:  # the opt-outs do not change with the rule book
            community, optouts = counting.community, counting.optouts
            day = counting.days.of(event.at)
        if reactor.id in optouts:
            return
        count, contribution = tracked.reaction(reactor.id)
        if contribution is None:
            edge = (community, day, reactor.id, tracked.author_id, "reaction")
            contribution = self.ledger.award_edge(edge)
        tracked.react(reactor.id, count + 1, contribution)
        if self.buffer.full:
            await self.flush_early()

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
        """A member won a contest or challenge (told by the contests cog): the first place only,
        as the hall of fame counts wins; a giveaway's draw is luck, not a contribution, and
        counts nothing. Written at once, and once, however often it is told (see
        :mod:`~cogs.contributors.wins`)."""
        community, user = event.community, event.member.user
        if event.kind == "giveaway" or event.rank != 1 or user.is_bot:
            return
        if user.id in await self.optouts.of(community):
            return
        day = self.local_day(community, event.at)
        community_id = await self.core.members.community_id(community)
        try:
            await record_win(self.core.db, community_id, event.contest_id, user.id, day)
        except Exception as error:
            if not may_pass(error):
                raise
            # Locked or busy for now: counted with the other counters, as it used to be.
            self.log.warning("contest win written behind: %s", reason(error))
            self.buffer.add_daily((community, user.id, day), "contest_wins")
            await self.flush_if_full()

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
        if user.is_bot:
            return
        # A case is counted for a member who opted out too: it is no score, and it must keep
        # them out of the week's shout-out should they opt in again.
        if field != "moderation_cases" and user.id in await self.optouts.of(community):
            return
        self.buffer.add_daily((community, user.id, self.local_day(community, at)), field, delta)
        await self.flush_if_full()
