"""The real python-telegram-bot ``Application``, run by a real core, against a fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.telegram import create_platform
from bot.core import Jardinier
from bot.state import StateStore
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import RunningBot, StartBot, install_listeners, write_override
from tests.support.filedatabase import file_database


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API on 127.0.0.1."""
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def start_bot(api: FakeBotApi, rules_dir: Path, tmp_path: Path) -> AsyncIterator[StartBot]:
    """Start ``jardinier run``'s core with the Telegram platform; stopped at the end."""
    started: list[RunningBot] = []
    # The group runs only the cogs these tests rely on; the listeners below stand in for the
    # welcome and netiquette cogs.
    write_override(rules_dir, "community:\n  cogs: [announcements]\n")

    async def start(
        *,
        environ: dict[str, str] | None = None,
        database: str | None = None,
        wait_for_polling: bool = True,
        stand_ins: bool = True,
    ) -> RunningBot:
        # A file, as in production: the adapter keeps its state in the background.
        url = database if database is not None else file_database(tmp_path)
        core = Jardinier(rules_dir=rules_dir, database_url=url)
        env = {"TELEGRAM_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url, **(environ or {})}
        platform = create_platform(env, StateStore(core.db))
        core.add_platform(platform)
        polls = api.polls
        running = RunningBot(core, platform, api, asyncio.create_task(core.run()))
        install_listeners(running, stand_ins=stand_ins)
        started.append(running)
        if wait_for_polling:
            await api.wait_for_polls(polls + 1)
        return running

    yield start
    for running in started:
        if not running.task.done():
            await running.stop()
