"""The core remembers communities and members: first seen, joined, left."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot import members, retention
from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import CommunityRef, MemberJoined, MemberLeft, MemberRef, UserRef
from bot.members import MemberDirectory
from bot.resources import shipped_rules_directory
from tests.support.database import held
from tests.support.events import command, message
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import enable_only
from tests.support.waiting import eventually


async def test_first_seen_joined_and_left_are_recorded(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    first = clock.now()
    await core.handle(message(alice, "hello", first))
    clock.advance(timedelta(days=1))
    await core.handle(MemberJoined(at=clock.now(), member=alice))
    await core.handle(message(alice, "again", clock.now()))
    record = await core.members.get(platform.community, alice.user.id)
    assert record is not None
    assert record.first_seen == first
    assert record.joined_at == first + timedelta(days=1)
    assert record.left_at is None
    clock.advance(timedelta(days=2))
    await core.handle(MemberLeft(at=clock.now(), member=alice))
    record = await core.members.get(platform.community, alice.user.id)
    assert record is not None
    assert record.left_at == first + timedelta(days=3)
    assert record.first_seen == first


async def test_members_known_only_from_the_database_resolve_by_id(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice = platform.member("alice")
    await core.handle(message(alice, "hello", clock.now()))
    platform.members.clear()
    found = await core.resolve_member(platform.community, alice.user.id)
    assert found is not None
    assert found.user == alice.user
    assert found.name == "alice"
    assert await core.resolve_member(platform.community, "nobody") is None


async def test_a_forgotten_member_leaves_the_record_and_the_present_count(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    alice, bob = platform.member("alice"), platform.member("bob")
    await core.handle(message(alice, "hello", clock.now()))
    await core.handle(message(bob, "hi", clock.now()))
    assert await core.members.present(platform.community) == 2

    assert await core.members.forget(platform.community, alice.user.id)

    assert await core.members.get(platform.community, alice.user.id) is None
    assert await core.members.present(platform.community) == 1
    assert not await core.members.forget(platform.community, alice.user.id)  # nothing left
    clock.advance(timedelta(hours=1))
    await core.handle(message(alice, "back", clock.now()))
    assert await core.members.present(platform.community) == 2
    record = await core.members.get(platform.community, alice.user.id)
    assert record is not None
    assert record.first_seen == clock.now()


async def test_a_first_sighting_is_buffered_yet_visible_and_written_on_stop(
    tmp_path: Path, rules_dir: Path, clock: ManualClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/members.db"
    platform = FakePlatform()
    first = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
    await first.start()
    alice = platform.member("alice")
    seen = clock.now()
    await first.handle(message(alice, "hello", seen))
    assert first.members.pending == 1
    record = await first.members.get(platform.community, alice.user.id)
    assert record is not None
    assert (record.name, record.first_seen, record.joined_at) == ("alice", seen, None)
    await first.stop()

    second = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
    await second.start()
    try:
        record = await second.members.get(platform.community, alice.user.id)
        assert record is not None
        assert record.first_seen == seen
        # Seen again after the restart, under a new name: the name changes, not the first sight.
        renamed = MemberRef(platform.community, UserRef(platform.name, alice.user.id, "alicia"))
        clock.advance(timedelta(days=1))
        await second.handle(message(renamed, "back", clock.now()))
        record = await second.members.get(platform.community, alice.user.id)
        assert record is not None
        assert (record.name, record.first_seen) == ("alicia", seen)
        await second.members.flush()
        assert second.members.pending == 0
        record = await second.members.get(platform.community, alice.user.id)
        assert record is not None
        assert (record.name, record.first_seen) == ("alicia", seen)
    finally:
        await second.stop()


async def test_first_sightings_are_written_together_once_enough_wait(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    directory = MemberDirectory(core.db, clock, max_pending=3)
    for name in ("ana", "ben"):
        await directory.observe(message(platform.member(name), "hi", clock.now()))
    assert directory.pending == 2
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(core.db.engine.sync_engine, "commit", committed)
    try:
        await directory.observe(message(platform.member("cleo"), "hi", clock.now()))
        await asyncio.sleep(0)  # the write it started, in the background, takes them
        assert directory.pending == 0
        await directory.flush()  # returns once that write is done
    finally:
        event.remove(core.db.engine.sync_engine, "commit", committed)
    assert len(commits) == 1
    fresh = MemberDirectory(core.db, clock)
    for name in ("ana", "ben", "cleo"):
        assert await fresh.get(platform.community, f"id-{name}") is not None


async def test_sightings_fed_faster_than_they_are_written_wait_twice_the_bound_at_most(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    directory = MemberDirectory(core.db, clock, max_pending=3)
    most = 0
    for number in range(20):  # a replay's feed: nothing lets the write run in between
        await directory.observe(message(platform.member(f"m{number}"), "hi", clock.now()))
        most = max(most, directory.pending)
    assert most <= 6
    await directory.flush()
    assert await directory.present(platform.community) == 20


async def test_first_sightings_are_written_by_the_first_event_after_the_interval(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    directory = MemberDirectory(core.db, clock, flush_after=0.0)
    await directory.observe(message(platform.member("ana"), "hi", clock.now()))
    await asyncio.sleep(0)  # the write it started, in the background, takes it
    assert directory.pending == 0
    await directory.flush()
    assert await MemberDirectory(core.db, clock).get(platform.community, "id-ana") is not None


async def test_a_join_of_a_member_seen_but_not_yet_written_keeps_the_first_sighting(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    ana = platform.member("ana")
    seen = clock.now()
    await core.handle(message(ana, "hi", seen))
    clock.advance(timedelta(hours=1))
    await core.handle(MemberJoined(at=clock.now(), member=ana))
    record = await core.members.get(platform.community, ana.user.id)
    assert record is not None
    assert (record.first_seen, record.joined_at) == (seen, seen + timedelta(hours=1))
    await core.members.flush()
    record = await MemberDirectory(core.db, clock).get(platform.community, ana.user.id)
    assert record is not None
    assert (record.first_seen, record.joined_at) == (seen, seen + timedelta(hours=1))


async def test_present_members_follow_sightings_joins_and_departures_before_they_are_written(
    tmp_path: Path, rules_dir: Path, clock: ManualClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/members.db"
    platform = FakePlatform()
    first = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
    await first.start()
    community = platform.community
    robot = MemberRef(community, UserRef(platform.name, "id-robot", "robot", is_bot=True))
    await first.handle(message(platform.member("ana"), "hi", clock.now()))
    await first.handle(message(robot, "beep", clock.now()))
    assert await first.members.present(community) == 1
    await first.handle(MemberJoined(at=clock.now(), member=platform.member("ben")))
    await first.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
    assert await first.members.present(community) == 2
    await first.handle(MemberLeft(at=clock.now(), member=platform.member("ana")))
    await first.handle(MemberLeft(at=clock.now(), member=platform.member("ana")))
    assert await first.members.present(community) == 1
    await first.stop()

    second = Jardinier(rules_dir=rules_dir, database_url=url, platforms=[platform], clock=clock)
    await second.start()
    try:
        # Members from the earlier run, seen again, are not counted twice; newcomers are.
        clock.advance(timedelta(days=1))
        for name in ("ben", "cleo"):
            await second.handle(message(platform.member(name), "hello", clock.now()))
        assert await second.members.present(community) == 2
        await second.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
        assert await second.members.present(community) == 3
        await second.members.flush()
        assert await second.members.present(community) == 3
        fresh = MemberDirectory(second.db, clock)
        assert await fresh.present(community) == 3
        ana = await fresh.get(community, "id-ana")
        assert ana is not None
        assert (ana.joined_at, ana.left_at) == (clock.now(), None)
    finally:
        await second.stop()


async def test_a_departure_is_visible_at_once_and_written_with_the_next_flush(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    ana = platform.member("ana")
    joined = clock.now()
    await core.handle(MemberJoined(at=joined, member=ana))
    clock.advance(timedelta(hours=2))
    await core.handle(MemberLeft(at=clock.now(), member=ana))
    record = await core.members.get(platform.community, ana.user.id)
    assert record is not None
    assert (record.first_seen, record.joined_at, record.left_at) == (joined, joined, clock.now())
    await core.members.flush()
    record = await MemberDirectory(core.db, clock).get(platform.community, ana.user.id)
    assert record is not None
    assert (record.first_seen, record.joined_at, record.left_at) == (joined, joined, clock.now())


async def test_who_left_and_has_not_come_back_before_a_moment(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    ana, ben, cleo = (platform.member(name) for name in ("ana", "ben", "cleo"))
    for member in (ana, ben, cleo):
        await core.handle(MemberJoined(at=clock.now(), member=member))
    clock.advance(timedelta(hours=1))
    await core.handle(MemberLeft(at=clock.now(), member=ana))
    await core.handle(MemberLeft(at=clock.now(), member=ben))
    await core.handle(MemberJoined(at=clock.now(), member=ben))  # came back
    left_at = clock.now()
    clock.advance(timedelta(hours=1))
    await core.handle(MemberLeft(at=clock.now(), member=cleo))
    ids = [member.user.id for member in (ana, ben, cleo)] + ["never-seen"]
    assert await core.members.departed(platform.community, ids) == {ana.user.id, cleo.user.id}
    before = left_at + timedelta(minutes=1)
    assert await core.members.departed(platform.community, ids, before=before) == {ana.user.id}


async def test_members_who_left_before_the_cutoff_are_forgotten_save_those_still_needed(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    community = platform.community
    ana, ben, cleo, dan = (platform.member(name) for name in ("ana", "ben", "cleo", "dan"))
    for member in (ana, ben, cleo, dan):
        await core.handle(MemberJoined(at=clock.now(), member=member))
    await core.handle(MemberLeft(at=clock.now(), member=ana))
    await core.handle(MemberLeft(at=clock.now(), member=ben))
    clock.advance(timedelta(days=10))
    await core.handle(MemberLeft(at=clock.now(), member=cleo))  # lately: after the cutoff
    assert await core.members.present(community) == 1

    cutoff = clock.now() - timedelta(days=5)
    assert await core.members.forget_departed(community, cutoff, keep={ben.user.id}) == 1

    assert await core.members.get(community, ana.user.id) is None
    for member in (ben, cleo, dan):
        assert await core.members.get(community, member.user.id) is not None
    assert await core.members.present(community) == 1
    # Seen again, ana is recorded again, as someone new.
    clock.advance(timedelta(minutes=1))
    await core.handle(message(ana, "hello again", clock.now()))
    await core.members.flush()
    record = await core.members.get(community, ana.user.id)
    assert record is not None
    assert (record.first_seen, record.left_at) == (clock.now(), None)
    assert await core.members.present(community) == 2


async def test_members_who_come_back_while_the_departed_are_forgotten_are_not_lost(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = platform.community
    ana, ben = platform.member("ana"), platform.member("ben")
    for member in (ana, ben):
        await core.handle(MemberJoined(at=clock.now(), member=member))
        await core.handle(MemberLeft(at=clock.now(), member=member))
    await core.members.flush()
    clock.advance(timedelta(days=10))
    back = clock.now()
    # Ana's return comes once the sweep wrote what waited, and waits to be written (its row
    # looked up for the count); Ben's comes while the batch that holds him is being deleted.
    delete_in_batches, delete_batch = members.delete_in_batches, retention._delete_batch

    async def ana_comes_back(*args: Any, **kwargs: Any) -> int:
        await core.handle(MemberJoined(at=back, member=ana))
        assert await core.members.present(community) == 1
        return await delete_in_batches(*args, **kwargs)

    async def ben_comes_back(db: Any, statement: Any) -> int:
        await core.members.observe(MemberJoined(at=back, member=ben))
        return await delete_batch(db, statement)

    monkeypatch.setattr(members, "delete_in_batches", ana_comes_back)
    monkeypatch.setattr(retention, "_delete_batch", ben_comes_back)

    assert await core.members.forget_departed(community, back - timedelta(days=5)) == 1

    await core.members.flush()
    for member in (ana, ben):
        record = await core.members.get(community, member.user.id)
        assert record is not None
        assert (record.joined_at, record.left_at) == (back, None)
    assert await core.members.present(community) == 2
    assert await core.members.departed(community, [ana.user.id, ben.user.id]) == set()


async def test_a_join_the_database_refused_is_written_by_the_next_flush(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = core.members
    write = MemberDirectory._write
    refusals = iter([OperationalError("INSERT", {}, Exception("database is locked"))])

    async def refuse_once(self: MemberDirectory, *args: Any) -> None:
        error = next(refusals, None)
        if error is not None:
            raise error
        await write(self, *args)

    monkeypatch.setattr(MemberDirectory, "_write", refuse_once)
    ana, ben = platform.member("ana"), platform.member("ben")
    await core.handle(message(ben, "hi", clock.now()))
    await core.handle(MemberJoined(at=clock.now(), member=ana))
    await directory.flush()  # refused: the join waits, the sighting is dropped
    assert directory.pending == 1
    await directory.flush()
    fresh = MemberDirectory(core.db, clock)
    record = await fresh.get(platform.community, ana.user.id)
    assert record is not None
    assert record.joined_at == clock.now()
    assert await fresh.get(platform.community, ben.user.id) is None
    # Seen again, the dropped sighting is recorded then.
    await core.handle(message(ben, "again", clock.now()))
    await directory.flush()
    assert await fresh.get(platform.community, ben.user.id) is not None


async def test_members_forgotten_by_the_bounded_cache_are_recorded_once(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(members, "MAX_CACHED_MEMBERS", 4)
    directory = MemberDirectory(core.db, clock, max_pending=1)
    names = [f"m{n}" for n in range(6)]
    first = clock.now()
    for name in names:
        await directory.observe(message(platform.member(name), "hi", first))
    clock.advance(timedelta(hours=1))
    for name in names:
        renamed = MemberRef(platform.community, UserRef(platform.name, f"id-{name}", name.upper()))
        await directory.observe(message(renamed, "again", clock.now()))
    await directory.flush()
    for name in names:
        record = await directory.get(platform.community, f"id-{name}")
        assert record is not None
        assert record.first_seen == first
    assert await directory.present(platform.community) == len(names)


async def test_a_quiet_bot_still_writes_a_join_within_a_second_or_so(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
    core = Jardinier(
        rules_dir=shipped_rules_directory(),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'quiet.db'}",
        clock=clock,
    )
    core.members.flush_after = 0.05
    await core.start()
    try:
        community = CommunityRef("fake", "c1", "Garden")
        alice = MemberRef(community, UserRef("fake", "alice", "Alice"))
        await core.handle(MemberJoined(at=clock.now(), member=alice))

        # No other event comes: the core's periodic flush writes the join anyway. (Nothing is
        # pending once the batch is taken to be written, before its commit: read the table.)
        def written() -> list[tuple[str, int]]:
            with sqlite3.connect(tmp_path / "quiet.db") as database:
                return database.execute(
                    "SELECT user_id, joined_at IS NOT NULL FROM members"
                ).fetchall()

        await eventually(lambda: written() != [], "the periodic flush writes the join")
        assert written() == [("alice", 1)]
        assert not core.members.pending
    finally:
        await core.stop()


@pytest.fixture
async def file_core(
    rules_dir: Path, clock: ManualClock, platform: FakePlatform, tmp_path: Path
) -> AsyncIterator[Jardinier]:
    """A started core on a database file (sessions of their own, as in production)."""
    bot = Jardinier(
        rules_dir=rules_dir,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        platforms=[platform],
        clock=clock,
    )
    await bot.start()
    yield bot
    await bot.stop()


async def test_a_new_communitys_first_events_at_once_record_every_member(
    file_core: Jardinier, clock: ManualClock
) -> None:
    for number in range(10):
        community = CommunityRef("fake", f"new{number}", "New garden")
        alice = MemberRef(community, UserRef("fake", "a", "alice"))
        bob = MemberRef(community, UserRef("fake", "b", "bob"))
        await asyncio.gather(
            file_core.handle(message(alice, "hi", clock.now())),
            file_core.handle(MemberJoined(at=clock.now(), member=bob)),
        )
        await file_core.members.flush()
        assert await file_core.members.get(community, "a") is not None
        joined = await file_core.members.get(community, "b")
        assert joined is not None
        assert joined.joined_at == clock.now()


async def test_a_community_deleted_under_the_bot_lends_its_id_to_no_other_communitys_members(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A clean-up script deletes the garden's row while the bot runs; the next community seen
    gets the same id (``communities.id`` has no AUTOINCREMENT): the garden's members the bot
    remembers, or has not written yet, are not counted nor written as the orchard's."""
    directory = core.members
    directory.flush_after = 1e9  # written only when told
    garden = platform.community
    alice, bob = platform.member("alice"), platform.member("bob")
    await core.handle(message(alice, "hello", clock.now()))
    await directory.flush()
    assert await directory.present(garden) == 1
    await core.handle(message(bob, "hi", clock.now()))  # not written yet
    garden_id = await directory.community_id(garden)
    async with core.db.engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM communities WHERE external_id = 'c1'")
    orchard = CommunityRef(platform.name, "c2", "Orchard")
    carol = MemberRef(orchard, UserRef(platform.name, "id-carol", "carol"))

    with caplog.at_level(logging.WARNING, logger="bot.members"):
        await core.handle(message(carol, "hello orchard", clock.now()))

    assert await directory.community_id(orchard) == garden_id  # given again
    assert await directory.present(orchard) == 1
    await directory.flush()
    async with core.db.engine.connect() as connection:
        rows = await connection.exec_driver_sql(
            "SELECT communities.external_id, user_id FROM members"
            " JOIN communities ON communities.id = members.community_id ORDER BY user_id"
        )
        assert rows.fetchall() == [("c2", "id-carol")]
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith(f"community {garden.key} was deleted from the database")
    assert "1 changes of its members not written" in warning
    # Seen again, the garden is recorded again, under an id of its own, with its members.
    await core.handle(message(alice, "still here", clock.now()))
    assert await directory.community_id(garden) != garden_id
    assert await directory.present(garden) == 1
    record = await directory.get(garden, alice.user.id)
    assert record is not None


