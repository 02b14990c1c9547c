"""A case number names one case for ever: erasing or forgetting the latest cases hands their
numbers to no one else, on a database the migrations built as on one built from the models."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.bulkwrite import BulkWrite
from cogs.netiquette.cases import NewCase
from tests.cogs.netiquette.conftest import ForumFactory
from tests.cogs.netiquette.forum import NO_INSULTS
from tests.support.migrations import GARDEN, migrated_database

CASE = (
    "INSERT INTO netiquette_cases (id, community_id, user_id, user_name, action, "
    "moderator_name, reason, matched, excerpt, points, created_at) VALUES (:id, 1, :user, "
    ":user, 'warn', 'mod', 'spam', '', '', 1, '2026-12-01 09:00:00')"
)
NEW_CASE = (
    "INSERT INTO netiquette_cases (community_id, user_id, user_name, action, moderator_name, "
    "reason, matched, excerpt, points, created_at) VALUES (1, 'u9', 'carol', 'warn', 'mod', "
    "'rude', '', '', 1, '2026-12-23 09:00:00')"
)


async def test_an_erased_members_case_number_goes_to_no_one_else(
    open_forum: ForumFactory, tmp_path: Path
) -> None:
    # A database file, built by the migrations as the bot's is.
    forum = await open_forum(NO_INSULTS, database=tmp_path / "bot.db")
    forum.member("mod", moderator=True)
    forum.member("zelmira")
    forum.member("bob")
    await forum.run("mod", "/warn zelmira spam")
    await forum.run("mod", "/forget_member zelmira")

    await forum.run("mod", "/warn bob rude")

    assert forum.modlog()[-1] == "🛡️ Case 2 · warn · bob by mod: rude"
    await forum.run("mod", "/case 1")
    assert forum.platform.last_text() == "There is no case 1 here."
    await forum.run("mod", "/pardon 1")
    assert forum.platform.last_text() == "There is no case 1 here."
    [bobs] = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert (bobs.id, bobs.pardoned_at) == (2, None)


async def test_a_case_another_process_records_meanwhile_keeps_its_number(
    open_forum: ForumFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "bot.db"
    forum = await open_forum(NO_INSULTS, database=database)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/warn bob one")
    write = BulkWrite.run_on_driver

    async def another_process_first(bulk: BulkWrite, driver: Any, rows: Any) -> None:
        # A second bot on the same database file records a case just before this one is.
        monkeypatch.setattr(BulkWrite, "run_on_driver", write)
        with closing(sqlite3.connect(database, timeout=5)) as other, other:
            other.execute(
                "INSERT INTO netiquette_cases (community_id, user_id, user_name, action, "
                "moderator_name, reason, matched, excerpt, points, created_at) SELECT "
                "community_id, 'id-carol', 'carol', 'warn', 'mod', 'rude', '', '', 1, "
                "created_at FROM netiquette_cases WHERE id = 1"
            )
        await write(bulk, driver, rows)

    monkeypatch.setattr(BulkWrite, "run_on_driver", another_process_first)
    await forum.run("mod", "/warn bob two")

    assert forum.modlog()[-1] == "🛡️ Case 3 · warn · bob by mod: two"
    cases = await forum.cog.casebook.of_member(forum.platform.community, "id-bob")
    assert [(case.id, case.reason) for case in cases] == [(3, "two"), (1, "one")]
    carols = await forum.cog.casebook.of_member(forum.platform.community, "id-carol")
    assert [(case.id, case.reason) for case in carols] == [(2, "rude")]


async def test_a_burst_of_cases_is_numbered_in_the_order_given(open_forum: ForumFactory) -> None:
    forum = await open_forum(NO_INSULTS)
    community = forum.platform.community
    forum.member("mod", moderator=True)
    forum.member("zelmira")
    await forum.run("mod", "/note zelmira first")
    names = ["alice", "bob", "carol"]
    burst = [
        (community, NewCase(member=forum.member(name), action="warn", at=forum.clock.now()))
        for name in names
    ]
    records = await forum.cog.casebook.record_many(burst)
    assert [(record.id, record.user_name) for record in records] == [
        (2, "alice"),
        (3, "bob"),
        (4, "carol"),
    ]
    for record in records:
        stored = await forum.cog.casebook.get(community, record.id)
        assert stored is not None
        assert stored.user_name == record.user_name


async def test_the_numbers_of_forgotten_cases_go_to_no_one_else(open_forum: ForumFactory) -> None:
    # In memory: the tables built from the models, as the tests' databases are.
    forum = await open_forum(NO_INSULTS)
    forum.member("mod", moderator=True)
    forum.member("bob")
    await forum.run("mod", "/warn bob one")
    await forum.run("mod", "/warn bob two")
    forum.clock.advance(timedelta(days=500))
    forgotten = await forum.cog.forget_before(forum.platform.community, forum.clock.now())
    assert forgotten == 2

    await forum.run("mod", "/warn bob three")

    assert forum.modlog()[-1] == "🛡️ Case 3 · warn · bob by mod: three"


def test_the_migration_counts_on_from_the_highest_case_of_a_populated_database(
    tmp_path: Path,
) -> None:
    with migrated_database(tmp_path, "0019", GARDEN) as database:
        for case, user in ((1, "alice"), (2, "bob"), (3, "zelmira")):
            database.write(CASE, values={"id": case, "user": user})

        database.upgrade("0020")

        assert database.rows("SELECT id, user_name FROM netiquette_cases ORDER BY id") == [
            (1, "alice"),
            (2, "bob"),
            (3, "zelmira"),
        ]
        assert database.rows(
            "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
        ) == [(3,)]
        indexes = database.rows("PRAGMA index_list('netiquette_cases')")
        assert "ix_netiquette_cases_member" in {index[1] for index in indexes}
        database.write("DELETE FROM netiquette_cases WHERE id = 3")
        database.write(NEW_CASE)
        assert database.rows("SELECT id, user_name FROM netiquette_cases ORDER BY id") == [
            (1, "alice"),
            (2, "bob"),
            (4, "carol"),
        ]

        database.downgrade("0019")

        assert database.rows("SELECT id FROM netiquette_cases ORDER BY id") == [(1,), (2,), (4,)]
        [(schema,)] = database.rows(
            "SELECT sql FROM sqlite_master WHERE name = 'netiquette_cases'"
        )
        assert "AUTOINCREMENT" not in schema


def test_on_an_empty_database_the_first_case_is_number_one(tmp_path: Path) -> None:
    with migrated_database(tmp_path, "0019", GARDEN) as database:
        database.upgrade("0020")
        [(schema,)] = database.rows(
            "SELECT sql FROM sqlite_master WHERE name = 'netiquette_cases'"
        )
        assert "AUTOINCREMENT" in schema

        database.write(NEW_CASE)

        assert database.rows("SELECT id FROM netiquette_cases") == [(1,)]
