"""One Jardinier per database: an exclusive lock on ``<database>.lock``, held while it runs.

Two bots on the same SQLite file would both run every scheduled job (an announcement posted
twice, a ban lifted twice). The lock is an ``flock`` on a file next to the database: the
operating system drops it when the process ends, however it ends, so a bot that was killed
never blocks the next start. The file holds the pid of the bot that holds it, for the message
a second start prints.

Only SQLite files are locked: an in-memory database cannot be shared, and a server database
(PostgreSQL) has no file to lock. On systems without ``fcntl`` (Windows) no lock is taken and
the log says so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db import ensure_parent_directory, is_memory, redacted
from bot.errors import JardinierError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


def lock_path(url: str) -> Path | None:
    """The lock file of the database at ``url``, or None when it is not a SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or is_memory(url):
        return None
    database = Path(parsed.database or "").expanduser()
    return database.with_name(database.name + ".lock")


@contextmanager
def instance_lock(url: str) -> Iterator[None]:
    """Hold the database's instance lock inside the block.

    Raises :class:`JardinierError` naming the database and the other bot's pid when another
    process holds it, or when the lock file cannot be created.
    """
    path = lock_path(url)
    if path is None:
        if not is_memory(url):
            log.info("no instance lock on %s: only SQLite files are locked", redacted(url))
        yield
        return
    if fcntl is None:
        log.warning("no instance lock on %s: this system has no fcntl", path)
        yield
        return
    ensure_parent_directory(url)
    database = path.with_name(path.name.removesuffix(".lock"))
    try:
        # Not truncated on open: the holder's pid must still be there to read if we lose.
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise JardinierError(
            f"cannot create the lock file {path} of the database {database}: {error.strerror}"
        ) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            pid = f" (pid {holder})" if holder.isdigit() else ""
            raise JardinierError(
                f"another Jardinier is already running on {database}{pid}; stop it first"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        # Closing releases the lock; the file stays, so that no start races an unlink.
        os.close(descriptor)
