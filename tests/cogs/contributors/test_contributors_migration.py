"""The contributors tables arrive by migration, on a populated database, and go back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from bot.migrate import alembic_config, upgrade

TABLES = {"contributors_daily", "contributors_interactions", "contributors_optouts"}


def test_the_contributors_migration_upgrades_a_populated_database_and_goes_back(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'populated.db'}"
    upgrade(url, "0004")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO communities (id, platform, external_id, name, first_seen) "
                "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')"
            )
        )
    upgrade(url)
    with engine.begin() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
        connection.execute(
            text(
                "INSERT INTO contributors_interactions "
                "(community_id, day, source_id, target_id, kind, count) "
                "VALUES (1, '2026-11-02', 'a', 'b', 'thanks', 1)"
            )
        )
    command.downgrade(alembic_config(url), "0004")
    with engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
        assert connection.execute(text("SELECT name FROM communities")).scalar() == "Garden"
    engine.dispose()
