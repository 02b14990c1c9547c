"""The core remembers communities and members: first seen, joined, left."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import MemberJoined, MemberLeft, MemberRef, UserRef
from bot.members import MemberDirectory
from tests.support.events import message
from tests.support.fake_platform import FakePlatform


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
    await directory.observe(message(platform.member("cleo"), "hi", clock.now()))
    assert directory.pending == 0
    fresh = MemberDirectory(core.db, clock)
    for name in ("ana", "ben", "cleo"):
        assert await fresh.get(platform.community, f"id-{name}") is not None


async def test_first_sightings_are_written_by_the_first_event_after_the_interval(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    directory = MemberDirectory(core.db, clock, flush_after=0.0)
    await directory.observe(message(platform.member("ana"), "hi", clock.now()))
    assert directory.pending == 0


async def test_a_join_of_a_member_seen_but_not_yet_written_keeps_the_first_sighting(
    core: Jardinier, platform: FakePlatform, clock: ManualClock
) -> None:
    ana = platform.member("ana")
    seen = clock.now()
    await core.handle(message(ana, "hi", seen))
    clock.advance(timedelta(hours=1))
    await core.handle(MemberJoined(at=clock.now(), member=ana))
    assert core.members.pending == 0
    await core.members.flush()
    record = await MemberDirectory(core.db, clock).get(platform.community, ana.user.id)
    assert record is not None
    assert (record.first_seen, record.joined_at) == (seen, seen + timedelta(hours=1))
