"""A community to drive the contests cog with, so tests read as what members do and see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel, func, select

from bot.clock import ManualClock
from bot.core import Jardinier
from bot.events import ChannelRef, Event, MessageRef, ReactionAdded, ReactionRemoved
from cogs.contests.cog import ContestsCog
from tests.support.community import Community
from tests.support.fake_platform import FakePlatform, Recorded
from tests.support.rulebook import enable_only


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


class Crash(BaseException):
    """The process dies here (a kill -9, a power cut): nothing after it runs, nothing catches
    it."""


@contextmanager
def dying_at_insert(table: type[SQLModel]) -> Iterator[None]:
    """The process dies as it writes a row to ``table`` (the row, and what its transaction
    held, never written); the block ends there."""

    def die(*_: object) -> None:
        raise Crash

    event.listen(table, "before_insert", die)
    try:
        with pytest.raises(Crash):
            yield
    finally:
        event.remove(table, "before_insert", die)


@contextmanager
def dying_while_posting(
    platform: FakePlatform, containing: str, *, went_out: bool
) -> Iterator[None]:
    """The process dies while the platform posts the bot's message containing ``containing``:
    before the platform took it, or (``went_out``) after, before the bot heard back; the block
    ends there."""
    post = platform.send

    async def send(channel: ChannelRef, text: str, **options: Any) -> MessageRef | None:
        if containing not in text:
            return await post(channel, text, **options)
        if went_out:
            await post(channel, text, **options)
        raise Crash

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(platform, "send", send)
        with pytest.raises(Crash):
            yield


class Arena(Community):
    """The fake community "Garden" with the contests cog (``mod`` is a moderator)."""

    moderators = ("mod",)

    def __init__(self, core: Jardinier, platform: FakePlatform, clock: ManualClock) -> None:
        super().__init__(core, platform, clock)
        self.events: list[Event] = []

    @property
    def cog(self) -> ContestsCog:
        """The contests cog."""
        cog = self.core.cogs["contests"]
        assert isinstance(cog, ContestsCog)
        return cog

    # -- what members do --------------------------------------------------------------------

    async def veterans(self, *names: str) -> None:
        """These people join, and two days pass (long enough to vote)."""
        await self.join(*names)
        await self.wait(timedelta(days=2))

    async def run(self, name: str, line: str, *, channel: str = "general") -> str:
        """``name`` runs ``line`` (``/name args``); returns the bot's answer to it."""
        before = len(self.platform.actions)
        message = await self.command(name, line, channel=channel)
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
        message = under.details["message"]
        await self.handle(
            kind(at=self.clock.now(), message=message, member=self.member(name), emoji=emoji)
        )

    # -- what an older version left ---------------------------------------------------------

    def store_as_an_older_version(self, prefix: str) -> None:
        """Store the jobs whose ids start with ``prefix`` again as a version that named no
        platform in their arguments did."""
        scheduler = self.core.scheduler
        for stored in scheduler.pending(prefix):
            assert stored.next_run is not None
            kept = {key: value for key, value in stored.kwargs.items() if key != "platform"}
            scheduler.at(stored.id, stored.next_run, stored.cog, stored.handler, **kept)

    # -- what the bot did -------------------------------------------------------------------

    def posted(self, containing: str, channel: str | None = None) -> list[Recorded]:
        """Messages the bot posted that contain ``containing``."""
        return [action for action in self.sent(channel) if containing in action.text]

    async def count(self, table: type[SQLModel]) -> int:
        """How many rows ``table`` holds."""
        async with self.core.db.session() as session:
            return int((await session.exec(select(func.count()).select_from(table))).one())
