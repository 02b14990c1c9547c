"""The recent messages the cog watches: who wrote them and what points they brought.

A message's points (its own, the replies, reactions and thanks it drew, and the interactions it
gave) are remembered so that a message removed later takes them all back with it. The map is
bounded: past :data:`MAX_TRACKED` messages the oldest are forgotten. A reaction to a forgotten
message (or to one posted before the bot started) earns nothing; a reply to one still credits its
author when the platform names them with the reply (see ``MessageCreated.reply_to_author``).

Memory is what bounds :data:`MAX_TRACKED`, so a tracked message is kept small: most messages
bring only their own point and draw no reaction. Their own point is kept as its day (taken back
with the message, never shared), other contributions as objects shared with the message that
drew them, and no list or dictionary is made before it is needed.

An edit scores the message again (see :meth:`MessageLedger.unscore`): its own point is taken back
when it no longer earns it, and given again, for the day it was posted, when it does. The
interactions it gave (a reply, mentions, thanks) are the event's, not the text's: an edit neither
gives them again nor takes them back. The exception is what an edit adds: a message that replies,
mentions or thanks keeps whom it addressed (:class:`Addressed`), so that an edit that mentions a
member more, or adds thanks, credits them then, once each.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from bot.events import CommunityRef, MessageRef
from cogs.contributors.buffer import CounterBuffer, Daily, Edge

MAX_TRACKED = 50_000
MAX_CONTRIBUTIONS = 200
"""Points remembered per message; past that, a removal takes back only these."""


@dataclass(eq=False, slots=True)
class Contribution:
    """One counter change awarded; it can be taken back once."""

    daily: Daily | None = None
    field: str = ""
    edge: Edge | None = None
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Addressed:
    """Whom a message addressed: the author of the message it replies to, the members it
    mentions, those it thanked. Kept for an edit, which credits only what it adds."""

    reply_to: MessageRef | None = None
    """The message it replies to, if any: what it draws goes with it if it is removed."""
    replied: str | None = None
    """Who wrote the message it replies to, when they are credited (not its author, a bot, or
    a member who opted out)."""
    mentioned: tuple[str, ...] = ()
    """The members credited with its mention, sorted (the author replied to is not: a reply
    is one). A tuple: a set costs several times the memory of the few ids it holds."""
    thanked: tuple[str, ...] = ()
    """The members it thanked, sorted."""


NOBODY = Addressed()
"""A message that replies to, mentions and thanks no one (most of them: none is kept)."""


class TrackedMessage:
    """A message the cog counted: its author and every contribution tied to it."""

    __slots__ = ("_reactions", "_tied", "addressed", "author_id", "day", "held", "scored")

    def __init__(self, author_id: str) -> None:
        self.author_id = author_id
        self.day: date | None = None
        """The day the message was posted, for an edit to give it its own point then; None
        where no edit may (a photo of an album whose point another photo carries)."""
        self.scored: date | None = None
        """The day of the message's own point (``messages``), if it earned one."""
        self.held: date | Contribution | None = None
        """A message the per-minute cap left without its point: its day, until another
        member's thanks give it the point (then that point, which is taken back if the thanks
        or the message are removed)."""
        # One contribution alone, a list past one, None before the first: a list costs more
        # than the contribution it would hold.
        self._tied: Contribution | list[Contribution] | None = None
        # Per reacting member: how many emojis they left, and the point it gave the author.
        # Made on the first reaction; most messages get none.
        self._reactions: dict[str, tuple[int, Contribution]] | None = None
        self.addressed: Addressed = NOBODY
        """Whom the message replied to, mentioned and thanked (see :class:`Addressed`)."""

    @property
    def held_day(self) -> date | None:
        """The day of the point the per-minute cap held back, while thanks may still give it
        (None once given, or if the cap took nothing)."""
        held = self.held
        if isinstance(held, Contribution):
            return held.daily[2] if held.revoked and held.daily is not None else None
        return held

    def tie(self, contribution: Contribution) -> None:
        """Remember ``contribution`` as this message's (to take back if it is removed)."""
        tied = self._tied
        if tied is None:
            self._tied = contribution
        elif isinstance(tied, Contribution):
            self._tied = [tied, contribution]
        elif len(tied) < MAX_CONTRIBUTIONS:
            tied.append(contribution)

    @property
    def contributions(self) -> list[Contribution]:
        """The contributions tied to this message, oldest first."""
        tied = self._tied
        if tied is None:
            return []
        return [tied] if isinstance(tied, Contribution) else list(tied)

    def reaction(self, user_id: str) -> tuple[int, Contribution | None]:
        """How many emojis ``user_id`` left here, and the point it gave (None before any)."""
        if self._reactions is None:
            return 0, None
        return self._reactions.get(user_id, (0, None))

    def react(self, user_id: str, count: int, contribution: Contribution) -> None:
        """``user_id`` has now left ``count`` emojis (0: none left), worth ``contribution``."""
        if count <= 0:
            if self._reactions is not None:
                self._reactions.pop(user_id, None)
            return
        if self._reactions is None:
            self._reactions = {}
        self._reactions[user_id] = (count, contribution)

    def reaction_points(self) -> Iterator[Contribution]:
        """The point each reacting member gave."""
        if self._reactions is not None:
            for _count, contribution in self._reactions.values():
                yield contribution


