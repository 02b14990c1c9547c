"""What a command callback receives: who ran it, where, and how to answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands.spec import CommandSpec, Permission
from bot.events import ChannelRef, CommandInvoked, CommunityRef, MemberRef, MessageRef, UserRef
from bot.platform import Button

if TYPE_CHECKING:
    from bot.core import Jardinier


@dataclass
class CommandContext:
    """The invocation of one command."""

    core: Jardinier
    event: CommandInvoked
    spec: CommandSpec

    @property
    def member(self) -> MemberRef:
        """Who ran the command."""
        return self.event.member

    @property
    def channel(self) -> ChannelRef:
        """Where the command was run."""
        return self.event.channel

    @property
    def community(self) -> CommunityRef:
        """The community the command was run in."""
        return self.event.channel.community

    @property
    def locale(self) -> str:
        """The community's locale, for texts."""
        return self.core.rules.current.community(self.community).locale

    async def reply(
        self,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        file: Path | None = None,
        mention: Sequence[UserRef] = (),
        private: bool | None = None,
    ) -> MessageRef | None:
        """Answer in the channel; a moderator command's answer (or one ``private`` says is for
        the asker alone) is private where possible."""
        if private is None:
            private = self.spec.permission is Permission.MODERATOR
        return await self.core.actions.send(
            self.channel,
            text,
            reply_to=self.event.message,
            buttons=buttons,
            file=file,
            mention=mention,
            private_to=self.member if private else None,
        )
