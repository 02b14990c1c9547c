"""A removal by the charter gate the process died in is done after the restart, counted once;
one it had done is never done again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.events import CommunityRef
from cogs.welcome.journeys import Journey
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.support.fake_platform import FakePlatform
from tests.test_scheduler_catchup import Crash, killed

REMOVED = "Removed spambot: did not accept the charter within 5 minutes."
BANNED = "Banned spambot: did not accept the charter in time, 2 times."


class DyingAfter(FakePlatform):
    """Telegram-like (restrictions, no roles); the process is killed right after the next
    ``dying`` action is done (a kick, or a post in ``dying_in``), before it returns."""

    def __init__(self) -> None:
        super().__init__(capabilities=WITHOUT_ROLES)
        self.dying: str | None = None
        self.dying_in = ""

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        super()._record(action, target, text, **details)
        name = getattr(target, "name", "")
        if action == self.dying and (not self.dying_in or name == self.dying_in):
            self.dying = None
            raise Crash


async def gated(
    open_garden: GardenFactory, database: Path, platform: FakePlatform | None = None
) -> Garden:
    """A Telegram-like garden on ``database``: removed after 5 minutes, banned the 2nd time."""
    return await open_garden(
        database=database,
        platform=platform or FakePlatform(capabilities=WITHOUT_ROLES),
        gate={"enabled": True, "timeout": "5m", "ban_after_failures": 2},
    )


async def killed_at_the_timeout(garden: Garden) -> None:
    """Wait for the gate's timeout, which the process dies in; what a kill leaves behind."""
    with pytest.raises(Crash):
        await garden.wait(timedelta(minutes=6))
    await killed(garden.core.scheduler)
    await garden.stop()


def kicked(garden: Garden) -> list[str]:
    return [kick.target.name for kick in garden.done("kick")]


async def banned_when_back(garden: Garden) -> None:
    """spambot comes back and lets the time pass once more: banned if it is their second
    removal (each counted once)."""
    await garden.leave("spambot")
    await garden.wait(timedelta(minutes=10))
    await garden.join("spambot")
    await garden.wait(timedelta(minutes=6))
    assert [ban.target.name for ban in garden.done("ban")] == ["spambot"]
    assert garden.texts("mod-log")[-1] == BANNED


async def test_a_removal_the_process_died_in_is_done_after_the_restart_and_counted_once(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    platform = DyingAfter()
    first = await gated(open_garden, database, platform)
    await first.join("spambot")
    platform.dying = "kick"
    await killed_at_the_timeout(first)
    assert kicked(first) == ["spambot"]
    assert first.texts("mod-log") == []  # killed before telling the moderators

    second = await gated(open_garden, database)
    await second.wait(timedelta(minutes=1))
    # Done again (moot, spambot is gone), and told once; not a ban: one failure so far.
    assert kicked(second) == ["spambot"]
    assert second.done("ban") == []
    assert second.texts("mod-log") == [REMOVED]
    assert second.core.scheduler.pending("welcome:gate:") == []
    await banned_when_back(second)
    await second.stop()


async def test_a_removal_the_process_died_before_is_done_after_the_restart(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "garden.db"
    first = await gated(open_garden, database)
    await first.join("spambot")

    async def die(community: CommunityRef, journey: Journey, flag: str, **also: Any) -> None:
        raise Crash

    monkeypatch.setattr(first.cog.journeys, "claim_cleared", die)
    await killed_at_the_timeout(first)
    assert kicked(first) == []

    second = await gated(open_garden, database)
    await second.wait(timedelta(minutes=1))
    assert kicked(second) == ["spambot"]
    assert second.texts("mod-log") == [REMOVED]
    await banned_when_back(second)
    await second.stop()


async def test_a_removal_done_just_before_the_process_died_is_not_done_again(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    platform = DyingAfter()
    first = await gated(open_garden, database, platform)
    await first.join("spambot")
    platform.dying, platform.dying_in = "send", "#mod-log"
    await killed_at_the_timeout(first)
    assert kicked(first) == ["spambot"]
    assert first.texts("mod-log") == [REMOVED]

    second = await gated(open_garden, database)
    await second.wait(timedelta(hours=1))
    assert second.platform.actions == []
    assert second.core.scheduler.pending("welcome:gate:") == []
    await banned_when_back(second)
    await second.stop()


async def test_a_removal_the_process_died_in_is_done_at_a_restart_hours_later(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    platform = DyingAfter()
    first = await gated(open_garden, database, platform)
    await first.join("spambot")
    platform.dying = "kick"
    await killed_at_the_timeout(first)
    first.clock.advance(timedelta(hours=3))  # down for longer than a late job may wait

    second = await gated(open_garden, database)
    await second.wait(timedelta(minutes=1))
    # Counted already: done at once, not given a fresh delay as a newcomer still held is.
    assert kicked(second) == ["spambot"]
    assert second.texts("mod-log") == [REMOVED]
    assert second.core.scheduler.pending("welcome:gate:") == []
    await banned_when_back(second)
    await second.stop()
