"""The recent messages the report counted, so that one deleted later is counted no more.

Each message is remembered as its day, author, channel, whether it thanked, when it was written
and the day an edit made it thank: no text. The map is bounded: past :data:`MAX_REMEMBERED`
messages the oldest are forgotten, and a deletion of a forgotten message (or of one posted before
the bot started) takes nothing back. Its author stays active that day unless the deleted message
was the only one of theirs the report knows of; a newcomer whose first message it was has then
not posted, unless they did on a later day.
"""

from __future__ import annotations

from collections import deque
from datetime import date, datetime
from typing import NamedTuple

from bot.events import CommunityRef, MessageRef

MAX_REMEMBERED = 50_000
"""Messages remembered (of every community); past that, the oldest are forgotten."""


class Remembered(NamedTuple):
    """A counted message, as the report remembers it."""

    day: date
    author_id: str
    channel_id: str
    thanks: bool
    at: datetime
    """When it was written: a newcomer's first message is known by it."""
    thanked_on: date | None = None
    """The day an edit added thanks to it (counted then), if one did."""


AuthorDay = tuple[str, date, str]
"""A member's day: the community's key (a string hashes and compares at C speed, where a
reference, a new one per event, does in Python), the day, the member's id."""

# Per member and day, the remembered messages times two, plus one once one of them was
# forgotten (the member was active whatever happens to the others): one integer per key.
_ONE = 2
_FORGOTTEN = 1


class RecentMessages:
    """The last :data:`MAX_REMEMBERED` messages counted, and their authors' days."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self.limit = limit
        self._messages: dict[MessageRef, Remembered] = {}
        # The order of counting, to forget the oldest; keys deleted meanwhile stay here until
        # they come up (a deque costs ~8 bytes a message where an ordered dictionary's links
        # cost ~130).
        self._order: deque[MessageRef] = deque()
        self._authors: dict[AuthorDay, int] = {}

    def __len__(self) -> int:
        return len(self._messages)

    def remember(self, message: MessageRef, remembered: Remembered) -> None:
        """Remember a counted message (forgetting the oldest past the limit)."""
        messages = self._messages
        known = len(messages)
        messages.setdefault(message, remembered)  # one lookup: a reference hashes in Python
        if len(messages) == known:
            return  # an event delivered twice is counted twice anyway: remember it once
        key = (message.community.key, remembered.day, remembered.author_id)
        authors = self._authors
        authors[key] = authors.get(key, 0) + _ONE
        self._order.append(message)
        if known >= self.limit:
            self._forget_oldest()

    def _forget_oldest(self) -> None:
        messages, order, authors = self._messages, self._order, self._authors
        while len(messages) > self.limit:
            oldest = order.popleft()
            gone = messages.pop(oldest, None)
            if gone is None:
                continue
            key = (oldest.community.key, gone.day, gone.author_id)
            left = authors[key] - _ONE
            if left < _ONE:
                del authors[key]  # no message of theirs that day remains to delete
            else:
                authors[key] = left | _FORGOTTEN
        if len(order) > 2 * self.limit:
            self._order = deque(messages)

    def thanked_by_edit(self, message: MessageRef, day: date) -> bool:
        """Whether an edit on ``day`` made ``message`` thank anew: it is remembered, and neither
        its text when posted nor an earlier edit thanked. If so, it is remembered as thanking
        since ``day``."""
        remembered = self._messages.get(message)
        if remembered is None or remembered.thanks or remembered.thanked_on is not None:
            return False
        self._messages[message] = remembered._replace(thanked_on=day)
        return True

    def deleted(self, message: MessageRef) -> tuple[Remembered, bool] | None:
        """Forget a deleted message: what it counted, and whether it was its author's last
        known message of its day (None if it is not remembered)."""
        remembered = self._messages.pop(message, None)
        if remembered is None:
            return None
        key = (message.community.key, remembered.day, remembered.author_id)
        left = self._authors[key] - _ONE
        if left < _ONE:
            del self._authors[key]
            return remembered, left == 0
        self._authors[key] = left
        return remembered, False

    def forget_member(self, community: CommunityRef, user_id: str) -> None:
        """Forget the messages of ``user_id`` (erasure): deleting them later takes nothing
        back."""
        for message in [
            message
            for message, remembered in self._messages.items()
            if remembered.author_id == user_id and message.community == community
        ]:
            del self._messages[message]
        for key in [key for key in self._authors if key[0] == community.key and key[2] == user_id]:
            del self._authors[key]
