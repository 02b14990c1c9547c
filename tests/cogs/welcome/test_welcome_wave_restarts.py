"""The welcome of a wave of joins is recorded before it is posted: its job run a second time
posts nothing; one the platform refused leaves its newcomers as they were."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.events import CommunityRef
from cogs.welcome.base import ACCEPT_BUTTON
from cogs.welcome.cog import LARGE_WAVE, LARGE_WAVE_WRITTEN_EVERY
from tests.cogs.welcome.garden import Garden, GardenFactory
from tests.test_scheduler_catchup import Crash, killed

WAVE = tuple(f"m{n}" for n in range(8))  # m5, m6 and m7 arrive in a wave


def wave_job(garden: Garden) -> dict[str, Any]:
    """The arguments of the job that greets the garden's wave."""
    [pending] = garden.core.scheduler.pending("welcome:wave:")
    return dict(pending.kwargs)


async def test_the_job_of_a_wave_run_again_after_its_welcome_posts_nothing(
    garden: Garden,
) -> None:
    await garden.join(*WAVE)
    arguments = wave_job(garden)
    await garden.wait(timedelta(minutes=3))
    assert garden.texts("general")[-1].startswith("Welcome to the 3 people")
    garden.clear()
    await garden.cog.wave_over(**arguments)  # as a run the process died in runs again
    assert garden.sent() == []
    await garden.wait(timedelta(days=2))
    # Nudged once, with one message, though its nudge was planned twice.
    assert [text for text in garden.texts("intros") if "m5" in text] == [
        garden.texts("intros")[-1]
    ]
    assert garden.texts("intros")[-1].startswith("Hello m5, m6, m7!")


async def test_a_wave_welcome_the_platform_refused_is_not_counted_as_a_welcome(
    garden: Garden,
) -> None:
    await garden.join(*WAVE)
    garden.platform.refuse["send"] = ("lacking_permission", {"permission": "send", "where": "x"})
    await garden.wait(timedelta(minutes=3))
    assert not any(text.startswith("Welcome to the") for text in garden.texts("general"))
    del garden.platform.refuse["send"]
    garden.clear()
    await garden.wait(timedelta(minutes=10))
    await garden.leave("m7")
    await garden.join("m7")  # back soon, but never welcomed: welcomed now
    [welcome] = garden.sent("general")
    assert "m7" in welcome.text


async def test_a_wave_welcome_the_process_died_in_is_posted_after_the_restart(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)
    # The wave's job written with its every newcomer (a join only marks it behind, caught up
    # at a stop or when it runs, which a kill skips: not what this test is about).
    await first.cog.caught_up()

    async def die(community: CommunityRef, user_ids: Any, at: Any) -> None:
        raise Crash

    monkeypatch.setattr(first.cog.journeys, "claim_welcome", die)
    first.clear()
    with pytest.raises(Crash):
        await first.wait(timedelta(minutes=3))
    assert first.sent("general") == []
    await killed(first.core.scheduler)
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(minutes=1))
    [welcome] = second.sent("general")
    assert welcome.text.startswith("Welcome to the 3 people who just joined Garden: m5, m6, m7")
    await second.stop()

    third = await open_garden(database=database)
    await third.wait(timedelta(days=2))
    assert third.sent("general") == []


async def test_a_newcomer_erased_while_the_wave_s_job_runs_is_not_named_after_a_kill(
    open_garden: GardenFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE)
    await first.cog.caught_up()

    async def erase_then_die(community: CommunityRef, user_ids: Any, at: Any) -> None:
        # The member asks for erasure while the job runs, and the process dies.
        await first.cog.erase_member_data(community, first.member("m6").user)
        raise Crash

    monkeypatch.setattr(first.cog.journeys, "claim_welcome", erase_then_die)
    first.clear()
    with pytest.raises(Crash):
        await first.wait(timedelta(minutes=3))
    await killed(first.core.scheduler)
    await first.stop()

    second = await open_garden(database=database)
    await second.wait(timedelta(minutes=1))
    [welcome] = second.sent("general")
    assert "m5" in welcome.text
    assert "m6" not in welcome.text
    [nudge] = second.core.scheduler.pending("welcome:wave-nudge:")
    assert "m6" not in str(nudge.kwargs)
    await second.stop()


async def written_behind(garden: Garden) -> None:
    """Wait until what the bot writes behind its events (the newcomers' journeys, the members'
    records, the wave's job), every second, is written: the process dies some seconds after the
    last join. A large wave's job waits for the test's clock (written every
    LARGE_WAVE_WRITTEN_EVERY at most): that much time passes for it, as it would before a kill."""
    wave = garden.cog.watch.wave(garden.platform.community.key)
    if wave is not None and wave.kept >= LARGE_WAVE:
        await garden.wait(LARGE_WAVE_WRITTEN_EVERY)
    for _ in range(400):
        if (
            not garden.cog.journeys.pending
            and not garden.core.members.pending
            and not garden.cog.waves_behind
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the journeys were not written behind within 20 s")


async def killed_now(garden: Garden, database: Path, left: Path) -> None:
    """What a kill leaves on disk (the jobs as last written, the rows committed), copied to
    ``left``: nothing of a stop runs on it."""
    await killed(garden.core.scheduler)

    def copy() -> None:
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(left)) as copy:
            source.backup(copy)

    await asyncio.to_thread(copy)


