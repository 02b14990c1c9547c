"""reports: a day's positive and negative reactions, apart from the others and from votes

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-21 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("positive_reactions", "negative_reactions")


def upgrade() -> None:
    """Apply this migration."""
    # The mood of the reactions counted so far is not known: none of them was positive or
    # negative, rather than every one positive as the satisfaction used to read them.
    with op.batch_alter_table("report_days") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("report_days") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
