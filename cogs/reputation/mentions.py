"""What is held in memory of the recent mentions, never in the database: enough to take a
deleted one back, to make one the toxicity model scores hostile negative, and to quote a few
words of each in an alert.

Both maps are bounded: past :data:`MAX_REMEMBERED` mentions the oldest are forgotten (deleting
or scoring one of them then changes nothing), and an alert window holds at most its
``negative`` latest mentions. An erased member's mentions are dropped from both.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.events import CommunityRef, MessageRef
from bot.ruleconf import one_line, unlinked
from cogs.reputation.tone import Tone

MAX_REMEMBERED = 10_000
"""Mentions remembered (of every community)."""
EXCERPT = 100
"""Characters of a mention quoted in an alert."""


def excerpt(text: str) -> str:
    """A few words of a message for an alert: visible, on one line, cut, never a link."""
    # Cut before reading: a huge message costs as a short one.
    return unlinked(one_line(text[: EXCERPT * 4], EXCERPT))


@dataclass
class Mention:
    """A message that named the organisation, as counted."""

    community: CommunityRef
    day: date
    at: datetime
    tone: Tone
    author_id: str
    author_name: str
    excerpt: str


class RecentMentions:
    """The last :data:`MAX_REMEMBERED` mentions counted, by message."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self.limit = limit
        self._mentions: OrderedDict[MessageRef, Mention] = OrderedDict()

    def __len__(self) -> int:
        return len(self._mentions)

    def __contains__(self, message: MessageRef) -> bool:
        return message in self._mentions

    def get(self, message: MessageRef) -> Mention | None:
        """The mention ``message`` made, if remembered."""
        return self._mentions.get(message)

    def remember(self, message: MessageRef, mention: Mention) -> None:
        """Remember a counted mention (forgetting the oldest past the limit)."""
        self._mentions[message] = mention
        if len(self._mentions) > self.limit:
            self._mentions.popitem(last=False)

    def deleted(self, message: MessageRef) -> Mention | None:
        """Forget a deleted message: the mention it made, if remembered."""
        return self._mentions.pop(message, None)

    def forget_member(self, community: CommunityRef, user_id: str) -> list[Mention]:
        """Forget the mentions of ``user_id`` (erasure); the ones forgotten."""
        gone = [
            message
            for message, mention in self._mentions.items()
            if mention.author_id == user_id and mention.community == community
        ]
        return [self._mentions.pop(message) for message in gone]

    def of_member(self, community: CommunityRef, user_id: str) -> list[Mention]:
        """The remembered mentions of ``user_id`` (access)."""
        return [
            mention
            for mention in self._mentions.values()
            if mention.author_id == user_id and mention.community == community
        ]


class AlertWindow:
    """A community's recent negative mentions, and when it was last alerted."""

    __slots__ = ("last_alert", "mentions")

    def __init__(self, last_alert: datetime | None = None) -> None:
        self.mentions: deque[tuple[MessageRef, Mention]] = deque()
        self.last_alert = last_alert
        """When the community was last alerted (the cog keeps it in the database too, so
        that the cooldown outlives a restart; the mentions are in memory only)."""

    def add(
        self,
        message: MessageRef,
        mention: Mention,
        *,
        negative: int,
        within: timedelta,
        cooldown: timedelta,
    ) -> list[Mention] | None:
        """Count a negative mention: the mentions to alert about when it makes ``negative``
        within ``within`` and no alert came in the last ``cooldown`` (the window starts afresh
        then), else None."""
        mentions = self.mentions
        since = mention.at - within
        while mentions and mentions[0][1].at <= since:
            mentions.popleft()
        mentions.append((message, mention))
        while len(mentions) > negative:
            mentions.popleft()
        if len(mentions) < negative:
            return None
        if self.last_alert is not None and mention.at < self.last_alert + cooldown:
            return None
        self.last_alert = mention.at
        alerted = [item for _message, item in mentions]
        mentions.clear()
        return alerted

    def discard(self, message: MessageRef) -> None:
        """A mention deleted (or no longer negative) counts no more."""
        for item in self.mentions:
            if item[0] == message:
                self.mentions.remove(item)
                return

    def forget_member(self, user_id: str) -> None:
        """Drop an erased member's mentions."""
        kept = [item for item in self.mentions if item[1].author_id != user_id]
        self.mentions = deque(kept)
