"""The newcomers' funnel goes from one row per member to one per join (migration 0015), on a
populated database, and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from tests.support.migrations import GARDEN, migrated_database

CHLOE_RETURNS = (
    "INSERT INTO report_newcomers (community_id, user_id, joined_at, first_message_at)"
    " VALUES (1, 'chloe', '2026-12-15 10:00:00', NULL)"
)


def test_each_member_keeps_their_funnel_and_a_return_is_a_row_of_its_own(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0014",
        GARDEN,
        "INSERT INTO report_newcomers (community_id, user_id, joined_at, introduced_at,"
        " first_message_at, left_at) VALUES"
        " (1, 'ana', '2026-12-07 09:00:00', '2026-12-07 09:05:00', NULL, NULL),"
        " (1, 'chloe', '2026-12-08 09:00:00', NULL, '2026-12-08 09:10:00',"
        " '2026-12-14 18:00:00')",
    ) as database:
        with pytest.raises(IntegrityError):  # before: one row per member
            database.write(CHLOE_RETURNS)

        database.upgrade("0015")

        database.write(CHLOE_RETURNS)
        assert database.rows(
            "SELECT user_id, joined_at, introduced_at, first_message_at, left_at"
            " FROM report_newcomers ORDER BY user_id, joined_at"
        ) == [
            ("ana", "2026-12-07 09:00:00", "2026-12-07 09:05:00", None, None),
            ("chloe", "2026-12-08 09:00:00", None, "2026-12-08 09:10:00", "2026-12-14 18:00:00"),
            ("chloe", "2026-12-15 10:00:00", None, None, None),
        ]
        with pytest.raises(IntegrityError):  # one row per join
            database.write(CHLOE_RETURNS)
        # The community's rows still go with it.
        database.write("PRAGMA foreign_keys = ON", "DELETE FROM communities WHERE id = 1")
        assert database.rows("SELECT count(*) FROM report_newcomers") == [(0,)]


def test_going_back_keeps_each_members_latest_join(tmp_path: Path) -> None:
    with migrated_database(tmp_path, "0015", GARDEN) as database:
        database.write(
            "INSERT INTO report_newcomers (community_id, user_id, joined_at) VALUES"
            " (1, 'ana', '2026-12-07 09:00:00'),"
            " (1, 'chloe', '2026-12-08 09:00:00'),"
            " (1, 'chloe', '2026-12-15 10:00:00')"
        )

        database.downgrade("0014")

        assert database.rows(
            "SELECT user_id, joined_at FROM report_newcomers ORDER BY user_id"
        ) == [("ana", "2026-12-07 09:00:00"), ("chloe", "2026-12-15 10:00:00")]
        with pytest.raises(IntegrityError):
            database.write(CHLOE_RETURNS)


def test_the_reactions_counted_so_far_have_no_mood_and_going_back_keeps_them(
    tmp_path: Path,
) -> None:
    """Migration 0019: a day's positive and negative reactions. Which of the reactions counted
    before were positive is not known: none is, rather than every one as the satisfaction read
    them."""
    with migrated_database(
        tmp_path,
        "0018",
        GARDEN,
        "INSERT INTO report_days (community_id, day, messages, joined, left, introduced,"
        " reactions, thanks, moderation, contests, scored, civil, hostile)"
        " VALUES (1, '2026-12-07', 12, 1, 0, 1, 9, 2, 1, 0, 0, 0, 0)",
    ) as database:
        database.upgrade("0019")

        assert database.rows(
            "SELECT reactions, positive_reactions, negative_reactions, thanks FROM report_days"
        ) == [(9, 0, 0, 2)]
        database.write(
            "INSERT INTO report_days (community_id, day, messages, joined, left, introduced,"
            " reactions, positive_reactions, negative_reactions, thanks, moderation, contests,"
            " scored, civil, hostile) VALUES (1, '2026-12-08', 3, 0, 0, 0, 5, 1, 3, 0, 0, 0, 0,"
            " 0, 0)"
        )

        database.downgrade("0018")

        assert "positive_reactions" not in database.columns("report_days")
        assert database.rows("SELECT day, reactions FROM report_days ORDER BY day") == [
            ("2026-12-07", 9),
            ("2026-12-08", 5),
        ]


def test_the_reactions_by_mood_start_on_an_empty_database(tmp_path: Path) -> None:
    with migrated_database(tmp_path, "0019") as database:
        assert {"positive_reactions", "negative_reactions"} <= database.columns("report_days")
