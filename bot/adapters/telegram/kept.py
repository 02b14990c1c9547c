"""One value the adapter keeps between runs in the core's state store, as JSON text.

Read once; written again after each change, one write at a time: changes made while a write is
under way go, all together, into the next one. A store that fails is logged, never raised: the
adapter goes on with what it has in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from bot.state import StateStore

log = logging.getLogger(__name__)


class KeptValue:
    """The text kept under ``key``; ``what`` names it in the log (``the members held``)."""

    def __init__(self, state: StateStore | None, key: str, what: str) -> None:
        self._state = state
        self._key = key
        self._what = what
        self._writing = asyncio.Lock()
        self._pending = False

    async def read(self) -> tuple[bool, str | None]:
        """Whether the store answered, and the text kept (None when there is none)."""
        if self._state is None:
            return True, None
        try:
            return True, await self._state.get(self._key)
        except SQLAlchemyError as error:
            log.warning("could not read %s: %s", self._what, error)
            return False, None

    async def write(self, render: Callable[[], str]) -> None:
        """Keep what ``render`` gives once this write's turn comes (so the newest state)."""
        if self._state is None:
            return
        self._pending = True
        async with self._writing:
            if not self._pending:
                return  # the write before this one's turn carried its change
            self._pending = False
            try:
                await self._state.set(self._key, render())
            except SQLAlchemyError as error:
                log.warning("could not remember %s: %s", self._what, error)
