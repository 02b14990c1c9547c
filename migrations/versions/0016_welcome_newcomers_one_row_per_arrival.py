"""welcome: a newcomer's journey per arrival, so that a return no longer erases an earlier one

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-16 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PER_MEMBER = "welcome_newcomers_per_member"
PER_ARRIVAL = "welcome_newcomers_per_arrival"


def _newcomers(name: str, *unique: str) -> sa.Table:
    """The table as migrations 0002 and 0010 built it, its one unique constraint named
    ``name``: 0002 left it unnamed, and a batch recreation needs a name to drop it by."""
    table = sa.Table(
        "welcome_newcomers",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("welcomed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("charter_accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active_7d_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active_30d_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gate_pending", sa.Boolean(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("gate_failures", sa.Integer(), nullable=False),
        sa.Column("first_introduced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*unique, name=name),
    )
    # Given here, the recreated table keeps it (a copy_from table is not reflected).
    sa.Index("ix_welcome_newcomers_joined", table.c.community_id, table.c.joined_at)
    return table


def upgrade() -> None:
    """Apply this migration."""
    # The rows kept so far are each member's latest arrival: they stay, each an arrival of its
    # own (the stages of earlier stays were cleared on coming back, and cannot be found again).
    with op.batch_alter_table(
        "welcome_newcomers",
        recreate="always",
        copy_from=_newcomers(PER_MEMBER, "community_id", "user_id"),
    ) as batch:
        batch.drop_constraint(PER_MEMBER, type_="unique")
        batch.create_unique_constraint(PER_ARRIVAL, ["community_id", "user_id", "joined_at"])


def downgrade() -> None:
    """Revert this migration."""
    # One row per member again: each member keeps their latest arrival, which holds what
    # carries over (the welcome, the first introduction, the gate's removals), as before.
    op.execute(
        "DELETE FROM welcome_newcomers WHERE EXISTS (SELECT 1 FROM welcome_newcomers later"
        " WHERE later.community_id = welcome_newcomers.community_id"
        " AND later.user_id = welcome_newcomers.user_id"
        " AND later.joined_at > welcome_newcomers.joined_at)"
    )
    with op.batch_alter_table(
        "welcome_newcomers",
        recreate="always",
        copy_from=_newcomers(PER_ARRIVAL, "community_id", "user_id", "joined_at"),
    ) as batch:
        batch.drop_constraint(PER_ARRIVAL, type_="unique")
        batch.create_unique_constraint(PER_MEMBER, ["community_id", "user_id"])
