"""A database file with the newest schema for a test's bot, as ``jardinier run`` has.

An in-memory database is one connection that every coroutine shares: a session that ends there
rolls back whatever another coroutine has open (the case book's insert, a sweep's delete). A
test whose bot works in the background (a real platform's adapter polling, keeping its state)
runs on a file, each session on its own connection, as in production. Migrating a file takes a
second, so the schema is migrated once per test run and each test gets a copy.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.migrate import upgrade

_template: Path | None = None
_numbers = itertools.count(1)


def file_database(folder: Path) -> str:
    """The URL of a new database file in ``folder`` holding the newest schema, empty."""
    target = folder / f"bot-{next(_numbers)}.db"
    shutil.copyfile(_migrated_template(), target)
    return f"sqlite+aiosqlite:///{target}"


def _migrated_template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="jardinier-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "schema.db"
        # In a thread of its own: Alembic runs the async engine with its own event loop, and
        # a test calls this from inside one.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(upgrade, f"sqlite+aiosqlite:///{template}").result()
        with sqlite3.connect(template) as connection:
            # Everything in the file itself: a copy takes no write-ahead log along.
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        _template = template
    return _template
