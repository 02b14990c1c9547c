"""The updates in hand are kept until handled: what a run that died left is handled at the next
start, once, even when Telegram sends it again (see ``test_telegram_crash`` for a real kill)."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update

from bot.adapters.telegram.adapter import TelegramPlatform
from bot.adapters.telegram.ordering import PerChatOrder
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.unhandled import UnhandledUpdates
from bot.clock import ManualClock
from bot.db import Database
from bot.events import MemberJoined, MessageCreated
from bot.state import StateStore
from tests.adapters.telegram.fake_bot_api import BOT_USER, FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import ALICE, BOB, joined_service_message, text_message, user
from tests.support.waiting import eventually

BOT_ID = str(BOT_USER["id"])


async def left_by_a_dead_run(
    database: str, in_hand: list[tuple[int, dict[str, Any]]], handled: list[int]
) -> None:
    """What a run that died kept: the updates ``in_hand`` and those it had ``handled`` (by
    id), Telegram not yet told to forget any."""
    db = Database(database)
    try:
        unhandled = UnhandledUpdates(StateStore(db), BOT_ID, polling=True)
        for update_id, payload in in_hand:
            unhandled.received(Update.de_json({"update_id": update_id, **payload}, None))
        for update_id in handled:
            update = Update.de_json({"update_id": update_id, **text_message(BOB, "hi")}, None)
            unhandled.received(update)
            await unhandled.handled(update)
        await unhandled.keep()
    finally:
        await db.close()


async def kept_in(database: str) -> list[int]:
    """The ids of the updates kept unhandled in ``database``."""
    db = Database(database)
    try:
        unhandled = UnhandledUpdates(StateStore(db), BOT_ID, polling=True)
        left = await unhandled.left_by_the_last_run(None)
    finally:
        await db.close()
    return [update.update_id for update in left]


async def test_what_a_dead_run_left_is_handled_once_though_telegram_sends_it_again(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    first = await start_bot(database=database)  # a database with its tables
    await first.stop()
    # Telegram was not told to forget these before the run died: it sends them again.
    rose = joined_service_message(user(401, "Rose"))
    spam = text_message(BOB, "Best CASINO bonus here", message_id=77)
    said = text_message(BOB, "Good morning", message_id=78)
    joined, spammed, greeted = api.push(rose), api.push(spam), api.push(said)
    await left_by_a_dead_run(database, [(joined, rose), (spammed, spam)], handled=[greeted])

    second = await start_bot(database=database)
    await api.wait_for("deleteMessage")
    await second.settle()
    assert [event.member.user.id for event in second.seen(MemberJoined)] == ["401"]
    assert [event.message.id for event in second.seen(MessageCreated)] == ["77"]
    assert len(api.called("sendMessage")) == 1  # Rose was welcomed once
    assert len(api.called("deleteMessage")) == 1
    await second.stop()

    third = await start_bot(database=database)  # nothing is left to handle
    await third.settle()
    assert not third.seen(MemberJoined)
    assert not third.seen(MessageCreated)
    assert len(api.called("sendMessage")) == 1


async def test_an_update_is_kept_before_telegram_is_told_to_forget_it(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """While the bot handles an update, the next request for updates (which tells Telegram to
    forget it) finds it kept; once handled, it is kept no more."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    api.hold("sendMessage")
    bot = await start_bot(database=database)
    joined = api.push(joined_service_message(user(401, "Rose")))
    await eventually(lambda: bool(api.held), "the bot welcomes Rose")  # and gets stuck
    await api.wait_for_polls(api.polls + 1)  # polling goes on
    assert int(api.poll_params[-1]["offset"]) > joined
    assert await kept_in(database) == [joined]
    api.release()  # the welcome fails; the update is handled all the same
    await bot.settle()
    await bot.stop()
    assert await kept_in(database) == []


