"""contests: when a cancellation claimed was announced, to tell one the process lost

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 22:33:24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("contests") as batch:
        batch.add_column(
            sa.Column("cancel_announced_at", sa.DateTime(timezone=True), nullable=True)
        )
    # What an older version cancelled counts as announced: whether it was cannot be known now,
    # and the first start would otherwise report every cancellation ever made as possibly lost.
    op.execute(
        "UPDATE contests SET cancel_announced_at = cancelled_at WHERE cancelled_at IS NOT NULL"
    )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("contests") as batch:
        batch.drop_column("cancel_announced_at")
