"""Fixtures of the Discord adapter's tests: the Garden on dpytest, served to a real core."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord.adapter import DiscordPlatform
from bot.clock import ManualClock
from bot.core import Jardinier
from tests.adapters.discord.discord_world import DiscordWorld

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.test.discord-token-never-sent"


@pytest.fixture(autouse=True)
def _files_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dpytest writes every attachment it receives to the working directory: keep it in tmp."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def rules_dir(rules_dir: Path) -> Path:
    """The shipped rule book with only the announcements cog: the adapter's tests stand alone,
    whatever other cogs the book enables (core listeners stand in for them here)."""
    community = rules_dir / "community.yaml"
    text = re.sub(
        r"(?m)^cogs:\n(?:  - .*\n)+", "cogs:\n  - announcements\n", community.read_text("utf-8")
    )
    community.write_text(text, encoding="utf-8")
    return rules_dir


@pytest.fixture
def discord_platform() -> DiscordPlatform:
    """The Discord platform, not logged in."""
    return DiscordPlatform(TOKEN)


@pytest.fixture
async def discord_core(
    rules_dir: Path, clock: ManualClock, discord_platform: DiscordPlatform
) -> AsyncIterator[Jardinier]:
    """A started core serving the Discord platform (in-memory database, manual clock)."""
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url="sqlite+aiosqlite://",
        platforms=[discord_platform],
        clock=clock,
    )
    await bot.start()
    discord_platform.bind(bot.handle)
    yield bot
    await bot.stop()


@pytest.fixture
async def world(
    discord_core: Jardinier, discord_platform: DiscordPlatform, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordWorld]:
    """The Garden, joined by the bot, its events flowing into ``discord_core``."""
    garden = await DiscordWorld(discord_platform, monkeypatch).open()
    yield garden
    await garden.close()
