"""Alembic environment: every SQLModel table of the core and the cogs, SQLite in batch mode."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import event, pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel

from bot.cogloader import import_all_models
from bot.db import async_url, database_url, ensure_parent_directory
from bot.dbtypes import UTCDateTime
from bot.migrate import BUSY_TIMEOUT
from bot.scheduler import JOB_TABLE

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

import_all_models()
target_metadata = SQLModel.metadata


def _url() -> str:
    return async_url(config.get_main_option("sqlalchemy.url") or database_url())


def _busy_timeout() -> timedelta:
    """How long to wait for a locked SQLite database (``alembic`` on the command line: the
    default; the bot: what :func:`bot.migrate.upgrade` was given)."""
    value = config.attributes.get("busy_timeout")
    return value if isinstance(value, timedelta) else BUSY_TIMEOUT


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave the scheduler's job table alone: APScheduler owns it."""
    return not (type_ == "table" and name == JOB_TABLE)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our column types as plain SQLAlchemy types, so migrations never import bot code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        render_item=render_item,
        compare_type=True,
        **options,
    )


def run_migrations_offline() -> None:
    """Write the SQL instead of running it (``alembic upgrade --sql``)."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _one_sqlite_transaction(engine: AsyncEngine) -> None:
    """Run the upgrade in one SQLite transaction that takes the write lock first.

    sqlite3 commits each CREATE or ALTER TABLE on its own: another process writing between
    two of them (a replay on the same file) made the start fail halfway, and left columns a
    later start tried to add again ("duplicate column name") — a bot that never started
    again. In one transaction, a database locked by another process fails the start before
    anything changed; IMMEDIATE waits for the lock at once (the busy timeout) rather than
    failing without waiting when a read would have to become a write.
    """

    def no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    def begin_immediate(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine.sync_engine, "connect", no_implicit_transactions)
    event.listen(engine.sync_engine, "begin", begin_immediate)


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    """Overwrite what a migration deletes or drops with zeros, as the bot's own connections do
    (:func:`bot.db.sqlite_pragmas`): some SQLite builds leave it in the file's free space."""
    dbapi_connection.execute("PRAGMA secure_delete=ON")


def _run(connection: Connection) -> None:
    # Every migration and the version it stamps, or none: a start that fails changes nothing.
    _configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    """Run the migrations on the configured database."""
    url = _url()
    ensure_parent_directory(url)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    options: dict[str, Any] = {}
    if sqlite:
        # Said, not left to sqlite3's default: the bot's own connections wait as long.
        options["connect_args"] = {"timeout": _busy_timeout().total_seconds()}
    engine = create_async_engine(url, poolclass=pool.NullPool, **options)
    if sqlite:
        event.listen(engine.sync_engine, "connect", _secure_delete)
        _one_sqlite_transaction(engine)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
