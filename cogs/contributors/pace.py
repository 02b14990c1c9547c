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
        self._times: OrderedDict[tuple[CommunityRef, str], list[datetime]] = OrderedDict()
        self._max_members = max_members

    def __len__(self) -> int:
        return len(self._times)

    def allows(self, community: CommunityRef, user_id: str, at: datetime, per_minute: int) -> bool:
        """Whether one more message at ``at`` may score (fewer than ``per_minute`` in 60 s)."""
        if per_minute <= 0:
            return False
        self._expire(at)
        key = (community, user_id)
        times = self._times.get(key)
        if times is None:
            # A short list, not a deque: a deque costs ~600 bytes even when nearly empty.
            times = self._times[key] = []
            while len(self._times) > self._max_members:
                self._times.popitem(last=False)
        self._times.move_to_end(key)
        while times and times[0] <= at - MINUTE:
            del times[0]
        if len(times) >= per_minute:
            return False
        times.append(at)
        while len(times) > per_minute:
            del times[0]
        return True

    def _expire(self, at: datetime) -> None:
        """Forget the members whose every scored message is a minute older than ``at``."""
        cutoff = at - MINUTE
        times = self._times
        while times:
            oldest = next(iter(times.values()))
            if oldest and oldest[-1] > cutoff:
                return
            times.popitem(last=False)

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Forget a member's recent messages."""
        self._times.pop((community, user_id), None)
