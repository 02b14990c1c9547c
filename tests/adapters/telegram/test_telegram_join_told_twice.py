"""A join Telegram tells twice (``chat_member``, then the service message) is one join: the
repeat changes nothing, the charter gate's hold on the newcomer included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.events import CommunityRef, MemberJoined, MemberRef, UserRef
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import BOB, GROUP_ID, chat_member, joined_service_message

GARDEN = CommunityRef("telegram", str(GROUP_ID), "Garden")
BOB_HERE = MemberRef(GARDEN, UserRef("telegram", str(BOB["id"]), "Bob"))


async def test_the_second_telling_of_a_join_does_not_free_a_newcomer_held_at_the_gate(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    """The gate holds the newcomer on the first telling; the repeat must not make the bot forget
    that hold, or a later timeout gets an end and its lift frees them before they accept."""
    bot = await start_bot()
    api.push(chat_member(BOB, "left", "member"))
    await bot.settle()
    assert len(bot.seen(MemberJoined)) == 1
    assert await bot.core.actions.restrict(BOB_HERE)  # the gate holds the newcomer
    api.push(joined_service_message(BOB))  # the same join, told again
    await bot.settle()
    assert len(bot.seen(MemberJoined)) == 1  # recognised as the same join
    assert await bot.core.actions.timeout(BOB_HERE, datetime.now(UTC) + timedelta(minutes=10))
    timeout = api.called("restrictChatMember")[-1]
    assert "until_date" not in timeout.params  # still held: no end Telegram would lift alone
