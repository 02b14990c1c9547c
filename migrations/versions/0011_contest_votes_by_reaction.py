"""contests: whether a vote was cast with the vote emoji, so taking it back withdraws only that

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    # Which way earlier votes were cast is not known: they count as cast with /vote, which
    # taking an emoji back never withdraws (the safer side: no vote is lost).
    with op.batch_alter_table("contest_votes") as batch:
        batch.add_column(
            sa.Column("by_reaction", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("contest_votes") as batch:
        batch.drop_column("by_reaction")
