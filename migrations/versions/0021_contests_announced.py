"""contests: when each claimed phase and draw was announced, to tell one the process lost

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:27:07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTEST_PHASES = {
    "open_announced_at": "opened_at",
    "remind_announced_at": "reminded_at",
    "close_announced_at": "closed_at",
}


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("contests") as batch:
        for column in CONTEST_PHASES:
            batch.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("giveaways") as batch:
        batch.add_column(sa.Column("draw_announced_at", sa.DateTime(timezone=True), nullable=True))
    # What an older version claimed counts as announced: whether it was cannot be known now,
    # and the first start would otherwise report every phase ever run as possibly lost.
    for column, claimed in CONTEST_PHASES.items():
        op.execute(f"UPDATE contests SET {column} = {claimed} WHERE {claimed} IS NOT NULL")
    op.execute("UPDATE giveaways SET draw_announced_at = drawn_at WHERE drawn_at IS NOT NULL")


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("giveaways") as batch:
        batch.drop_column("draw_announced_at")
    with op.batch_alter_table("contests") as batch:
        for column in reversed(CONTEST_PHASES):
            batch.drop_column(column)
