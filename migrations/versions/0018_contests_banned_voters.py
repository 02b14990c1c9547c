"""contests: the voters banned while a contest ran, whose votes are not counted

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    # Bans made before were never noted against the contests: their votes stay counted.
    with op.batch_alter_table("contests") as batch:
        batch.add_column(sa.Column("banned_voter_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("contests") as batch:
        batch.drop_column("banned_voter_ids")
