"""The journeys' store: who has a journey is known per community without a query per member."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.core import Jardinier
from cogs.welcome import journeys
from cogs.welcome.journeys import JourneyStore
from tests.support.fake_platform import FakePlatform


async def test_journeys_begun_before_and_after_the_store_loads_are_found(
    core: Jardinier, platform: FakePlatform, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = platform.community
    await JourneyStore(core.db, core.members).begin(community, "id-ana", clock.now())
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
