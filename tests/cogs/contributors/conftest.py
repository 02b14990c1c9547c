"""Fixtures for the contributors cog: the shipped rule book with the cog enabled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.contributors.forum import Forum, enable
from tests.support.fake_platform import FakePlatform

ForumFactory = Callable[..., Awaitable[Forum]]


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """The shipped rule book with the contributors cog enabled."""
    enable(rules_dir)
    return rules_dir


@pytest.fixture
def forum(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> Forum:
    """The shipped contributors settings on a platform with every capability."""
    return Forum(core, platform, clock)


@pytest.fixture
async def open_forum(rules_dir: Path, clock: ManualClock) -> AsyncIterator[ForumFactory]:
    """Start a forum with the contributors section changed: ``await open_forum(roles={...})``.

    ``platform=`` serves another platform, ``database=`` a file database (to restart on it).
    """
    started: list[Jardinier] = []

    async def start(
        *, platform: FakePlatform | None = None, database: Path | None = None, **section: Any
    ) -> Forum:
        if section:
            enable(rules_dir, **section)
        platform = platform or FakePlatform()
        url = f"sqlite+aiosqlite:///{database}" if database else "sqlite+aiosqlite://"
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        started.append(core)
        return Forum(core, platform, clock)

    yield start
    for core in started:
        await core.stop()
