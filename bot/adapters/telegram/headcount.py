"""How many members each group has, asked of Telegram at most every few minutes.

``getChatMemberCount`` is one request. A welcome that says the group's size would otherwise ask
at every join, and a raid would bring one request per account: the count is kept per chat for
:data:`FRESH_FOR`, moved by the joins and departures the bot hears meanwhile, and a chat is asked
once at a time (the joins that wait for its answer share it). Should Telegram refuse, the last
count known (with the joins and departures since) stands, or none, until the next ask.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.platform import PlatformError

log = logging.getLogger(__name__)

FRESH_FOR = timedelta(minutes=5)
"""How long a count Telegram gave stands before it is asked again."""


class Headcounts:
    """The member count of each chat, by chat id; ``fetch`` asks Telegram for one."""

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[int]],
        clock: Clock,
        *,
        fresh_for: timedelta = FRESH_FOR,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._fresh_for = fresh_for
        # Each chat's count (None: unknown) and when Telegram was last asked for it.
        self._counts: dict[int, tuple[int | None, datetime]] = {}
        self._asking: dict[int, asyncio.Task[int | None]] = {}

    def changed(self, chat_id: int, *, joined: bool) -> None:
        """Someone joined (or left) chat ``chat_id``: its count moves with them."""
        known = self._counts.get(chat_id)
        if known is not None and known[0] is not None:
            self._counts[chat_id] = (max(known[0] + (1 if joined else -1), 0), known[1])

    def forget(self, chat_id: int) -> None:
        """The bot left chat ``chat_id`` (or it moved): its count is asked afresh."""
        self._counts.pop(chat_id, None)

    async def of(self, chat_id: int) -> int | None:
        """How many members chat ``chat_id`` has; None when Telegram could not tell."""
        known = self._counts.get(chat_id)
        if known is not None and self._clock.now() - known[1] < self._fresh_for:
            return known[0]
        asking = self._asking.get(chat_id)
        if asking is None:
            asking = self._asking[chat_id] = asyncio.ensure_future(self._ask(chat_id))
        # Shielded: a welcome cancelled while it waits must not cancel the others' answer.
        return await asyncio.shield(asking)

    async def _ask(self, chat_id: int) -> int | None:
        asked_at = self._clock.now()
        try:
            count: int | None = await self._fetch(chat_id)
        except PlatformError as error:
            known = self._counts.get(chat_id)
            count = None if known is None else known[0]
            log.info("the member count of chat %s is unknown for now: %s", chat_id, error)
        finally:
            del self._asking[chat_id]
        self._counts[chat_id] = (count, asked_at)
        return count
