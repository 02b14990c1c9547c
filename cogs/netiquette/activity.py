"""Recent activity, in memory and bounded: what flood, duplicate and raid triggers count, and the
recent messages of each channel that ``/purge`` removes (platforms cannot list history)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict, deque
from datetime import datetime, timedelta
from typing import Annotated, NamedTuple, TypeVar

from pydantic import AfterValidator

from bot.durations import Duration, format_duration
from bot.events import ChannelRef, CommunityRef, MessageRef
from bot.ruleconf.errors import RuleValueError

MAX_TRACKED = 10_000
"""Members (and channels) remembered at once; the least recently active are forgotten. A member
whose last message is older than ``MAX_WINDOW`` is forgotten too: no trigger looks back that
far."""
PER_MEMBER = 50
"""Recent messages kept per member."""
PER_CHANNEL = 500
"""Recent messages kept per channel, for /purge."""
PER_COMMUNITY_JOINS = 1_000
MAX_WINDOW = timedelta(hours=1)


def _within_reach(value: timedelta) -> timedelta:
    if not timedelta(seconds=1) <= value <= MAX_WINDOW:
        most = format_duration(MAX_WINDOW)
        raise RuleValueError(
            {
                "en": f"write a duration between 1s and {most}",
                "fr": f"écrivez une durée entre 1s et {most}",
            }
        )
    return value


WindowDuration = Annotated[Duration, AfterValidator(_within_reach)]
"""A trigger's window (``within``): from 1s to :data:`MAX_WINDOW`, as far back as the recent
activity goes."""

ALBUM_MOST = 10
"""The most messages posted as one (a Telegram album)."""
EXPIRY_STEP = timedelta(minutes=1)
"""How often, in the events' time, members quiet for longer than ``MAX_WINDOW`` are forgotten."""

K = TypeVar("K")
V = TypeVar("V")


class Posted(NamedTuple):
    """One message a member posted: when, where, its letters and digits (for duplicates), and
    the messages it was posted with as one (an album), if any."""

    at: datetime
    message: MessageRef
    folded: str
    group: str | None = None


class History:
    """One member's recent messages, oldest first, and their times apart: counting those after
    a moment is a binary search (in C), not a Python step per message."""

    __slots__ = ("posts", "times")

    def __init__(self) -> None:
        self.times: list[datetime] = []
        self.posts: list[Posted] = []

    def add(self, posted: Posted, since: datetime) -> None:
        """Add ``posted`` (in time order) and forget what is older than ``since``. A message of
        an album already counted is not added: an album of six photos is one message."""
        group = posted.group
        if group is not None and self._counted(group):
            return
        at = posted.at
        times = self.times
        if not times or at >= times[-1]:
            times.append(at)
            self.posts.append(posted)
        else:  # a late event: kept in time order
            index = bisect_right(times, at)
            times.insert(index, at)
            self.posts.insert(index, posted)
        if times[0] >= since and len(times) <= PER_MEMBER:
            return  # nothing to forget (most messages): no search
        cut = max(len(times) - PER_MEMBER, bisect_left(times, since))
        if cut > 0:
            del times[:cut]
            del self.posts[:cut]

    def _counted(self, group: str) -> bool:
        # An album's messages arrive one after the other, ten at most.
        return any(posted.group == group for posted in self.posts[-ALBUM_MOST:])

    def after(self, since: datetime) -> list[Posted]:
        """The messages posted after ``since``."""
        return self.posts[bisect_right(self.times, since) :]

    def count_after(self, since: datetime) -> int:
        """How many messages were posted after ``since``."""
        return len(self.times) - bisect_right(self.times, since)

    def copies_after(self, since: datetime, folded: str) -> list[MessageRef]:
        """The messages posted after ``since`` whose letters and digits are ``folded``."""
        return [posted.message for posted in self.after(since) if posted.folded == folded]


