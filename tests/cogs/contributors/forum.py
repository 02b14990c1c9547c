"""A community to drive the contributors cog with: members post, reply, react and thank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.events import (
    MessageDeleted,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
)
from cogs.contributors.cog import ContributorsCog
from tests.support.community import Community
from tests.support.rulebook import edit_section, enable_only


def enable(rules_dir: Path, **section: Any) -> None:
    """Enable only the contributors cog in ``rules_dir`` and merge ``section`` into its YAML."""
    enable_only(rules_dir, "contributors")
    if section:
        edit_section(rules_dir, "contributors", section)


class Forum(Community):
    """The fake community "Garden" with the contributors cog."""

    @property
    def cog(self) -> ContributorsCog:
        """The contributors cog."""
        cog = self.core.cogs["contributors"]
        assert isinstance(cog, ContributorsCog)
        return cog

    async def react(self, name: str, message: MessageRef, emoji: str = "👍") -> None:
        """``name`` reacts to ``message``."""
        await self.handle(
            ReactionAdded(
                at=self.clock.now(), message=message, member=self.member(name), emoji=emoji
            )
        )

    async def unreact(self, name: str, message: MessageRef, emoji: str = "👍") -> None:
        """``name`` takes a reaction back."""
        await self.handle(
            ReactionRemoved(
                at=self.clock.now(), message=message, member=self.member(name), emoji=emoji
            )
        )

    async def delete(self, message: MessageRef) -> None:
        """``message`` disappears (a moderator removed it)."""
        await self.handle(MessageDeleted(at=self.clock.now(), message=message))

    async def edit(self, name: str, message: MessageRef, text: str) -> None:
        """``name`` edits their ``message`` to read ``text``."""
        await self.handle(
            MessageEdited(
                at=self.clock.now(), message=message, author=self.member(name), text=text
            )
        )

    async def run(self, name: str, line: str) -> str:
        """``name`` runs the command ``line``; returns the bot's answer."""
        before = len(self.platform.sent())
        await self.command(name, line)
        sent = self.platform.sent()
        assert len(sent) == before + 1, "the command got no answer"
        return sent[-1].text

    def ranked(self, answer: str) -> list[str]:
        """The member names of a /top or /influencers answer, in order."""
        names = []
        for line in answer.splitlines()[1:]:
            _rank, _, rest = line.partition(". ")
            names.append(rest.split(" — ")[0])
        return names
