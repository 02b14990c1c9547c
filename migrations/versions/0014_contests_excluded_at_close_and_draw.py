"""contests: who a contest's close and each giveaway draw left out for having left

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    # Who earlier closes and draws left out was never kept, and the members' rows can no
    # longer tell for sure: those stay NULL, and the bot goes on guessing from the rows for
    # them alone (as it did before).
    with op.batch_alter_table("contests") as batch:
        batch.add_column(sa.Column("excluded_ids", sa.Text(), nullable=True))
    with op.batch_alter_table("giveaway_draws") as batch:
        batch.add_column(sa.Column("excluded_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("giveaway_draws") as batch:
        batch.drop_column("excluded_ids")
    with op.batch_alter_table("contests") as batch:
        batch.drop_column("excluded_ids")
