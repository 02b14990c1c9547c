"""Votes and comments recorded before the bot knew how a vote was cast or when a comment was
written keep their meaning after the migration, and it goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from bot.migrate import alembic_config, upgrade


def test_earlier_votes_count_as_button_votes_and_comments_date_from_their_status(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'votes.db'}"
    upgrade(url, "0011")
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO communities (id, platform, external_id, name, first_seen) "
            "VALUES (1, 'discord', '42', 'Garden', '2026-11-02 09:00:00')",
            "INSERT INTO suggestions (id, community_id, number, author_id, author_name, text, "
            "created_at, up, down, status, comment, status_at) VALUES (1, 1, 1, 'u1', 'alice', "
            "'Seed swap', '2026-11-02 09:00:00', 1, 0, 'planned', 'In March', "
            "'2026-11-03 10:00:00')",
            "INSERT INTO suggestions (id, community_id, number, author_id, author_name, text, "
            "created_at, up, down, status, status_at) VALUES (2, 1, 2, 'u1', 'alice', "
            "'Benches', '2026-11-02 09:00:00', 0, 0, 'done', '2026-11-03 10:00:00')",
            "INSERT INTO suggestion_votes (suggestion_id, user_id, value, at) "
            "VALUES (1, 'u2', 1, '2026-11-02 09:40:00')",
        ):
            connection.execute(text(statement))

    upgrade(url, "0012")

    with engine.connect() as connection:
        # Taking a reaction back never withdraws them: no vote is lost for not knowing.
        assert connection.execute(text("SELECT by_reaction FROM suggestion_votes")).all() == [(0,)]
        dates = connection.execute(
            text("SELECT number, comment_at FROM suggestions ORDER BY number")
        ).all()
        assert [(number, str(at)[:19] if at else None) for number, at in dates] == [
            (1, "2026-11-03 10:00:00"),
            (2, None),
        ]
    command.downgrade(alembic_config(url), "0011")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT user_id FROM suggestion_votes")).all() == [("u2",)]
        assert connection.execute(text("SELECT comment FROM suggestions WHERE id = 1")).all() == [
            ("In March",)
        ]
    engine.dispose()
