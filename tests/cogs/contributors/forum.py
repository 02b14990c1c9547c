"""A community to drive the contributors cog with: members post, reply, react and thank."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import (
    CommandInvoked,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageDeleted,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
)
from cogs.contributors.cog import ContributorsCog
from tests.support.fake_platform import FakePlatform
from tests.support.rulebook import enable_only


def enable(rules_dir: Path, **section: Any) -> None:
    """Enable only the contributors cog in ``rules_dir`` and merge ``section`` into its YAML."""
    enable_only(rules_dir, "contributors")
    if section:
        path = rules_dir / "contributors.yaml"
        current = yaml.safe_load(path.read_text(encoding="utf-8"))

        def merge(target: dict[str, Any], layer: dict[str, Any]) -> None:
            for key, value in layer.items():
                if isinstance(value, dict) and isinstance(target.get(key), dict):
                    merge(target[key], value)
                else:
                    target[key] = value

        merge(current, section)
        path.write_text(yaml.safe_dump(current, allow_unicode=True, sort_keys=False), "utf-8")


class Forum:
    """The fake community "Garden" with the contributors cog, and a clock moved by hand."""

    def __init__(self, core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
        self.core = core
        self.platform = platform
        self.clock = clock
        self._ids = itertools.count(1)

    @property
    def cog(self) -> ContributorsCog:
        """The contributors cog."""
        cog = self.core.cogs["contributors"]
        assert isinstance(cog, ContributorsCog)
        return cog

    def member(self, name: str, **options: Any) -> MemberRef:
        """A member (``moderator=True`` to make one)."""
        known = self.platform.members.get(name)
        if known is not None and not options:
            return known
        return self.platform.member(name, **options)

    async def join(self, name: str) -> None:
        """``name`` joins now."""
        await self.core.handle(MemberJoined(at=self.clock.now(), member=self.member(name)))

    async def say(
        self,
        name: str,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        mentions: tuple[str, ...] = (),
        author: MemberRef | None = None,
    ) -> MessageRef:
        """``name`` posts ``text`` (replying to a message, mentioning members)."""
        message = MessageRef(self.platform.channel("general"), f"m{next(self._ids)}")
        await self.core.handle(
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

    async def react(self, name: str, message: MessageRef, emoji: str = "👍") -> None:
        """``name`` reacts to ``message``."""
        await self.core.handle(
            ReactionAdded(
                at=self.clock.now(), message=message, member=self.member(name), emoji=emoji
            )
        )

    async def unreact(self, name: str, message: MessageRef, emoji: str = "👍") -> None:
        """``name`` takes a reaction back."""
        await self.core.handle(
            ReactionRemoved(
                at=self.clock.now(), message=message, member=self.member(name), emoji=emoji
            )
        )

    async def delete(self, message: MessageRef) -> None:
        """``message`` disappears (a moderator removed it)."""
        await self.core.handle(MessageDeleted(at=self.clock.now(), message=message))

    async def run(self, name: str, line: str) -> str:
        """``name`` runs the command ``line``; returns the bot's answer."""
        command, _, args = line.removeprefix("/").partition(" ")
        where = self.platform.channel("general")
        before = len(self.platform.sent())
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
        sent = self.platform.sent()
        assert len(sent) == before + 1, "the command got no answer"
        return sent[-1].text

    async def wait(self, delta: timedelta) -> None:
        """Time passes; jobs that fall due run."""
        await self.core.scheduler.advance(delta)

    def ranked(self, answer: str) -> list[str]:
        """The member names of a /top or /influencers answer, in order."""
        names = []
        for line in answer.splitlines()[1:]:
            _rank, _, rest = line.partition(". ")
            names.append(rest.split(" — ")[0])
        return names
