"""Why the bot restricted a member: held until lifted (the charter gate) or silenced for a while.

Telegram keeps one restriction per member, and the core lifts both kinds the same way
(``unrestrict``). A newcomer held at the gate and then timed out must stay held when the timeout
is lifted, by a moderator or at its end: the adapter remembers which members it holds, in bounded
memory (lost at a restart, when a lift lifts everything again).
"""

from __future__ import annotations

from collections import OrderedDict

MAX_MEMBERS = 50_000

Key = tuple[int, int]


class Restrictions:
    """The members the bot holds until lifted, and those of them it also timed out."""

    def __init__(self, *, max_members: int = MAX_MEMBERS) -> None:
        self._max = max_members
        self._held: OrderedDict[Key, None] = OrderedDict()
        self._timed: OrderedDict[Key, None] = OrderedDict()

    def held(self, chat_id: int, user_id: int) -> None:
        """The bot restricted the member with no end (until :meth:`lifted`)."""
        _remember(self._held, (chat_id, user_id), self._max)

    def timed_out(self, chat_id: int, user_id: int) -> None:
        """The bot timed the member out."""
        _remember(self._timed, (chat_id, user_id), self._max)

    def is_held(self, chat_id: int, user_id: int) -> bool:
        """Whether the bot holds the member until lifted."""
        return (chat_id, user_id) in self._held

    def lifted(self, chat_id: int, user_id: int) -> bool:
        """A lift was asked: whether it lifts everything (else only the timeout of a member
        still held, who stays restricted until the next lift)."""
        key = (chat_id, user_id)
        was_timed = key in self._timed
        self._timed.pop(key, None)
        if was_timed and key in self._held:
            return False
        self._held.pop(key, None)
        return True

    def arrived_or_left(self, chat_id: int, user_id: int) -> None:
        """The member joined or left: whatever holds them now is decided again."""
        self._held.pop((chat_id, user_id), None)


def _remember(keys: OrderedDict[Key, None], key: Key, limit: int) -> None:
    keys[key] = None
    keys.move_to_end(key)
    while len(keys) > limit:
        keys.popitem(last=False)
