"""Migration 0017 adds the daily mention counts, on an empty and on a populated database, and
takes them away again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from tests.support.migrations import GARDEN, migrated_database

MENTIONS = (
    "INSERT INTO reputation_days (community_id, day, mentions, positive, negative)"
    " VALUES (1, '2026-12-20', 4, 1, 2)"
)


def test_on_an_empty_database_the_table_comes_and_goes(tmp_path: Path) -> None:
    with migrated_database(tmp_path, "0016") as database:
        assert "reputation_days" not in database.tables()

        database.upgrade("0017")

        assert database.columns("reputation_days") == {
            "id",
            "community_id",
            "day",
            "mentions",
            "positive",
            "negative",
        }
        database.downgrade("0016")
        assert "reputation_days" not in database.tables()


def test_on_a_populated_database_what_was_kept_stays_and_counts_go_with_their_community(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0016",
        GARDEN,
        "INSERT INTO report_days (community_id, day, messages, joined, left, introduced,"
        " reactions, thanks, moderation, contests, scored, civil, hostile)"
        " VALUES (1, '2026-12-20', 12, 1, 0, 0, 3, 1, 0, 0, 0, 0, 0)",
    ) as database:
        database.upgrade("0017")

        database.write(MENTIONS)
        with pytest.raises(IntegrityError):  # one row per community and day
            database.write(MENTIONS)
        assert database.rows("SELECT day, mentions, positive, negative FROM reputation_days") == [
            ("2026-12-20", 4, 1, 2)
        ]
        assert database.rows("SELECT messages FROM report_days") == [(12,)]
        database.write("PRAGMA foreign_keys = ON", "DELETE FROM communities WHERE id = 1")
        assert database.rows("SELECT count(*) FROM reputation_days") == [(0,)]

        database.downgrade("0016")

        assert "reputation_days" not in database.tables()
