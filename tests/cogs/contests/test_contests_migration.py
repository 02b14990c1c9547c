"""The contests tables arrive by migration on a populated database, and go back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from bot.migrate import alembic_config, upgrade

TABLES = {
    "contests",
    "contest_entries",
    "contest_votes",
    "contest_challenges",
    "contest_wins",
    "giveaways",
    "giveaway_entries",
    "giveaway_draws",
}


def test_the_contests_migration_upgrades_a_populated_database_and_goes_back(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'populated.db'}"
    upgrade(url, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO communities (id, platform, external_id, name, first_seen) "
                "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')"
            )
        )
    upgrade(url, "0004")
    with engine.begin() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
        connection.execute(
            text(
                "INSERT INTO contests (community_id, title, description, channel_id, "
                "channel_name, created_by, starts_at, ends_at, entries_per_member, winners, "
                "choose_by) VALUES (1, 'Haiku', '', 'c', '#c', 'u', '2026-11-02 09:00:00', "
                "'2026-11-02 11:00:00', 1, 3, 'votes')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO contest_entries (contest_id, number, user_id, user_name, text, "
                "submitted_at) VALUES (1, 1, 'u1', 'alice', 'pond', '2026-11-02 09:30:00')"
            )
        )
    command.downgrade(alembic_config(url), "0003")
    with engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
        assert connection.execute(text("SELECT name FROM communities")).scalar() == "Garden"
    engine.dispose()


def test_votes_cast_before_the_migration_count_as_cast_with_the_command(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'votes.db'}"
    upgrade(url, "0010")
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO communities (id, platform, external_id, name, first_seen) "
            "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')",
            "INSERT INTO contests (community_id, title, description, channel_id, channel_name, "
            "created_by, starts_at, ends_at, entries_per_member, winners, choose_by, "
            "last_entry_number) VALUES (1, 'Haiku', '', 'c', '#c', 'u', "
            "'2026-11-02 09:00:00', '2026-11-02 11:00:00', 1, 3, 'votes', 1)",
            "INSERT INTO contest_entries (contest_id, number, user_id, user_name, text, "
            "submitted_at) VALUES (1, 1, 'u1', 'alice', 'pond', '2026-11-02 09:30:00')",
            "INSERT INTO contest_votes (contest_id, entry_id, voter_id, voted_at) "
            "VALUES (1, 1, 'u2', '2026-11-02 09:40:00')",
        ):
            connection.execute(text(statement))
    upgrade(url, "0011")
    with engine.connect() as connection:
        # Taking an emoji back never withdraws them: no vote is lost for not knowing.
        assert connection.execute(text("SELECT by_reaction FROM contest_votes")).all() == [(0,)]
    command.downgrade(alembic_config(url), "0010")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT voter_id FROM contest_votes")).all() == [("u2",)]
    engine.dispose()


def test_giveaway_entries_made_before_the_migration_count_as_made_with_the_button(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'giveaways.db'}"
    upgrade(url, "0012")
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO communities (id, platform, external_id, name, first_seen) "
            "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')",
            "INSERT INTO giveaways (community_id, prize, winners, channel_id, channel_name, "
            "created_by, starts_at, ends_at) VALUES (1, 'Seeds', 1, 'c', '#c', 'u', "
            "'2026-11-02 09:00:00', '2026-11-03 09:00:00')",
            "INSERT INTO giveaway_entries (giveaway_id, user_id, user_name, entered_at) "
            "VALUES (1, 'u2', 'bob', '2026-11-02 09:40:00')",
        ):
            connection.execute(text(statement))
    upgrade(url, "0013")
    with engine.connect() as connection:
        # Taking an emoji back never withdraws them: no entrant is dropped for not knowing.
        assert connection.execute(text("SELECT by_reaction FROM giveaway_entries")).all() == [(0,)]
    command.downgrade(alembic_config(url), "0012")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT user_id FROM giveaway_entries")).all() == [("u2",)]
    engine.dispose()
