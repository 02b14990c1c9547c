"""A community to drive the welcome cog with, so tests read as what members do and see."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.events import MemberLeft
from bot.platform import Capability
from cogs.welcome.cog import WelcomeCog
from tests.support.community import Community

WITHOUT_ROLES = frozenset(Capability) - {Capability.ROLES}
"""What a Telegram group offers: no roles, restrictions instead."""

GardenFactory = Callable[..., Awaitable["Garden"]]
"""The ``open_garden`` fixture: ``await open_garden(gate={"enabled": True})``."""


class Garden(Community):
    """The fake community "Garden" with the welcome cog."""

    @property
    def cog(self) -> WelcomeCog:
        """The welcome cog."""
        cog = self.core.cogs["welcome"]
        assert isinstance(cog, WelcomeCog)
        return cog

    async def arrive(self, *names: str, every: timedelta = timedelta(minutes=1)) -> None:
        """These people join one at a time, ``every`` apart: no wave."""
        for name in names:
            await self.join(name)
            await self.wait(every)

    async def leave(self, name: str) -> None:
        """``name`` leaves."""
        await self.handle(MemberLeft(at=self.clock.now(), member=self.member(name)))

    async def run(self, name: str, line: str, *, channel: str = "general") -> None:
        """``name`` runs the command ``line`` (``/name args``)."""
        await self.command(name, line, channel=channel)
