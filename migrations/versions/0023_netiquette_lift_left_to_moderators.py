"""netiquette: a lift left to the moderators is recorded on its case, and not tried again

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 16:47:11
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    # Lifts left to the moderators before this migration are not known: the next start asks
    # about them once more, as every start did, and records them then.
    with op.batch_alter_table("netiquette_cases") as batch:
        batch.add_column(sa.Column("lift_left_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or bind.dialect.server_version_info >= (3, 35):
        # In place: a batch would build the table again, without its AUTOINCREMENT (migration
        # 0020) and forgetting the highest number it ever gave.
        op.drop_column("netiquette_cases", "lift_left_at")
        return
    # An older SQLite cannot drop a column: the table is built again, and given back both.
    highest = bind.execute(sa.text(_HIGHEST)).scalar()
    with op.batch_alter_table(
        "netiquette_cases", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.drop_column("lift_left_at")
    if highest is not None:
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'netiquette_cases'")
        op.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('netiquette_cases', :highest)"
            ).bindparams(highest=highest)
        )


_HIGHEST = "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
"""The highest case number SQLite ever gave (none before the first case)."""
