"""reports: a newcomer's funnel per join, so that a return no longer moves an earlier one

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PER_MEMBER = "report_newcomers_per_member"
PER_JOIN = "report_newcomers_per_join"


def _newcomers(name: str, *unique: str) -> sa.Table:
    """The table as migration 0007 built it, its one unique constraint named ``name``: 0007
    left it unnamed, and a batch recreation needs a name to drop it by."""
    return sa.Table(
        "report_newcomers",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*unique, name=name),
    )


def upgrade() -> None:
    """Apply this migration."""
    # The rows kept so far are each member's latest join: they stay, each a join of its own.
    with op.batch_alter_table(
        "report_newcomers",
        recreate="always",
        copy_from=_newcomers(PER_MEMBER, "community_id", "user_id"),
    ) as batch:
        batch.drop_constraint(PER_MEMBER, type_="unique")
        batch.create_unique_constraint(PER_JOIN, ["community_id", "user_id", "joined_at"])


def downgrade() -> None:
    """Revert this migration."""
    # One row per member again: each member keeps their latest join, as before.
    op.execute(
        "DELETE FROM report_newcomers WHERE EXISTS (SELECT 1 FROM report_newcomers later"
        " WHERE later.community_id = report_newcomers.community_id"
        " AND later.user_id = report_newcomers.user_id"
        " AND later.joined_at > report_newcomers.joined_at)"
    )
    with op.batch_alter_table(
        "report_newcomers",
        recreate="always",
        copy_from=_newcomers(PER_JOIN, "community_id", "user_id", "joined_at"),
    ) as batch:
        batch.drop_constraint(PER_JOIN, type_="unique")
        batch.create_unique_constraint(PER_MEMBER, ["community_id", "user_id"])
