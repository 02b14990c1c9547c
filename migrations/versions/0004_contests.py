"""contests: contests, entries, votes, giveaways, wins

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-20 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "contest_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("next_theme", sa.Integer(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "challenge_id"),
    )
    op.create_table(
        "contest_wins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=True),
        sa.Column("won_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "ref_id", "user_id", "rank"),
    )
    with op.batch_alter_table("contest_wins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contest_wins_community", ["community_id", "won_at"], unique=False
        )

    op.create_table(
        "contests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entries_per_member", sa.Integer(), nullable=False),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("choose_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seed", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contests_community_ends", ["community_id", "ends_at"], unique=False
        )

    op.create_table(
        "giveaways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("prize", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("giveaways", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_giveaways_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "contest_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "number"),
    )
    with op.batch_alter_table("contest_entries", schema=None) as batch_op:
        batch_op.create_index("ix_contest_entries_author", ["contest_id", "user_id"], unique=False)
        batch_op.create_index("ix_contest_entries_message", ["message_id"], unique=False)

    op.create_table(
        "giveaway_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giveaway_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("seed", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entrants_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entrants", sa.Integer(), nullable=False),
        sa.Column("winner_ids", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["giveaway_id"], ["giveaways.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("giveaway_id", "round"),
    )
    op.create_table(
        "giveaway_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giveaway_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["giveaway_id"], ["giveaways.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("giveaway_id", "user_id"),
    )
    op.create_table(
        "contest_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["contest_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "voter_id"),
    )
    with op.batch_alter_table("contest_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contest_votes_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("contest_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contest_votes_entry_id"))

    op.drop_table("contest_votes")
    op.drop_table("giveaway_entries")
    op.drop_table("giveaway_draws")
    with op.batch_alter_table("contest_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_contest_entries_message")
        batch_op.drop_index("ix_contest_entries_author")

    op.drop_table("contest_entries")
    with op.batch_alter_table("giveaways", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_giveaways_community_id"))

    op.drop_table("giveaways")
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.drop_index("ix_contests_community_ends")

    op.drop_table("contests")
    with op.batch_alter_table("contest_wins", schema=None) as batch_op:
        batch_op.drop_index("ix_contest_wins_community")

    op.drop_table("contest_wins")
    op.drop_table("contest_challenges")
