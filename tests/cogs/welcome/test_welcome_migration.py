"""The welcome table arrives by migration, on an empty and on a populated database; its rows go
from one per member to one per arrival (migration 0016), and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

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


ANA_RETURNS = (
    "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending, restricted,"
    " gate_failures) VALUES (1, 'ana', '2026-12-20 10:00:00', 0, 0, 1)"
)


def test_each_member_keeps_their_journey_and_a_return_is_a_row_of_its_own(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0015",
        GARDEN,
        "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, welcomed_at,"
        " introduced_at, first_introduced_at, gate_pending, restricted, gate_failures) VALUES"
        " (1, 'ana', '2026-12-07 09:00:00', '2026-12-07 09:00:00', '2026-12-07 09:05:00',"
        " '2026-11-30 08:00:00', 0, 0, 1),"
        " (1, 'ben', '2026-12-08 09:00:00', NULL, NULL, NULL, 1, 1, 0)",
    ) as database:
        with pytest.raises(IntegrityError):  # before: one row per member
            database.write(ANA_RETURNS)

        database.upgrade("0016")

        database.write(ANA_RETURNS)
        assert database.rows(
            "SELECT user_id, joined_at, welcomed_at, introduced_at, first_introduced_at,"
            " gate_pending, restricted, gate_failures FROM welcome_newcomers"
            " ORDER BY user_id, joined_at"
        ) == [
            (
                "ana",
                "2026-12-07 09:00:00",
                "2026-12-07 09:00:00",
                "2026-12-07 09:05:00",
                "2026-11-30 08:00:00",
                0,
                0,
                1,
            ),
            ("ana", "2026-12-20 10:00:00", None, None, None, 0, 0, 1),
            ("ben", "2026-12-08 09:00:00", None, None, None, 1, 1, 0),
        ]
        with pytest.raises(IntegrityError):  # one row per arrival
            database.write(ANA_RETURNS)
        # The funnel's index stays, and the community's rows still go with it.
        with database.engine.connect() as connection:
            indexes = inspect(connection).get_indexes("welcome_newcomers")
        assert [(index["name"], index["column_names"]) for index in indexes] == [
            ("ix_welcome_newcomers_joined", ["community_id", "joined_at"])
        ]
        database.write("PRAGMA foreign_keys = ON", "DELETE FROM communities WHERE id = 1")
        assert database.rows("SELECT count(*) FROM welcome_newcomers") == [(0,)]


def test_one_row_per_arrival_on_an_empty_database_and_back_to_each_members_latest(
    tmp_path: Path,
) -> None:
    with migrated_database(tmp_path, "0015", GARDEN) as database:
        database.upgrade("0016")
        assert database.rows("SELECT count(*) FROM welcome_newcomers") == [(0,)]
        database.write(
            "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending,"
            " restricted, gate_failures) VALUES"
            " (1, 'ana', '2026-12-07 09:00:00', 0, 0, 0),"
            " (1, 'ben', '2026-12-08 09:00:00', 0, 0, 0)",
            ANA_RETURNS,
        )

        database.downgrade("0015")

        assert database.rows(
            "SELECT user_id, joined_at, gate_failures FROM welcome_newcomers ORDER BY user_id"
        ) == [("ana", "2026-12-20 10:00:00", 1), ("ben", "2026-12-08 09:00:00", 0)]
        with pytest.raises(IntegrityError):  # one row per member again
            database.write(
                "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending,"
                " restricted, gate_failures) VALUES (1, 'ben', '2026-12-21 10:00:00', 0, 0, 0)"
            )
        with database.engine.connect() as connection:
            assert [i["name"] for i in inspect(connection).get_indexes("welcome_newcomers")] == [
                "ix_welcome_newcomers_joined"
            ]