class Activity:
    """Recent messages per member and per channel, and recent joins per community."""

    def __init__(self) -> None:
        # Short lists, not deques: a deque costs ~600 bytes even when it holds one message, and
        # most members have posted once or twice within the hour.
        # Keyed by plain strings (the community's key, ids): hashed and compared in C.
        self._members: OrderedDict[tuple[str, str], History] = OrderedDict()
        # Per channel, its recent messages by id, oldest first: a deletion (each one the rules
        # make) forgets its message at once instead of scanning the channel's whole history.
        self._channels: OrderedDict[tuple[str, str], OrderedDict[str, tuple[MessageRef, str]]] = (
            OrderedDict()
        )
        self._joins: dict[CommunityRef, deque[datetime]] = {}
        self._next_expiry: datetime | None = None

    # -- recording ------------------------------------------------------------------------------

    def posted(self, user_id: str, posted: Posted) -> History:
        """Remember a message ``user_id`` posted; returns the member's recent messages."""
        at = posted.at
        message = posted.message
        channel = message.channel
        community_key = channel.community.key
        since = at - MAX_WINDOW
        next_expiry = self._next_expiry
        if next_expiry is None or at >= next_expiry:
            self._expire(since)
            self._next_expiry = at + EXPIRY_STEP
        members = self._members
        key = (community_key, user_id)
        history = members.get(key)
        if history is None:
            history = members[key] = History()
            if len(members) > MAX_TRACKED:  # only a new member makes the map longer
                _bound(members)
        else:
            members.move_to_end(key)
        history.add(posted, since)
        channels = self._channels
        where = (community_key, channel.id)
        recent = channels.get(where)
        if recent is None:
            recent = channels[where] = OrderedDict()
            if len(channels) > MAX_TRACKED:  # only a new channel makes the map longer
                _bound(channels)
        else:
            channels.move_to_end(where)
        recent[message.id] = (message, user_id)
        if len(recent) > PER_CHANNEL:
            recent.popitem(last=False)
        return history

    def _expire(self, since: datetime) -> None:
        """Forget the least recently active members whose last message is older than ``since``."""
        members = self._members
        while members:
            times = next(iter(members.values())).times
            if times and times[-1] >= since:
                return
            members.popitem(last=False)

    def removed(self, message: MessageRef) -> None:
        """Forget a message that is gone."""
        channel = message.channel
        recent = self._channels.get((channel.community.key, channel.id))
        if recent is not None:
            recent.pop(message.id, None)

    def joined(self, community: CommunityRef, at: datetime) -> None:
        """Remember a join."""
        joins = self._joins.setdefault(community, deque(maxlen=PER_COMMUNITY_JOINS))
        joins.append(at)

    # -- reading --------------------------------------------------------------------------------

    def messages_of(self, community: CommunityRef, user_id: str, since: datetime) -> list[Posted]:
        """The member's messages posted after ``since``, oldest first."""
        history = self._members.get((community.key, user_id))
        return [] if history is None else history.after(since)

    def history(self, community: CommunityRef, user_id: str) -> History | None:
        """The member's recent messages, if they posted within the hour."""
        return self._members.get((community.key, user_id))

    def count_since(self, community: CommunityRef, user_id: str, since: datetime) -> int:
        """How many messages the member posted after ``since``."""
        history = self._members.get((community.key, user_id))
        return 0 if history is None else history.count_after(since)

    def copies_since(
        self, community: CommunityRef, user_id: str, since: datetime, folded: str
    ) -> list[MessageRef]:
        """The member's messages posted after ``since`` whose letters and digits are
        ``folded``, oldest first."""
        history = self._members.get((community.key, user_id))
        return [] if history is None else history.copies_after(since, folded)

    def joins_since(self, community: CommunityRef, since: datetime) -> int:
        """How many joins happened after ``since``."""
        return sum(1 for at in self._joins.get(community, ()) if at > since)

    def recent_in(self, channel: ChannelRef) -> list[tuple[MessageRef, str]]:
        """The channel's recent messages and their authors' ids, newest last."""
        recent = self._channels.get((channel.community.key, channel.id))
        return list(recent.values()) if recent is not None else []

    def forget_member(self, community: CommunityRef, user_id: str) -> None:
        """Erase what is remembered of one member."""
        self._members.pop((community.key, user_id), None)
        for (community_key, _channel_id), recent in self._channels.items():
            if community_key == community.key:
                for message_id in [key for key, entry in recent.items() if entry[1] == user_id]:
                    del recent[message_id]


def _bound(store: OrderedDict[K, V]) -> None:
    while len(store) > MAX_TRACKED:
        store.popitem(last=False)
