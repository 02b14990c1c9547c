"""Writing many rows at once: a statement compiled once, its rows handed to the driver as tuples.

The write-behind buffers (contributions, daily figures, members) write thousands of rows per
flush. SQLAlchemy's executemany prepares every row itself, a dict in and its compiler's
parameters out, each value through its type's processor: a flush of ten thousand counters
spent more time there than in the database. :class:`BulkWrite` compiles the statement once for
the engine's dialect, applies only the processors its columns need (a date written as text
on SQLite), and passes the rows to the driver's own executemany in one call. A flush's rows
mostly share their day: a column's last date converted is remembered, and reused while the
next rows give the same date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

ROWS_PER_CALL = 1_000
"""Rows handed to the driver at once: the parameters of ten thousand rows at once made a
passing peak of several megabytes."""


class BulkWrite:
    """``statement`` (an INSERT, or an upsert) for rows that give ``columns``, in that order."""

    def __init__(self, statement: Any, columns: Sequence[str], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        order = compiled.positiontup
        if order is None:
            raise ValueError(f"{dialect.name} takes named parameters; BulkWrite needs positional")
        position = {name: index for index, name in enumerate(columns)}
        missing = [name for name in order if name not in position]
        if missing:
            raise ValueError(f"the statement also takes {', '.join(missing)}")
        self.sql: str = compiled.string
        self._order = tuple(position[name] for name in order)
        processors = []
        for index, name in enumerate(order):
            column_type = compiled.binds[name].type.dialect_impl(dialect)
            processor = column_type.bind_processor(dialect)
            if processor is not None:
                processors.append((index, processor))
        self._processors: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(processors)
        self._reordered = self._order != tuple(range(len(columns)))
        # Per processor, the last date it converted and what it gave. Only plain dates: two
        # equal ones always read the same, where equal datetimes in two time zones do not.
        self._last_dates: list[tuple[date, Any] | None] = [None] * len(processors)

    def prepared(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """``row`` (the values of ``columns``) as the driver takes it."""
        if not self._processors and not self._reordered:
            return tuple(row)
        values = [row[index] for index in self._order] if self._reordered else list(row)
        last_dates = self._last_dates
        for slot, (index, processor) in enumerate(self._processors):
            value = values[index]
            if value.__class__ is date:
                last = last_dates[slot]
                if last is not None and last[0] == value:
                    values[index] = last[1]
                    continue
                converted = processor(value)
                last_dates[slot] = (value, converted)
                values[index] = converted
            else:
                values[index] = processor(value)
        return tuple(values)

    async def run(self, connection: AsyncConnection, rows: Iterable[Sequence[Any]]) -> None:
        """Write ``rows``, :data:`ROWS_PER_CALL` at a time, inside ``connection``'s transaction."""
        for chunk in self._chunks(rows):
            await connection.exec_driver_sql(self.sql, chunk)

    async def run_on_driver(self, driver: Any, rows: Iterable[Sequence[Any]]) -> None:
        """:meth:`run` on the driver's own connection (aiosqlite's: one trip to its thread per
        chunk), inside the transaction the caller holds on it."""
        for chunk in self._chunks(rows):
            await driver.executemany(self.sql, chunk)

    def _chunks(self, rows: Iterable[Sequence[Any]]) -> Iterator[list[tuple[Any, ...]]]:
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(self.prepared(row))
            if len(chunk) == ROWS_PER_CALL:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
