"""A database at a chosen migration, for the tests that every schema change brings: rows written
as an older bot wrote them, the schema moved up or down, and what is left read back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from bot.migrate import alembic_config, upgrade

GARDEN = (
    "INSERT INTO communities (id, platform, external_id, name, first_seen) "
    "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')"
)
"""Community 1, "Garden": the row most populated databases start from."""


class MigratedDatabase:
    """A SQLite file whose schema a test moves between revisions."""

    def __init__(self, path: Path, revision: str) -> None:
        self.url = f"sqlite:///{path}"
        upgrade(self.url, revision)
        self.engine: Engine = create_engine(self.url)

    def write(self, *statements: str, values: Mapping[str, Any] | None = None) -> None:
        """Run ``statements`` (inserts, mostly) in one transaction."""
        with self.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), dict(values or {}))

    def upgrade(self, revision: str = "head") -> None:
        """Apply the migrations up to ``revision``."""
        upgrade(self.url, revision)

    def downgrade(self, revision: str) -> None:
        """Revert the migrations down to ``revision``."""
        command.downgrade(alembic_config(self.url), revision)

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        """What ``query`` reads, as plain tuples."""
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query)).all()]

    def tables(self) -> set[str]:
        """The tables the schema has now."""
        with self.engine.connect() as connection:
            return set(inspect(connection).get_table_names())

    def columns(self, table: str) -> set[str]:
        """The columns ``table`` has now."""
        with self.engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns(table)}


@contextmanager
def migrated_database(tmp_path: Path, revision: str, *rows: str) -> Iterator[MigratedDatabase]:
    """A database at ``revision`` holding ``rows`` (SQL inserts); closed afterwards."""
    database = MigratedDatabase(tmp_path / "migrated.db", revision)
    try:
        database.write(*rows)
        yield database
    finally:
        database.engine.dispose()
