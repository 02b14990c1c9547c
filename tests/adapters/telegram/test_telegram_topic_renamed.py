"""A renamed forum topic keeps its new name: every message in a topic replies to the topic's
creation message, which still carries the name it was created with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.events import CommunityRef, MessageCreated
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import ALICE, GROUP_ID, group, message, text_message

GARDEN = CommunityRef("telegram", str(GROUP_ID), "Garden")
FORUM = group(forum=True)
TOPIC = message(
    ALICE,
    chat=FORUM,
    message_id=12,
    message_thread_id=12,
    forum_topic_created={"name": "Contest", "icon_color": 7322096},
)


def _in_topic(text: str, message_id: int) -> dict[str, object]:
    return text_message(
        ALICE,
        text,
        chat=FORUM,
        message_id=message_id,
        message_thread_id=12,
        is_topic_message=True,
        reply_to_message=TOPIC,
    )


def _renamed(message_id: int, name: str) -> dict[str, object]:
    return {
        "message": message(
            ALICE,
            chat=FORUM,
            message_id=message_id,
            message_thread_id=12,
            is_topic_message=True,
            forum_topic_edited={"name": name},
            reply_to_message=TOPIC,
        )
    }


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"


async def test_a_renamed_topic_keeps_its_new_name_after_the_next_message(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.push(_in_topic("hello", 40))
    api.push(_renamed(41, "Finals"))
    api.push(_in_topic("after the rename", 42))
    await bot.settle()
    found = await bot.platform.resolve_channel(GARDEN, "Finals")
    assert found is not None
    assert found.id == f"{GROUP_ID}:12"
    assert await bot.platform.resolve_channel(GARDEN, "Contest") is None
    *_, after = bot.seen(MessageCreated)
    assert after.message.channel.name == "Finals"


async def test_a_renamed_topic_keeps_its_new_name_after_a_restart(
    start_bot: StartBot, api: FakeBotApi, database: str
) -> None:
    first = await start_bot(database=database)
    api.push(_in_topic("hello", 40))
    api.push(_renamed(41, "Finals"))
    await first.settle()
    await first.stop()
    second = await start_bot(database=database)
    api.push(_in_topic("after the restart", 42))
    await second.settle()
    [after] = second.seen(MessageCreated)
    assert after.message.channel.name == "Finals"
    found = await second.platform.resolve_channel(GARDEN, "Finals")
    assert found is not None
    assert found.id == f"{GROUP_ID}:12"


async def test_a_topic_first_seen_by_a_reply_takes_the_name_it_was_created_with(
    start_bot: StartBot, api: FakeBotApi
) -> None:
    bot = await start_bot()
    api.push(_in_topic("hello", 40))
    await bot.settle()
    [posted] = bot.seen(MessageCreated)
    assert posted.message.channel.name == "Contest"
