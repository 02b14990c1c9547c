"""Who administers each chat: asked once (``getChatAdministrators``), then cached.

Chat administrators are platform moderators. The list is kept for a while and asked again as soon
as a ``chat_member`` update says someone became or stopped being an administrator, or a
``my_chat_member`` update that the bot's own standing changed. Until Telegram answers, the last
known list holds (with the change the update told): a failed question never leaves a group's
administrators without their moderator rights.
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
        self._failing: set[int] = set()
        """Chats whose list Telegram last refused: said once, not on every retry."""

    async def of(self, chat_id: int) -> frozenset[int]:
        """The user ids of the chat's administrators: the last known ones while Telegram does
        not answer, none if it never did."""
        now = self._monotonic()
        cached = self._known.get(chat_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            administrators = await self._fetch(chat_id)
            expires = now + self._fresh_for
        except PlatformError as error:
            if chat_id not in self._failing:
                self._failing.add(chat_id)
                log.warning(
                    "could not list the administrators of %s (%s); keeping the last known list "
                    "and asking again every %.0f s",
                    chat_id,
                    error,
                    min(FAILED_FRESH_FOR, self._fresh_for),
                )
            administrators = cached[1] if cached is not None else frozenset()
            expires = now + min(FAILED_FRESH_FOR, self._fresh_for)
        else:
            if chat_id in self._failing:
                self._failing.discard(chat_id)
                log.info("listed the administrators of %s again", chat_id)
        self._known[chat_id] = (expires, administrators)
        self._known.move_to_end(chat_id)
        while len(self._known) > MAX_CHATS:
            self._failing.discard(self._known.popitem(last=False)[0])
        return administrators

    def forget(self, chat_id: int) -> None:
        """Ask again next time (the bot's own standing changed); the list known so far holds
        until Telegram answers."""
        cached = self._known.get(chat_id)
        if cached is not None:
            self._known[chat_id] = (float("-inf"), cached[1])

    def changed(self, chat_id: int, user_id: int, *, administrator: bool) -> None:
        """A member was promoted, demoted or left as an administrator: ask again next time, and
        until Telegram answers, count them in or out as the update said."""
        cached = self._known.get(chat_id)
        if cached is None:
            return
        known = cached[1] | {user_id} if administrator else cached[1] - {user_id}
        self._known[chat_id] = (float("-inf"), known)
