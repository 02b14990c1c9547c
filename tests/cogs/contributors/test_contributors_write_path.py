"""The write path: buffered counters, one transaction per flush, a bounded buffer."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot import bulkwrite
from bot.events import ChannelRef, CommunityRef, MessageRef
from cogs.contributors.buffer import CounterBuffer, DailyKey, EdgeKey
from cogs.contributors.pace import MessagePace
from cogs.contributors.tracked import MessageLedger, TrackedMessage
from tests.cogs.contributors.conftest import ForumFactory
from tests.cogs.contributors.forum import Forum
from tests.ruleconf.test_shipped_french import typography_mistakes
from tests.support.database import held
from tests.support.rulebook import refusal_read_in_french
from tests.support.waiting import eventually

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
    monkeypatch.setattr(bulkwrite, "ROWS_PER_CALL", 3)
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


async def test_the_message_that_fills_the_buffer_does_not_wait_for_the_database(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    forum = await open_forum(write={"buffer_limit": 10})
    buffered = forum.cog.buffer
    opened = asyncio.Event()
    writes: list[int] = []
    write = buffered.write

    async def slow_write(daily: dict[Any, Any], edges: dict[Any, Any]) -> int | None:
        await opened.wait()  # the database is busy
        writes.append(len(daily) + len(edges))
        return await write(daily, edges)

    monkeypatch.setattr(buffered, "write", slow_write)
    for n in range(10):
        await forum.say(f"member{n}", LONG)
    assert len(buffered) == 0  # taken out at once, written behind
    assert writes == []
    await forum.say("member10", LONG)  # counted meanwhile
    assert len(buffered) == 1
    opened.set()
    await forum.core.caught_up()
    assert writes == [10]
    await forum.cog.flush()
    assert writes == [10, 1]
    # Every message counted: eleven members tied at the first place, all listed.
    assert len(forum.ranked(await forum.run("alice", "/top"))) == 11


async def test_counters_behind_a_refused_write_wait_with_it_and_land_in_order(
    forum: Forum, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = await forum.say("carol", LONG)
    await forum.say("alice", "Thanks carol, that is really helpful", reply_to=post)
    buffered = forum.cog.buffer
    opened = asyncio.Event()
    refused = False
    write = buffered._write

    async def refusing_write(daily: dict[Any, Any], edges: dict[Any, Any]) -> None:
        nonlocal refused
        await opened.wait()
        if not refused:
            refused = True
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        await write(daily, edges)

    monkeypatch.setattr(buffered, "_write", refusing_write)
    first = asyncio.create_task(forum.cog.flush())  # the reply and its thanks, refused
    await eventually(lambda: len(buffered) == 0, "the first flush takes the reply's counters")
    await forum.delete(post)  # takes them back: written first, they would outlive it
    assert len(buffered) > 0
    second = asyncio.create_task(forum.cog.flush())
    await eventually(lambda: len(buffered) == 0, "the second flush takes the deletion's")
    opened.set()
    assert await first == 0
    assert await second == 0  # waits with the refused ones
    assert buffered.restores == 2
    await forum.cog.flush()
    community = forum.platform.community
    carol = await forum.cog.stored(community, forum.member("carol").user.id)
    assert carol == {"daily": [], "interactions": [], "wins": []}  # no interaction left behind
    alice = await forum.cog.stored(community, forum.member("alice").user.id)
    assert [day["messages"] for day in alice["daily"]] == [1]
    assert alice["interactions"] == []


def test_the_buffer_knows_it_is_full_without_counting() -> None:
    counters = CounterBuffer(None, None, limit=3)  # type: ignore[arg-type]  # never flushed
    community = CommunityRef("test", "1")
    day = date(2026, 11, 2)
    counters.add_daily(DailyKey(community, "ana", day), "messages")
    counters.add_daily(DailyKey(community, "ana", day), "messages")
    counters.add_edge(EdgeKey(community, day, "ana", "bob", "reply"))
    assert not counters.full
    counters.add_edge(EdgeKey(community, day, "bob", "ana", "reply"))
    assert counters.full
    counters.forget(community, "bob")
    assert not counters.full
    counters.limit = 1
    assert counters.full
    daily, edges = counters.take()
    assert not counters.full
    counters.restore(daily, edges)
    assert counters.full
    assert len(counters) == 1


async def test_a_database_that_keeps_refusing_loses_the_oldest_counters_not_the_newest(
    open_forum: ForumFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    forum = await open_forum(write={"buffer_limit": 10})
    buffered = forum.cog.buffer
    write = buffered._write
    down = True

    async def refusing_write(daily: dict[Any, Any], edges: dict[Any, Any]) -> None:
        if down:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        await write(daily, edges)

    monkeypatch.setattr(buffered, "_write", refusing_write)
    speakers = [f"member{n}" for n in range(50)]
    for speaker in speakers:
        await forum.say(speaker, LONG)
        await forum.core.caught_up()  # the early write, refused, has put its counters back
    down = False
    await forum.cog.flush()

    community = forum.platform.community
    kept = [
        speaker
        for speaker in speakers
        if (await forum.cog.stored(community, forum.member(speaker).user.id))["daily"]
    ]
    assert buffered.dropped > 0
    assert kept == speakers[-len(kept) :]  # the members who posted last still count
    assert len(kept) >= 2 * 10


def test_changes_put_back_in_turn_stay_in_the_order_they_were_counted() -> None:
    counters = CounterBuffer(None, None, limit=1)  # type: ignore[arg-type]  # never flushed
    community = CommunityRef("test", "1")
    day = date(2026, 11, 2)

    def count(*names: str) -> None:
        for name in names:
            counters.add_daily(DailyKey(community, name, day), "messages")

    count("first")
    refused = counters.take()  # a write the database refuses
    count("second")
    behind = counters.take()  # an early write that waits behind it
    count("third")
    counters.restore(*refused)
    counters.restore(*behind)  # newer than the refused ones, older than the third
    assert counters.dropped == 1
    daily, _ = counters.take()
    assert [key[1] for key in daily] == ["second", "third"]


async def test_counters_of_a_community_the_database_refuses_for_good_hold_up_no_other(
    open_forum: ForumFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "bot.db"
    forum = await open_forum(database=database)
    buffered = forum.cog.buffer
    orchard = CommunityRef("fake", "c2", "Orchard")
    await forum.core.members.community_id(orchard)
    await forum.core.members.community_id(forum.platform.community)
    # A clean-up script deletes the orchard's row while the bot runs: its counters can never
    # be written (their community is gone), the garden's still must be, now and later.
    with sqlite3.connect(database) as other:
        other.execute("DELETE FROM communities WHERE external_id = 'c2'")
    await forum.say("alice", LONG)
    buffered.add_daily((orchard, "id-dan", date(2026, 11, 2)), "messages")
    with caplog.at_level(logging.ERROR, logger="cogs.contributors"):
        await forum.cog.flush()
    assert len(buffered) == 0  # nothing left to fail again at every flush
    community = forum.platform.community
    assert (await forum.cog.stored(community, forum.member("alice").user.id))["daily"]
    [lost] = [r.getMessage() for r in caplog.records if r.name == "cogs.contributors"]
    assert orchard.key in lost
    assert "FOREIGN KEY constraint failed" in lost
    await forum.say("bob", LONG)
    await forum.cog.flush()
    assert (await forum.cog.stored(community, forum.member("bob").user.id))["daily"]


async def test_counters_a_write_failing_outside_the_database_took_are_not_lost(
    forum: Forum, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    buffered = forum.cog.buffer
    write = buffered._write
    failed = False

    async def failing_once(daily: dict[Any, Any], edges: dict[Any, Any]) -> None:
        nonlocal failed
        if not failed:
            failed = True
            raise RuntimeError("a bug on the way to the database")
        await write(daily, edges)

    monkeypatch.setattr(buffered, "_write", failing_once)
    await forum.say("alice", LONG)
    with caplog.at_level(logging.WARNING, logger="cogs.contributors"):
        await forum.cog.flush()
    stored = await forum.cog.stored(forum.platform.community, forum.member("alice").user.id)
    assert stored["daily"]
    # Written again part by part, nothing lost; the bug is still told, with its traceback.
    [bug] = [r for r in caplog.records if r.name == "cogs.contributors"]
    assert bug.getMessage().startswith("a write failed on a bug in the bot, not a refusal of")
    assert bug.exc_info is not None


async def test_counters_a_bug_fails_to_write_are_said_lost_to_it_with_its_traceback(
    forum: Forum, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    buffered = forum.cog.buffer

    async def buggy(daily: dict[Any, Any], edges: dict[Any, Any]) -> None:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(buffered, "_write", buggy)
    await forum.say("alice", LONG)
    with caplog.at_level(logging.WARNING, logger="cogs.contributors"):
        assert await forum.cog.flush() == 0
    [lost] = [r for r in caplog.records if r.name == "cogs.contributors"]
    assert lost.levelno == logging.ERROR
    # Whoever is on call is sent to the bot's code, with where it failed, not to the database.
    assert lost.getMessage() == (
        f"1 contributors counters of {forum.platform.community.key} lost to a bug in the bot, "
        "not a refusal of the database (TypeError: unsupported operand type(s) for +: 'int' "
        "and 'str')"
    )
    assert lost.exc_info is not None
    assert "the database refuses" not in caplog.text
    assert "in buggy" in caplog.text  # the traceback
    assert len(buffered) == 0  # dropped: a bug would fail them again at every flush


async def test_counters_are_written_when_the_bot_stops_while_another_process_holds_the_database(
    open_forum: ForumFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=300))
    database = tmp_path / "bot.db"
    forum = await open_forum(database=database)
    await forum.say("alice", LONG)
    await forum.core.members.flush()  # the member is recorded: only the counters wait
    with held(database) as other:

        async def done_soon() -> None:
            await asyncio.sleep(0.5)  # longer than the busy timeout: the first write is refused
            other.execute("ROLLBACK")

        other_process = asyncio.create_task(done_soon())
        await forum.core.stop()
        await other_process
    with sqlite3.connect(database) as reader:
        rows = reader.execute("SELECT user_id, messages FROM contributors_daily").fetchall()
    assert rows == [("id-alice", 1)]


async def test_counters_refused_at_stop_until_the_end_are_said_lost_not_kept(
    open_forum: ForumFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=100))
    database = tmp_path / "bot.db"
    forum = await open_forum(database=database)
    await forum.say("alice", LONG)
    await forum.core.members.flush()
    with held(database), caplog.at_level(logging.WARNING, logger="cogs.contributors"):
        await forum.cog.buffer.flush_last(forum.cog.flush, within=0.3)  # as when the bot stops
    [lost] = [r for r in caplog.records if r.name == "cogs.contributors"]
    assert lost.levelno == logging.ERROR
    assert lost.getMessage() == (
        "1 contributors counters lost at stop: the database still refused them after 0.3 s "
        "(OperationalError: database is locked)"
    )


@pytest.mark.parametrize(
    ("changes", "key_path", "english", "french"),
    [
        (
            {"write": {"flush_every": "0s"}},
            "write.flush_every",
            "flush_every must be between 1s and 1h",
            "flush_every doit être entre 1s et 1h",
        ),
    ],
)
def test_a_french_community_reads_the_contributors_section_s_refusals_in_french(
    rules_dir: Path, changes: dict[str, object], key_path: str, english: str, french: str
) -> None:
    # The check the contributors section makes itself, not the loader's.
    error = refusal_read_in_french(rules_dir, "contributors", changes)
    assert (error.key_path, error.message) == (key_path, english)
    assert error.text("fr").endswith(f": {french}")
    assert typography_mistakes(french) == []


def test_past_its_bound_the_per_minute_cap_forgets_the_member_it_heard_from_least_lately() -> None:
    pace = MessagePace(max_members=3)
    community = CommunityRef("test", "1")
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for n, member in enumerate(["ana", "bob", "cy"]):
        assert pace.allows(community, member, at + timedelta(seconds=n), 1)
    # Ana, at the cap, is heard from again: Bob is now the one heard from least lately.
    assert not pace.allows(community, "ana", at + timedelta(seconds=3), 1)
    assert pace.allows(community, "dee", at + timedelta(seconds=4), 1)
    assert len(pace) == 3
    assert not pace.allows(community, "ana", at + timedelta(seconds=5), 1)  # still capped
    assert pace.allows(community, "bob", at + timedelta(seconds=5), 1)  # forgotten
    pace.forget(community, "cy")
    assert pace.allows(community, "cy", at + timedelta(seconds=6), 1)
    assert not pace.allows(community, "cy", at + timedelta(seconds=7), 1)
    assert pace.allows(community, "cy", at + timedelta(seconds=67), 1)  # a minute later


def test_a_late_event_leaves_the_per_minute_cap_of_later_messages_as_it_was() -> None:
    """An event delivered late (an edit scored for the time it was posted) counts for its own
    time: a message two minutes on still finds room, and the cap's memory stays bounded."""
    pace = MessagePace(max_members=3)
    community = CommunityRef("test", "1")
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert pace.allows(community, "ana", at + timedelta(seconds=100), 2)
    assert pace.allows(community, "ana", at + timedelta(seconds=10), 2)  # late
    assert pace.allows(community, "ana", at + timedelta(seconds=70), 2)
    for n in range(50):
        pace.allows(community, f"m{n % 5}", at + timedelta(seconds=200 + n), 2)
    assert len(pace) <= 3
