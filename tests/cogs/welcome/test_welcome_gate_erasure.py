"""A newcomer whose data is erased while the charter gate removes them stays erased: the end of
the removal does not bring their journey back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.events import MemberRef
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
