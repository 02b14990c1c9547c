"""Small named values kept between runs in the ``core_state`` table."""

from __future__ import annotations

from bot.db import Database
from bot.models import CoreState


class StateStore:
    """Get and set short strings by key (the console clock, a hash of published commands)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The value stored under ``key``, if any."""
        async with self._db.session() as session:
            row = await session.get(CoreState, key)
            return None if row is None else row.value

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing what was there."""
        async with self._db.session() as session:
            row = await session.get(CoreState, key)
            if row is None:
                session.add(CoreState(key=key, value=value))
            else:
                row.value = value
                session.add(row)
            await session.commit()
