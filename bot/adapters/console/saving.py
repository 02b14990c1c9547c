"""What the console saves between runs, written behind so that no line waits for the database.

Another process may hold the SQLite write lock for a while (a backup, a ``sqlite3`` shell): the
console still answers each line at once. Its clock, its standing (who is silenced, banned or gone)
and its message numbers are written in the background, the latest value winning, and written
through once the input has ended. Message numbers must never repeat across runs, not even after a
kill (replies and reactions name them): the database always holds a number above every one handed
out, reserved ahead in blocks of :data:`RESERVED_NUMBERS`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from bot.state import StateStore

RESERVED_NUMBERS = 1_000
"""How many message numbers the console reserves ahead in the database. A stopped run saves the
exact next number; a killed one leaves fewer than this many unused, and the next run starts above
them."""

log = logging.getLogger(__name__)


class WrittenBehind:
    """One value of the state store under ``key``, written in the background.

    :meth:`save` does not wait while the session runs: the latest value wins, and a write the
    database refuses is logged and tried again with the next save or :meth:`flush`. After
    :meth:`finish` (the input has ended, the bot is stopping) each save waits for its write.
    """

    def __init__(
        self, state: StateStore, key: str, explain: Callable[[SQLAlchemyError | OSError], object]
    ) -> None:
        self.key = key
        self.saved: str | None = None
        """The value written last."""
        self._state = state
        self._explain = explain
        self._unsaved: str | None = None
        self._writing: asyncio.Task[bool] | None = None
        self._through = False

    async def save(self, value: str) -> None:
        """Have ``value`` written (at once after :meth:`finish`, else in the background)."""
        self._unsaved = value
        if self._writing is None or self._writing.done():
            self._writing = asyncio.get_running_loop().create_task(
                self._write(), name=f"save {self.key}"
            )
        if self._through:
            await self.flush()

    async def flush(self) -> bool:
        """Wait until the value saved last is written (trying again one the database refused);
        whether it is."""
        # Shielded: a write cancelled in the middle of its statement would leave its
        # transaction holding the write lock.
        if self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)
        if self._unsaved is None:
            return True
        self._writing = asyncio.get_running_loop().create_task(
            self._write(), name=f"save {self.key}"
        )
        return await asyncio.shield(self._writing)

    async def finish(self) -> bool:
        """Write what waits, and every later value at once; whether all is written."""
        self._through = True
        return await self.flush()

    async def _write(self) -> bool:
        while self._unsaved is not None:
            value, self._unsaved = self._unsaved, None
            try:
                await self._state.set(self.key, value)
            except (SQLAlchemyError, OSError) as error:
                log.warning("could not save %s: %s", self.key, self._explain(error))
                if self._unsaved is None:  # nothing newer came meanwhile: keep it for later
                    self._unsaved = value
                return False
            self.saved = value
        return True


class MessageNumbers:
    """Keeps the database ahead of the message numbers the console hands out.

    ``reserved`` is the number the database holds (every number below it may be handed out).
    While the session runs, the next block is reserved in the background once half of the
    current one is used, so a line waits only if the database refused it for half a block.
    """

    def __init__(self, saved: WrittenBehind, reserved: int) -> None:
        self._saved = saved
        self._reserved = reserved
        self._asked = reserved
        self._settled = False

    async def handed_out(self, next_id: int) -> None:
        """Every number below ``next_id`` is handed out: return once the database covers them
        (at once, unless the reserve ran out)."""
        if self._settled:
            await self._saved.save(str(next_id))
            return
        if next_id + RESERVED_NUMBERS // 2 > self._asked:
            self._asked = next_id + RESERVED_NUMBERS
            await self._saved.save(str(self._asked))
        if next_id > self._reserved:
            if await self._saved.flush() and self._saved.saved is not None:
                self._reserved = int(self._saved.saved)
            else:
                log.warning(
                    "message %d is numbered without the number saved: after a crash, a later "
                    "run may give another message that number",
                    next_id - 1,
                )
                self._asked = next_id  # reserve again with the next number

    async def settle(self, next_id: int) -> None:
        """The input has ended: save ``next_id`` itself, so the next run goes on from there (and
        any number handed out while stopping, at once)."""
        self._settled = True
        await self._saved.save(str(next_id))
        await self._saved.finish()
