"""contests and contributors: a win told to the other cogs, and one counted, survive a kill

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 16:16:43
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("contest_wins") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    # An older version told every win it stored at once: telling them again at the first
    # start would count them twice.
    op.execute("UPDATE contest_wins SET published_at = won_at")
    op.create_table(
        "contributors_wins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "contest_id", "user_id"),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("contributors_wins")
    with op.batch_alter_table("contest_wins") as batch:
        batch.drop_column("published_at")
