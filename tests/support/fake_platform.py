"""A platform that records every action, so tests read as a conversation (errbot/maubot style)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.commands.spec import CommandSpec
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from bot.platform import Button, Capability, EventSink, PlatformError


@dataclass
class Recorded:
    """One action the bot took."""

    action: str
    target: Any
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class FakePlatform:
    """Records actions; ``refuse`` makes an action fail with a PlatformError, like a platform."""

    def __init__(
        self,
        name: str = "fake",
        capabilities: frozenset[Capability] = frozenset(Capability),
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.community = CommunityRef(name, "c1", "Garden")
        self.actions: list[Recorded] = []
        self.synced: list[CommandSpec] = []
        self.refuse: dict[str, str] = {}
        self.members: dict[str, MemberRef] = {}
        self._next_id = 1000

    # -- building events ---------------------------------------------------------------------

    def channel(self, name: str = "general") -> ChannelRef:
        """A channel of the fake community."""
        return ChannelRef(self.community, name, f"#{name}")

    def member(
        self, name: str, *, moderator: bool = False, roles: Sequence[str] = ()
    ) -> MemberRef:
        """A member of the fake community (known to ``resolve_member``)."""
        member = MemberRef(
            self.community,
            UserRef(self.name, f"id-{name}", name),
            roles=frozenset(roles),
            platform_moderator=moderator,
        )
        self.members[name] = member
        return member

    def sent(self) -> list[Recorded]:
        """The ``send`` actions, in order."""
        return [action for action in self.actions if action.action == "send"]

    def last_text(self) -> str:
        """The text of the last message the bot sent."""
        sent = self.sent()
        assert sent, "the bot sent nothing"
        return sent[-1].text

    # -- the Platform protocol -----------------------------------------------------------------

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        if action in self.refuse:
            raise PlatformError(action, self.refuse[action], community=self.community)
        self.actions.append(Recorded(action, target, text, details))

    async def start(self, sink: EventSink) -> None:
        """Nothing to connect to: tests feed events to the core directly."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def sync_commands(self, specs: Sequence[CommandSpec]) -> None:
        """Remember what was published."""
        self.synced = list(specs)

    async def send(
        self,
        channel: ChannelRef,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        buttons: Sequence[Button] = (),
        file: Path | None = None,
        mention: Sequence[UserRef] = (),
        private_to: MemberRef | None = None,
    ) -> MessageRef:
        """Record the message, whom it may ping, and the reference it was given."""
        self._next_id += 1
        message = MessageRef(channel, str(self._next_id))
        self._record(
            "send",
            channel,
            text,
            reply_to=reply_to,
            buttons=buttons,
            file=file,
            private_to=private_to,
            mention=tuple(mention),
            message=message,
        )
        return message

    async def dm(
        self,
        user: UserRef,
        text: str,
        *,
        community: CommunityRef | None = None,
        file: Path | None = None,
    ) -> None:
        """Record the direct message."""
        if file is None:
            self._record("dm", user, text)
        else:
            # The sender may remove its file once sent: keep what it held.
            self._record("dm", user, text, file=file, content=file.read_bytes())

    async def delete(self, message: MessageRef) -> None:
        """Record the deletion."""
        self._record("delete", message)

    async def delete_many(self, messages: Sequence[MessageRef]) -> None:
        """Record one deletion per message."""
        for message in messages:
            self._record("delete", message)

    async def timeout(self, member: MemberRef, until: datetime, *, reason: str = "") -> None:
        """Record the timeout."""
        self._record("timeout", member, reason, until=until)

    async def kick(self, member: MemberRef, *, reason: str = "") -> None:
        """Record the kick."""
        self._record("kick", member, reason)

    async def ban(self, member: MemberRef, *, reason: str = "", delete_days: int = 0) -> None:
        """Record the ban."""
        self._record("ban", member, reason, delete_days=delete_days)

    async def unban(self, community: CommunityRef, user: UserRef, *, reason: str = "") -> None:
        """Record the unban."""
        self._record("unban", user, reason)

    async def restrict(self, member: MemberRef, *, until: datetime | None = None) -> None:
        """Record the restriction."""
        self._record("restrict", member, until=until)

    async def unrestrict(self, member: MemberRef) -> None:
        """Record the lifted restriction."""
        self._record("unrestrict", member)

    async def add_role(self, member: MemberRef, role: str) -> None:
        """Record the role given."""
        self._record("add_role", member, role)

    async def remove_role(self, member: MemberRef, role: str) -> None:
        """Record the role taken."""
        self._record("remove_role", member, role)

    async def react(self, message: MessageRef, emoji: str) -> None:
        """Record the reaction."""
        self._record("react", message, emoji)

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """Members created with :meth:`member`, by name."""
        return self.members.get(text.lstrip("@"))

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """Every ``#name`` exists."""
        return self.channel(text.lstrip("#"))
