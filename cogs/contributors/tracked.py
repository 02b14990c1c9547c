"""The recent messages the cog watches: who wrote them and what points they brought.

A message's points (its own, the replies, reactions and thanks it drew, and the interactions it
gave) are remembered so that a message removed later takes them all back with it. The map is
bounded: past :data:`MAX_TRACKED` messages the oldest are forgotten, and a reply or reaction to a
forgotten message (or to one posted before the bot started) earns nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from bot.events import CommunityRef, MessageRef
from cogs.contributors.buffer import CounterBuffer, DailyKey, EdgeKey

MAX_TRACKED = 50_000
MAX_CONTRIBUTIONS = 200
"""Points remembered per message; past that, a removal takes back only these."""


@dataclass(eq=False, slots=True)
class Contribution:
    """One counter change awarded; it can be taken back once."""

    daily: DailyKey | None = None
    field: str = ""
    edge: EdgeKey | None = None
    revoked: bool = False


@dataclass(eq=False, slots=True)
class TrackedMessage:
    """A message the cog counted: its author and every contribution tied to it."""

    author_id: str
    contributions: list[Contribution] = field(default_factory=list)
    reactions: dict[str, tuple[int, Contribution]] = field(default_factory=dict)
    """Per reacting member: how many emojis they left, and the point it gave the author."""

    def tie(self, contribution: Contribution) -> None:
        """Remember ``contribution`` as this message's (to take back if it is removed)."""
        if len(self.contributions) < MAX_CONTRIBUTIONS:
            self.contributions.append(contribution)


class MessageLedger:
    """Recent messages and their contributions; awards and takes back through the buffer."""

    def __init__(self, buffer: CounterBuffer, *, limit: int = MAX_TRACKED) -> None:
        self.buffer = buffer
        self.limit = limit
        self._messages: OrderedDict[MessageRef, TrackedMessage] = OrderedDict()

    def __len__(self) -> int:
        return len(self._messages)

    def get(self, message: MessageRef) -> TrackedMessage | None:
        """The tracked message, if it is still remembered."""
        return self._messages.get(message)

    def track(self, message: MessageRef, tracked: TrackedMessage) -> None:
        """Remember ``message`` (forgetting the oldest past the limit)."""
        self._messages[message] = tracked
        self._messages.move_to_end(message)
        while len(self._messages) > self.limit:
            self._messages.popitem(last=False)

    def award_daily(self, key: DailyKey, field_name: str) -> Contribution:
        """Add one to a daily counter."""
        self.buffer.add_daily(key, field_name, 1)
        return Contribution(daily=key, field=field_name)

    def award_edge(self, key: EdgeKey) -> Contribution:
        """Add one interaction."""
        self.buffer.add_edge(key, 1)
        return Contribution(edge=key)

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
        tracked = self._messages.pop(message, None)
        if tracked is None:
            return False
        for contribution in tracked.contributions:
            self.revoke(contribution)
        for _count, contribution in tracked.reactions.values():
            self.revoke(contribution)
        return True

    def forget_member(self, community: CommunityRef, user_id: str) -> None:
        """Stop tracking the messages of ``user_id`` (their points are erased elsewhere)."""
        for message in [
            ref
            for ref, item in self._messages.items()
            if ref.community == community and item.author_id == user_id
        ]:
            del self._messages[message]
