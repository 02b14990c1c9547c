"""The fake community "Garden" driven as its members would, which every cog's harness builds on.

A harness adds what its cog's tests need (reactions under the bot's posts, the answer to a
command…); the members, their messages, commands, buttons, the clock and what the bot did are here.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageRef,
)
from tests.support.fake_platform import FakePlatform, Recorded


class Community:
    """A fake community, its bot, and a clock that moves only when told."""

    moderators: tuple[str, ...] = ()
    """Names that are moderators when first met (others are made so with ``moderator=True``)."""

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

    def member(self, name: str, **options: Any) -> MemberRef:
        """A member of the community (``moderator=True``, ``roles=[...]`` to create one so)."""
        known = self.platform.members.get(name)
        if known is not None and not options:
            return known
        if known is None and not options and name in self.moderators:
            return self.platform.member(name, moderator=True)
        return self.platform.member(name, **options)

    async def handle(self, event: Event) -> None:
        """The platform delivers ``event``."""
        await self.core.handle(event)

    # -- what members do --------------------------------------------------------------------

    async def join(self, *names: str) -> list[MemberRef]:
        """These people join, one after the other, at the current time."""
        members = [self.member(name) for name in names]
        for member in members:
            await self.handle(MemberJoined(at=self.clock.now(), member=member))
        return members

    async def say(
        self,
        name: str,
        text: str,
        *,
        channel: str = "general",
        reply_to: MessageRef | None = None,
        mentions: tuple[str, ...] = (),
        author: MemberRef | None = None,
    ) -> MessageRef:
        """``name`` posts ``text`` in ``#channel`` (replying, mentioning; as ``author``, say a
        bot, when given); returns the message."""
        message = MessageRef(self.platform.channel(channel), f"m{next(self._ids)}")
        await self.handle(
            MessageCreated(
                at=self.clock.now(),
                message=message,
                author=author or self.member(name),
                text=text,
                reply_to=reply_to,
                mentions=tuple(self.member(other).user for other in mentions),
            )
        )
        return message

    async def command(self, name: str, line: str, *, channel: str = "general") -> MessageRef:
        """``name`` runs the command ``line`` (``/name args``); returns the command's message."""
        command, _, args = line.removeprefix("/").partition(" ")
        where = self.platform.channel(channel)
        message = MessageRef(where, f"c{next(self._ids)}")
        await self.handle(
            CommandInvoked(
                at=self.clock.now(),
                channel=where,
                member=self.member(name),
                name=command,
                args=args,
                message=message,
            )
        )
        return message

    async def press(self, name: str, button_id: str, under: Recorded) -> None:
        """``name`` presses the button ``button_id`` under a message the bot sent."""
        message: MessageRef = under.details["message"]
        await self.handle(
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
