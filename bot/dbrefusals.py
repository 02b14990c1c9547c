"""Why the database refused a write-behind flush: for a while, or for good.

A flush that fails for a passing reason (the database locked or busy, a lost connection, a
deadlock, a full disk) is tried again as it is. One that fails because of what it writes (a
constraint a row breaks, a value its column refuses) would fail again for ever: the buffers
then write their rows one by one, and set aside only those the database refuses on their own.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError, StatementError


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
