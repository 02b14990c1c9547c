"""A group's member count: asked of Telegram at most every few minutes, never once per join."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.telegram.headcount import FRESH_FOR, Headcounts
from bot.clock import ManualClock
from bot.events import CommunityRef
from bot.platform import Capability, PlatformError
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import (
    ALICE,
    BOB,
    GROUP_ID,
    chat_member,
    joined_service_message,
    user,
)

# PTB 22 itself reads the deprecated int form of retry_after when it builds a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*attribute `retry_after`:DeprecationWarning")

GARDEN = CommunityRef("telegram", str(GROUP_ID), "Garden")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_the_count_is_telegrams_and_a_raid_asks_for_it_once(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    api.member_counts[GROUP_ID] = 3000
    bot = await start_bot()
    assert Capability.MEMBER_COUNT in bot.platform.capabilities
    assert await bot.platform.member_count(GARDEN) == 3000
    # Fifty accounts join (each told twice, as to an administrator bot), two leave.
    raiders = [user(7000 + n, f"Raider {n}") for n in range(50)]
    for raider in raiders:
        api.push(chat_member(raider, "left", "member"))
        api.push(joined_service_message(raider))
    api.push(chat_member(ALICE, "member", "left"))
    api.push(chat_member(BOB, "member", "kicked"))
    await bot.settle()
    counts = await asyncio.gather(*(bot.platform.member_count(GARDEN) for _ in range(50)))
    assert set(counts) == {3048}
    assert len(api.called("getChatMemberCount")) == 1


async def test_a_group_whose_count_telegram_refuses_has_none(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    api.fail("getChatMemberCount", "Bad Request: chat not found")
    bot = await start_bot()
    assert await bot.platform.member_count(GARDEN) is None
    assert await bot.platform.member_count(GARDEN) is None  # not asked again at once
    assert len(api.called("getChatMemberCount")) == 1


async def test_a_count_is_asked_again_after_a_few_minutes_and_once_at_a_time() -> None:
    clock = ManualClock(T0)
    asked: list[int] = []
    answer = asyncio.Event()
    counts = iter([120, 200])

    async def fetch(chat_id: int) -> int:
        asked.append(chat_id)
        await answer.wait()
        return next(counts)

    headcounts = Headcounts(fetch, clock)
    waiting = [asyncio.ensure_future(headcounts.of(-100)) for _ in range(20)]
    await asyncio.sleep(0)
    answer.set()
    assert set(await asyncio.gather(*waiting)) == {120}
    assert asked == [-100]
    headcounts.changed(-100, joined=True)
    headcounts.changed(-100, joined=True)
    headcounts.changed(-100, joined=False)
    headcounts.changed(-200, joined=True)  # a chat never counted: nothing to move
    clock.advance(FRESH_FOR - timedelta(seconds=1))
    assert await headcounts.of(-100) == 121
    assert asked == [-100]
    clock.advance(timedelta(seconds=1))
    assert await headcounts.of(-100) == 200
    assert asked == [-100, -100]


async def test_a_refusal_keeps_the_last_count_known_until_the_next_ask() -> None:
    clock = ManualClock(T0)
    answers: list[int | PlatformError] = [
        50,
        PlatformError("member_count", "rate_limited"),
        PlatformError("member_count", "rate_limited"),
        70,
    ]

    async def fetch(chat_id: int) -> int:
        answer = answers.pop(0)
        if isinstance(answer, PlatformError):
            raise answer
        return answer

    headcounts = Headcounts(fetch, clock)
    assert await headcounts.of(-100) == 50
    headcounts.changed(-100, joined=True)
    clock.advance(FRESH_FOR)
    assert await headcounts.of(-100) == 51  # refused: the count known, with the join since
    assert await headcounts.of(-100) == 51  # and Telegram is not asked again at once
    clock.advance(FRESH_FOR)
    assert await headcounts.of(-100) == 51
    clock.advance(FRESH_FOR)
    assert await headcounts.of(-100) == 70
    assert answers == []
