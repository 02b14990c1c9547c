"""The bot's own posts (contest entries, suggestions, posts with buttons) keep their forum topic
between runs in a list of their own: members' chatter cannot push them out, and a vote on an
older entry after a restart still lands in its topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.kept import KeptThreads
from bot.events import ChannelRef, CommunityRef, ReactionAdded
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


async def test_a_contest_entry_keeps_its_topic_after_members_chatter_and_a_restart(
    start_bot: StartBot, api: FakeBotApi, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members' messages (5,000 kept in production, 3 here) do not push the entry out."""
    monkeypatch.setitem(KeptThreads.__init__.__kwdefaults__, "max_per_chat", 3)
    first = await start_bot(database=database)
    api.push(_in_topic("hello", 40))
    await first.settle()
    entry = await first.platform.send(
        ChannelRef(GARDEN, f"{GROUP_ID}:12", "Contest"), "Entry #1 by Alice"
    )
    for offset in (1, 2, 3):  # members chatting in the topics while the contest runs
        api.push(_in_topic("nice!", int(entry.id) + offset))
    await first.settle()
    await first.stop()
    second = await start_bot(database=database)
    api.push(reaction(BOB, int(entry.id), new=["👍"], chat=FORUM))
    await second.settle()
    [voted] = second.seen(ReactionAdded)
    assert voted.message.channel.id == f"{GROUP_ID}:12"


async def test_the_bots_own_posts_have_a_bound_of_their_own(start_bot: StartBot) -> None:
    bot = await start_bot()
    state = StateStore(bot.core.db)
    kept = KeptThreads(Directory(), state, max_per_chat=5, max_own_per_chat=2)
    for message_id in (40, 41, 42):
        kept.remember(GROUP_ID, message_id, 12, own=True)
    await kept.flush()
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert [fresh.thread_of(GROUP_ID, m) for m in (40, 41, 42)] == [None, 12, 12]
