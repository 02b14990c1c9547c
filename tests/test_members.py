"""The core remembers communities and members: first seen, joined, left."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import MemberJoined, MemberLeft
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
