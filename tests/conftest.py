"""Fixtures shared by every test: no network, a copy of the shipped rule book, a core to drive."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.resources import shipped_rules_directory
from tests.support.fake_platform import FakePlatform
from tests.support.filedatabase import file_database

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class NetworkAccessError(RuntimeError):
    """A test tried to reach a non-loopback address."""


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that connects anywhere but the loopback interface."""
    original = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                raise NetworkAccessError(f"tests must not reach {host}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped rule book."""
    target = tmp_path / "rules"
    shutil.copytree(shipped_rules_directory(), target)
    return target


@pytest.fixture
def clock() -> ManualClock:
    """A clock that moves only when told."""
    return ManualClock(START)


@pytest.fixture
def platform() -> FakePlatform:
    """A platform that records every action."""
    return FakePlatform()


@pytest.fixture
async def core(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Jardinier]:
    """A started core on a database file, as in production (see :mod:`tests.support.filedatabase`:
    its cogs work in the background), serving the fake platform."""
    bot = Jardinier(
        rules_dir=rules_dir,
        # Beside the test's own folder, which some tests search for what the bot left there.
        database_url=file_database(tmp_path_factory.mktemp("database")),
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def busy_core(
    rules_dir: Path,
    clock: ManualClock,
    platform: FakePlatform,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Jardinier]:
    """A started core on ``tmp_path / "bot.db"`` whose connections wait at most 0.3 s for a
    locked database: another process holding it (``tests.support.database.held``) is felt
    quickly."""
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=300))
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    yield bot
    await bot.stop()
