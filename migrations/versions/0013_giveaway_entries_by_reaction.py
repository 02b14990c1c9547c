"""contests: whether a giveaway entry was made with the emoji, so taking it back withdraws only that

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    # How earlier entries were made is not known: they count as made with the button, which
    # taking an emoji back never withdraws (the safer side: no entrant is dropped).
    with op.batch_alter_table("giveaway_entries") as batch:
        batch.add_column(
            sa.Column("by_reaction", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("giveaway_entries") as batch:
        batch.drop_column("by_reaction")
