"""The write path: buffered counters, one transaction per flush, a bounded buffer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.events import ChannelRef, CommunityRef, MessageRef
from cogs.contributors import buffer
from cogs.contributors.buffer import CounterBuffer, DailyKey
from cogs.contributors.pace import MessagePace
from cogs.contributors.tracked import MessageLedger, TrackedMessage
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum

LONG = "Here is a long and thoughtful message about the garden."


async def test_many_messages_are_written_in_one_transaction(forum: Forum) -> None:
    for n in range(20):
        await forum.say(f"member{n}", "hello")  # the core records each member once
    await forum.cog.flush()
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(forum.core.db.engine.sync_engine, "commit", committed)
    for n in range(200):
        await forum.say(f"member{n % 20}", LONG)
        await forum.wait(timedelta(seconds=10))

    assert commits == []  # nothing written per message
    assert len(forum.cog.buffer) == 20
    await forum.cog.flush()

    assert len(commits) == 1
    assert len(forum.cog.buffer) == 0
    event.remove(forum.core.db.engine.sync_engine, "commit", committed)


async def test_a_full_buffer_flushes_early_and_never_grows_past_its_bound(
    open_forum: ForumFactory,
) -> None:
    forum = await open_forum(write={"buffer_limit": 50})
    for n in range(500):
        await forum.say(f"member{n}", LONG)
        assert len(forum.cog.buffer) < 50
    assert forum.cog.buffer.flushes >= 9
    assert len(forum.ranked(await forum.run("alice", "/top"))) == 10


async def test_counters_survive_a_restart(open_forum: ForumFactory, tmp_path: Path) -> None:
    database = tmp_path / "j.db"
    first = await open_forum(database=database)
    post = await first.say("carol", LONG)
    await first.say("alice", "Thanks carol, that is really helpful", reply_to=post)
    await first.core.stop()  # teardown writes what is pending

    second = await open_forum(database=database)

    assert second.ranked(await second.run("bob", "/top"))[0] == "carol"


async def test_a_flush_of_more_rows_than_one_statement_takes_writes_them_all(
    forum: Forum, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buffer, "ROWS_PER_STATEMENT", 3)
    for n in range(10):
        await forum.say(f"member{n}", LONG)
    await forum.cog.flush()
    assert len(forum.ranked(await forum.run("alice", "/top"))) == 10


def test_the_per_minute_cap_forgets_members_quiet_for_a_minute() -> None:
    pace = MessagePace()
    community = CommunityRef("test", "1")
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert [pace.allows(community, "ana", at, 2) for _ in range(3)] == [True, True, False]
    for n in range(100):
        assert pace.allows(community, f"member{n}", at + timedelta(seconds=n % 30), 2)
    assert len(pace) == 101
    later = at + timedelta(seconds=90)
    assert pace.allows(community, "ana", later, 2)
    assert len(pace) == 1  # everyone else is a minute quiet: nothing left to count
    assert pace.allows(community, "ana", later, 2)
    assert not pace.allows(community, "ana", later, 2)


def test_past_its_bound_the_ledger_forgets_the_oldest_messages() -> None:
    counters = CounterBuffer(None, None, limit=1_000)  # type: ignore[arg-type]  # never flushed
    ledger = MessageLedger(counters, limit=3)
    channel = ChannelRef(CommunityRef("test", "1"), "general")
    day = date(2026, 11, 2)
    messages = [MessageRef(channel, str(n)) for n in range(5)]
    for message in messages:
        tracked = TrackedMessage("ana")
        ledger.score(message, tracked, day)
        ledger.track(message, tracked)
    assert len(ledger) == 3
    assert not ledger.removed(messages[0])  # forgotten: its point stays
    assert ledger.removed(messages[4])
    assert ledger.removed(messages[4]) is False  # taken back once
    daily, _edges = counters.take()
    assert daily == {DailyKey(channel.community, "ana", day): {"messages": 4}}
