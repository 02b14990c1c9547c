"""Another process at the database: what a backup, a script or a second bot does to SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held(database: Path) -> Iterator[sqlite3.Connection]:
    """Another process's connection holding the write lock of ``database`` (a script, a second
    bot on the same file) until the block ends, or it commits or rolls back itself."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()
