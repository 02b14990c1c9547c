"""A newcomer held at the charter gate whose join falls in a wave has their name written in the
wave's job at once, but a burst of such joins does not rewrite the whole job at each one: at
most every 200 ms, the others with the next write behind (within a second)."""

from __future__ import annotations

from typing import Any

from cogs.welcome.cog import GATED_WRITTEN_EVERY
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.cogs.welcome.test_welcome_wave_restarts import WAVE, wave_job

GATE = {"enabled": True, "timeout": "1h"}


def named(garden: Garden) -> list[str]:
    """The names the wave's saved job holds, in order."""
    members: dict[str, Any] = wave_job(garden)["members"]
    return list(members.values())


async def test_a_burst_of_gated_joins_in_a_wave_is_written_at_once_then_behind(
    open_garden: GardenFactory,
) -> None:
    garden = await open_garden(gate=GATE)
    await garden.join(*WAVE)
    await garden.wait(GATED_WRITTEN_EVERY)
    await garden.join("first", "second", "third")  # at the same moment
    assert named(garden) == ["m5", "m6", "m7", "first"]
    await garden.cog.write_behind()
    assert named(garden) == ["m5", "m6", "m7", "first", "second", "third"]
    await garden.wait(GATED_WRITTEN_EVERY)
    await garden.join("later")
    assert named(garden)[-1] == "later"
