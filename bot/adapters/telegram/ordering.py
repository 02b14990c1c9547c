"""Updates of different chats handled side by side, those of one chat in the order they came.

Handling an update may wait: a flood-control pause before an answer (up to a minute), a slow Bot
API. Handled one at a time, such a wait in one group would hold back every other group's updates,
spam included. Within one chat the order stays: a join before the newcomer's first message, a
message before its edit, messages counted in order by the flood triggers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.keyedlocks import KeyedLocks

# Far more than ever wait at once. A full processor would hold new updates back, and those of one
# busy chat could fill it: the bound only keeps a runaway from growing without end.
MAX_CONCURRENT_UPDATES = 4096


class PerChatOrder(BaseUpdateProcessor):
    """Serialises the updates of each chat; updates of different chats run concurrently.

    Python-telegram-bot starts the handling of each update as a task, in the order the updates
    arrived; each task takes its chat's lock, and an ``asyncio.Lock`` is granted in the order it
    was asked for.
    """

    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        *,
        handled: Callable[[object], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._handled = handled
        """Told of each update once handled, with or without an error (not when cancelled)."""
        # The lock of each chat with updates in hand: dropped when none is left.
        self._chats: KeyedLocks[int | None] = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle ``update`` once the updates of its chat that came before it are handled."""
        failed: Exception | None = None
        try:
            async with self._chats.holding(_chat_of(update)):
                await coroutine
        except Exception as error:
            # What escapes the application's error handlers: the update is handled all the
            # same (tried again, it would fail again).
            failed = error
        finally:
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # never started if cancelled while waiting for its turn
        # Not when cancelled (the bot stopping): then it is still to handle. Outside the
        # chat's lock: its next update need not wait for the store.
        if self._handled is not None:
            await self._handled(update)
        if failed is not None:
            raise failed

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to free: the application waits for the updates in hand before it stops."""


def _chat_of(update: object) -> int | None:
    chat = update.effective_chat if isinstance(update, Update) else None
    return None if chat is None else chat.id
