"""A community to drive the reputation cog with: members name the organisation, edit, delete."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.events import MessageDeleted, MessageEdited, MessageRef
from cogs.reputation.cog import ReputationCog
from cogs.reputation.models import ReputationDay
from tests.support.community import Community
from tests.support.fake_platform import Recorded


class Newsroom(Community):
    """The fake community "Garden" with the reputation cog (``mod`` is a moderator)."""

    moderators = ("mod",)

    @property
    def cog(self) -> ReputationCog:
        """The reputation cog."""
        cog = self.core.cogs["reputation"]
        assert isinstance(cog, ReputationCog)
        return cog

    async def run(self, name: str, line: str) -> Recorded:
        """``name`` runs the command ``line``; returns the bot's answer to them."""
        message = await self.command(name, line)
        answers = [sent for sent in self.platform.sent() if sent.details["reply_to"] == message]
        assert answers, f"{line.split()[0]} got no answer"
        return answers[-1]

    async def edit(self, message: MessageRef, name: str, text: str) -> None:
        """``name`` edits their ``message`` to ``text``."""
        await self.handle(
            MessageEdited(
                at=self.clock.now(), message=message, author=self.member(name), text=text
            )
        )

    async def delete(self, message: MessageRef) -> None:
        """``message`` disappears."""
        await self.handle(MessageDeleted(at=self.clock.now(), message=message))

    async def settled(self) -> None:
        """The toxicity checks and what they fired are done."""
        await self.core.caught_up(slow=True)

    async def days(self) -> dict[date, tuple[int, int, int]]:
        """Mentions, positive, negative per day, as written (the buffer flushed first)."""
        await self.cog.flush()
        async with self.core.db.session() as session:
            rows = (await session.exec(select(ReputationDay))).all()
        return {row.day: (row.mentions, row.positive, row.negative) for row in rows}
