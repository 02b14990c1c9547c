"""The topics of messages are kept in the background, never while an update is handled: a
message in a topic costs no write of the chat's whole map; a write the store refuses is tried
again at the next tick."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from bot.adapters.telegram import adapter
from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.kept import KeptThreads
from bot.state import StateStore
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import ALICE, GROUP_ID, group, text_message

THREADS = f"telegram:threads:{GROUP_ID}"


async def test_a_message_in_a_topic_is_kept_at_the_next_flush_not_at_once(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    state = StateStore(bot.core.db)
    kept = KeptThreads(Directory(), state)
    await kept.load(GROUP_ID)
    kept.remember(GROUP_ID, 40, 12)
    assert await state.get(THREADS) is None
    await kept.flush()
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert fresh.thread_of(GROUP_ID, 40) == 12


async def test_a_write_the_store_refuses_is_tried_again_at_the_next_flush(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    state = StateStore(bot.core.db)
    real_set = state.set
    refusing = True

    async def flaky_set(key: str, value: str) -> None:
        if refusing:
            raise OperationalError("update", {}, Exception("database is locked"))
        await real_set(key, value)

    state.set = flaky_set  # type: ignore[method-assign]
    kept = KeptThreads(Directory(), state)
    kept.remember(GROUP_ID, 40, 12)
    await kept.flush()  # refused, logged
    refusing = False
    await kept.flush()
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert fresh.thread_of(GROUP_ID, 40) == 12


async def test_the_running_bot_keeps_the_topics_of_messages_at_its_ticks(
    start_bot: StartBot, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept while it runs, not only at stop: a crash loses at most one tick's messages."""
    monkeypatch.setattr(adapter, "KEPT_FLUSH_EVERY", 0.05)
    bot = await start_bot()
    state = StateStore(bot.core.db)
    ticked = asyncio.Event()
    flush = bot.platform.threads.flush

    async def flush_and_tell() -> None:
        await flush()
        ticked.set()

    monkeypatch.setattr(bot.platform.threads, "flush", flush_and_tell)
    api.push(
        text_message(
            ALICE,
            "my entry",
            chat=group(forum=True),
            message_id=40,
            message_thread_id=12,
            is_topic_message=True,
        )
    )
    await bot.settle()
    for _ in range(2):  # the second tick began after the message was handled
        ticked.clear()
        await asyncio.wait_for(ticked.wait(), 5)
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert fresh.thread_of(GROUP_ID, 40) == 12
