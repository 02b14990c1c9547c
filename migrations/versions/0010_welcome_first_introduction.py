"""welcome: when a member first introduced themselves, kept when they leave and come back

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("welcome_newcomers") as batch:
        batch.add_column(
            sa.Column("first_introduced_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Earlier stays' introductions were cleared on coming back: only the current one is known.
    op.execute("UPDATE welcome_newcomers SET first_introduced_at = introduced_at")


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("welcome_newcomers") as batch:
        batch.drop_column("first_introduced_at")
