"""The join that starts a wave decides it at once: a once-a-second write of the wave's job that
falls while that join waits on the platform (Discord hands each join its own task, and a later
join of the same wave runs meanwhile) neither silences the raid alert nor loses the newcomers of
an earlier wave whose job waited."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.events import MemberRef
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.support.fake_platform import FakePlatform

GATE = {"enabled": True, "timeout": "5m"}


class SlowRestriction(FakePlatform):
    """Telegram-like (restrictions, no roles); the restriction of the member called ``slow``
    waits for ``go``, and says when it started waiting with ``reached``."""

    def __init__(self) -> None:
        super().__init__(capabilities=WITHOUT_ROLES)
        self.slow: str | None = None
        self.reached = asyncio.Event()
        self.go = asyncio.Event()

    async def restrict(self, member: MemberRef, *args: Any, **kwargs: Any) -> Any:
        if member.user.name == self.slow:
            self.reached.set()
            await self.go.wait()
        return await super().restrict(member, *args, **kwargs)


async def start_wave_with_a_tick_in_between(
    garden: Garden, platform: SlowRestriction, starter: str, follower: str
) -> None:
    """``starter`` starts a wave in their own task; while the platform restricts them,
    ``follower`` joins and the wave's job is written behind (the tick); then ``starter``'s
    join goes on."""
    platform.slow = starter
    starting = asyncio.create_task(garden.join(starter))
    await platform.reached.wait()
    await garden.join(follower)
    await garden.cog.write_behind()
    platform.go.set()
    await starting


def raid_alerts(garden: Garden) -> list[str]:
    """The raid alerts posted in the mod-log."""
    return [line for line in garden.texts("mod-log") if line.startswith("⚠️ Wave of joins")]


async def test_a_wave_whose_job_is_written_while_its_first_join_waits_is_still_alerted(
    open_garden: GardenFactory,
) -> None:
    platform = SlowRestriction()
    garden = await open_garden(platform=platform, gate=GATE)
    await garden.join("m0", "m1", "m2", "m3", "m4")
    await start_wave_with_a_tick_in_between(garden, platform, "m5", "m6")
    assert len(raid_alerts(garden)) == 1


async def test_a_wave_cut_by_a_restart_is_greeted_though_the_next_wave_s_job_is_written_early(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database, platform=SlowRestriction(), gate=GATE)
    await first.join(*(f"m{n}" for n in range(8)))  # m5, m6, m7 in a wave
    await first.stop()  # a restart mid-wave: its job keeps m5, m6, m7

    platform = SlowRestriction()
    garden = await open_garden(database=database, platform=platform, gate=GATE)
    garden.clear()
    # Joins go on: the same wave as far as the moderators know (they were alerted of it).
    await garden.join("n0", "n1", "n2", "n3", "n4")
    await start_wave_with_a_tick_in_between(garden, platform, "n5", "n6")
    await garden.wait(timedelta(minutes=3))
    welcomes = [text for text in garden.texts("general") if text.startswith("Welcome to the")]
    assert [welcome.split("!")[0] for welcome in welcomes] == [
        "Welcome to the 5 people who just joined Garden: m5, m6, m7, n5, n6"
    ]
    assert raid_alerts(garden) == []
