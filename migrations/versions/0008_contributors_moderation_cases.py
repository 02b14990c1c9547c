"""contributors: moderation cases per member per day, for the shout-out to pass over

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("contributors_daily") as batch:
        # Rows from before count no case: the days already past had none counted.
        batch.add_column(
            sa.Column("moderation_cases", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("contributors_daily") as batch:
        batch.drop_column("moderation_cases")
