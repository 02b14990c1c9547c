"""The per-minute cap on messages that earn points, with bounded memory.

The cap stops spam farming, not a quick helper being valued: a message it left without its point
earns it when another member thanks it. Each member's thanks give one such point a day to each
author, as their thanks count once a day: a friend thanking every message of a flood gives one.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timedelta

from bot.events import CommunityRef

MAX_MEMBERS = 100_000
MAX_RELEASES = 10_000
"""Pairs of members remembered for :meth:`MessagePace.releases`: a message thanked past the cap
is rare, and the oldest pairs go first."""
MINUTE = timedelta(minutes=1)


class MessagePace:
    """For each member, the times of their last scored messages (at most the cap).

    Only members who scored within the last minute are kept: an older time can no longer count
    against the cap, so a member quiet for a minute takes no room. ``max_members`` bounds the
    rest (a burst of that many members within one minute).
    """

    def __init__(self, *, max_members: int = MAX_MEMBERS) -> None:
        # Least recently used first: those whose times all fell out of the minute go first.
        # Keyed by the community's key and the user id: strings hash and compare at C speed,
        # where a reference (a new one per event) hashes and compares in Python.
        self._times: OrderedDict[tuple[str, str], list[datetime]] = OrderedDict()
        self._max_members = max_members
        # Per community, thanking member and author: the day the thanks last gave a point.
        self._released: dict[tuple[str, str, str], date] = {}

    def __len__(self) -> int:
        return len(self._times)

    def allows(self, community: CommunityRef, user_id: str, at: datetime, per_minute: int) -> bool:
        """Whether one more message at ``at`` may score (fewer than ``per_minute`` in 60 s)."""
        if per_minute <= 0:
            return False
        cutoff = at - MINUTE
        every = self._times
        # Forget the members whose every scored message is a minute older than ``at``.
        while every:
            oldest = next(iter(every.values()))
            if oldest and oldest[-1] > cutoff:
                break
            every.popitem(last=False)
        key = (community.key, user_id)
        times = every.get(key)
        if times is None:
            # A short list, not a deque: a deque costs ~600 bytes even when nearly empty.
            times = every[key] = []
            while len(every) > self._max_members:
                every.popitem(last=False)
        else:
            every.move_to_end(key)
            while times and times[0] <= cutoff:
                del times[0]
            if len(times) >= per_minute:
                return False
        times.append(at)
        while len(times) > per_minute:
            del times[0]
        return True

    def releases(self, community: CommunityRef, thanker: str, author: str, day: date) -> bool:
        """Whether thanks from ``thanker`` on ``day`` may give ``author`` the point of a message
        the cap held back: once a day for each pair (then remembered as done)."""
        key = (community.key, thanker, author)
        released = self._released
        if released.get(key) == day:
            return False
        released.pop(key, None)  # to the end: the oldest are forgotten first
        released[key] = day
        while len(released) > MAX_RELEASES:
            del released[next(iter(released))]
        return True

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Forget a member's recent messages, and the points thanks gave them or they gave."""
        self._times.pop((community.key, user_id), None)
        released = self._released
        for key in [key for key in released if key[0] == community.key and user_id in key[1:]]:
            del released[key]
