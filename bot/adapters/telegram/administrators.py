"""Who administers each chat: asked once (``getChatAdministrators``), then cached.

Chat administrators are platform moderators. The list is kept for a while and dropped as soon as a
``chat_member`` or ``my_chat_member`` update says someone's standing in the chat changed.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.platform import PlatformError

log = logging.getLogger(__name__)

FRESH_FOR = 15 * 60.0
FAILED_FRESH_FOR = 60.0  # retry an unanswered question soon, but not on every message
MAX_CHATS = 10_000


class Administrators:
    """The administrators of each chat, by user id, fetched on demand."""

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[frozenset[int]]],
        *,
        fresh_for: float = FRESH_FOR,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._fresh_for = fresh_for
        self._monotonic = monotonic
        self._known: OrderedDict[int, tuple[float, frozenset[int]]] = OrderedDict()

    async def of(self, chat_id: int) -> frozenset[int]:
        """The user ids of the chat's administrators (empty if Telegram would not say)."""
        now = self._monotonic()
        cached = self._known.get(chat_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            administrators = await self._fetch(chat_id)
            expires = now + self._fresh_for
        except PlatformError as error:
            log.warning("could not list the administrators of %s: %s", chat_id, error)
            administrators = cached[1] if cached is not None else frozenset()
            expires = now + min(FAILED_FRESH_FOR, self._fresh_for)
        self._known[chat_id] = (expires, administrators)
        self._known.move_to_end(chat_id)
        while len(self._known) > MAX_CHATS:
            self._known.popitem(last=False)
        return administrators

    def forget(self, chat_id: int) -> None:
        """Ask again next time (someone was promoted, demoted, or left)."""
        self._known.pop(chat_id, None)
