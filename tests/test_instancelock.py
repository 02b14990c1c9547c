"""One Jardinier per database: the lock a start takes, and the databases it leaves alone."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.errors import JardinierError
from bot.instancelock import instance_lock


def test_a_second_holder_is_refused_and_the_lock_is_free_again_after(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'j.db'}"
    with instance_lock(url):
        with pytest.raises(JardinierError) as caught, instance_lock(url):
            pass
        assert str(caught.value).startswith(
            f"another Jardinier is already running on {tmp_path / 'data' / 'j.db'} (pid "
        )
    with instance_lock(url):
        pass


def test_a_server_database_is_not_locked_and_the_log_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO, logger="bot.instancelock")
    url = "postgresql+asyncpg://jardinier:S3cret@db.example/garden"
    with instance_lock(url), instance_lock(url):
        pass
    assert (
        caplog.messages
        == [
            "no instance lock on postgresql+asyncpg://jardinier:***@db.example/garden: "
            "only SQLite files are locked"
        ]
        * 2
    )
    assert list(tmp_path.iterdir()) == []


def test_an_in_memory_database_needs_no_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with instance_lock("sqlite+aiosqlite://"), instance_lock("sqlite+aiosqlite:///:memory:"):
        pass
    assert list(tmp_path.iterdir()) == []
