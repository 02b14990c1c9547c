"""The topic names and the topics of messages kept between runs are read before anything is
written over them: a read under way, or one the store did not answer, never lets a write erase
what was kept."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy.exc import OperationalError

from bot.adapters.telegram.directory import Directory
from bot.adapters.telegram.kept import KeptThreads, KeptTopics
from bot.state import StateStore
from tests.adapters.telegram.harness import StartBot
from tests.adapters.telegram.payloads import GROUP_ID

TOPICS = f"telegram:topics:{GROUP_ID}"


def _locked() -> OperationalError:
    return OperationalError("select", {}, Exception("database is locked"))


async def test_a_topic_saved_while_another_task_loads_the_kept_ones_keeps_them(
    start_bot: StartBot,
) -> None:
    """The first topic learnt after a restart, while a job resolves a channel of the same chat,
    is kept with those kept before."""
    bot = await start_bot()
    state = StateStore(bot.core.db)
    await state.set(TOPICS, json.dumps({"12": "Contest"}))  # kept before the restart
    directory = Directory()
    topics = KeptTopics(directory, state)
    gate = asyncio.Event()
    real_get = state.get

    async def slow_get(wanted: str) -> str | None:
        await gate.wait()  # the job's read is still under way
        return await real_get(wanted)

    state.get = slow_get  # type: ignore[method-assign]
    job = asyncio.create_task(topics.load(GROUP_ID))  # e.g. resolve_channel from a job
    await asyncio.sleep(0)
    directory.remember_topic(GROUP_ID, 50, "Gallery")  # the intake learns a new topic
    await asyncio.wait_for(topics.save(GROUP_ID), 1)
    gate.set()
    await job
    state.get = real_get  # type: ignore[method-assign]
    assert json.loads(await state.get(TOPICS) or "{}") == {"12": "Contest", "50": "Gallery"}


async def test_a_topic_learnt_while_the_store_cannot_be_read_is_kept_with_the_others_later(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    state = StateStore(bot.core.db)
    await state.set(TOPICS, json.dumps({"12": "Contest"}))
    real_get = state.get
    locked = True

    async def flaky_get(key: str) -> str | None:
        if locked:
            raise _locked()
        return await real_get(key)

    state.get = flaky_get  # type: ignore[method-assign]
    directory = Directory()
    topics = KeptTopics(directory, state)
    await topics.load(GROUP_ID)  # the store does not answer
    directory.remember_topic(GROUP_ID, 50, "Gallery")
    await topics.save(GROUP_ID)
    assert json.loads(await real_get(TOPICS) or "{}") == {"12": "Contest"}  # not erased
    locked = False
    await topics.flush()  # the next tick
    assert json.loads(await real_get(TOPICS) or "{}") == {"12": "Contest", "50": "Gallery"}


async def test_a_read_that_fails_once_does_not_wipe_the_kept_topics_of_messages(
    start_bot: StartBot,
) -> None:
    """A failed read leaves the chat unread: the next message's topic is kept with the others,
    not alone over them."""
    bot = await start_bot()
    state = StateStore(bot.core.db)
    before = KeptThreads(Directory(), state)
    before.remember(GROUP_ID, 40, 12)
    await before.flush()  # kept before the restart
    real_get = state.get
    calls = 0

    async def flaky_get(key: str) -> str | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _locked()
        return await real_get(key)

    state.get = flaky_get  # type: ignore[method-assign]
    after_restart = KeptThreads(Directory(), state)
    await after_restart.load(GROUP_ID)  # the store did not answer this once
    after_restart.remember(GROUP_ID, 41, 12)
    await after_restart.flush()
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert (fresh.thread_of(GROUP_ID, 40), fresh.thread_of(GROUP_ID, 41)) == (12, 12)


async def test_nothing_is_written_over_the_kept_topics_of_messages_until_they_are_read(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    state = StateStore(bot.core.db)
    before = KeptThreads(Directory(), state)
    before.remember(GROUP_ID, 40, 12)
    await before.flush()
    real_get = state.get

    async def locked_get(key: str) -> str | None:
        raise _locked()

    state.get = locked_get  # type: ignore[method-assign]
    after_restart = KeptThreads(Directory(), state)
    after_restart.remember(GROUP_ID, 41, 12)
    await after_restart.flush()  # cannot read: writes nothing
    state.get = real_get  # type: ignore[method-assign]
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert fresh.thread_of(GROUP_ID, 40) == 12
    await after_restart.flush()  # the store answers again: both are kept
    fresh = Directory()
    await KeptThreads(fresh, state).load(GROUP_ID)
    assert (fresh.thread_of(GROUP_ID, 40), fresh.thread_of(GROUP_ID, 41)) == (12, 12)
