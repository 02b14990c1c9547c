"""A community to drive the welcome cog with, so tests read as what members do and see."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageRef,
)
from bot.platform import Capability
from cogs.welcome.cog import WelcomeCog
from tests.support.fake_platform import FakePlatform, Recorded

WITHOUT_ROLES = frozenset(Capability) - {Capability.ROLES}
"""What a Telegram group offers: no roles, restrictions instead."""


def edit_section(rules_dir: Path, section: str, changes: dict[str, Any]) -> None:
    """Merge ``changes`` into ``rules_dir/<section>.yaml``."""
    path = rules_dir / f"{section}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def merge(target: dict[str, Any], layer: dict[str, Any]) -> None:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                merge(target[key], value)
            else:
                target[key] = value

    merge(data, changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


GardenFactory = Callable[..., Awaitable["Garden"]]
"""The ``open_garden`` fixture: ``await open_garden(gate={"enabled": True})``."""


class Garden:
    """The fake community "Garden", its bot, and a clock that moves only when told."""

    def __init__(self, core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
        self.core = core
        self.platform = platform
        self.clock = clock
        self._ids = itertools.count(1)
        self._stopped = False

    async def stop(self) -> None:
        """Stop the bot, as a process that ends (once)."""
        if not self._stopped:
            self._stopped = True
            await self.core.stop()

    @property
    def cog(self) -> WelcomeCog:
        """The welcome cog."""
        cog = self.core.cogs["welcome"]
        assert isinstance(cog, WelcomeCog)
        return cog

    def member(self, name: str, **options: Any) -> MemberRef:
        """A member of the community (``moderator=True``, ``roles=[...]`` to create one so)."""
        known = self.platform.members.get(name)
        if known is not None and not options:
            return known
        return self.platform.member(name, **options)

    # -- what members do --------------------------------------------------------------------

    async def join(self, *names: str) -> list[MemberRef]:
        """These people join, one after the other, at the current time."""
        members = [self.member(name) for name in names]
        for member in members:
            await self.core.handle(MemberJoined(at=self.clock.now(), member=member))
        return members

    async def arrive(self, *names: str, every: timedelta = timedelta(minutes=1)) -> None:
        """These people join one at a time, ``every`` apart: no wave."""
        for name in names:
            await self.join(name)
            await self.wait(every)

    async def leave(self, name: str) -> None:
        """``name`` leaves."""
        await self.core.handle(MemberLeft(at=self.clock.now(), member=self.member(name)))

    async def say(self, name: str, text: str, *, channel: str = "general") -> MessageRef:
        """``name`` posts ``text`` in ``#channel``; returns the message."""
        message = MessageRef(self.platform.channel(channel), f"m{next(self._ids)}")
        await self.core.handle(
            MessageCreated(
                at=self.clock.now(), message=message, author=self.member(name), text=text
            )
        )
        return message

    async def run(self, name: str, line: str, *, channel: str = "general") -> None:
        """``name`` runs the command ``line`` (``/name args``)."""
        command, _, args = line.removeprefix("/").partition(" ")
        where = self.platform.channel(channel)
        await self.core.handle(
            CommandInvoked(
                at=self.clock.now(),
                channel=where,
                member=self.member(name),
                name=command,
                args=args,
                message=MessageRef(where, f"c{next(self._ids)}"),
            )
        )

    async def press(self, name: str, button_id: str, under: Recorded) -> None:
        """``name`` presses the button ``button_id`` under a message the bot sent."""
        message: MessageRef = under.details["message"]
        await self.core.handle(
            ButtonPressed(
                at=self.clock.now(),
                channel=message.channel,
                member=self.member(name),
                message=message,
                button_id=button_id,
            )
        )

    async def wait(self, delta: timedelta) -> None:
        """Time passes; jobs that fall due run."""
        await self.core.scheduler.advance(delta)

    # -- what the bot did -------------------------------------------------------------------

    def sent(self, channel: str | None = None) -> list[Recorded]:
        """Messages the bot posted (in ``#channel``)."""
        return [
            action
            for action in self.platform.sent()
            if channel is None or action.target.name == f"#{channel}"
        ]

    def texts(self, channel: str | None = None) -> list[str]:
        """The texts of the messages the bot posted (in ``#channel``)."""
        return [action.text for action in self.sent(channel)]

    def done(self, action: str) -> list[Recorded]:
        """The actions of one kind (``delete``, ``kick``, ``restrict``…), in order."""
        return [recorded for recorded in self.platform.actions if recorded.action == action]

    def clear(self) -> None:
        """Forget what the bot did so far."""
        self.platform.actions.clear()
