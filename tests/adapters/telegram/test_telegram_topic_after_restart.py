"""Which forum topic a message is in, kept between runs: the Bot API does not say which topic a
reacted message is in, so a reaction after a restart to a message posted before (a contest entry,
the bot's own post) still lands in its topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.kept import KeptThreads
from bot.events import ChannelRef, CommunityRef, MessageCreated, ReactionAdded
from bot.state import StateStore
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import (
    ALICE,
    BOB,
    GROUP_ID,
    group,
    message,
    reaction,
    text_message,
)

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


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"


async def test_a_reaction_in_a_forum_topic_lands_in_its_topic_after_a_restart(
    start_bot: StartBot, api: FakeBotApi, database: str
) -> None:
    """A contest in a forum topic counts the votes on its entries by the reaction's channel."""
    first = await start_bot(database=database)
    api.push(_in_topic("my entry", 40))
    await first.settle()
    [posted] = first.seen(MessageCreated)
    assert posted.message.channel.id == f"{GROUP_ID}:12"
    await first.stop()
    second = await start_bot(database=database)
    api.push(reaction(BOB, 40, new=["👍"], chat=FORUM))
    await second.settle()
    [voted] = second.seen(ReactionAdded)
    assert voted.message == posted.message  # same message, same channel: the topic
    assert voted.message.channel.name == "Contest"


async def test_a_reaction_to_the_bots_own_post_in_a_topic_lands_there_after_a_restart(
    start_bot: StartBot, api: FakeBotApi, database: str
) -> None:
    first = await start_bot(database=database)
    api.push(_in_topic("hello", 40))  # the bot learns the topic's name
    await first.settle()
    topic = ChannelRef(GARDEN, f"{GROUP_ID}:12", "Contest")
    sent = await first.platform.send(topic, "Vote for your favourite entry")
    await first.stop()
    second = await start_bot(database=database)
    api.push(reaction(BOB, int(sent.id), new=["👍"], chat=FORUM))
    await second.settle()
    [voted] = second.seen(ReactionAdded)
    assert voted.message.channel.id == f"{GROUP_ID}:12"


async def test_a_reaction_in_the_general_topic_stays_under_the_group_after_a_restart(
    start_bot: StartBot, api: FakeBotApi, database: str
) -> None:
    first = await start_bot(database=database)
    api.push(_in_topic("my entry", 40))
    api.push(text_message(ALICE, "in general", chat=FORUM, message_id=41))
    await first.settle()
    await first.stop()
    second = await start_bot(database=database)
    api.push(reaction(BOB, 41, new=["👍"], chat=FORUM))
    await second.settle()
    [voted] = second.seen(ReactionAdded)
    assert voted.message.channel.id == str(GROUP_ID)


async def test_only_the_latest_messages_of_a_chat_are_kept(start_bot: StartBot) -> None:
    """The kept map is bounded: the oldest message's topic is forgotten first."""
    bot = await start_bot()
    state = StateStore(bot.core.db)
    kept = KeptThreads(Directory(), state, max_per_chat=2)
    for message_id in (40, 41, 42):
        kept.remember(GROUP_ID, message_id, 12)
    await kept.flush()
    fresh = Directory()
    await KeptThreads(fresh, state, max_per_chat=2).load(GROUP_ID)
    assert [fresh.thread_of(GROUP_ID, m) for m in (40, 41, 42)] == [None, 12, 12]


@pytest.mark.parametrize("kept", ['{"12": "not a list"}', '{"12": ["x"]}', "[40, 12]", "{"])
async def test_a_damaged_kept_map_is_ignored(start_bot: StartBot, kept: str) -> None:
    bot = await start_bot()
    state = StateStore(bot.core.db)
    await state.set(f"telegram:threads:{GROUP_ID}", kept)
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert fresh.thread_of(GROUP_ID, 40) is None


async def test_a_topic_learnt_after_a_restart_keeps_those_learnt_before(
    start_bot: StartBot, api: FakeBotApi, database: str
) -> None:
    """The topics kept are those learnt before the restart and since, not only the latter."""
    first = await start_bot(database=database)
    api.push(_in_topic("my entry", 40))
    await first.settle()
    await first.stop()
    second = await start_bot(database=database)
    gallery = message(
        ALICE,
        chat=FORUM,
        message_id=50,
        message_thread_id=50,
        forum_topic_created={"name": "Gallery", "icon_color": 7322096},
    )
    api.push({"message": {**gallery, "is_topic_message": True}})
    await second.settle()
    await second.stop()
    third = await start_bot(database=database)
    contest = await third.platform.resolve_channel(GARDEN, "Contest")
    assert contest is not None
    assert contest.id == f"{GROUP_ID}:12"
