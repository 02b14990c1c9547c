"""The journeys' store: who has a journey is known per community without a query per member."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.clock import ManualClock
from bot.core import Jardinier
from cogs.welcome import journeys
from cogs.welcome.journeys import JourneyStore
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.support.database import held
from tests.support.fake_platform import FakePlatform
from tests.support.waiting import eventually


async def test_journeys_begun_before_and_after_the_store_loads_are_found(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = platform.community
    first = JourneyStore(core.db, core.members)
    await first.begin(community, "id-ana", clock.now())
    await first.flush()  # as when the bot stops
    monkeypatch.setattr(journeys, "MAX_CACHED", 1)  # every other lookup misses the cache
    store = JourneyStore(core.db, core.members)  # as after a restart
    assert await store.get(community, "id-ben") is None
    found = await store.get(community, "id-ana")
    assert found is not None
    assert found.joined_at == clock.now()
    await store.begin(community, "id-cleo", clock.now())
    assert await store.get(community, "id-ben") is None
    assert await store.get(community, "id-cleo") is not None
    await store.forget(community, "id-ana")
    assert await store.get(community, "id-ben") is None
    assert await store.get(community, "id-ana") is None


async def test_a_join_is_written_behind_and_read_back_before_it_is(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    community = platform.community
    store = JourneyStore(core.db, core.members)
    await core.members.community_id(community)  # the community itself is written at once
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(core.db.engine.sync_engine, "commit", committed)
    try:
        journey, welcomed = await store.begin(
            community, "id-ana", clock.now(), welcome=lambda last: last is None
        )
        assert welcomed
        assert journey.welcomed_at == clock.now()
        journey = await store.update(community, journey, first_message_at=clock.now())
        assert commits == []
        assert store.pending == 1
        await store.flush()
        assert len(commits) == 1
    finally:
        event.remove(core.db.engine.sync_engine, "commit", committed)
    found = await JourneyStore(core.db, core.members).get(community, "id-ana")
    assert found is not None
    assert (found.welcomed_at, found.first_message_at) == (clock.now(), clock.now())

    # Back a little later: the stages start over, the welcome carries over, and both the
    # store and a fresh one (reading the table, then what waits) agree before any write.
    later = clock.now() + timedelta(minutes=10)
    again, welcomed = await store.begin(
        community, "id-ana", later, welcome=lambda last: last is None
    )
    assert not welcomed
    assert (again.joined_at, again.welcomed_at, again.first_message_at) == (
        later,
        clock.now(),
        None,
    )
    assert await store.get(community, "id-ana") == again


@pytest.mark.parametrize(
    "refusal",
    [
        OperationalError("INSERT", {}, Exception("database is locked")),
        # PostgreSQL through asyncpg: a deadlock or a serialization failure is a plain DBAPIError.
        DBAPIError("UPDATE", {}, Exception("deadlock detected")),
        InterfaceError("INSERT", {}, Exception("connection is closed")),
        PoolTimeout("QueuePool limit of size 5 overflow 10 reached"),
    ],
    ids=["locked", "deadlock", "connection-lost", "pool-exhausted"],
)
async def test_journeys_the_database_refused_wait_for_the_next_flush(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    refusal: Exception,
) -> None:
    store = JourneyStore(core.db, core.members)
    write = JourneyStore._write
    refusals = iter([refusal])

    async def refuse_once(self: JourneyStore, batch: Any) -> None:
        error = next(refusals, None)
        if error is not None:
            raise error
        await write(self, batch)

    monkeypatch.setattr(JourneyStore, "_write", refuse_once)
    journey, _welcomed = await store.begin(platform.community, "id-ana", clock.now())
    await store.flush()
    assert store.pending == 1
    await store.update(platform.community, journey, introduced_at=clock.now())
    await store.flush()
    assert store.pending == 0
    found = await JourneyStore(core.db, core.members).get(platform.community, "id-ana")
    assert found is not None
    assert found.introduced_at == clock.now()


async def test_who_may_hold_a_journey_is_answered_from_memory(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    community = platform.community
    first = JourneyStore(core.db, core.members)
    await first.begin(community, "id-ana", clock.now())
    await first.flush()
    store = JourneyStore(core.db, core.members)  # as after a restart
    # Not loaded yet: anyone may hold one, the store has to be asked.
    assert store.may_hold(community.key, "id-ben")
    assert await store.get(community, "id-ben") is None
    assert not store.may_hold(community.key, "id-ben")
    assert store.may_hold(community.key, "id-ana")
    await store.begin(community, "id-cleo", clock.now())
    assert store.may_hold(community.key, "id-cleo")
    await store.forget(community, "id-ana")
    assert not store.may_hold(community.key, "id-ana")


async def test_a_message_of_a_member_who_never_joined_under_watch_reads_no_journey(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = Garden(core, platform, clock)
    await garden.join("ana")
    await garden.say("ana", "hello")  # the newcomers of the community are known from here on
    reads: list[str] = []
    get = JourneyStore.get

    async def counted(self: JourneyStore, community: Any, user_id: str) -> Any:
        reads.append(user_id)
        return await get(self, community, user_id)

    monkeypatch.setattr(JourneyStore, "get", counted)
    sent = len(garden.sent())
    await garden.say("ben", "I'm Ben, a regular since before the bot came")
    assert reads == []
    assert len(garden.sent()) == sent
    await garden.say("ana", "My name is Ana")
    assert reads == ["id-ana", "id-ana", "id-ana"]  # held back? introduced? first message?
    assert "ana" in garden.sent()[-1].text  # thanked for introducing herself


async def test_a_journey_the_database_refuses_for_good_does_not_take_the_others_with_it(
    open_garden: GardenFactory,
    tmp_path: Path,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = tmp_path / "g.db"
    garden = await open_garden(database=database)
    community = garden.platform.community
    store = JourneyStore(garden.core.db, garden.core.members)
    ana, _welcomed = await store.begin(community, "id-ana", clock.now())
    await store.begin(community, "id-ben", clock.now())
    # Meanwhile a second bot on the same file (the old one, during a deploy) records her arrival.
    with sqlite3.connect(database) as other:
        [(community_id,)] = other.execute("SELECT id FROM communities").fetchall()
        other.execute(
            "INSERT INTO welcome_newcomers (community_id, user_id, joined_at, gate_pending,"
            " restricted, gate_failures) VALUES (?, 'id-ana', ?, 0, 0, 0)",
            (community_id, clock.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")),
        )
    with caplog.at_level(logging.ERROR, logger="cogs.welcome"):
        # As the charter gate asks before restricting her: no, at once.
        assert not await store.written(ana)
    # Ben's journey is written; ana's, which can never be inserted, is dropped and named.
    assert store.pending == 0
    after_a_restart = JourneyStore(garden.core.db, garden.core.members)
    ben = await after_a_restart.get(community, "id-ben")
    assert ben is not None
    assert ben.joined_at == clock.now()
    [lost] = [record.getMessage() for record in caplog.records]
    assert "id-ana" in lost
    assert community.key in lost
    assert "UNIQUE constraint failed" in lost
    # It does not hold up what comes after it either.
    await store.begin(community, "id-cleo", clock.now())
    await store.flush()
    assert store.pending == 0
    assert await JourneyStore(garden.core.db, garden.core.members).get(community, "id-cleo")


async def test_journeys_wait_while_another_process_holds_the_database(
    open_garden: GardenFactory,
    tmp_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=100))
    database = tmp_path / "g.db"
    garden = await open_garden(database=database)
    community = garden.platform.community
    store = JourneyStore(garden.core.db, garden.core.members)
    await store.begin(community, "id-ana", clock.now())
    with held(database):
        await store.flush()
        assert store.pending == 1
    await store.flush()
    assert store.pending == 0
    assert await JourneyStore(garden.core.db, garden.core.members).get(community, "id-ana")


async def test_the_last_flush_waits_a_little_for_a_database_another_process_holds(
    open_garden: GardenFactory,
    tmp_path: Path,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("bot.db.BUSY_TIMEOUT", timedelta(milliseconds=100))
    caplog.set_level(logging.WARNING, logger="cogs.welcome")
    database = tmp_path / "g.db"
    garden = await open_garden(database=database)
    community = garden.platform.community
    store = JourneyStore(garden.core.db, garden.core.members)
    await store.begin(community, "id-ana", clock.now())

    async def done_soon() -> None:
        # Held until the first try has been refused (the busy timeout ran out), however long a
        # loaded machine takes to get there: the last flush must try again, not just wait.
        await eventually(
            lambda: "journeys not written, kept for the next flush" in caplog.text,
            "the locked database refuses the last flush's first try",
        )
        locker.execute("ROLLBACK")

    with held(database) as locker:
        other_process = asyncio.create_task(done_soon())
        await store.flush_last()  # as when the bot stops
        await other_process
        assert store.pending == 0
        await store.begin(community, "id-ben", clock.now())
        await store.begin(community, "id-cleo", clock.now())
        locker.execute("BEGIN IMMEDIATE")
        with caplog.at_level(logging.ERROR, logger="cogs.welcome"):
            await store.flush_last(within=0.3)
    assert await JourneyStore(garden.core.db, garden.core.members).get(community, "id-ana")
    [lost] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert lost.startswith("the changes of 2 newcomers' journeys lost at stop")


async def test_an_erasure_during_a_write_under_way_is_not_undone_by_it(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = platform.community
    store = JourneyStore(core.db, core.members)
    await store.begin(community, "id-ana", clock.now())
    write = JourneyStore._write
    writing = asyncio.Event()
    database_answers = asyncio.Event()

    async def slow(self: JourneyStore, batch: Any) -> None:
        writing.set()
        await database_answers.wait()  # the database busy with another writer
        await write(self, batch)

    monkeypatch.setattr(JourneyStore, "_write", slow)
    periodic = asyncio.create_task(store.flush())
    await asyncio.wait_for(writing.wait(), 10)  # it has taken ana's journey, waits for the db
    erasure = asyncio.create_task(store.forget(community, "id-ana"))
    # Time for an erasure that did not wait for the write to go through (nothing shows one
    # that rightly waits): the write would then put ana back.
    await asyncio.wait([erasure], timeout=0.3)
    database_answers.set()
    await asyncio.gather(periodic, erasure)
    assert await JourneyStore(core.db, core.members).get(community, "id-ana") is None


async def test_a_return_is_a_journey_of_its_own_and_the_earlier_one_keeps_its_stages(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    community = platform.community
    store = JourneyStore(core.db, core.members)
    first = clock.now()
    journey, _welcomed = await store.begin(community, "id-ana", first)
    await store.flush()
    # Her first message is still waiting to be written when she comes back.
    await store.update(community, journey, first_message_at=first + timedelta(minutes=5))
    back = first + timedelta(days=2)
    again, _welcomed = await store.begin(community, "id-ana", back)
    assert (again.joined_at, again.first_message_at) == (back, None)
    await store.update(community, journey, introduced_at=first + timedelta(minutes=6))  # late
    assert await store.get(community, "id-ana") == again  # the latest arrival, still

    await store.flush()
    after_a_restart = JourneyStore(core.db, core.members)
    latest = await after_a_restart.get(community, "id-ana")
    assert latest is not None
    assert (latest.joined_at, latest.first_message_at, latest.introduced_at) == (back, None, None)
    assert [
        (arrival.joined_at, arrival.first_message_at, arrival.introduced_at)
        for arrival in await after_a_restart.arrivals(community, "id-ana")
    ] == [
        (first, first + timedelta(minutes=5), first + timedelta(minutes=6)),
        (back, None, None),
    ]
    # A join at the very instant of her latest one is that one again, not a third.
    await after_a_restart.begin(community, "id-ana", back)
    await after_a_restart.flush()
    assert len(await after_a_restart.arrivals(community, "id-ana")) == 2


async def test_journeys_a_bug_fails_to_write_are_said_lost_to_it_with_its_traceback(
    core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    community = platform.community
    store = JourneyStore(core.db, core.members)
    ana, _welcomed = await store.begin(community, "id-ana", clock.now())

    async def buggy(self: JourneyStore, batch: Any) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(JourneyStore, "_write", buggy)
    with caplog.at_level(logging.WARNING, logger="cogs.welcome"):
        # As the charter gate asks before restricting her: no, at once.
        assert not await store.written(ana)
    [lost] = [record for record in caplog.records if record.name == "cogs.welcome"]
    assert lost.levelno == logging.ERROR
    # Whoever is on call is sent to the bot's code, with where it failed, not to the database.
    assert lost.getMessage() == (
        "the changes of 1 newcomers' journeys lost to a bug in the bot, not a refusal of the "
        "database (TypeError: 'NoneType' object is not subscriptable)"
    )
    assert lost.exc_info is not None
    assert "refuses" not in caplog.text
    assert "in buggy" in caplog.text  # the traceback
    assert store.pending == 0  # dropped: a bug would fail them again at every flush
