"""netiquette: a case records the acts the platform refused, its ban's own end, and which lifts
are left to the moderators

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("refused", "ban_expires_at", "lifts_left")


def upgrade() -> None:
    """Apply this migration."""
    # What older cases did not record reads as before: every act done, a ban given with a
    # timeout for good, and a lift left to the moderators left for each kind the case imposes.
    with op.batch_alter_table("netiquette_cases") as batch:
        batch.add_column(
            sa.Column(
                "refused",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(sa.Column("ban_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                "lifts_left",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    """Revert this migration."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or bind.dialect.server_version_info >= (3, 35):
        # In place: a batch would build the table again, without its AUTOINCREMENT (migration
        # 0020) and forgetting the highest number it ever gave.
        for column in _COLUMNS:
            op.drop_column("netiquette_cases", column)
        return
    # An older SQLite cannot drop a column: the table is built again, and given back both.
    highest = bind.execute(sa.text(_HIGHEST)).scalar()
    with op.batch_alter_table(
        "netiquette_cases", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        for column in _COLUMNS:
            batch.drop_column(column)
    if highest is not None:
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'netiquette_cases'")
        op.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('netiquette_cases', :highest)"
            ).bindparams(highest=highest)
        )


_HIGHEST = "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
"""The highest case number SQLite ever gave (none before the first case)."""