async def test_a_member_being_written_is_found_while_the_write_commits(
    file_core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    directory = file_core.members
    directory.flush_after = 1e9  # written only when told
    missed = 0
    for delay in range(12):
        member = platform.member(f"newcomer{delay}")
        await directory.observe(MemberJoined(at=clock.now(), member=member))

        async def read_later(turns: int = delay, user_id: str = member.user.id) -> object:
            for _ in range(turns):
                await asyncio.sleep(0)
            return await directory.get(platform.community, user_id)

        _, found = await asyncio.gather(directory.flush(), read_later())
        missed += found is None
    assert missed == 0


@pytest.fixture
def busy_core(busy_core: Jardinier) -> Jardinier:
    """The shared busy core (tests/conftest.py), its members written only when told, unless a
    test says otherwise."""
    busy_core.members.flush_after = 1e9
    return busy_core


async def test_a_join_another_process_recorded_meanwhile_holds_up_no_other(
    busy_core: Jardinier, platform: FakePlatform, clock: ManualClock, tmp_path: Path
) -> None:
    directory = busy_core.members
    joined = clock.now()
    await busy_core.handle(MemberJoined(at=joined, member=platform.member("ana")))
    with held(tmp_path / "bot.db") as other:
        await directory.flush()  # refused: ana's join waits for the next flush
        assert directory.pending == 1
        # A second bot on the same file (the old one, during a deploy) records her meanwhile.
        [(community_id,)] = other.execute("SELECT id FROM communities").fetchall()
        other.execute(
            "INSERT INTO members (community_id, user_id, name, is_bot, first_seen)"
            " VALUES (?, 'id-ana', 'ana', 0, '2026-11-01 09:00:00')",
            (community_id,),
        )
        other.execute("COMMIT")
    clock.advance(timedelta(hours=1))
    await busy_core.handle(MemberJoined(at=clock.now(), member=platform.member("ben")))
    await directory.flush()
    assert directory.pending == 0
    fresh = MemberDirectory(busy_core.db, clock)
    ana = await fresh.get(platform.community, "id-ana")
    assert ana is not None
    assert ana.joined_at == joined
    ben = await fresh.get(platform.community, "id-ben")
    assert ben is not None
    assert ben.joined_at == clock.now()


async def test_a_member_the_database_refuses_for_good_is_named_and_holds_up_no_other(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = busy_core.members
    await directory.community_id(platform.community)
    gone = CommunityRef(platform.name, "gone", "Gone")
    await directory.community_id(gone)
    # Another process deletes that community's row while the bot runs (a clean-up script).
    with sqlite3.connect(tmp_path / "bot.db") as other:
        other.execute("DELETE FROM communities WHERE external_id = 'gone'")
    ana = MemberRef(gone, UserRef(platform.name, "id-ana", "ana"))
    await directory.observe(MemberJoined(at=clock.now(), member=ana))
    await directory.observe(MemberJoined(at=clock.now(), member=platform.member("ben")))
    with caplog.at_level(logging.ERROR, logger="bot.members"):
        await directory.flush()
    assert directory.pending == 0
    ben = await MemberDirectory(busy_core.db, clock).get(platform.community, "id-ben")
    assert ben is not None
    assert ben.joined_at == clock.now()
    [refused] = [record.getMessage() for record in caplog.records]
    assert "id-ana" in refused
    assert gone.key in refused
    assert "FOREIGN KEY constraint failed" in refused
    # Later changes are not held up either.
    await directory.observe(MemberJoined(at=clock.now(), member=platform.member("cleo")))
    await directory.flush()
    assert await MemberDirectory(busy_core.db, clock).get(platform.community, "id-cleo")


async def test_a_newcomer_is_answered_at_once_while_another_process_holds_the_database(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await busy_core.members.community_id(platform.community)  # recorded on its first event
    busy_core.members.flush_after = 0.0  # the newcomer is written from their event's own path
    refused: list[bool] = []
    failed = MemberDirectory._failed

    def noted(self: MemberDirectory, *args: Any) -> None:
        refused.append(True)
        failed(self, *args)

    monkeypatch.setattr(MemberDirectory, "_failed", noted)
    with held(tmp_path / "bot.db"):
        await busy_core.handle(command(platform.member("newcomer"), "/help", clock.now()))
        # Answered while the database still makes the newcomer's record wait (its busy
        # timeout, before it refuses): a command, a netiquette rule acting on a message, do
        # not wait for it.
        assert len(platform.sent()) == 1
        assert not refused


async def test_a_flush_returns_once_a_write_under_way_is_done_and_what_it_left_is_written(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = busy_core.members
    await busy_core.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
    with held(tmp_path / "bot.db") as other:
        failed = MemberDirectory._failed

        def then_released(self: MemberDirectory, *args: Any) -> None:
            failed(self, *args)
            if other.in_transaction:
                other.execute("ROLLBACK")  # the other process is done

        monkeypatch.setattr(MemberDirectory, "_failed", then_released)
        under_way = asyncio.create_task(directory.flush())  # the periodic flush, say
        await asyncio.sleep(0)
        # What code that queries the table asks first (who left, when a contest closes), and
        # the last flush when the bot stops: ana's join is in the database when it returns.
        await directory.flush()
        with sqlite3.connect(tmp_path / "bot.db") as reader:
            rows = reader.execute("SELECT user_id, joined_at IS NOT NULL FROM members").fetchall()
        assert rows == [("id-ana", 1)]
        await under_way


async def test_the_last_flush_waits_a_little_for_a_database_another_process_holds(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.members")
    directory = busy_core.members
    await busy_core.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
    with held(tmp_path / "bot.db") as other:

        async def done_soon() -> None:
            # Held until the first try has been refused (the busy timeout ran out), however
            # long a loaded machine takes to get there: the last flush must try again.
            await eventually(
                lambda: "could not record" in caplog.text,
                "the locked database refuses the last flush's first try",
            )
            other.execute("ROLLBACK")

        other_process = asyncio.create_task(done_soon())
        await directory.flush_last()  # as when the bot stops
        await other_process
    with sqlite3.connect(tmp_path / "bot.db") as reader:
        rows = reader.execute("SELECT user_id, joined_at IS NOT NULL FROM members").fetchall()
    assert rows == [("id-ana", 1)]


async def test_a_join_is_written_when_the_bot_stops_while_another_process_holds_the_database(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    rules_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.members")
    # The core alone: each cog's last flush would meet the lock first and give up after
    # seconds of trying (their own tests show it).
    enable_only(rules_dir)
    await busy_core.reload_rules()
    await busy_core.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
    directory = busy_core.members
    flush_last = directory.flush_last
    refused_before: list[int] = []

    async def last_flush_began() -> None:
        refused_before.append(caplog.text.count("could not record"))
        await flush_last()

    monkeypatch.setattr(directory, "flush_last", last_flush_began)
    with held(tmp_path / "bot.db") as other:

        async def done_soon() -> None:
            # Held until the stop's last flush has had a try refused, after the write the
            # periodic flush makes as it stops: only a try after that one is let through.
            await eventually(
                lambda: (
                    bool(refused_before)
                    and caplog.text.count("could not record") > refused_before[0]
                ),
                "the locked database refuses a try of the stop's last flush",
            )
            other.execute("ROLLBACK")

        other_process = asyncio.create_task(done_soon())
        await busy_core.stop()
        await other_process
    with sqlite3.connect(tmp_path / "bot.db") as reader:
        rows = reader.execute("SELECT user_id, joined_at IS NOT NULL FROM members").fetchall()
    assert rows == [("id-ana", 1)]


async def test_the_last_flush_says_how_many_joins_and_departures_are_lost(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = busy_core.members
    await busy_core.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
    await busy_core.handle(MemberLeft(at=clock.now(), member=platform.member("ben")))
    await busy_core.handle(message(platform.member("cleo"), "hi", clock.now()))
    with held(tmp_path / "bot.db"), caplog.at_level(logging.ERROR, logger="bot.members"):
        await directory.flush_last(within=0.5)
    [lost] = [record.getMessage() for record in caplog.records]
    assert lost.startswith("2 joins and departures lost at stop")


async def test_members_a_bug_fails_to_write_are_said_lost_to_it_with_its_traceback(
    busy_core: Jardinier,
    platform: FakePlatform,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = busy_core.members
    await directory.community_id(platform.community)

    async def buggy(self: MemberDirectory, *_args: Any) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(MemberDirectory, "_write", buggy)
    await busy_core.handle(MemberJoined(at=clock.now(), member=platform.member("ana")))
    with caplog.at_level(logging.WARNING, logger="bot.members"):
        await directory.flush()
    [lost] = [record for record in caplog.records if record.name == "bot.members"]
    assert lost.levelno == logging.ERROR
    # Whoever is on call is sent to the bot's code, with where it failed, not to the database.
    assert lost.getMessage() == (
        "1 member records (1 with a join or departure) lost to a bug in the bot, not a refusal "
        "of the database (TypeError: 'NoneType' object is not subscriptable)"
    )
    assert lost.exc_info is not None
    assert "refuses" not in caplog.text
    assert "in buggy" in caplog.text  # the traceback
    assert directory.pending == 0  # dropped: a bug would fail them again at every flush
