"""The database's failures at start-up, told in one line a user can act on."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import Pool

from bot.db import BUSY_TIMEOUT, Database, ensure_parent_directory, storage_error, storage_errors
from bot.errors import JardinierError
from bot.migrate import upgrade
from tests.support.migrations import GARDEN, migrated_database


def locked() -> OperationalError:
    return OperationalError(
        'PRAGMA main.table_info("alembic_version")',
        {},
        sqlite3.OperationalError("database is locked"),
    )


def test_a_database_under_a_file_names_the_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    for path in (tmp_path / "afile" / "j.db", tmp_path / "afile" / "sub" / "j.db"):
        with pytest.raises(JardinierError) as caught:
            ensure_parent_directory(f"sqlite+aiosqlite:///{path}")
        assert str(caught.value) == (
            f"cannot create the database {path}: {tmp_path / 'afile'} is a file, not a folder"
        )


def test_a_locked_database_is_named_with_what_to_do() -> None:
    error = storage_error("sqlite+aiosqlite:///data/jardinier.db", locked())
    assert str(error) == (
        "the database data/jardinier.db is locked by another process (another Jardinier "
        "running?); stop it or try again"
    )


def test_other_failures_keep_the_drivers_reason_and_never_the_password() -> None:
    url = "postgresql+asyncpg://bot:s3cr3t-pass@db.example/jardinier"
    cause = OSError(111, "Connection refused")
    assert str(storage_error(url, cause)) == (
        "cannot use the database postgresql+asyncpg://bot:***@db.example/jardinier: "
        "Connection refused"
    )
    echoed = OperationalError("SELECT 1", {}, Exception("bad login bot/s3cr3t-pass\nmore"))
    assert str(storage_error(url, echoed)).endswith(": bad login bot/***")


def test_a_missing_driver_says_which() -> None:
    url = "postgresql+asyncpg://bot@db.example/jardinier"
    with (
        pytest.raises(JardinierError, match="its driver asyncpg is not installed"),
        storage_errors(url),
    ):
        raise ModuleNotFoundError("No module named 'asyncpg'", name="asyncpg")


async def test_upgrade_turns_a_locked_database_into_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_upgrade(url: str, revision: str = "head") -> None:
        raise locked()

    monkeypatch.setattr("bot.migrate.upgrade", failing_upgrade)
    database = Database(f"sqlite:///{tmp_path / 'j.db'}")
    try:
        with pytest.raises(JardinierError, match=r"^the database \S+j\.db is locked by another"):
            await database.upgrade()
    finally:
        await database.close()


async def test_a_database_another_process_holds_at_start_is_named_after_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j.db"
    # An older bot's database: the start has a migration to apply.
    await asyncio.to_thread(upgrade, f"sqlite:///{path}", "0013")
    holder = sqlite3.connect(path, isolation_level=None)  # a script writing to the same file
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr("bot.migrate.BUSY_TIMEOUT", timedelta(milliseconds=200))
    database = Database(f"sqlite:///{path}")
    try:
        started = time.monotonic()
        with pytest.raises(JardinierError) as caught:
            await database.upgrade()
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
        await database.close()
    assert str(caught.value) == (
        f"the database {path} is locked by another process (another Jardinier running?); "
        "stop it or try again"
    )
    assert waited < 3  # the wait asked for, not sqlite3's own default of 5 s


async def test_the_migrations_wait_for_a_locked_database_as_long_as_the_bot(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'j.db'}")
    try:
        async with database.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA busy_timeout")
            bot_wait = timedelta(milliseconds=result.scalar_one())
    finally:
        await database.close()
    assert bot_wait == BUSY_TIMEOUT


@pytest.fixture
def sqlite_leaving_deleted_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An SQLite build whose default leaves deleted rows in the file's free space (many do;
    the one the tests run on wipes them by default)."""

    def secure_delete_off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    # Class-level: it runs before the engine's own listener, as a build's default would.
    event.listen(Pool, "connect", secure_delete_off)
    try:
        yield
    finally:
        event.remove(Pool, "connect", secure_delete_off)


@pytest.mark.usefixtures("sqlite_leaving_deleted_rows")
@pytest.mark.parametrize("where", ["file", "memory"])
async def test_deleted_rows_are_wiped_from_the_database(tmp_path: Path, where: str) -> None:
    path = tmp_path / "j.db"
    database = Database(f"sqlite:///{path}" if where == "file" else "sqlite://")
    try:
        async with database.engine.begin() as connection:
            secure = (await connection.exec_driver_sql("PRAGMA secure_delete")).scalar_one()
            await connection.exec_driver_sql("CREATE TABLE notes (text TEXT)")
            await connection.exec_driver_sql("INSERT INTO notes VALUES ('zelmira was rude')")
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("DELETE FROM notes")
    finally:
        await database.close()
    assert secure == 1
    if where == "file":
        assert b"zelmira" not in path.read_bytes()


@pytest.mark.usefixtures("sqlite_leaving_deleted_rows")
def test_rows_a_migration_deletes_are_wiped_from_the_database(tmp_path: Path) -> None:
    with migrated_database(
        tmp_path,
        "0016",
        GARDEN,
        *(
            "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending,"
            f" restricted, gate_failures) VALUES (1, 'zelmira', '{joined}', 0, 0, 0)"
            for joined in ("2026-11-03 07:41:59.000000", "2026-12-01 09:00:00.000000")
        ),
    ) as database:
        # Back to one row per member: the downgrade deletes zelmira's first stay.
        database.downgrade("0015")
        assert database.rows("SELECT joined_at FROM welcome_newcomers") == [
            ("2026-12-01 09:00:00.000000",)
        ]
    assert b"2026-11-03 07:41:59" not in (tmp_path / "migrated.db").read_bytes()
