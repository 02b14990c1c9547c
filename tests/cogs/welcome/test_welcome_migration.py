"""The welcome table arrives by migration, on an empty and on a populated database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from bot.migrate import alembic_config, upgrade


def test_the_welcome_migration_upgrades_a_populated_database_and_goes_back(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'populated.db'}"
    upgrade(url, "0001")
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
        assert "welcome_newcomers" in inspect(connection).get_table_names()
        connection.execute(
            text(
                "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending, "
                "restricted, gate_failures) VALUES (1, 'u1', '2026-11-02 09:00:00', 0, 0, 0)"
            )
        )
    command.downgrade(alembic_config(url), "0001")
    with engine.connect() as connection:
        assert "welcome_newcomers" not in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT name FROM communities")).scalar() == "Garden"
    engine.dispose()


def test_introductions_made_before_the_first_introduction_was_kept_count_as_first(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'populated.db'}"
    upgrade(url, "0009")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO communities (id, platform, external_id, name, first_seen) "
                "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, introduced_at,"
                " gate_pending, restricted, gate_failures) VALUES"
                " (1, 'ana', '2026-11-02 09:00:00', '2026-11-02 09:05:00', 0, 0, 0),"
                " (1, 'ben', '2026-11-02 09:00:00', NULL, 0, 0, 0)"
            )
        )
    upgrade(url, "0010")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT user_id, first_introduced_at FROM welcome_newcomers ORDER BY user_id")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("ana", "2026-11-02 09:05:00"), ("ben", None)]
