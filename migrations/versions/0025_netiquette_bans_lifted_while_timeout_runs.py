"""netiquette: a case records the kinds lifted while it stays open (a ban lifted while its
timeout, ending later, goes on), no longer among the acts the platform refused

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 22:14:03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIFTED_BANS = "ban_expires_at IS NOT NULL AND refused = 'ban'"
"""The cases whose ban was lifted while their timeout goes on, as the bot at 0024 recorded them:
``ban`` in ``refused``, keeping the ban's end (a ban the platform refused never has one, and
such a case's timeout is in force)."""


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("netiquette_cases") as batch:
        batch.add_column(
            sa.Column(
                "lifted",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )
    op.execute(f"UPDATE netiquette_cases SET lifted = 'ban', refused = '' WHERE {_LIFTED_BANS}")


def downgrade() -> None:
    """Revert this migration."""
    # As the bot at 0024 reads a ban lifted while its timeout goes on.
    op.execute("UPDATE netiquette_cases SET refused = 'ban' WHERE lifted = 'ban'")
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or bind.dialect.server_version_info >= (3, 35):
        # In place: a batch would build the table again, without its AUTOINCREMENT (migration
        # 0020) and forgetting the highest number it ever gave.
        op.drop_column("netiquette_cases", "lifted")
        return
    # An older SQLite cannot drop a column: the table is built again, and given back both.
    highest = bind.execute(sa.text(_HIGHEST)).scalar()
    with op.batch_alter_table(
        "netiquette_cases", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.drop_column("lifted")
    if highest is not None:
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'netiquette_cases'")
        op.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('netiquette_cases', :highest)"
            ).bindparams(highest=highest)
        )


_HIGHEST = "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
"""The highest case number SQLite ever gave (none before the first case)."""
