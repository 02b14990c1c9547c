"""A newcomer whose data is erased while the charter gate removes them stays erased: the end of
the removal does not bring their journey back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.events import ChannelRef, MemberRef, UserRef
from bot.memberdata import erase_member, export_member
from tests.cogs.welcome.garden import WITHOUT_ROLES, Garden, GardenFactory
from tests.support.fake_platform import FakePlatform


class ActingAtTheKick(FakePlatform):
    """Telegram-like (restrictions, no roles); ``at_kick`` runs while a kick is under way."""

    def __init__(self) -> None:
        super().__init__(capabilities=WITHOUT_ROLES)
        self.at_kick: Callable[[MemberRef], Awaitable[Any]] | None = None

    async def kick(self, member: MemberRef, *, reason: str = "") -> None:
        if self.at_kick is not None:
            await self.at_kick(member)
        await super().kick(member, reason=reason)


class ActingAtTheWelcome(FakePlatform):
    """Telegram-like; ``at_send`` runs while a message is being posted."""

    def __init__(self) -> None:
        super().__init__(capabilities=WITHOUT_ROLES)
        self.at_send: Callable[[], Awaitable[Any]] | None = None

    async def send(self, channel: ChannelRef, text: str, **options: Any) -> Any:
        if self.at_send is not None:
            act, self.at_send = self.at_send, None
            await act()
        return await super().send(channel, text, **options)


class ActingAtTheRole(FakePlatform):
    """Discord-like; ``at_role`` runs while a role is being granted."""

    at_role: Callable[[MemberRef], Awaitable[Any]] | None = None

    async def add_role(self, member: MemberRef, role: str) -> None:
        if self.at_role is not None:
            await self.at_role(member)
        await super().add_role(member, role)


async def removed_by_the_gate(open_garden: GardenFactory) -> tuple[Garden, ActingAtTheKick]:
    platform = ActingAtTheKick()
    garden = await open_garden(platform=platform, gate={"enabled": True, "timeout": "5m"})
    return garden, platform


async def test_a_newcomer_erased_while_the_gate_removes_them_keeps_no_journey(
    open_garden: GardenFactory,
) -> None:
    garden, platform = await removed_by_the_gate(open_garden)
    [spambot] = await garden.join("spambot")
    community = garden.platform.community

    async def forget(member: MemberRef) -> None:  # /forget_member, as the kick goes out
        await erase_member(garden.core, community, member.user)

    platform.at_kick = forget
    await garden.wait(timedelta(minutes=6))
    assert [kick.target for kick in garden.done("kick")] == [spambot]
    assert await garden.cog.journeys.get(community, spambot.user.id) is None
    assert "welcome" not in (await export_member(garden.core, community, spambot.user)).parts
    assert await garden.cog.holds_back(spambot) is False


async def test_a_newcomer_erased_while_they_accept_the_charter_keeps_no_nudge(
    open_garden: GardenFactory,
) -> None:
    platform = ActingAtTheRole()
    garden = await open_garden(
        platform=platform, gate={"enabled": True, "role": "Members", "timeout": None}
    )
    [alice] = await garden.join("alice")
    welcome = garden.sent()[-1]
    await garden.wait(timedelta(days=2))  # her nudge fell due while the gate held her
    community = garden.platform.community

    async def forget(member: MemberRef) -> None:  # /forget_member, as the role is granted
        await erase_member(garden.core, community, member.user)

    platform.at_role = forget
    await garden.press("alice", "welcome:accept", under=welcome)
    assert [grant.target for grant in garden.done("add_role")] == [alice]
    # No job planned with her id and name, to nudge her after she was forgotten.
    assert [job.id for job in garden.core.scheduler.pending("welcome:")] == []
    garden.clear()
    await garden.wait(timedelta(days=2))
    assert garden.sent() == []


def job_names(garden: Garden, user: UserRef) -> list[str]:
    """The ids of the welcome's jobs that name ``user``."""
    return [
        job.id
        for job in garden.core.scheduler.pending("welcome:")
        if user.id in job.id or user.id in str(job.kwargs)
    ]


async def test_a_newcomer_erased_while_they_are_welcomed_keeps_no_gate_job_nor_nudge(
    open_garden: GardenFactory,
) -> None:
    platform = ActingAtTheWelcome()
    garden = await open_garden(platform=platform, gate={"enabled": True, "timeout": "5m"})
    community = garden.platform.community
    alice = garden.member("alice")

    async def forget() -> None:  # /forget_member, as her welcome is posted
        await erase_member(garden.core, community, alice.user)

    platform.at_send = forget
    await garden.join("alice")
    assert job_names(garden, alice.user) == []
    await garden.wait(timedelta(days=2))
    assert garden.done("kick") == []


async def test_a_newcomer_of_a_wave_erased_while_their_gate_time_is_looked_at_keeps_no_job(
    open_garden: GardenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = await open_garden(
        platform=FakePlatform(capabilities=WITHOUT_ROLES),
        gate={"enabled": True, "timeout": "5m"},
        raid={"quiet": "10m"},
    )
    community = garden.platform.community
    [*_, late] = await garden.join(*(f"m{n}" for n in range(6)))  # m5 comes in a wave
    directory = garden.core.members
    look_up = directory.get

    async def forgotten_meanwhile(where: Any, user_id: str) -> Any:
        if user_id == late.user.id:  # /forget_member, as the gate's job looks them up
            monkeypatch.setattr(directory, "get", look_up)
            await erase_member(garden.core, community, late.user)
        return await look_up(where, user_id)

    monkeypatch.setattr(directory, "get", forgotten_meanwhile)
    # Their gate time runs from the wave's welcome, still to come: the job would look again.
    await garden.wait(timedelta(minutes=6))
    assert job_names(garden, late.user) == []
