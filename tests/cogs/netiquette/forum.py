"""A community to drive the netiquette cog with: members post, moderators act, the bot answers."""

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
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageEdited,
    MessageRef,
    UserRef,
)
from cogs.netiquette.cog import NetiquetteCog
from tests.support.fake_platform import FakePlatform, Recorded

NO_INSULTS = {
    "no_insults": {
        "triggers": [{"match_words": {"words": ["idiot", "crétin"]}}],
        "actions": {"delete": True, "warn": {"reason": "Restons courtois"}},
    }
}


RULES_TO_TEST = {
    "no_insults": NO_INSULTS["no_insults"],
    "shouting": {
        "triggers": [{"caps": {"ratio": 0.7, "min_length": 10}}],
        "actions": {"reply": True},
        "allow_further_rules": True,
    },
    "elsewhere": {
        "triggers": [{"match_words": {"words": ["idiot"]}}],
        "channels": {"include": ["offtopic"]},
    },
    "trial": {
        "triggers": [{"match_words": {"words": ["weed"]}}],
        "actions": {"delete": True},
        "dry_run": True,
    },
}
"""Rules that give ``/rules_test`` something to say: one fires, one allows more, one is elsewhere,
one is a dry run."""


def write_netiquette(rules_dir: Path, rules: dict[str, Any] | None = None, **changes: Any) -> None:
    """Enable only the netiquette cog, replace its rules with ``rules``, set other keys."""
    community = rules_dir / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["cogs"] = ["netiquette"]
    community.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    path = rules_dir / "netiquette.yaml"
    section = yaml.safe_load(path.read_text(encoding="utf-8"))
    if rules is not None:
        section["rules"] = rules
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(section.get(key), dict):
            section[key] = {**section[key], **value}
        else:
            section[key] = value
    path.write_text(yaml.safe_dump(section, allow_unicode=True, sort_keys=False), "utf-8")


def write_locale(rules_dir: Path, locale: str) -> None:
    """Make the community speak ``locale`` (the next start or reload applies it)."""
    community = rules_dir / "community.yaml"
    data = yaml.safe_load(community.read_text(encoding="utf-8"))
    data["locale"] = locale
    community.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


class Forum:
    """The fake community "Garden" with the netiquette cog, and a clock that moves when told."""

    def __init__(self, core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
        self.core = core
        self.platform = platform
        self.clock = clock
        self._ids = itertools.count(1)

    @property
    def cog(self) -> NetiquetteCog:
        """The netiquette cog."""
        cog = self.core.cogs["netiquette"]
        assert isinstance(cog, NetiquetteCog)
        return cog

    def member(self, name: str, **options: Any) -> MemberRef:
        """A member (``moderator=True``, ``roles=[...]``)."""
        known = self.platform.members.get(name)
        if known is not None and not options:
            return known
        return self.platform.member(name, **options)

    async def handle(self, event: Event) -> None:
        """The platform delivers ``event``; the bot finishes what it decided (cases, notices)."""
        await self.core.handle(event)
        await self.core.caught_up()

    async def say(
        self, name: str, text: str, *, channel: str = "general", mentions: tuple[str, ...] = ()
    ) -> MessageRef:
        """``name`` posts ``text``; returns the message."""
        message = MessageRef(self.platform.channel(channel), f"m{next(self._ids)}")
        users = tuple(UserRef(self.platform.name, f"id-{m}", m) for m in mentions)
        await self.handle(
            MessageCreated(
                at=self.clock.now(),
                message=message,
                author=self.member(name),
                text=text,
                mentions=users,
            )
        )
        return message

    async def edit(self, name: str, message: MessageRef, text: str) -> None:
        """``name`` edits ``message`` to read ``text``."""
        await self.handle(
            MessageEdited(
                at=self.clock.now(), message=message, author=self.member(name), text=text
            )
        )

    async def join(self, name: str) -> None:
        """``name`` joins."""
        await self.handle(MemberJoined(at=self.clock.now(), member=self.member(name)))

    async def run(self, name: str, line: str, *, channel: str = "general") -> None:
        """``name`` runs ``line`` (``/command args``)."""
        command, _, args = line.removeprefix("/").partition(" ")
        where = self.platform.channel(channel)
        await self.handle(
            CommandInvoked(
                at=self.clock.now(),
                channel=where,
                member=self.member(name),
                name=command,
                args=args,
                message=MessageRef(where, f"c{next(self._ids)}"),
            )
        )

    async def wait(self, delta: timedelta) -> None:
        """Time passes; jobs that fall due run."""
        await self.core.scheduler.advance(delta)

    # -- what the bot did -------------------------------------------------------------------

    def done(self, action: str) -> list[Recorded]:
        """The actions of one kind, in order."""
        return [recorded for recorded in self.platform.actions if recorded.action == action]

    def deleted(self) -> list[str]:
        """Ids of the messages the bot deleted."""
        return [recorded.target.id for recorded in self.done("delete")]

    def texts(self, channel: str | None = None) -> list[str]:
        """What the bot posted (in ``#channel``)."""
        return [
            recorded.text
            for recorded in self.platform.sent()
            if channel is None or recorded.target.name == f"#{channel}"
        ]

    def modlog(self) -> list[str]:
        """What the bot posted in the mod-log."""
        return self.texts("mod-log")

    def answers(self) -> list[str]:
        """Answers only their asker sees (moderator commands)."""
        return [r.text for r in self.platform.sent() if r.details.get("private_to") is not None]

    def clear(self) -> None:
        """Forget what the bot did so far."""
        self.platform.actions.clear()
