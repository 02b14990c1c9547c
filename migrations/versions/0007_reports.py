"""reports: daily activity aggregates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-20 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAY_COUNTERS = (
    "messages",
    "joined",
    "left",
    "introduced",
    "reactions",
    "thanks",
    "moderation",
    "contests",
    "scored",
    "civil",
    "hostile",
)


def _community() -> list[sa.Column[int] | sa.Constraint]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "report_days",
        *_community(),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in DAY_COUNTERS),
        sa.UniqueConstraint("community_id", "day"),
    )
    op.create_table(
        "report_active",
        *_community(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.UniqueConstraint("community_id", "day", "user_id"),
    )
    op.create_table(
        "report_channels",
        *_community(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.UniqueConstraint("community_id", "day", "channel_id"),
    )
    op.create_table(
        "report_moderation",
        *_community(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("community_id", "day", "rule"),
    )
    op.create_table(
        "report_newcomers",
        *_community(),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("community_id", "user_id"),
    )


def downgrade() -> None:
    """Revert this migration."""
    for table in (
        "report_newcomers",
        "report_moderation",
        "report_channels",
        "report_active",
        "report_days",
    ):
        op.drop_table(table)
