"""A connection given back to the pool: rolled back when a transaction is still open on it,
and not otherwise (a committed write costs no extra trip to aiosqlite's thread)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.db import Database, is_memory


@pytest.fixture(params=["file", "memory"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with a ``notes`` table, on disk or in memory (one shared connection)."""
    url = f"sqlite:///{tmp_path / 'j.db'}" if request.param == "file" else "sqlite://"
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE notes (text TEXT)")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Every rollback asked of aiosqlite (each a trip to its thread), one item each."""
    asked: list[None] = []
    original = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        asked.append(None)
        await original(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    return asked


async def notes(database: Database) -> list[str]:
    async with database.engine.connect() as connection:
        result = await connection.exec_driver_sql("SELECT text FROM notes")
        return [row[0] for row in result]


async def assert_writable(database: Database) -> None:
    """Another connection can take the write lock at once: nothing was left holding it."""
    if not is_memory(database.url):
        path = database.engine.url.database
        assert path is not None
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("INSERT INTO notes VALUES ('after')")
    assert await notes(database) == ["after"]


async def test_a_committed_write_costs_no_rollback(
    database: Database, rollbacks: list[None]
) -> None:
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("INSERT INTO notes VALUES ('kept')")
    async with database.session() as session:
        connection = await session.connection()
        await connection.exec_driver_sql("INSERT INTO notes VALUES ('kept too')")
        await session.commit()
    assert rollbacks == []
    assert await notes(database) == ["kept", "kept too"]


async def test_a_write_given_back_uncommitted_on_the_drivers_connection_is_rolled_back(
    database: Database, rollbacks: list[None]
) -> None:
    # Written on aiosqlite's own connection: SQLAlchemy knows of no transaction to close.
    async with database.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute("INSERT INTO notes VALUES ('lost')")
    assert len(rollbacks) == 1
    await assert_writable(database)


async def test_a_write_transaction_that_fails_is_rolled_back(database: Database) -> None:
    async def write_then_fail() -> None:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("INSERT INTO notes VALUES ('lost')")
            raise RuntimeError("while writing")

    with pytest.raises(RuntimeError, match="while writing"):
        await write_then_fail()
    await assert_writable(database)


@pytest.mark.parametrize("on", ["engine", "driver"])
async def test_a_write_transaction_whose_task_is_cancelled_is_rolled_back(
    database: Database, on: str
) -> None:
    written = asyncio.Event()

    async def write_then_wait() -> None:
        async with database.engine.begin() as connection:
            if on == "engine":
                await connection.exec_driver_sql("INSERT INTO notes VALUES ('lost')")
            else:
                driver: Any = (await connection.get_raw_connection()).driver_connection
                await driver.execute("INSERT INTO notes VALUES ('lost')")
            written.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(write_then_wait())
    await written.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await assert_writable(database)
