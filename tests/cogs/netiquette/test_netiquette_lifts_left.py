"""A lift the bot could not carry out is left to the moderators once: the mod-log asks them, the
case records it, and no restart tries it, or asks, again; lifting it by hand closes the case."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from tests.support.migrations import GARDEN, migrated_database

CASE = (
    "INSERT INTO netiquette_cases (id, community_id, user_id, user_name, action, "
    "moderator_name, reason, matched, excerpt, points, created_at, expires_at) VALUES "
    "(:id, 1, 'u2', 'bob', 'ban', '', 'Ads', '', '', 0, '2026-12-01 09:00:00', "
    "'2026-12-02 09:00:00')"
)


@pytest.mark.parametrize("sqlite", ["3.35 and later", "before 3.35"])
def test_the_migration_leaves_no_lift_to_the_moderators_and_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite: str
) -> None:
    if sqlite == "before 3.35":
        # An SQLite that cannot drop a column (Debian 11 ships 3.34).
        monkeypatch.setattr(
            SQLiteDialect_pysqlite, "_get_server_version_info", lambda *args: (3, 34, 1)
        )
    with migrated_database(tmp_path, "0022", GARDEN) as database:
        database.write(CASE, values={"id": 1})
        database.write(CASE, values={"id": 2})
        database.write("DELETE FROM netiquette_cases WHERE id = 2")

        database.upgrade("0023")

        # Not known before: the next start asks the moderators once more, and records it.
        assert database.rows("SELECT id, lift_left_at FROM netiquette_cases") == [(1, None)]

        database.downgrade("0022")

        assert "lift_left_at" not in database.columns("netiquette_cases")
        assert database.rows("SELECT id, user_name FROM netiquette_cases") == [(1, "bob")]
        # The table is kept, not built again: case 2's number is still never given again.
        [(schema,)] = database.rows(
            "SELECT sql FROM sqlite_master WHERE name = 'netiquette_cases'"
        )
        assert "AUTOINCREMENT" in schema
        assert database.rows(
            "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
        ) == [(2,)]
        indexes = database.rows("PRAGMA index_list('netiquette_cases')")
        assert "ix_netiquette_cases_member" in {index[1] for index in indexes}