class MessageLedger:
    """Recent messages and their contributions; awards and takes back through the buffer."""

    def __init__(self, buffer: CounterBuffer, *, limit: int = MAX_TRACKED) -> None:
        self.buffer = buffer
        self.limit = limit
        # Keyed by the message's ids (a tuple of strings hashes and compares at C speed, where
        # a reference, a new one per event, does in Python).
        self._messages: dict[tuple[str, ...], TrackedMessage] = {}
        # The order of tracking, to forget the oldest: ~8 bytes per message where an ordered
        # dictionary's links cost ~130. Keys removed meanwhile stay here until they come up.
        self._order: deque[tuple[str, ...]] = deque()

    def __len__(self) -> int:
        return len(self._messages)

    def get(self, message: MessageRef) -> TrackedMessage | None:
        """The tracked message, if it is still remembered."""
        return self._messages.get(message._identity)

    def track(self, message: MessageRef, tracked: TrackedMessage) -> None:
        """Remember ``message`` (forgetting the oldest past the limit)."""
        messages = self._messages
        key = message._identity
        # A message tracked twice (an event delivered twice) is forgotten from its first time.
        messages[key] = tracked
        order = self._order
        order.append(key)
        limit = self.limit
        while len(messages) > limit:
            messages.pop(order.popleft(), None)
        # Past the loop, the map holds at most ``limit`` messages.
        if len(order) > 2 * limit:
            # Many removed messages left their keys behind: keep only the tracked ones.
            self._order = deque(messages)

    def score(self, message: MessageRef, tracked: TrackedMessage, day: date) -> None:
        """Give ``message`` its own point for ``day`` (taken back if it is removed)."""
        self.buffer.add_daily((message.community, tracked.author_id, day), "messages", 1)
        tracked.scored = day

    def unscore(self, message: MessageRef, tracked: TrackedMessage) -> None:
        """``message`` no longer earns its own point (edited into a short one): take back the
        point it earned, or the one thanks gave past the per-minute cap, and hold none back
        for thanks to come. An edit may give it again (see :meth:`score`)."""
        if tracked.scored is not None:
            self.buffer.add_daily(
                (message.community, tracked.author_id, tracked.scored), "messages", -1
            )
            tracked.scored = None
        held = tracked.held
        if isinstance(held, Contribution):
            self.revoke(held)
        tracked.held = None

    def award_daily(self, key: Daily, field_name: str) -> Contribution:
        """Add one to a daily counter."""
        self.buffer.add_daily(key, field_name, 1)
        return Contribution(daily=key, field=field_name)

    def award_edge(self, key: Edge) -> Contribution:
        """Add one interaction."""
        self.buffer.add_edge(key, 1)
        return Contribution(None, "", key)

    def link(self, key: Edge, tracked: TrackedMessage, drawn_by: TrackedMessage | None) -> None:
        """Add one interaction that ``tracked`` gives (drawn by the message it replies to, if
        not None): removing either takes it back."""
        self.buffer.add_edge(key, 1)
        contribution = Contribution(None, "", key)
        tracked.tie(contribution)
        if drawn_by is not None:
            drawn_by.tie(contribution)

    def release(
        self, community: CommunityRef, held: TrackedMessage, thanks: TrackedMessage
    ) -> None:
        """``thanks`` thanked ``held``: give it the point the per-minute cap held back (see
        :attr:`TrackedMessage.held_day`), tied to both: removing either takes it back."""
        day = held.held_day
        if day is None:
            return
        contribution = self.award_daily((community, held.author_id, day), "messages")
        held.held = contribution
        held.tie(contribution)
        thanks.tie(contribution)

    def revoke(self, contribution: Contribution) -> None:
        """Take a contribution back (once)."""
        if contribution.revoked:
            return
        contribution.revoked = True
        if contribution.daily is not None:
            self.buffer.add_daily(contribution.daily, contribution.field, -1)
        if contribution.edge is not None:
            self.buffer.add_edge(contribution.edge, -1)

    def removed(self, message: MessageRef) -> bool:
        """``message`` is gone: take back everything it brought; False if it was not tracked."""
        tracked = self._messages.pop(message._identity, None)
        if tracked is None:
            return False
        if tracked.scored is not None:
            self.buffer.add_daily(
                (message.community, tracked.author_id, tracked.scored), "messages", -1
            )
        for contribution in tracked.contributions:
            self.revoke(contribution)
        for contribution in tracked.reaction_points():
            self.revoke(contribution)
        return True

    def forget_member(self, community: CommunityRef, user_id: str) -> None:
        """Stop tracking the messages of ``user_id``, and the points other messages gave them
        or they gave (their points are erased elsewhere): a message removed later must not
        take them back from what they earn or give once counted again."""
        forgotten = []
        ids = community._identity  # what the ids of its messages start with
        size = len(ids)
        for key, item in self._messages.items():
            if key[:size] != ids:
                continue
            if item.author_id == user_id:
                forgotten.append(key)
                continue
            for contribution in item.contributions:
                if _concerns(contribution, user_id):
                    contribution.revoked = True
            _count, reaction = item.reaction(user_id)
            if reaction is not None:
                reaction.revoked = True
                item.react(user_id, 0, reaction)
        for key in forgotten:
            del self._messages[key]


def _concerns(contribution: Contribution, user_id: str) -> bool:
    """Whether ``contribution`` counts for or from ``user_id``."""
    if contribution.daily is not None and contribution.daily[1] == user_id:
        return True
    return contribution.edge is not None and user_id in contribution.edge[2:4]
