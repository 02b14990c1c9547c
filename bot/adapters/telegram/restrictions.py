"""Why the bot restricted a member: held until lifted (the charter gate) or silenced for a while.

Telegram keeps one restriction per member, and the core lifts both kinds the same way
(``unrestrict``). A newcomer held at the gate and then timed out must stay held when the timeout
is lifted, by a moderator or at its end: the adapter remembers which members it holds, in bounded
memory, kept between runs (a lift planned before a restart finds them still held).
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict

MAX_MEMBERS = 10_000
"""Members remembered in each kind, all groups together (the oldest forgotten first): far more
than ever wait at the gate at once, and small enough to be written again after each change."""

Key = tuple[int, int]


class Restrictions:
    """The members the bot holds until lifted, and those it timed out."""

    def __init__(self, *, max_members: int = MAX_MEMBERS) -> None:
        self._max = max_members
        self._held: OrderedDict[Key, None] = OrderedDict()
        self._timed: OrderedDict[Key, None] = OrderedDict()
        self.revision = 0
        """Counts the changes: what was kept is out of date once it moved."""

    def held(self, chat_id: int, user_id: int) -> None:
        """The bot restricted the member with no end (until :meth:`lifted`)."""
        self._remember(self._held, (chat_id, user_id))

    def timed_out(self, chat_id: int, user_id: int) -> None:
        """The bot timed the member out."""
        self._remember(self._timed, (chat_id, user_id))

    def is_held(self, chat_id: int, user_id: int) -> bool:
        """Whether the bot holds the member until lifted."""
        return (chat_id, user_id) in self._held

    def is_timed_out(self, chat_id: int, user_id: int) -> bool:
        """Whether the bot timed the member out (no lift asked since)."""
        return (chat_id, user_id) in self._timed

    def lifted(self, chat_id: int, user_id: int) -> bool:
        """A lift was asked: whether it lifts everything (else only the timeout of a member
        still held, who stays restricted until the next lift)."""
        key = (chat_id, user_id)
        was_timed = self._forget(self._timed, key)
        if was_timed and key in self._held:
            return False
        self._forget(self._held, key)
        return True

    def arrived_or_left(self, chat_id: int, user_id: int) -> None:
        """The member joined or left: whatever holds them now is decided again."""
        self._forget(self._held, (chat_id, user_id))

    def forget(self, chat_id: int, user_id: int) -> None:
        """Forget the member (an erasure): with nothing remembered, the next lift lifts their
        restriction whole, and a timeout has its end."""
        key = (chat_id, user_id)
        self._forget(self._held, key)
        self._forget(self._timed, key)

    # -- kept between runs ------------------------------------------------------------------------

    def dump(self) -> str:
        """Everything remembered, as JSON text (oldest first)."""
        kept = {"held": list(self._held), "timed": list(self._timed)}
        return json.dumps(kept, separators=(",", ":"))

    def restore(self, text: str | None) -> None:
        """Remember again what :meth:`dump` wrote; what cannot be read is skipped."""
        if not text:
            return
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            kept = json.loads(text)
            for name, keys in (("held", self._held), ("timed", self._timed)):
                for chat_id, user_id in kept.get(name, []):
                    self._remember(keys, (int(chat_id), int(user_id)))

    def _remember(self, keys: OrderedDict[Key, None], key: Key) -> None:
        if key in keys:
            keys.move_to_end(key)
        else:
            keys[key] = None
            self.revision += 1
        while len(keys) > self._max:
            keys.popitem(last=False)

    def _forget(self, keys: OrderedDict[Key, None], key: Key) -> bool:
        if key not in keys:
            return False
        del keys[key]
        self.revision += 1
        return True
