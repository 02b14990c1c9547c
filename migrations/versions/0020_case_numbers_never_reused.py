"""netiquette: a case's number is never given again once the case is erased or forgotten

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 10:58:28
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _cases() -> sa.Table:
    """The table as migration 0003 built it (a copy_from table is not reflected)."""
    table = sa.Table(
        "netiquette_cases",
        sa.MetaData(),
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
    # Given here, the recreated table keeps it.
    sa.Index(
        "ix_netiquette_cases_member", table.c.community_id, table.c.user_id, table.c.created_at
    )
    return table


def _rebuild(**table_kwargs: Any) -> None:
    """Build the table again with ``table_kwargs``, its rows and their ids kept."""
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's sequences never give a number twice
    # The old table's pages, which may still hold erased cases, are zeroed as they are freed.
    op.execute("PRAGMA secure_delete=ON")
    with op.batch_alter_table(
        "netiquette_cases", recreate="always", copy_from=_cases(), table_kwargs=table_kwargs
    ):
        pass


def upgrade() -> None:
    """Apply this migration."""
    # The rows are copied with their ids, so SQLite's sequence starts at the highest case kept;
    # the numbers of cases erased before this migration are not known any more.
    _rebuild(sqlite_autoincrement=True)


def downgrade() -> None:
    """Revert this migration."""
    _rebuild()  # dropping the table took its row of sqlite_sequence with it
