"""Votes and comments recorded before the bot knew how a vote was cast or when a comment was
written keep their meaning after the migration, and it goes back."""

from __future__ import annotations

from pathlib import Path

from tests.support.migrations import GARDEN, migrated_database


def test_earlier_votes_count_as_button_votes_and_comments_date_from_their_status(
    tmp_path: Path,
) -> None:
    with migrated_database(
        tmp_path,
        "0011",
        GARDEN,
        "INSERT INTO suggestions (id, community_id, number, author_id, author_name, text, "
        "created_at, up, down, status, comment, status_at) VALUES (1, 1, 1, 'u1', 'alice', "
        "'Seed swap', '2026-11-02 09:00:00', 1, 0, 'planned', 'In March', "
        "'2026-11-03 10:00:00')",
        "INSERT INTO suggestions (id, community_id, number, author_id, author_name, text, "
        "created_at, up, down, status, status_at) VALUES (2, 1, 2, 'u1', 'alice', "
        "'Benches', '2026-11-02 09:00:00', 0, 0, 'done', '2026-11-03 10:00:00')",
        "INSERT INTO suggestion_votes (suggestion_id, user_id, value, at) "
        "VALUES (1, 'u2', 1, '2026-11-02 09:40:00')",
    ) as database:
        database.upgrade("0012")
        # Taking a reaction back never withdraws them: no vote is lost for not knowing.
        assert database.rows("SELECT by_reaction FROM suggestion_votes") == [(0,)]
        dates = database.rows("SELECT number, comment_at FROM suggestions ORDER BY number")
        assert [(number, str(at)[:19] if at else None) for number, at in dates] == [
            (1, "2026-11-03 10:00:00"),
            (2, None),
        ]
        database.downgrade("0011")
        assert database.rows("SELECT user_id FROM suggestion_votes") == [("u2",)]
        assert database.rows("SELECT comment FROM suggestions WHERE id = 1") == [("In March",)]