async def test_a_webhook_delivery_is_kept_before_telegram_hears_it_arrived(
    start_bot: StartBot, api: FakeBotApi, tmp_path: Path
) -> None:
    """Telegram forgets an update the webhook answered: it is kept before the answer."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url = f"http://127.0.0.1:{port}/hook"
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    api.hold("sendMessage")
    bot = await start_bot(
        environ={
            "TELEGRAM_WEBHOOK_URL": url,
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": str(port),
            "TELEGRAM_WEBHOOK_SECRET": "garden-secret",
        },
        database=database,
        wait_for_polling=False,
    )
    await api.wait_for("setWebhook")
    update = {"update_id": 41, **joined_service_message(ALICE)}
    headers = {"X-Telegram-Bot-Api-Secret-Token": "garden-secret"}
    async with aiohttp.ClientSession() as session:
        for _ in range(100):  # the server may still be starting
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    assert response.status == 200
                break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the webhook server never listened")
    assert await kept_in(database) == [41]  # the welcome is stuck: still in hand
    api.release()
    await bot.stop()
    assert await kept_in(database) == []


async def test_an_update_whose_handling_failed_is_done_one_cancelled_is_still_to_handle() -> None:
    """An update that failed would fail again: it is not handled at the next start. One whose
    handling was cancelled (the bot stopping) is."""
    done: list[object] = []

    async def handled(update: object) -> None:
        done.append(update)

    order = PerChatOrder(handled=handled)

    async def fails() -> None:
        raise RuntimeError("a handler's bug")

    with pytest.raises(RuntimeError, match="a handler's bug"):
        await order.do_process_update("failed", fails())
    assert done == ["failed"]

    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(order.do_process_update("cancelled", stuck()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert done == ["failed"]


async def test_an_update_left_longer_than_telegram_keeps_one_is_dropped(tmp_path: Path) -> None:
    """Telegram keeps an update 24 hours: one a dead run left longer ago is past acting on (a
    welcome days late), and is not handled."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"
    db = Database(database)
    try:
        await db.create_all()
        clock = ManualClock(datetime(2026, 10, 26, 9, 0, tzinfo=UTC))
        dead_run = UnhandledUpdates(StateStore(db), BOT_ID, polling=True, clock=clock)
        for update_id in (1, 2):
            clock.advance(timedelta(hours=1))
            payload = joined_service_message(user(400 + update_id, "Rose"))
            dead_run.received(Update.de_json({"update_id": update_id, **payload}, None))
        await dead_run.keep()
        clock.advance(timedelta(hours=23, minutes=30))
        next_run = UnhandledUpdates(StateStore(db), BOT_ID, polling=True, clock=clock)
        left = await next_run.left_by_the_last_run(None)
    finally:
        await db.close()
    assert [update.update_id for update in left] == [2]  # kept 23 h 30 ago; the first 24 h 30


class HeldStore:
    """A state store whose writes wait until released, as a write to a busy database does."""

    def __init__(self) -> None:
        self.stored: dict[str, str] = {}
        self.release = asyncio.Event()

    async def get(self, key: str) -> str | None:
        return self.stored.get(key)

    async def set(self, key: str, value: str) -> None:
        await self.release.wait()
        self.stored[key] = value


async def test_telegram_is_not_told_to_forget_updates_while_their_write_is_still_running() -> None:
    """Three updates in hand; the first is handled at once and its write starts. The next
    request for updates (which makes Telegram forget all three) waits for that write to end:
    a crash in between would lose the other two."""
    store = HeldStore()
    unhandled = UnhandledUpdates(store, "1", polling=True)  # type: ignore[arg-type]
    for update_id in (1, 2, 3):
        unhandled.received(Update.de_json({"update_id": update_id}, None))
    writing = asyncio.create_task(unhandled.handled(Update.de_json({"update_id": 1}, None)))
    await asyncio.sleep(0)
    keeping = asyncio.create_task(unhandled.keep())
    await asyncio.sleep(0.05)
    assert not keeping.done()
    store.release.set()
    await asyncio.gather(writing, keeping)
    kept = json.loads(store.stored["telegram:unhandled:1"])
    assert [entry["update"]["update_id"] for entry in kept["updates"]] == [2, 3]


async def test_the_updates_kept_are_dated_by_the_platform_s_clock(tmp_path: Path) -> None:
    """What decides an update's 24 hours is the clock the platform runs by (a replay's, a
    test's), not the system's."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'j.db'}")
    try:
        await db.create_all()
        clock = ManualClock(datetime(2026, 10, 26, 9, 0, tzinfo=UTC))
        settings = TelegramSettings.from_environ({"TELEGRAM_TOKEN": f"{BOT_ID}:TEST"})
        platform = TelegramPlatform(settings, StateStore(db), clock=clock)
        unhandled = platform.connection.unhandled
        unhandled.received(Update.de_json({"update_id": 1, **text_message(ALICE, "hi")}, None))
        await unhandled.keep()
        kept = json.loads(await StateStore(db).get(f"telegram:unhandled:{BOT_ID}") or "{}")
    finally:
        await db.close()
    assert [entry["came"] for entry in kept["updates"]] == [clock.now().isoformat()]