async def test_the_newcomers_of_a_wave_who_joined_after_its_job_was_planned_survive_a_kill(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE, "m8")  # the wave's job is planned at m5's join
    await first.leave("m8")
    await written_behind(first)
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()  # its database is no longer the one restarted on

    second = await open_garden(database=left)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [welcome] = second.sent("general")
    assert welcome.text.startswith("Welcome to the 3 people who just joined Garden: m5, m6, m7")
    assert "m8" not in welcome.text
    await second.wait(timedelta(days=2))
    assert second.texts("intros")[-1].startswith("Hello m5, m6, m7!")
    await second.stop()

    third = await open_garden(database=left)
    await third.wait(timedelta(days=2))
    assert third.sent("general") == []


async def test_a_newcomer_who_left_a_wave_after_its_job_named_them_is_not_named_after_a_kill(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*WAVE, "m8")
    await written_behind(first)  # the wave's job names m8
    await first.leave("m8")  # a leave changes no journey: only the wave's job
    await written_behind(first)
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()

    second = await open_garden(database=left)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [welcome] = second.sent("general")
    assert welcome.text.startswith("Welcome to the 3 people who just joined Garden: m5, m6, m7!")
    await second.stop()


async def test_the_journeys_are_written_behind_though_the_wave_s_job_could_not_be(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden.join(*WAVE, "m8")  # m8's join leaves the wave's job behind
    assert garden.cog.journeys.pending

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the job store refuses")

    monkeypatch.setattr(garden.core.scheduler, "at_until_done", refused)
    with pytest.raises(RuntimeError, match="refuses"):
        await garden.cog.write_behind()
    assert garden.cog.journeys.pending == 0


async def test_a_large_wave_s_job_is_written_less_often_and_in_full_at_a_stop(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    crowd = [f"bot{n}" for n in range(LARGE_WAVE + 5)]
    await first.join(*crowd)
    await first.wait(LARGE_WAVE_WRITTEN_EVERY)
    await first.cog.write_behind()
    assert len(wave_job(first)["members"]) == LARGE_WAVE  # the first five came before the wave
    await first.join("late")
    await first.wait(timedelta(seconds=1))
    await first.cog.write_behind()  # a second later: not yet (the job holds a thousand names)
    assert "id-late" not in wave_job(first)["members"]
    await first.wait(LARGE_WAVE_WRITTEN_EVERY)
    await first.cog.write_behind()
    assert "id-late" in wave_job(first)["members"]
    await first.join("last")
    await first.stop()  # a stop writes it whatever its size

    second = await open_garden(database=database)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [welcome] = second.sent("general")
    assert welcome.text.startswith(f"Welcome to the {LARGE_WAVE + 2} people")
    await second.stop()


async def test_a_newcomer_held_at_the_gate_in_a_wave_is_greeted_after_a_kill_right_after(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    gate = {"enabled": True, "timeout": "1h"}
    first = await open_garden(database=database, gate=gate)
    await first.join(*WAVE)
    await first.cog.write_behind()
    await first.join("m8")  # held at the gate: their journey is written at once
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)  # before the next write behind
    await first.stop()

    second = await open_garden(database=left, gate=gate)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [welcome] = second.sent("general")
    assert welcome.text.startswith(
        "Welcome to the 4 people who just joined Garden: m5, m6, m7, m8!"
    )
    # The "I accept" button that lets them in.
    assert [button.id for button in welcome.details["buttons"]] == [ACCEPT_BUTTON]
    await second.stop()


async def test_a_wave_s_job_the_job_store_refused_is_written_at_the_next_tick(
    garden: Garden, monkeypatch: pytest.MonkeyPatch
) -> None:
    await garden.join(*WAVE, "m8")  # m8's join leaves the wave's job behind
    plan = garden.core.scheduler.at_until_done

    def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the job store refuses")

    monkeypatch.setattr(garden.core.scheduler, "at_until_done", refused)
    with pytest.raises(RuntimeError, match="refuses"):
        await garden.cog.write_behind()
    monkeypatch.setattr(garden.core.scheduler, "at_until_done", plan)
    await garden.cog.write_behind()  # the next tick
    assert garden.member("m8").user.id in wave_job(garden)["members"]


async def test_the_newcomers_of_a_large_wave_written_behind_survive_a_kill(
    open_garden: GardenFactory, tmp_path: Path
) -> None:
    database = tmp_path / "garden.db"
    first = await open_garden(database=database)
    await first.join(*(f"bot{n}" for n in range(LARGE_WAVE + 5)))
    await first.cog.write_behind()
    await first.join("late")  # the job holds a thousand names: written behind 5 seconds on
    await written_behind(first)
    left = tmp_path / "killed.db"
    await killed_now(first, database, left)
    await first.stop()

    second = await open_garden(database=left)
    second.clear()
    await second.wait(timedelta(minutes=3))
    [welcome] = second.sent("general")
    assert welcome.text.startswith(f"Welcome to the {LARGE_WAVE + 1} people")
    await second.stop()
