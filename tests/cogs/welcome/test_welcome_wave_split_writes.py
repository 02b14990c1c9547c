"""The job greeting a wave of joins and the newcomers' journeys are written in separate
transactions: whichever a kill comes between, each newcomer of the wave is welcomed once after
the restart (late), and one held at the charter gate sees the button before its timeout runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cogs.welcome.base import ACCEPT_BUTTON
from cogs.welcome.cog import GATED_WRITTEN_EVERY
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.cogs.welcome.test_welcome_wave_restarts import WAVE, killed_now, wave_job
from tests.support.fake_platform import FakePlatform


def welcomes(garden: Garden) -> list[str]:
    """The waves' welcomes the garden posted."""
    return [text for text in garden.texts("general") if "who just joined" in text]


def removed(garden: Garden) -> list[str]:
    """The newcomers of the wave the gate removed (m0 to m4, welcomed before it, are too)."""
    return [kick.target.name for kick in garden.done("kick") if kick.target.name not in WAVE[:5]]


async def greeted_once_after_restarts(
    open_garden: GardenFactory, left: Path, expected: str
) -> None:
    """Restart on what the kill ``left``: the wave's welcome says ``expected``; a restart after
    it posts nothing again."""
    second = await open_garden(database=left)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [text] = welcomes(second)
    assert text.startswith(expected)
    await second.stop()
    third = await open_garden(database=left)
    await third.wait(timedelta(minutes=3))
    assert welcomes(third) == []
    await third.stop()


async def test_a_newcomer_whose_journey_was_written_before_the_wave_s_job_is_welcomed(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)
    await first.cog.write_behind()  # the job names m5, m6, m7
    await first.join("m8")

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the job store refuses")

    # The job cannot be written (its journeys are, as a flush a claim asks for would write them).
    monkeypatch.setattr(first.core.scheduler, "at_until_done", refused)
    with pytest.raises(RuntimeError, match="refuses"):
        await first.cog.write_behind()
    assert "id-m8" not in wave_job(first)["members"]
    await first.core.members.flush()
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    monkeypatch.undo()
    await first.stop()

    await greeted_once_after_restarts(
        open_garden, left, "Welcome to the 4 people who just joined Garden: m5, m6, m7, m8!"
    )


async def test_a_newcomer_named_by_the_wave_s_job_before_their_journey_is_welcomed_once(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)
    await first.cog.write_behind()
    await first.join("m8")
    await first.cog.caught_up()  # the job names m8; their journey waits for the next second
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()

    await greeted_once_after_restarts(
        open_garden, left, "Welcome to the 4 people who just joined Garden: m5, m6, m7, m8!"
    )


async def test_a_gated_newcomer_of_a_burst_the_wave_s_job_did_not_name_yet_sees_the_button(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    gate = {"enabled": True, "timeout": "5m"}
    telegram = FakePlatform(capabilities=WITHOUT_ROLES)
    first = await open_garden(database=database, platform=telegram, gate=gate)
    await first.join(*WAVE)
    await first.cog.write_behind()
    await first.wait(GATED_WRITTEN_EVERY)
    # Both journeys are written at once (held at the gate); the job names "first" at once,
    # "second" with the next write behind, which the kill comes before.
    await first.join("first", "second")
    await first.core.members.flush()
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()

    second = await open_garden(
        database=left, platform=FakePlatform(capabilities=WITHOUT_ROLES), gate=gate
    )
    second.clear()
    await second.wait(timedelta(minutes=3))
    [welcome] = [sent for sent in second.sent("general") if "who just joined" in sent.text]
    assert welcome.text.startswith(
        "Welcome to the 5 people who just joined Garden: m5, m6, m7, first, second!"
    )
    assert [button.id for button in welcome.details["buttons"]] == [ACCEPT_BUTTON]
    await second.wait(timedelta(minutes=3))  # their time runs from the welcome, 2 min in
    assert removed(second) == []
    await second.press("second", ACCEPT_BUTTON, under=welcome)
    await second.wait(timedelta(minutes=2))
    assert sorted(removed(second)) == ["first", "m5", "m6", "m7"]
    await second.stop()
