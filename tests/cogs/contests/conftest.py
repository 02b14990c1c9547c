"""Fixtures for the contests cog: the Garden community with the cog enabled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ContestWon
from tests.cogs.contests.arena import Arena, enable_contests
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section

ArenaFactory = Callable[..., Awaitable[Arena]]


@pytest.fixture
def contests_rules(rules_dir: Path) -> Path:
    """The shipped rule book with the contests cog enabled."""
    enable_contests(rules_dir)
    return rules_dir


@pytest.fixture
async def open_arena(contests_rules: Path, clock: ManualClock) -> AsyncIterator[ArenaFactory]:
    """Start the bot: ``await open_arena(database=path, contests={...})``.

    ``contests=`` changes the contests section first; ``database=`` is a file database (to
    restart on it, as a process would); ``platform=`` serves another platform. Every start
    listens for ``ContestWon`` in ``arena.events``.
    """
    started: list[Arena] = []

    async def start(
        *,
        database: Path | None = None,
        platform: FakePlatform | None = None,
        contests: dict[str, Any] | None = None,
    ) -> Arena:
        if contests:
            edit_section(contests_rules, "contests", contests)
        platform = platform or FakePlatform()
        url = f"sqlite+aiosqlite:///{database}" if database else "sqlite+aiosqlite://"
        core = Jardinier(
            rules_dir=contests_rules, database_url=url, platforms=[platform], clock=clock
        )
        await core.start()
        arena = Arena(core, platform, clock)

        async def remember(event: Any) -> None:
            arena.events.append(event)

        core.bus.subscribe("core", ContestWon, remember)
        started.append(arena)
        return arena

    yield start
    for arena in started:
        await arena.stop()


@pytest.fixture
async def arena(open_arena: ArenaFactory) -> Arena:
    """The Garden community with the contests cog, on an in-memory database."""
    return await open_arena()
