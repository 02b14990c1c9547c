"""A ban lifted while its case's timeout, ending later, goes on is recorded as lifted, not as
refused: the member's data export says so, the retention sweep keeps the case until its timeout
ends, and the migration that added the column reads older cases as before and goes back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import Forum
from tests.support.migrations import GARDEN, migrated_database

SILENCED_A_WEEK_BANNED_AN_HOUR = {
    "ads": {
        "triggers": [{"match_invites": True}],
        "actions": {
            "delete": True,
            "timeout": {"duration": "7d"},
            "ban": {"duration": "1h", "reason": "Ads"},
        },
    }
}


async def ban_lifted_timeout_running(forum: Forum) -> None:
    """bob posts an invite, silenced for a week and banned for an hour; the hour passes."""
    await forum.say("bob", "discord.gg/spam")
    await forum.wait(timedelta(hours=1, minutes=1))
    assert len(forum.done("unban")) == 1
    assert forum.done("unrestrict") == []


async def test_the_data_export_shows_the_ban_lifted_not_refused(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    await ban_lifted_timeout_running(forum)
    exported = await forum.cog.export_member_data(
        forum.platform.community, forum.member("bob").user
    )
    [case] = exported["cases"]
    assert case["action"] == "delete, timeout, ban"
    assert case["refused"] == ""
    assert case["lifted"] == "ban"
    assert case["lifted_at"] is None  # its timeout goes on


async def test_the_sweep_keeps_the_case_until_its_timeout_ends(open_forum: ForumFactory) -> None:
    forum = await open_forum(SILENCED_A_WEEK_BANNED_AN_HOUR)
    await ban_lifted_timeout_running(forum)
    community = forum.platform.community
    await forum.wait(timedelta(days=1))
    assert await forum.cog.casebook.forget_before(community, forum.clock.now()) == 0
    await forum.wait(timedelta(days=7))
    assert len(forum.done("unrestrict")) == 1
    assert await forum.cog.casebook.forget_before(community, forum.clock.now()) == 1


CASE = (
    "INSERT INTO netiquette_cases (id, community_id, user_id, user_name, action, "
    "moderator_name, reason, matched, excerpt, points, created_at, expires_at, refused, "
    "ban_expires_at, lifts_left) "
    "VALUES (:id, 1, 'u2', 'bob', 'timeout, ban', '', 'Ads', '', '', 0, "
    "'2026-12-01 09:00:00', :expires_at, :refused, :ban_expires_at, '')"
)
WEEK = "2026-12-08 09:00:00"
HOUR = "2026-12-01 10:00:00"


@pytest.mark.parametrize("sqlite", ["3.35 and later", "before 3.35"])
def test_the_migration_reads_older_cases_as_before_and_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite: str
) -> None:
    if sqlite == "before 3.35":
        # An SQLite that cannot drop a column (Debian 11 ships 3.34).
        monkeypatch.setattr(
            SQLiteDialect_pysqlite, "_get_server_version_info", lambda *args: (3, 34, 1)
        )
    with migrated_database(tmp_path, "0024", GARDEN) as database:
        # 1: both in force; 2: its ban refused; 3: its ban lifted while its timeout goes on,
        # as the bot at 0024 recorded it (in ``refused``, keeping the ban's end).
        for values in (
            {"id": 1, "expires_at": WEEK, "refused": "", "ban_expires_at": HOUR},
            {"id": 2, "expires_at": WEEK, "refused": "ban", "ban_expires_at": None},
            {"id": 3, "expires_at": WEEK, "refused": "ban", "ban_expires_at": HOUR},
            {"id": 4, "expires_at": WEEK, "refused": "", "ban_expires_at": None},
        ):
            database.write(CASE, values=values)
        database.write("DELETE FROM netiquette_cases WHERE id = 4")

        database.upgrade("0025")

        assert database.rows("SELECT id, refused, lifted FROM netiquette_cases") == [
            (1, "", ""),
            (2, "ban", ""),
            (3, "", "ban"),
        ]

        database.downgrade("0024")

        assert "lifted" not in database.columns("netiquette_cases")
        # As the bot at 0024 reads them again.
        assert database.rows("SELECT id, refused, ban_expires_at FROM netiquette_cases") == [
            (1, "", HOUR),
            (2, "ban", None),
            (3, "ban", HOUR),
        ]
        # The table is kept, not built again: case 4's number is still never given again.
        [(schema,)] = database.rows(
            "SELECT sql FROM sqlite_master WHERE name = 'netiquette_cases'"
        )
        assert "AUTOINCREMENT" in schema
        assert database.rows(
            "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
        ) == [(4,)]
        indexes = database.rows("PRAGMA index_list('netiquette_cases')")
        assert "ix_netiquette_cases_member" in {index[1] for index in indexes}
