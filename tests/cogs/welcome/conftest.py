"""Fixtures for the welcome cog: a community to drive, with the rule book tuned per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import edit_section, enable_only


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """The shipped rule book with only the welcome cog: no other cog's posts in the way."""
    enable_only(rules_dir, "welcome")
    return rules_dir


@pytest.fixture
def platform() -> FakePlatform:
    """A platform with every capability (Discord-like) that records every action."""
    return FakePlatform()


@pytest.fixture
def garden(core: Jardinier, platform: FakePlatform, clock: ManualClock) -> Garden:
    """The shipped rule book's welcome, on a platform with every capability."""
    core.cogs["welcome"].random.seed(7)
    return Garden(core, platform, clock)


@pytest.fixture
async def open_garden(rules_dir: Path, clock: ManualClock) -> AsyncIterator[GardenFactory]:
    """Start a garden with the welcome section changed: ``await open_garden(gate={...})``.

    ``platform=`` serves another platform (say one without roles), ``database=`` a file
    database (to restart on it).
    """
    started: list[Garden] = []

    async def start(
        *,
        platform: FakePlatform | None = None,
        database: Path | None = None,
        **welcome: Any,
    ) -> Garden:
        if welcome:
            edit_section(rules_dir, "welcome", welcome)
        platform = platform or FakePlatform()
        url = f"sqlite+aiosqlite:///{database}" if database else "sqlite+aiosqlite://"
        core = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
        await core.start()
        core.cogs["welcome"].random.seed(7)
        garden = Garden(core, platform, clock)
        started.append(garden)
        return garden

    yield start
    for garden in started:
        await garden.stop()
