"""The Telegram webhook is reported as failing when Telegram says its deliveries fail, not as
connected because the Bot API answers."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from telegram import WebhookInfo
from telegram.error import NetworkError

from bot.adapters.telegram import webhookhealth
from bot.adapters.telegram.webhookhealth import WebhookHealth
from bot.connections import Degraded
from bot.heartbeat import Link
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import RunningBot, StartBot
from tests.adapters.telegram.payloads import ALICE, joined_service_message
from tests.support.waiting import eventually

URL = "https://bot.example.org/tg/hook"
BAD_GATEWAY = "Wrong response from the webhook: 502 Bad Gateway"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def state_of(bot: RunningBot) -> Link:
    return bot.core.connections.links().platforms["telegram"].state


async def test_a_webhook_telegram_cannot_deliver_to_is_reported_failing_until_an_update_comes(
    start_bot: StartBot,
    api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.adapters.telegram.webhookhealth")
    monkeypatch.setattr(webhookhealth, "FIRST_CHECK_AFTER", 0.0)
    monkeypatch.setattr(webhookhealth, "CHECK_EVERY", 0.05)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    # What Telegram failed to deliver while the bot was down is not this run's failure.
    api.delivery_failed("Connection refused", waiting=2, at=time.time() - 60)
    bot = await start_bot(
        environ={
            "TELEGRAM_WEBHOOK_URL": url,
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": str(port),
            "TELEGRAM_WEBHOOK_SECRET": "garden-secret",
        },
        wait_for_polling=False,
    )
    await api.wait_for("getWebhookInfo", 2)  # checked at start, then again and again
    assert state_of(bot) is Link.CONNECTED
    assert bot.core.connections.links().none_connected_since is None

    api.delivery_failed(BAD_GATEWAY, waiting=3, at=time.time() + 1)
    await eventually(lambda: state_of(bot) is Link.DEGRADED, "the webhook is reported failing")
    links = bot.core.connections.links()
    assert links.platforms["telegram"].why == (
        f"Telegram cannot deliver updates to the webhook: {BAD_GATEWAY} (3 waiting)"
    )
    assert links.none_connected_since is not None  # nothing comes in: the health grace runs
    checks = len(api.called("getWebhookInfo"))
    await api.wait_for("getWebhookInfo", checks + 2)
    failing = [r.getMessage() for r in caplog.records if "cannot deliver" in r.getMessage()]
    assert failing == [
        f"Telegram cannot deliver updates to the webhook: {BAD_GATEWAY} (3 waiting); check "
        "TELEGRAM_WEBHOOK_URL, the reverse proxy and its certificate"
    ]  # said once, not at each check

    api.webhook_waiting = 0  # Telegram delivers what waited, at last
    update = {"update_id": 7, **joined_service_message(ALICE)}
    headers = {"X-Telegram-Bot-Api-Secret-Token": "garden-secret"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        assert response.status == 200
    # An update came: deliveries work, though Telegram still says when the last one failed.
    assert state_of(bot) is Link.CONNECTED
    await api.wait_for("getWebhookInfo", len(api.called("getWebhookInfo")) + 2)
    assert state_of(bot) is Link.CONNECTED
    assert "Telegram delivers updates to the webhook again" in caplog.text
    await asyncio.wait_for(bot.stop(), 10)


def info(url: str = URL, **fields: object) -> WebhookInfo:
    return WebhookInfo(url, False, **fields)  # type: ignore[arg-type]


class Telegram:
    """Answers getWebhookInfo with what a test sets."""

    def __init__(self) -> None:
        self.answer: WebhookInfo | Exception = info(pending_update_count=0)

    async def __call__(self) -> WebhookInfo:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def test_a_webhook_registered_by_another_process_or_removed_is_reported_failing() -> None:
    telegram = Telegram()
    health = WebhookHealth(URL, telegram)
    health.registered()
    telegram.answer = info(URL + "/", pending_update_count=0)
    await health.check()
    assert health.degraded() is None  # the same address
    telegram.answer = info("https://staging.example.org/hook", pending_update_count=5)
    await health.check()
    degraded = health.degraded()
    assert degraded is not None
    assert degraded.deaf
    assert "not this bot's any more" in degraded.why
    telegram.answer = info("", pending_update_count=0)  # another process polls
    await health.check()
    assert health.degraded() is not None


async def test_a_failure_stands_while_telegram_cannot_be_asked_and_ends_with_a_delivery() -> None:
    now = datetime(2025, 5, 1, 9, tzinfo=UTC)
    telegram = Telegram()
    health = WebhookHealth(URL, telegram, now=lambda: now, scrub=lambda s: s.replace("T0K", "***"))
    health.registered()
    failed = now + timedelta(seconds=30)
    telegram.answer = info(
        pending_update_count=1, last_error_date=failed, last_error_message="SSL error T0K"
    )
    await health.check()
    expected = Degraded(
        "Telegram cannot deliver updates to the webhook: SSL error *** (1 waiting)", deaf=True
    )
    assert health.degraded() == expected
    telegram.answer = NetworkError("api.example T0K unreachable")
    await health.check()
    assert health.degraded() == expected
    now += timedelta(minutes=1)
    health.arrived()  # a delivery worked since the failure
    assert health.degraded() is None
    telegram.answer = info(
        pending_update_count=2, last_error_date=failed, last_error_message="SSL error"
    )
    await health.check()
    assert health.degraded() is None  # what waits is on its way
    # Nothing waits any more: what failed was delivered since.
    telegram.answer = info(
        pending_update_count=0, last_error_date=failed, last_error_message="SSL error"
    )
    await health.check()
    assert health.degraded() is None


async def test_the_address_telegram_gives_back_otherwise_written_is_still_the_bot_s() -> None:
    telegram = Telegram()
    health = WebhookHealth(URL, telegram)
    health.registered()
    for same in ("HTTPS://Bot.Example.org:443/tg/hook/", "https://bot.example.org/tg/hook"):
        telegram.answer = info(same, pending_update_count=0)
        await health.check()
        assert health.degraded() is None, same
    for other in ("https://bot.example.org:8443/tg/hook", "https://bot.example.org/tg/other"):
        telegram.answer = info(other, pending_update_count=0)
        await health.check()
        assert health.degraded() is not None, other


def failed_at(moment: datetime) -> WebhookInfo:
    return info(pending_update_count=1, last_error_date=moment, last_error_message="502")


async def test_deliveries_failing_now_and_then_are_warned_of_once_an_hour(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A proxy that comes and goes: each check finds a new failure, each update mends it."""
    caplog.set_level(logging.INFO, logger="bot.adapters.telegram.webhookhealth")
    now = datetime(2025, 5, 1, 9, tzinfo=UTC)
    telegram = Telegram()
    health = WebhookHealth(URL, telegram, now=lambda: now)
    health.registered()
    for _ in range(30):  # half an hour
        now += timedelta(minutes=1)
        telegram.answer = failed_at(now)
        await health.check()
        assert health.degraded() is not None
        now += timedelta(seconds=1)
        health.arrived()
        assert health.degraded() is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # the first failure, and its end
    assert len([r for r in caplog.records if "cannot deliver" in r.getMessage()]) == 30
    now += timedelta(hours=1)
    telegram.answer = failed_at(now)
    await health.check()
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3
