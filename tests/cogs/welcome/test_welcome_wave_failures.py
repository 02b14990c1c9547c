"""A wave's welcome whose run fails (the database busy as it records the welcome) is tried
again, with the wave that started meanwhile if any: its newcomers are welcomed all the same."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.memberdata import erase_member
from tests.cogs.welcome.garden import Garden
from tests.cogs.welcome.test_welcome_wave_restarts import WAVE, wave_job


def busy_once(
    garden: Garden, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], Awaitable[Any]]
) -> None:
    """The database refuses the first wave's welcome as it is recorded, after ``meanwhile``."""
    journeys = garden.cog.journeys
    claim = journeys.claim_welcome

    async def refused(*arguments: Any) -> Any:
        monkeypatch.setattr(journeys, "claim_welcome", claim)
        await meanwhile()
        raise RuntimeError("database is locked")

    monkeypatch.setattr(journeys, "claim_welcome", refused)


def welcomes(garden: Garden) -> list[str]:
    """Who each wave's welcome names."""
    return [
        text.split(": ", 1)[1].split("!")[0]
        for text in garden.texts("general")
        if "who just joined" in text
    ]


async def test_a_failed_wave_welcome_is_tried_again(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden.join(*WAVE)

    async def nothing() -> None:
        pass

    busy_once(garden, monkeypatch, nothing)
    await garden.wait(timedelta(minutes=10))
    assert welcomes(garden) == ["m5, m6, m7"]


async def test_a_failed_wave_welcome_is_tried_again_with_the_wave_that_started_meanwhile(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden.join(*WAVE)

    async def raid_goes_on() -> None:  # as the first wave's welcome is recorded
        await garden.join(*(f"y{number}" for number in range(8)))

    busy_once(garden, monkeypatch, raid_goes_on)
    await garden.wait(timedelta(minutes=10))
    assert welcomes(garden) == ["m5, m6, m7, y5, y6, y7"]


async def test_a_newcomer_erased_while_a_wave_welcome_failed_is_not_put_back(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden.join(*WAVE)

    async def m6_erased() -> None:
        await erase_member(garden.core, garden.platform.community, garden.member("m6").user)

    busy_once(garden, monkeypatch, m6_erased)
    await garden.wait(timedelta(minutes=2))  # the welcome failed: planned again
    assert "id-m6" not in wave_job(garden)["members"]
    await garden.wait(timedelta(minutes=10))
    assert welcomes(garden) == ["m5, m7"]
