"""The per-minute cap on messages that earn points, with bounded memory."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.events import CommunityRef

MAX_MEMBERS = 100_000
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

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Forget a member's recent messages."""
        self._times.pop((community.key, user_id), None)
