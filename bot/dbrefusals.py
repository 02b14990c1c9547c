"""Why a write-behind flush failed: the database refused for a while, or for good, or the bot
has a bug.

A flush that fails for a passing reason (the database locked or busy, a lost connection, a
deadlock, a full disk) is tried again as it is. One that fails because of what it writes (a
constraint a row breaks, a value its column refuses) would fail again for ever: the buffers
then write their rows apart (:func:`write_apart`), and set aside only those the database
refuses on their own.

Anything else a write raises (a TypeError, a KeyError, a value the bot should never have made,
such as a naive datetime) is no refusal of the database but a bug in the bot. The rows are
written apart then too, so that a bug one row's data sets off costs that row only; the rows the
bug hits are dropped, and the flush logs the bug once, with its traceback (:func:`log_bug`).
Dropped rather than kept for the next flush: the bot cannot tell a bug that passes from one
that does not, and the same code on the same rows mostly fails the same way. Kept, rows that
set a bug off would fail again at every flush, hold memory and fill the log until a restart
loses them anyway, and the last flush at stop would spend its seconds on them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
    SQLAlchemyError,
    StatementError,
)

_Unit = TypeVar("_Unit")

LAST_FLUSH_WITHIN = 3.0
"""Seconds a store's last flush, when the bot stops, goes on trying while the database refuses
for a while (each try may also wait out the busy timeout)."""
LAST_FLUSH_PAUSES = (0.05, 0.25, 1.0)
"""Seconds between the tries of a last flush (the last pause repeats): SQLite may say at once
that the database is locked (in WAL mode, under load), or another process may hold it a while."""


SCHEMA_BUGS = ("no such table", "no such column", "has no column named", "syntax error")
"""What SQLite says (as an OperationalError, like a lock) of a statement the schema cannot run:
a table or column missing (a migration not written, or not run), SQL it cannot read."""


def may_pass(error: BaseException) -> bool:
    """Whether writing the same rows again may succeed: the database refused them for a while
    (locked, busy, away), not for what they hold, nor because the statement cannot run."""
    if isinstance(error, IntegrityError | DataError | ProgrammingError | NotSupportedError):
        return False
    if isinstance(error, DBAPIError):
        # Locked, busy, I/O, connection lost; on PostgreSQL a deadlock or a serialization
        # failure, which the asyncpg driver reports as a plain DBAPIError. A schema that lacks
        # what the bot asks for fails every time: a bug to report, not a busy database to try
        # again in a minute.
        said = str(error.orig).lower()
        return not any(words in said for words in SCHEMA_BUGS)
    # A StatementError of its own is a value a column type refused before the database saw it
    # (a naive datetime: a bug in the bot); the pool's timeout and a closed connection may pass.
    return isinstance(error, SQLAlchemyError | OSError) and not isinstance(error, StatementError)


def refused_for_good(error: BaseException) -> bool:
    """Whether the database refuses the rows themselves (a constraint one breaks, a value its
    column refuses): written again, they would be refused again. Neither this nor
    :func:`may_pass`: a bug in the bot."""
    if isinstance(error, IntegrityError | DataError):
        return True
    # A driver's own error SQLAlchemy passed on wrapped as it is: PEP 249 names the classes.
    cause = error.orig if isinstance(error, StatementError) else None
    return cause is not None and any(
        kind.__name__ in ("IntegrityError", "DataError") for kind in type(cause).__mro__
    )


def log_bug(log: logging.Logger, lost: str, error: BaseException) -> None:
    """Say, with the traceback of ``error``, that ``lost`` (what could not be written, counted)
    is lost to a bug in the bot: the database did not refuse it, and is not where to look."""
    log.error(
        "%s lost to a bug in the bot, not a refusal of the database (%s)",
        lost,
        reason(error),
        exc_info=error,
    )


def reason(error: BaseException) -> str:
    """What the database (or the column type) said, in one line, without the statement nor its
    parameters."""
    cause = error.orig if isinstance(error, StatementError) and error.orig is not None else error
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


async def write_apart(
    units: Sequence[_Unit],
    write: Callable[[_Unit], Awaitable[None]],
    *,
    together: Exception,
    log: logging.Logger,
    refused: Callable[[_Unit, Exception], None],
    kept: Callable[[Sequence[_Unit], Exception], None],
    lost: Callable[[Sequence[_Unit]], str],
) -> list[_Unit]:
    """Write ``units`` one at a time, each with ``write`` in a transaction of its own, once
    writing them together failed (with ``together``) other than for a while: the units
    written, in order.

    A unit the database refuses on its own (:func:`refused_for_good`) goes to ``refused`` and
    the next is tried. At a refusal that may pass (locked, busy, away), that unit and those
    after it go to ``kept``, to wait for the next flush, and none is tried further. The units
    whose write raised anything else, a bug in the bot, go to ``lost`` once at the end: it
    drops them (see the module's docstring) and says what they were, and the bug is logged
    once, with its traceback. A bug that failed the write of all together only is logged too.
    """
    written: list[_Unit] = []
    broken: list[_Unit] = []
    bug: Exception | None = None
    for index, unit in enumerate(units):
        try:
            await write(unit)
        except Exception as error:
            if may_pass(error):
                kept(units[index:], error)
                break
            if refused_for_good(error):
                refused(unit, error)
            else:
                broken.append(unit)
                if bug is None:
                    bug = error
        else:
            written.append(unit)
    if bug is not None:
        log_bug(log, lost(broken), bug)
    elif not refused_for_good(together):
        log.error(
            "a write failed on a bug in the bot, not a refusal of the database (%s); written "
            "again part by part, nothing was lost",
            reason(together),
            exc_info=together,
        )
    return written


async def last_flush(
    flush: Callable[[], Awaitable[object]], waiting: Callable[[], int], *, within: float
) -> int:
    """Flush once more before the bot stops, and again while changes still wait (the database
    refused them for a while), no new try starting past ``within`` seconds: how many still
    wait after the last try (lost, unless written by another run)."""
    deadline = time.monotonic() + within
    pauses = iter(LAST_FLUSH_PAUSES)
    pause = 0.0
    while True:
        await flush()
        left = waiting()
        pause = next(pauses, pause)
        if not left or time.monotonic() + pause > deadline:
            return left
        await asyncio.sleep(pause)
