"""The count of mod-log reports held back during a raid is posted after a restart, late if the
bot was down long or started without the community's platform meanwhile, once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.support.fake_platform import FakePlatform

HELD_BACK = "(1 similar report held back to avoid flooding this channel.)"
SPAMBOTS = tuple(f"s{n}" for n in range(5))  # s2, s3 and s4 arrive in a wave


async def raided(
    open_garden: GardenFactory, database: Path, platform: FakePlatform | None = None
) -> Garden:
    """A Telegram-like garden on ``database``: more than 2 joins within a minute is a wave, and
    newcomers who do not accept the charter are removed after 5 minutes."""
    return await open_garden(
        database=database,
        platform=platform or FakePlatform(capabilities=WITHOUT_ROLES),
        gate={"enabled": True, "timeout": "5m"},
        raid={"joins": 2, "within": "1m", "quiet": "2m"},
    )


async def one_removal_held_back(open_garden: GardenFactory, database: Path) -> None:
    """Five spambots join, none accepts; the three of the wave are removed together, 5 minutes
    after its welcome, and only two of their removals are reported at once. The bot stops
    before the count of the third is due."""
    garden = await raided(open_garden, database)
    await garden.join(*SPAMBOTS)
    await garden.wait(timedelta(minutes=7, seconds=30))
    assert len(garden.done("kick")) == 5
    removals = [text for text in garden.texts("mod-log") if text.startswith("Removed")]
    assert len(removals) == 4
    assert HELD_BACK not in garden.texts("mod-log")
    await garden.stop()


async def test_the_count_of_reports_held_back_is_posted_after_a_restart(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    await one_removal_held_back(open_garden, database)

    again = await raided(open_garden, database)
    await again.wait(timedelta(minutes=1))
    assert again.texts("mod-log") == [HELD_BACK]
    await again.wait(timedelta(days=1))
    assert again.texts("mod-log") == [HELD_BACK]


async def test_the_count_held_back_while_the_platform_was_away_is_posted_when_it_is_back(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    await one_removal_held_back(open_garden, database)

    elsewhere = await raided(open_garden, database, FakePlatform("other"))
    await elsewhere.wait(timedelta(hours=3))
    assert elsewhere.sent() == []
    await elsewhere.stop()

    again = await raided(open_garden, database)
    await again.wait(timedelta(minutes=1))
    assert again.texts("mod-log") == [HELD_BACK]
