"""Alembic driven from code: the bot upgrades the schema at start, and ``jardinier db upgrade``."""

from __future__ import annotations

import logging
from datetime import timedelta

from alembic import command
from alembic.config import Config

from bot.db import BUSY_TIMEOUT, async_url, ensure_parent_directory, redacted
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
    log.info("upgrading the database schema of %s", redacted(url))
    command.upgrade(alembic_config(url, busy_timeout=busy_timeout), revision)


def current_heads() -> tuple[str, ...]:
    """The newest revision(s) the shipped migrations define."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations_directory()))
    return tuple(script.get_heads())
