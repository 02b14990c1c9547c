"""The welcome table arrives by migration, on an empty and on a populated database."""

from __future__ import annotations

from pathlib import Path

from tests.support.migrations import GARDEN, migrated_database


def test_the_welcome_migration_upgrades_a_populated_database_and_goes_back(
    tmp_path: Path,
) -> None:
    with migrated_database(tmp_path, "0001", GARDEN) as database:
        database.upgrade()
        assert "welcome_newcomers" in database.tables()
        database.write(
            "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending, "
            "restricted, gate_failures) VALUES (1, 'u1', '2026-11-02 09:00:00', 0, 0, 0)"
        )
        database.downgrade("0001")
        assert "welcome_newcomers" not in database.tables()
        assert database.rows("SELECT name FROM communities") == [("Garden",)]


def test_introductions_made_before_the_first_introduction_was_kept_count_as_first(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0009",
        GARDEN,
        "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, introduced_at,"
        " gate_pending, restricted, gate_failures) VALUES"
        " (1, 'ana', '2026-11-02 09:00:00', '2026-11-02 09:05:00', 0, 0, 0),"
        " (1, 'ben', '2026-11-02 09:00:00', NULL, 0, 0, 0)",
    ) as database:
        database.upgrade("0010")
        assert database.rows(
            "SELECT user_id, first_introduced_at FROM welcome_newcomers ORDER BY user_id"
        ) == [("ana", "2026-11-02 09:05:00"), ("ben", None)]
