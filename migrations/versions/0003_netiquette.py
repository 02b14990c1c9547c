"""netiquette: cases, strikes, notes, timed sanctions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-20 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "netiquette_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("moderator_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("moderator_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("matched", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("excerpt", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pardoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pardoned_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("netiquette_cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_netiquette_cases_member", ["community_id", "user_id", "created_at"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("netiquette_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_netiquette_cases_member")

    op.drop_table("netiquette_cases")
