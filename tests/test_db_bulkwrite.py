"""BulkWrite hands the driver exactly what SQLAlchemy's own type processing would, and the rows
land in the database as written."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, insert, select

from bot.bulkwrite import BulkWrite
from bot.db import Database

PARIS_WINTER = timezone(timedelta(hours=1))

metadata = MetaData()
days = Table(
    "days",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("day", Date),
    Column("at", DateTime),
)
COLUMNS = ("id", "name", "day", "at")

MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)
NOON = datetime(2026, 11, 2, 12, tzinfo=UTC)
ROWS: list[tuple[Any, ...]] = [
    (1, "alice", MONDAY, NOON),
    (2, "bob", date(2026, 11, 2), NOON),  # an equal date, another object
    (3, "carol", TUESDAY, NOON),
    (4, None, None, NOON.astimezone(PARIS_WINTER)),  # the same instant, another wall clock
    (5, "dave", TUESDAY, datetime(2026, 11, 3, 8, 30, 1, 250, tzinfo=UTC)),
    (6, "erin", MONDAY, NOON),  # back to a date seen before the last
    (7, "frank", datetime(2026, 11, 3, 23, 59, tzinfo=UTC), NOON),  # a datetime in a date column
    (8, "gus", TUESDAY, NOON),
    (9, "hana", None, None),
    (10, "ines", TUESDAY, NOON),
]


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    database = Database("sqlite://")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield database
    finally:
        await database.close()


def processed_one_by_one(database: Database, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``row`` as SQLAlchemy's types convert it, each value on its own."""
    dialect = database.engine.dialect
    converted = []
    for column, value in zip(days.columns, row, strict=True):
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        converted.append(value if processor is None else processor(value))
    return tuple(converted)


async def test_rows_with_repeating_and_distinct_dates_are_prepared_as_one_by_one(
    database: Database,
) -> None:
    bulk = BulkWrite(insert(days), COLUMNS, database.engine.dialect)

    prepared = [bulk.prepared(row) for row in ROWS]

    assert prepared == [processed_one_by_one(database, row) for row in ROWS]
    assert [row[2] for row in prepared] == [
        "2026-11-02",
        "2026-11-02",
        "2026-11-03",
        None,
        "2026-11-03",
        "2026-11-02",
        "2026-11-03",
        "2026-11-03",
        None,
        "2026-11-03",
    ]
    assert prepared[2][3] != prepared[3][3]  # equal instants, each its own wall clock


async def test_rows_written_in_bulk_read_back_as_written(database: Database) -> None:
    bulk = BulkWrite(insert(days), COLUMNS, database.engine.dialect)
    async with database.engine.begin() as connection:
        await bulk.run(connection, ROWS)
        stored = (await connection.execute(select(days).order_by(days.c.id))).all()

    assert [tuple(row) for row in stored] == [
        (
            id_,
            name,
            day.date() if isinstance(day, datetime) else day,
            None if at is None else at.replace(tzinfo=None),
        )
        for id_, name, day, at in ROWS
    ]
