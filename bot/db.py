"""The database: SQLModel over SQLite (aiosqlite) by default, any SQLAlchemy async URL otherwise.

The URL comes from ``JARDINIER_DATABASE_URL`` (default ``sqlite+aiosqlite:///./data/jardinier.db``);
a plain ``sqlite:///…`` URL is accepted and given the async driver. SQLite runs in WAL mode with
foreign keys on and a busy timeout, so a briefly locked database waits instead of failing, and
with ``secure_delete`` on, so deleted rows are wiped from the file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import PoolResetState, StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import JardinierError

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/jardinier.db"
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
BUSY_TIMEOUT = timedelta(seconds=5)
"""How long a connection (the bot's, the schema upgrade's) waits for a SQLite database another
process holds locked (a replay on the same file, a script) before it fails saying so."""
_SYNC_DRIVERS = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql+psycopg"}


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The configured database URL (``JARDINIER_DATABASE_URL``), in its async form."""
    environ = os.environ if environ is None else environ
    return async_url(environ.get("JARDINIER_DATABASE_URL") or DEFAULT_DATABASE_URL)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except Exception:
        # The URL may hold a password: never echo it.
        raise JardinierError(
            "JARDINIER_DATABASE_URL is not a database URL; "
            "write e.g. sqlite+aiosqlite:///./data/jardinier.db"
        ) from None


def async_url(url: str) -> str:
    """``url`` with an async driver (``sqlite://`` becomes ``sqlite+aiosqlite://``)."""
    parsed = _parse(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """``url`` with a blocking driver, for Alembic and the scheduler's job store."""
    parsed = _parse(url)
    driver = _SYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def redacted(url: str) -> str:
    """``url`` fit for a log line: the password is masked."""
    return _parse(url).render_as_string(hide_password=True)


def is_memory(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database."""
    parsed = _parse(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def ensure_parent_directory(url: str) -> None:
    """Create the folder of a SQLite database file, so a fresh checkout just works.

    Raises :class:`JardinierError` naming the file when the folder cannot be made.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite" or is_memory(url):
        return
    path = Path(parsed.database or "").expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocking = next(
            (folder for folder in (path.parent, *path.parent.parents) if folder.exists()), None
        )
        if blocking is not None and not blocking.is_dir():
            reason = f"{blocking} is a file, not a folder"
        else:
            reason = error.strerror or str(error)
        raise JardinierError(f"cannot create the database {path}: {reason}") from None


def described(url: str) -> str:
    """How messages name the database: a SQLite file's path, else the URL without password."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        return "in memory" if is_memory(url) else str(parsed.database)
    return redacted(url)


def storage_error(url: str, error: SQLAlchemyError | OSError) -> JardinierError:
    """A one-line error a user can act on, for a database that cannot be opened or written."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(cause, OSError) and cause.strerror:
        reason = cause.strerror
    else:
        # SQLAlchemy's own text adds the SQL and its parameters: keep the driver's first line.
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    password = _parse(url).password
    if password:
        reason = reason.replace(str(password), "***")
    name = described(url)
    if "locked" in reason.lower():
        return JardinierError(
            f"the database {name} is locked by another process (another Jardinier running?); "
            "stop it or try again"
        )
    return JardinierError(f"cannot use the database {name}: {reason}")


@contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Turn database and file-system failures inside the block into :func:`storage_error`."""
    try:
        yield
    except (SQLAlchemyError, OSError) as error:
        raise storage_error(url, error) from None
    except ModuleNotFoundError as error:
        # A URL naming a driver that is not installed (asyncpg, psycopg).
        raise JardinierError(
            f"cannot use the database {described(url)}: its driver {error.name} is not "
            "installed; pip install it"
        ) from None


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set WAL, ``synchronous=NORMAL``, foreign keys, the busy timeout and ``secure_delete``
    on a new connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT.total_seconds() * 1000)}")
    # What an erasure or the retention sweep deletes is overwritten with zeros, not left in
    # the file's free space until reused; some SQLite builds do so by default, not all.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether SQLite holds a transaction open on ``dbapi_connection``, read without a trip to
    aiosqlite's thread; True when it cannot tell (a closed connection: its rollback decides)."""
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    try:
        return bool(driver.in_transaction)
    except (AttributeError, ValueError, sqlite3.Error):
        return True


def rollback_if_in_transaction(
    dbapi_connection: Any, _record: Any, reset_state: PoolResetState
) -> None:
    """The pool's reset of a SQLite connection given back: a rollback, only when a transaction
    is still open on it (a task failed or was cancelled inside one, or wrote on the driver's own
    connection); after a commit or a rollback, none.

    The pool's default rolls back every connection given back, a trip to aiosqlite's thread
    per write transaction for nothing: ``in_transaction`` says the same as that rollback would
    find (sqlite3's rollback does nothing outside a transaction). A statement still running
    for a cancelled task cannot slip past: SQLAlchemy queues its own rollback of the
    transaction on the way out, and aiosqlite runs what is queued in order.
    """
    if not reset_state.asyncio_safe or reset_state.transaction_was_reset:
        # As the default: no I/O while garbage-collected; nothing to undo after the
        # connection's own rollback.
        return
    if _in_transaction(dbapi_connection):
        dbapi_connection.rollback()


def upsert_insert(dialect: str) -> Any:
    """The INSERT of ``dialect`` that can say ON CONFLICT (SQLite's and PostgreSQL's)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; on SQLite, the pragmas set on every connection and a
    connection given back rolled back only when a transaction is open on it."""
    url = async_url(url)
    options: dict[str, Any] = {}
    if is_memory(url):
        # One shared connection, or every session would see its own empty database.
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        ensure_parent_directory(url)
    sqlite = _parse(url).get_backend_name() == "sqlite"
    if sqlite:
        # The reset is the listener's below; other databases keep the pool's default.
        options["pool_reset_on_return"] = None
    engine = create_async_engine(url, **options)
    if sqlite:
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", rollback_if_in_transaction)
    return engine


class Database:
    """The engine and a session factory; ``upgrade`` applies the migrations."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        with storage_errors(self.url):
            self.engine = create_engine(self.url)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self._schema_ready = False

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration, once (in a thread: Alembic is blocking).

        Raises :class:`JardinierError` when the database cannot be opened or is locked.
        """
        from bot.migrate import upgrade

        if self._schema_ready:
            return
        with storage_errors(self.url):
            if is_memory(self.url):
                # Alembic would open its own, separate in-memory database: build the tables here.
                await self.create_all()
            else:
                await asyncio.to_thread(upgrade, self.url)
        self._schema_ready = True

    async def create_all(self) -> None:
        """Create every table from the models (in-memory databases for tests)."""
        from sqlmodel import SQLModel

        from bot.cogloader import import_all_models

        import_all_models()
        async with self.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)

    async def close(self) -> None:
        """Release every connection."""
        await self.engine.dispose()
