"""The schema is whatever the migrations build, and the migrations match the models."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlmodel import SQLModel

from bot.cogloader import import_all_models
from bot.db import storage_errors
from bot.errors import JardinierError
from bot.migrate import alembic_config, current_heads, upgrade
from bot.scheduler import JOB_TABLE


def test_upgrade_on_an_empty_database_leaves_no_autogenerate_difference(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    import_all_models()
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, *_: (
                    not (type_ == "table" and name == JOB_TABLE)
                ),
            },
        )
        assert compare_metadata(context, SQLModel.metadata) == []
        assert context.get_current_heads() == current_heads()
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert {"communities", "members", "core_state"} <= tables


def tables_and_heads(url: str) -> tuple[set[str], tuple[str, ...]]:
    """The tables in the database at ``url`` and the revision(s) it is stamped with."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            heads = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return tables, heads


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    upgrade(url)
    built = tables_and_heads(url)
    assert built[1] == current_heads()
    command.downgrade(alembic_config(url), "base")
    assert tables_and_heads(url) == ({"alembic_version"}, ())

    upgrade(url)

    assert tables_and_heads(url) == built


def test_upgrade_twice_keeps_the_data_and_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade(url)
    built = tables_and_heads(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO communities (id, platform, external_id, name, first_seen)"
                " VALUES (1, 'discord', '42', 'Garden', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO members (community_id, user_id, name, is_bot, first_seen)"
                " VALUES (1, '7', 'alice', 0, '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()

    upgrade(url)

    assert tables_and_heads(url) == built
    assert built[1] == current_heads()
    engine = create_engine(url)
    with engine.connect() as connection:
        members = connection.execute(
            text(
                "SELECT c.platform, c.external_id, c.name, m.user_id, m.name"
                " FROM members m JOIN communities c ON c.id = m.community_id"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in members] == [("discord", "42", "Garden", "7", "alice")]


def test_a_lock_met_during_the_upgrade_never_leaves_a_database_the_bot_cannot_start_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "older.db"
    url = f"sqlite:///{path}"
    upgrade(url, "0013")  # 0014 adds two columns, one table each
    # Another process (a replay on the same file) wants to write just as the first is added.
    other = sqlite3.connect(path, isolation_level=None, timeout=0)

    def writes_in_between(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("ALTER TABLE contests ADD") and not other.in_transaction:
            with contextlib.suppress(sqlite3.OperationalError):  # locked out: it waits its turn
                other.execute("BEGIN IMMEDIATE")

    event.listen(Engine, "after_cursor_execute", writes_in_between)
    try:
        with contextlib.suppress(JardinierError), storage_errors(url):
            upgrade(url, busy_timeout=timedelta(milliseconds=200))
    finally:
        event.remove(Engine, "after_cursor_execute", writes_in_between)
        if other.in_transaction:
            other.rollback()
        other.close()

    upgrade(url)  # the next start, if this one failed

    assert tables_and_heads(url)[1] == current_heads()
