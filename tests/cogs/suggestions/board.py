"""A community to drive the suggestions cog with: members suggest, press buttons, react."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.events import ChannelRef, MessageRef, ReactionAdded, ReactionRemoved
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

    async def digest(self) -> Recorded:
        """A moderator runs ``/digest``; returns what was posted for leadership."""
        await self.run("mod", "/digest")
        return self.sent("leadership")[-1]

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

    def read_files(self) -> dict[str, str]:
        """From now on, what each file the bot sends holds, read as it is sent, by file name
        (the bot may remove its files once sent)."""
        held: dict[str, str] = {}
        send = self.platform.send

        async def sending(channel: ChannelRef, text: str, **options: Any) -> MessageRef:
            file: Path | None = options.get("file")
            if file is not None:
                held[file.name] = await asyncio.to_thread(file.read_text, encoding="utf-8")
            return await send(channel, text, **options)

        self.platform.send = sending  # type: ignore[method-assign]
        return held
