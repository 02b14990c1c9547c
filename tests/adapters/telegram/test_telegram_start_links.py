"""Start links: a member who never started the bot still gets their data with one tap.

Telegram lets a bot write privately only to someone who started it. /mydata then answers with a
link; pressing Start in the chat it opens runs /mydata for the group, and the file arrives there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Message

from bot.adapters.telegram.startlinks import parse_start, private_command, start_link
from bot.events import ChannelRef, CommunityRef, MessageRef, Power
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import ALICE, BOB, DATE, GROUP_ID, command, message, private

LINK = f"https://t.me/jardinier_bot?start=mydata-{GROUP_ID}"


def start(sender: dict[str, Any], payload: str) -> dict[str, Any]:
    """The update Telegram sends when ``sender`` presses Start on a link with ``payload``."""
    return command(sender, f"/start {payload}", chat=private(sender))


def test_a_link_names_the_command_and_the_group_and_reads_back() -> None:
    link = start_link("jardinier_bot", "mydata", GROUP_ID)
    assert link == LINK
    assert parse_start(f"/start mydata-{GROUP_ID}") == ("mydata", GROUP_ID)
    assert parse_start(f"/start@jardinier_bot mydata-{GROUP_ID}") == ("mydata", GROUP_ID)


@pytest.mark.parametrize(
    "text",
    [
        "/start",
        "/start hello",
        "/start mydata",
        f"/start MyData-{GROUP_ID}",
        f"/start mydata-{GROUP_ID} extra",
        f"/start mydata-{GROUP_ID}x",
        "/start " + "a" * 60 + "-1",
        f"/help mydata-{GROUP_ID}",
        f"/start mydata-{'9' * 30}",
    ],
)
def test_anything_but_a_start_link_of_ours_is_not_a_command(text: str) -> None:
    assert parse_start(text) is None


def test_no_link_without_the_bots_username_or_beyond_telegrams_limit() -> None:
    assert start_link("", "mydata", GROUP_ID) is None
    assert start_link("jardinier_bot", "x" * 50, GROUP_ID) is None


def test_the_command_runs_for_the_group_and_answers_in_the_private_chat() -> None:
    payload = message(ALICE, f"/start mydata-{GROUP_ID}", chat=private(ALICE), message_id=7)
    garden = CommunityRef("telegram", str(GROUP_ID), "Garden")
    started = Message.de_json(payload, None)
    assert started.from_user is not None
    powers = {ALICE["id"]: frozenset({Power.MANAGE})}
    event = private_command(started, started.from_user, "mydata", garden, powers)
    assert event.private
    assert event.name == "mydata"
    assert event.channel == ChannelRef(garden, str(ALICE["id"]), "")
    assert event.member.community == garden
    assert event.member.user.id == str(ALICE["id"])
    assert event.member.platform_moderator  # an administrator of the group
    assert event.member.powers == {Power.MANAGE}
    assert event.message == MessageRef(event.channel, "7")
    assert event.at == datetime.fromtimestamp(DATE, UTC)


async def test_a_member_who_never_started_the_bot_gets_their_data_through_the_link(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.push(command(ALICE, "/mydata"))
    await bot.settle()

    [answer] = [call for call in api.called("sendMessage") if call.chat_id == GROUP_ID]
    assert LINK in answer.params["text"]
    assert "press Start" in answer.params["text"]

    api.push(start(ALICE, f"mydata-{GROUP_ID}"))
    await bot.settle()

    [refused] = api.not_started
    assert (refused.method, refused.chat_id) == ("sendDocument", ALICE["id"])
    [delivered] = api.called("sendDocument")
    assert delivered.chat_id == ALICE["id"]
    assert delivered.files["document"][0] == f"data-telegram-{GROUP_ID}-{ALICE['id']}.json"
    assert b'"id": "201"' in delivered.files["document"][1]
    [checked] = api.called("getChatMember")
    assert (checked.chat_id, checked.params["user_id"]) == (GROUP_ID, str(ALICE["id"]))
    [sent] = [call for call in api.called("sendMessage") if call.chat_id == ALICE["id"]]
    assert sent.params["text"] == "I sent you what I keep about you here, in a private message."


async def test_a_start_link_from_someone_outside_the_group_does_nothing(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.statuses[(GROUP_ID, BOB["id"])] = "left"

    api.push(start(BOB, f"mydata-{GROUP_ID}"))
    api.push(start(ALICE, "hello"))  # a plain start parameter, not ours
    await bot.settle()

    assert len(api.called("getChatMember")) == 1
    assert api.called("sendDocument") == []
    assert api.called("sendMessage") == []
