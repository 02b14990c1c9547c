"""A community to drive the suggestions cog with: members suggest, press buttons, react."""

from __future__ import annotations

import itertools
from datetime import timedelta

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    MemberRef,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
)
from tests.support.fake_platform import FakePlatform, Recorded


class Board:
    """The fake community "Garden" with the suggestions cog, and a clock moved by hand."""

    def __init__(self, core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
        self.core = core
        self.platform = platform
        self.clock = clock
        self._ids = itertools.count(1)

    def member(self, name: str) -> MemberRef:
        """A member; ``mod`` is a moderator."""
        known = self.platform.members.get(name)
        return known or self.platform.member(name, moderator=name == "mod")

    async def run(self, name: str, line: str) -> Recorded:
        """``name`` runs the command ``line``; returns the bot's answer to them."""
        command, _, args = line.removeprefix("/").partition(" ")
        where = self.platform.channel("general")
        message = MessageRef(where, f"c{next(self._ids)}")
        await self.core.handle(
            CommandInvoked(
                at=self.clock.now(),
                channel=where,
                member=self.member(name),
                name=command,
                args=args,
                message=message,
            )
        )
        answers = [sent for sent in self.platform.sent() if sent.details["reply_to"] == message]
        assert answers, f"/{command} got no answer"
        return answers[-1]

    def post_of(self, number: int) -> Recorded:
        """The bot's post of suggestion #``number`` in the suggestions channel."""
        for sent in self.platform.sent():
            if sent.target.id == "suggestions" and f"#{number} " in sent.text:
                return sent
        raise AssertionError(f"suggestion #{number} was not posted")

    async def press(self, name: str, number: int, direction: str) -> None:
        """``name`` presses the up or down button under suggestion #``number``."""
        post = self.post_of(number)
        await self.core.handle(
            ButtonPressed(
                at=self.clock.now(),
                channel=post.target,
                member=self.member(name),
                message=post.details["message"],
                button_id=f"suggestion:{number}:{direction}",
            )
        )

    async def react(self, name: str, number: int, emoji: str, *, remove: bool = False) -> None:
        """``name`` reacts to (or takes back a reaction on) suggestion #``number``."""
        kind = ReactionRemoved if remove else ReactionAdded
        await self.core.handle(
            kind(
                at=self.clock.now(),
                message=self.post_of(number).details["message"],
                member=self.member(name),
                emoji=emoji,
            )
        )

    def dms(self, name: str) -> list[str]:
        """Direct messages the bot sent to ``name``."""
        return [
            action.text
            for action in self.platform.actions
            if action.action == "dm" and action.target.name == name
        ]

    async def wait(self, delta: timedelta) -> None:
        """Time passes; jobs that fall due run."""
        await self.core.scheduler.advance(delta)
