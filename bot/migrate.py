"""Alembic driven from code: the bot upgrades the schema at start, and ``jardinier db upgrade``."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import BUSY_TIMEOUT, async_url, ensure_parent_directory, redacted
from bot.errors import JardinierError
from bot.resources import migrations_directory

log = logging.getLogger(__name__)


def alembic_config(url: str, *, busy_timeout: timedelta | None = None) -> Config:
    """An Alembic configuration for ``url`` that works from a checkout and from an install.

    ``busy_timeout`` (default :data:`BUSY_TIMEOUT`) reaches ``migrations/env.py``.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    # Percent signs in a URL (escaped passwords) would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    config.attributes["busy_timeout"] = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
    return config


def upgrade(url: str, revision: str = "head", *, busy_timeout: timedelta | None = None) -> None:
    """Apply every migration up to ``revision`` (blocking), waiting at most ``busy_timeout``
    (default :data:`BUSY_TIMEOUT`) for a database another process holds locked."""
    ensure_parent_directory(url)
    check_not_newer(url, busy_timeout=busy_timeout)
    log.info("upgrading the database schema of %s", redacted(url))
    command.upgrade(alembic_config(url, busy_timeout=busy_timeout), revision)


def current_heads() -> tuple[str, ...]:
    """The newest revision(s) the shipped migrations define."""
    script = ScriptDirectory(str(migrations_directory()))
    return tuple(script.get_heads())


def check_not_newer(url: str, *, busy_timeout: timedelta | None = None) -> None:
    """Refuse a database a newer Jardinier migrated (after a roll-back to this version).

    Alembic alone fails there with a long traceback about a revision it cannot locate; this
    says what happened and what to do. Raises :class:`JardinierError`.
    """
    script = ScriptDirectory(str(migrations_directory()))
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = [
        revision for revision in database_revisions(url, busy_timeout) if revision not in known
    ]
    if unknown:
        newest = ", ".join(script.get_heads())
        raise JardinierError(
            f"this database was written by a newer Jardinier (revision {', '.join(unknown)}); "
            f"this version knows up to {newest}: upgrade Jardinier or restore a backup"
        )


def database_revisions(url: str, busy_timeout: timedelta | None = None) -> tuple[str, ...]:
    """The revision(s) stamped in the database at ``url`` (none for a new database)."""
    url = async_url(url)
    options: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "sqlite":
        timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        options["connect_args"] = {"timeout": timeout.total_seconds()}

    def heads(connection: Any) -> tuple[str, ...]:
        return tuple(MigrationContext.configure(connection).get_current_heads())

    async def read() -> tuple[str, ...]:
        engine = create_async_engine(url, poolclass=pool.NullPool, **options)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(heads)
        finally:
            await engine.dispose()

    # As migrations/env.py does: the upgrade runs blocking, in its own thread, off the bot's loop.
    return asyncio.run(read())
