"""One join (or departure) per person, though Telegram may tell it twice.

An administrator bot hears a join both as a ``chat_member`` update and as a ``new_chat_members``
service message, in either order. A member's arrivals and departures alternate, so the second of
two joins (or two departures) in a row, close together, is the same one told again.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.events import Event, MemberJoined, MemberLeft

SAME_CHANGE_WITHIN = timedelta(minutes=10)
MAX_REMEMBERED = 20_000


class MembershipChanges:
    """Filters repeated joins and departures out of the event stream."""

    def __init__(self, *, within: timedelta = SAME_CHANGE_WITHIN) -> None:
        self._within = within
        self._last: OrderedDict[tuple[str, str], tuple[bool, datetime]] = OrderedDict()

    def is_new(self, event: Event) -> bool:
        """False when ``event`` repeats the previous join or departure of the same person."""
        if not isinstance(event, MemberJoined | MemberLeft):
            return True
        key = (event.member.community.id, event.member.user.id)
        joined = isinstance(event, MemberJoined)
        previous = self._last.get(key)
        self._last[key] = (joined, event.at)
        self._last.move_to_end(key)
        while len(self._last) > MAX_REMEMBERED:
            self._last.popitem(last=False)
        if previous is None:
            return True
        was_joined, at = previous
        return was_joined != joined or abs(event.at - at) > self._within
