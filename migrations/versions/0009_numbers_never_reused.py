"""suggestions and contests: the last number given, so an erased one is not given again

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "suggestion_counters",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("community_id"),
    )
    op.execute(
        "INSERT INTO suggestion_counters (community_id, last_number) "
        "SELECT community_id, MAX(number) FROM suggestions GROUP BY community_id"
    )
    with op.batch_alter_table("contests") as batch:
        batch.add_column(
            sa.Column("last_entry_number", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE contests SET last_entry_number = COALESCE("
        "(SELECT MAX(number) FROM contest_entries WHERE contest_id = contests.id), 0)"
    )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("contests") as batch:
        batch.drop_column("last_entry_number")
    op.drop_table("suggestion_counters")
