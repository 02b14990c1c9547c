"""contributors: daily counters, interactions, opt-outs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-20 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "contributors_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("introductions", sa.Integer(), nullable=False),
        sa.Column("contest_wins", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "user_id", "day"),
    )
    with op.batch_alter_table("contributors_daily", schema=None) as batch_op:
        batch_op.create_index("ix_contributors_daily_day", ["community_id", "day"], unique=False)

    op.create_table(
        "contributors_interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "day", "source_id", "target_id", "kind"),
    )
    with op.batch_alter_table("contributors_interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contributors_interactions_target",
            ["community_id", "target_id", "day"],
            unique=False,
        )

    op.create_table(
        "contributors_optouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "user_id"),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("contributors_optouts")
    with op.batch_alter_table("contributors_interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_contributors_interactions_target")
    op.drop_table("contributors_interactions")
    with op.batch_alter_table("contributors_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_contributors_daily_day")
    op.drop_table("contributors_daily")
