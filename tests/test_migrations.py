"""The schema is whatever the migrations build, and the migrations match the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from bot.cogloader import import_all_models
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


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade(url)


def test_upgrade_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade(url)
    upgrade(url)
