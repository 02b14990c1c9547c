"""A job planned again after a lookup (a nudge spread out by the raid limits, a wave's nudge
likewise, a gate timeout missed while the bot was down) names no newcomer erased during that
lookup: /forget_member leaves neither their id nor their name in a saved job."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.events import UserRef
from bot.memberdata import erase_member
from cogs.welcome.cog import WelcomeCog
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.cogs.welcome.test_welcome_gate_erasure import job_names
from tests.support.fake_platform import FakePlatform


def erased_when_looked_up(
    garden: Garden, monkeypatch: pytest.MonkeyPatch, looked_up: UserRef, erased: UserRef
) -> None:
    """/forget_member ``erased`` while a job looks ``looked_up`` up in the member directory."""
    directory = garden.core.members
    look_up = directory.get

    async def forgotten_meanwhile(where: Any, user_id: str) -> Any:
        if user_id == looked_up.id:
            monkeypatch.setattr(directory, "get", look_up)
            await erase_member(garden.core, garden.platform.community, erased)
        return await look_up(where, user_id)

    monkeypatch.setattr(directory, "get", forgotten_meanwhile)


def no_room_for_nudges(cog: WelcomeCog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every nudge falls beyond the raid limits (many fell due together): it is spread out."""
    within_limits = cog.allowed
    monkeypatch.setattr(
        cog,
        "allowed",
        lambda community, kind, at: kind != "nudge" and within_limits(community, kind, at),
    )


async def test_a_nudge_spread_out_names_no_newcomer_erased_as_it_looked_them_up(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await open_garden()
    [alice] = await garden.join("alice")
    assert job_names(garden, alice.user)  # her nudge
    no_room_for_nudges(garden.cog, monkeypatch)
    erased_when_looked_up(garden, monkeypatch, alice.user, alice.user)
    await garden.wait(timedelta(days=1, seconds=1))
    assert job_names(garden, alice.user) == []


async def test_a_missed_gate_timeout_names_no_newcomer_erased_as_it_looked_them_up(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES), gate={"enabled": True, "timeout": "5m"}
    )
    [alice] = await garden.join("alice")
    assert job_names(garden, alice.user)  # her gate timeout and nudge
    erased_when_looked_up(garden, monkeypatch, alice.user, alice.user)
    # The bot was away past the grace: her gate timeout is handled as missed.
    garden.clock.set(garden.clock.now() + timedelta(hours=3))
    await garden.core.scheduler.run_due()
    assert job_names(garden, alice.user) == []


async def test_a_wave_nudge_spread_out_names_no_newcomer_erased_while_it_looked_up_others(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await open_garden()
    *_, m6, m7 = await garden.join(*(f"m{n}" for n in range(8)))  # m5, m6, m7 in a wave
    await garden.wait(timedelta(minutes=3))  # the wave is greeted; its nudge planned
    assert garden.core.scheduler.pending("welcome:wave-nudge:")
    no_room_for_nudges(garden.cog, monkeypatch)
    erased_when_looked_up(garden, monkeypatch, m7.user, m6.user)
    await garden.wait(timedelta(days=1, seconds=1))
    assert job_names(garden, m6.user) == []
    [nudge] = garden.core.scheduler.pending("welcome:wave-nudge:")
    assert set(nudge.kwargs["members"]) == {garden.member("m5").user.id, m7.user.id}


async def test_a_nudge_planned_while_the_erased_journeys_are_deleted_names_no_one(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/forget_member cancels the member's jobs, then waits on the database to delete their
    journeys: a nudge of theirs that falls due meanwhile and is spread out is not saved again."""
    garden = await open_garden()
    [alice] = await garden.join("alice")
    [nudge] = garden.core.scheduler.pending("welcome:nudge")
    journeys = garden.cog.journeys
    flush = journeys.flush
    deleting, database_free = asyncio.Event(), asyncio.Event()

    async def busy_database() -> None:
        if asyncio.current_task() is erasing:  # the write before the delete
            deleting.set()
            await database_free.wait()
        await flush()

    monkeypatch.setattr(journeys, "flush", busy_database)
    erasing = asyncio.create_task(erase_member(garden.core, garden.platform.community, alice.user))
    await deleting.wait()
    no_room_for_nudges(garden.cog, monkeypatch)
    await garden.cog.nudge(**nudge.kwargs)
    database_free.set()
    await erasing
    assert job_names(garden, alice.user) == []
