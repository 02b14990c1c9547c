"""Why the database refused a write-behind flush: for a while, or for good.

A flush that fails for a passing reason (the database locked or busy, a lost connection, a
deadlock, a full disk) is tried again as it is. One that fails because of what it writes (a
constraint a row breaks, a value its column refuses) would fail again for ever: the buffers
then write their rows apart (:func:`write_apart`), and set aside only those the database
refuses on their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError

_Unit = TypeVar("_Unit")

LAST_FLUSH_WITHIN = 3.0
"""Seconds a store's last flush, when the bot stops, goes on trying while the database refuses
for a while (each try may also wait out the busy timeout)."""
LAST_FLUSH_PAUSES = (0.05, 0.25, 1.0)
"""Seconds between the tries of a last flush (the last pause repeats): SQLite may say at once
that the database is locked (in WAL mode, under load), or another process may hold it a while."""


def may_pass(error: BaseException) -> bool:
    """Whether writing the same rows again may succeed: anything but the rows' own fault."""
    if isinstance(error, IntegrityError | DataError):
        return False
    if isinstance(error, DBAPIError):
        # Locked, busy, I/O, connection lost; on PostgreSQL a deadlock or a serialization
        # failure, which the asyncpg driver reports as a plain DBAPIError.
        return True
    # A StatementError of its own is a value a column type refused before the database saw it
    # (a naive datetime); the pool's timeout and a closed connection may pass.
    return isinstance(error, SQLAlchemyError | OSError) and not isinstance(error, StatementError)


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
    refused: Callable[[_Unit, Exception], None],
    kept: Callable[[Sequence[_Unit], Exception], None],
) -> list[_Unit]:
    """Write ``units`` one at a time, each with ``write`` in a transaction of its own, once
    the database refused them together: the units written, in order.

    A unit the database refuses on its own (:func:`may_pass` says no) goes to ``refused`` and
    the next is tried. At a refusal that may pass (locked, busy, away), that unit and those
    after it go to ``kept``, to wait for the next flush, and none is tried further.
    """
    written: list[_Unit] = []
    for index, unit in enumerate(units):
        try:
            await write(unit)
        except Exception as error:
            if may_pass(error):
                kept(units[index:], error)
                break
            refused(unit, error)
        else:
            written.append(unit)
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
