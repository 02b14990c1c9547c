"""A community to drive the contests cog with, so tests read as what members do and see."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import SQLModel, func, select

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    ButtonPressed,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberRef,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
)
from cogs.contests.cog import ContestsCog
from tests.support.fake_platform import FakePlatform, Recorded
from tests.support.rulebook import enable_only


def edit_section(rules_dir: Path, section: str, changes: dict[str, Any]) -> None:
    """Merge ``changes`` into ``rules_dir/<section>.yaml`` (mappings key by key)."""
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


def enable_contests(rules_dir: Path) -> None:
    """Enable only the contests cog in a copy of the rule book."""
    enable_only(rules_dir, "contests")


WEEKLY = {
    "title": "Photo of the week",
    "schedule": "0 9 * * mon",
    "channel": "photos",
    "open_for": "6d",
    "themes": ["Spring buds", "Morning dew", "Old tools"],
}
"""A weekly challenge: every Monday at 09:00, community time (Europe/Paris in the book)."""


class Arena:
    """The fake community "Garden" with the contests cog, and a clock moved by hand."""

    def __init__(self, core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
        self.core = core
        self.platform = platform
        self.clock = clock
        self._ids = itertools.count(1)
        self._stopped = False
        self.events: list[Event] = []

    async def stop(self) -> None:
        """Stop the bot, as a process that ends (once)."""
        if not self._stopped:
            self._stopped = True
            await self.core.stop()

    @property
    def cog(self) -> ContestsCog:
        """The contests cog."""
        cog = self.core.cogs["contests"]
        assert isinstance(cog, ContestsCog)
        return cog

    def member(self, name: str) -> MemberRef:
        """A member of the community (``mod`` is a moderator)."""
        known = self.platform.members.get(name)
        if known is not None:
            return known
        return self.platform.member(name, moderator=name == "mod")

    # -- what members do --------------------------------------------------------------------

    async def join(self, *names: str) -> None:
        """These people join now."""
        for name in names:
            await self.core.handle(MemberJoined(at=self.clock.now(), member=self.member(name)))

    async def veterans(self, *names: str) -> None:
        """These people join, and two days pass (long enough to vote)."""
        await self.join(*names)
        await self.wait(timedelta(days=2))

    async def run(self, name: str, line: str, *, channel: str = "general") -> str:
        """``name`` runs ``line`` (``/name args``); returns the bot's answer to it."""
        command, _, args = line.removeprefix("/").partition(" ")
        where = self.platform.channel(channel)
        message = MessageRef(where, f"c{next(self._ids)}")
        before = len(self.platform.actions)
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
        answers = [
            action.text
            for action in self.platform.actions[before:]
            if action.action == "send" and action.details["reply_to"] == message
        ]
        assert len(answers) == 1, answers
        return answers[0]

    async def react(self, name: str, emoji: str, under: Recorded, *, added: bool = True) -> None:
        """``name`` adds (or takes back) ``emoji`` on a message the bot sent."""
        kind = ReactionAdded if added else ReactionRemoved
        message: MessageRef = under.details["message"]
        await self.core.handle(
            kind(at=self.clock.now(), message=message, member=self.member(name), emoji=emoji)
        )

    async def press(self, name: str, button_id: str, under: Recorded) -> None:
        """``name`` presses a button under a message the bot sent."""
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

    def posted(self, containing: str, channel: str | None = None) -> list[Recorded]:
        """Messages the bot posted that contain ``containing``."""
        return [action for action in self.sent(channel) if containing in action.text]

    def clear(self) -> None:
        """Forget what the bot did so far."""
        self.platform.actions.clear()

    async def count(self, table: type[SQLModel]) -> int:
        """How many rows ``table`` holds."""
        async with self.core.db.session() as session:
            return int((await session.exec(select(func.count()).select_from(table))).one())
