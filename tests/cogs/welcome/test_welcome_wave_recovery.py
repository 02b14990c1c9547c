"""A wave's job read back after a restart takes in the newcomers whose journeys were written
before the kill but whom the job did not name: each of them is welcomed once, counted once, and
a failed first try of that recovery is made again by the job's retry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.cogs.welcome.test_welcome_wave_restarts import WAVE, killed_now, wave_job
from tests.cogs.welcome.test_welcome_wave_split_writes import welcomes


async def killed_with_m8_unnamed(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Garden:
    """A garden started again on what a kill left: a wave of m5, m6, m7 named by its job, and
    m8, who joined it, whose journey and member record were written but not the job again."""
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)
    await first.cog.write_behind()  # the job names m5, m6, m7
    await first.join("m8")

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the job store refuses")

    with monkeypatch.context() as patched:
        patched.setattr(first.core.scheduler, "at_until_done", refused)
        with pytest.raises(RuntimeError, match="refuses"):
            await first.cog.write_behind()  # m8's journey is written, the job is not
        await first.core.members.flush()
        left = tmp_path / "killed.db"
        await killed_now(first, database, left)
    await first.stop()
    return await open_garden(database=left)


async def test_a_counted_newcomer_of_a_large_wave_is_not_counted_twice_after_a_restart(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond MAX_KEPT a wave's newcomers are only counted by its job: the recovery, finding
    their journeys not named, must not count them once more."""
    monkeypatch.setattr("cogs.welcome.raid.MAX_KEPT", 2)
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)  # m5, m6 named; m7 counted
    await first.cog.caught_up()
    assert wave_job(first)["anonymous"] == 1
    await first.cog.journeys.flush()  # their journeys written, as within a second
    await first.core.members.flush()
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()

    second = await open_garden(database=left)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [text] = welcomes(second)
    assert text.startswith("Welcome to the 3 people who just joined Garden"), text
    await second.stop()


async def test_a_newcomer_the_job_did_not_name_is_welcomed_when_the_recovery_first_fails(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recovery's own read fails once (a busy database): the job's retry recovers m8."""
    second = await killed_with_m8_unnamed(open_garden, tmp_path, monkeypatch)
    journeys = second.cog.journeys
    original = journeys.begun_between
    calls = 0

    async def busy_once(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database is locked")
        return await original(*args)

    monkeypatch.setattr(journeys, "begun_between", busy_once)
    second.clear()
    await second.wait(timedelta(minutes=10))  # its first retry comes a minute later
    assert calls >= 2, "the retry did not recover the newcomers"
    [text] = welcomes(second)
    assert "m8" in text, text
    await second.stop()


async def test_a_newcomer_back_after_the_restart_is_not_welcomed_twice(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """m8 leaves and comes back after the restart, before the wave's job runs: welcomed on
    their own, and not named again by the recovery, which finds their earlier journey."""
    second = await killed_with_m8_unnamed(open_garden, tmp_path, monkeypatch)
    second.clear()
    await second.wait(timedelta(seconds=30))
    await second.leave("m8")
    await second.join("m8")
    await second.wait(timedelta(minutes=3))
    welcoming_m8 = [text for text in second.texts("general") if "m8" in text]
    assert len(welcoming_m8) == 1, welcoming_m8
    [text] = welcomes(second)
    assert text.startswith("Welcome to the 3 people who just joined Garden: m5, m6, m7!"), text
    await second.stop()


async def test_a_counted_newcomer_is_not_named_and_counted_when_a_slot_freed_before_the_kill(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cogs.welcome.raid.MAX_KEPT", 2)
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)  # m5, m6 named; m7 counted
    await first.leave("m5")  # a name freed: m6 named, m7 still counted
    await first.cog.caught_up()
    assert wave_job(first)["anonymous"] == 1
    await first.cog.journeys.flush()
    await first.core.members.flush()
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()

    second = await open_garden(database=left)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [text] = welcomes(second)
    assert text.startswith("Welcome to the 2 people who just joined Garden"), text
    await second.stop()
