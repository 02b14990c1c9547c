"""suggestions: whether a vote was cast by reaction, and when the comment was written

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    # Which way earlier votes were cast is not known: they count as cast with a button, which
    # taking a reaction back never withdraws (the safer side: no vote is lost).
    with op.batch_alter_table("suggestion_votes") as batch:
        batch.add_column(
            sa.Column("by_reaction", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("comment_at", sa.DateTime(timezone=True), nullable=True))
    # Until now a comment was written with the status it came with.
    op.execute("UPDATE suggestions SET comment_at = status_at WHERE comment IS NOT NULL")


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("comment_at")
    with op.batch_alter_table("suggestion_votes") as batch:
        batch.drop_column("by_reaction")
