"""Newcomers of a wave held at the charter gate see their "I accept" button only in the wave's
welcome: a restart mid-wave does not remove them before that welcome is posted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.cogs.welcome.test_welcome_wave_restarts import WAVE
from tests.support.fake_platform import FakePlatform

GATE = {"enabled": True, "timeout": "5m"}
HELD = ("m5", "m6", "m7")  # the newcomers of the wave


def removed(garden: Garden) -> list[str]:
    """The newcomers of the wave the gate removed."""
    return [kick.target.user.name for kick in garden.done("kick") if kick.target.user.name in HELD]


async def test_a_restart_mid_wave_does_not_remove_its_newcomers_before_their_welcome(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(
        database=database, platform=FakePlatform(capabilities=WITHOUT_ROLES), gate=GATE
    )
    await first.join(*WAVE)
    for number in range(8):  # the raid goes on for 4 minutes
        await first.wait(timedelta(seconds=30))
        await first.join(f"raider{number}")
    await first.wait(timedelta(seconds=20))
    await first.stop()  # an update, say: the wave's job waits until 6 minutes after it began

    second = await open_garden(
        database=database, platform=FakePlatform(capabilities=WITHOUT_ROLES), gate=GATE
    )
    second.clear()
    await second.wait(timedelta(seconds=50))  # their gate timeout, counted from their joins
    assert removed(second) == []
    await second.wait(timedelta(minutes=1))
    [welcome] = [text for text in second.texts("general") if "who just joined" in text]
    assert "m5, m6, m7" in welcome
    await second.wait(timedelta(minutes=4))  # the timeout counts from the welcome
    assert removed(second) == []
    await second.wait(timedelta(minutes=1))
    assert sorted(removed(second)) == list(HELD)
    await second.stop()
