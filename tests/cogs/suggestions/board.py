"""A community to drive the suggestions cog with: members suggest, press buttons, react."""

from __future__ import annotations

from bot.events import ReactionAdded, ReactionRemoved
from tests.support.community import Community
from tests.support.fake_platform import Recorded


class Board(Community):
    """The fake community "Garden" with the suggestions cog (``mod`` is a moderator)."""

    moderators = ("mod",)

    async def run(self, name: str, line: str) -> Recorded:
        """``name`` runs the command ``line``; returns the bot's answer to them."""
        message = await self.command(name, line)
        answers = [sent for sent in self.platform.sent() if sent.details["reply_to"] == message]
        assert answers, f"{line.split()[0]} got no answer"
        return answers[-1]

    def post_of(self, number: int) -> Recorded:
        """The bot's post of suggestion #``number`` in the suggestions channel."""
        for sent in self.platform.sent():
            if sent.target.id == "suggestions" and f"#{number} " in sent.text:
                return sent
        raise AssertionError(f"suggestion #{number} was not posted")

    async def vote(self, name: str, number: int, direction: str) -> None:
        """``name`` presses the up or down button under suggestion #``number``."""
        await self.press(name, f"suggestion:{number}:{direction}", under=self.post_of(number))

    async def react(self, name: str, number: int, emoji: str, *, remove: bool = False) -> None:
        """``name`` reacts to (or takes back a reaction on) suggestion #``number``."""
        kind = ReactionRemoved if remove else ReactionAdded
        await self.handle(
            kind(
                at=self.clock.now(),
                message=self.post_of(number).details["message"],
                member=self.member(name),
                emoji=emoji,
            )
        )

    def dms(self, name: str) -> list[str]:
        """Direct messages the bot sent to ``name``."""
        return [action.text for action in self.done("dm") if action.target.name == name]
