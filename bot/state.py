"""Small named values kept between runs in the ``core_state`` table."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.db import Database, upsert_insert
from bot.models import CoreState

log = logging.getLogger(__name__)

LOCKED_RETRIES = (0.05, 0.25, 1.0)
"""Seconds to wait before writing a value again when SQLite says at once that the database is
locked, as it may in WAL mode under load without waiting out its busy timeout."""


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
        # One statement, not a read then an insert: two writers of a new key (two tasks, or a
        # replay beside the bot on one file) would both see no row and the second would fail.
        table = CoreState.__table__  # type: ignore[attr-defined]
        upsert = upsert_insert(self._db.engine.dialect.name)(table).values(key=key, value=value)
        upsert = upsert.on_conflict_do_update(
            index_elements=["key"], set_={"value": upsert.excluded.value}
        )
        for wait in (*LOCKED_RETRIES, None):
            try:
                async with self._db.engine.begin() as connection:
                    await connection.execute(upsert)
            except OperationalError:
                if wait is None:
                    raise
                await asyncio.sleep(wait)
            else:
                return


class PublishedDigest:
    """The digest of what a platform published last (its commands), under ``key``: an unchanged
    set is not published again. A state store that fails costs a publication at the next start,
    no more: it is logged and the bot goes on."""

    def __init__(self, state: StateStore | None, key: str, what: str) -> None:
        self._state = state
        self._key = key
        self._what = what
        """What was published, as the log names it (``slash commands``)."""

    async def unchanged(self, digest: str) -> bool:
        """Whether ``digest`` is the one recorded (False when the store cannot tell)."""
        if self._state is None:
            return False
        try:
            return await self._state.get(self._key) == digest
        except SQLAlchemyError as error:
            log.warning("could not read which %s were published: %s", self._what, error)
            return False

    async def record(self, digest: str) -> None:
        """Remember that ``digest`` is published now."""
        if self._state is None:
            return
        try:
            await self._state.set(self._key, digest)
        except SQLAlchemyError as error:
            log.warning("could not remember the published %s: %s", self._what, error)
