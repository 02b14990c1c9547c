"""The contributors tables arrive by migration, on a populated database, and go back."""

from __future__ import annotations

from pathlib import Path

from tests.support.migrations import GARDEN, migrated_database

TABLES = {"contributors_daily", "contributors_interactions", "contributors_optouts"}


def test_the_contributors_migration_upgrades_a_populated_database_and_goes_back(
    tmp_path: Path,
) -> None:
    with migrated_database(tmp_path, "0004", GARDEN) as database:
        database.upgrade()
        assert database.tables() >= TABLES
        database.write(
            "INSERT INTO contributors_interactions "
            "(community_id, day, source_id, target_id, kind, count) "
            "VALUES (1, '2026-11-02', 'a', 'b', 'thanks', 1)"
        )
        database.downgrade("0004")
        assert not TABLES & database.tables()
        assert database.rows("SELECT name FROM communities") == [("Garden",)]
