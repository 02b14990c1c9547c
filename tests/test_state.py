"""Small named values kept between runs: the last write of a key wins, whoever writes it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.db import Database
from bot.state import StateStore


async def test_concurrent_writers_of_a_new_key_all_succeed(tmp_path: Path) -> None:
    # Two connections to one file, as the bot and a replay on the same database would be.
    url = f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
    bot, beside = Database(url), Database(url)
    try:
        await bot.upgrade()
        stores = (StateStore(bot), StateStore(beside))
        writes = [stores[number % 2].set("console:clock", str(number)) for number in range(6)]

        outcomes = await asyncio.gather(*writes, return_exceptions=True)

        assert outcomes == [None] * 6
        assert await StateStore(beside).get("console:clock") in {str(n) for n in range(6)}
        await stores[0].set("console:clock", "last")
        assert await stores[1].get("console:clock") == "last"
    finally:
        await bot.close()
        await beside.close()


async def test_a_value_is_written_even_when_the_database_says_at_once_it_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under load, SQLite in WAL mode may answer "locked" without waiting out its busy timeout.
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'state.db'}")
    try:
        await db.upgrade()
        store = StateStore(db)
        monkeypatch.setattr("bot.state.LOCKED_RETRIES", (0.0, 0.0))
        engine_type = type(db.engine)
        begin = engine_type.begin
        refusals = 2

        def locked_at_first(engine: Any) -> Any:
            nonlocal refusals
            if refusals:
                refusals -= 1
                raise OperationalError("INSERT", {}, Exception("database is locked"))
            return begin(engine)

        monkeypatch.setattr(engine_type, "begin", locked_at_first)
        await store.set("console:clock", "12:00")
        assert await store.get("console:clock") == "12:00"
    finally:
        await db.close()
