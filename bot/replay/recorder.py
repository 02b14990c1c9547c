"""The replay's platform: it touches nothing and records every action the bot would have taken."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.commands.spec import CommandSpec
from bot.events import ChannelRef, CommunityRef, Event, MemberRef, MessageRef, UserRef
from bot.platform import Button, Capability, EventSink, TimeoutRange


@dataclass
class Action:
    """One action the bot would have taken."""

    action: str
    at: datetime
    target: Any
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    cause: Event | None = None
    """The event being handled when the bot acted; None for a scheduled job."""


class RecordingPlatform:
    """A platform named like the exported one (so its rule-book overrides apply) that records.

    Channels and members are those the history names; a channel the bot asks for by a name the
    history never used (``mod-log``) exists anyway, so what the bot would post there is seen.
    """

    capabilities = frozenset(Capability)
    """What it records the bot doing: every action, unless given what the platform it plays
    can do (a Telegram history: no roles, no private answers)."""
    timeout_range = TimeoutRange(timedelta(seconds=30), timedelta(days=28))
    """The timeouts it takes as asked: Discord's, unless given those of the platform it plays."""
    message_ids = "replay-"
    """What the ids of the bot's own messages start with: none of the history's has it."""

    def __init__(
        self,
        name: str,
        clock: Any,
        *,
        capabilities: frozenset[Capability] | None = None,
        timeout_range: TimeoutRange | None = None,
    ) -> None:
        self.name = name
        if capabilities is not None:
            self.capabilities = capabilities
        if timeout_range is not None:
            self.timeout_range = timeout_range
        self.clock = clock
        self.actions: list[Action] = []
        self._channels: dict[tuple[CommunityRef, str], ChannelRef] = {}
        self._members: dict[tuple[CommunityRef, str], MemberRef] = {}
        self._next_id = 0
        self.synced: list[CommandSpec] = []
        self.cause_of: Callable[[], Event | None] = lambda: None

    def know_channel(self, channel: ChannelRef) -> None:
        """Remember a channel of the history, by id and by name."""
        for key in (channel.id, channel.name.lstrip("#")):
            self._channels.setdefault((channel.community, key.casefold()), channel)

    def know_member(self, member: MemberRef) -> None:
        """Remember a member of the history, by id and by name."""
        for key in (member.user.id, member.user.name):
            self._members.setdefault((member.community, key.casefold()), member)

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        self.actions.append(
            Action(action, self.clock.now(), target, text, details, self.cause_of())
        )

    async def start(self, sink: EventSink) -> None:
        """Nothing to connect to: the replay feeds the core itself."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def ready(self) -> None:
        """Nothing to connect to: ready at once."""

    async def sync_commands(self, specs: Sequence[CommandSpec]) -> None:
        """Remember what would have been published."""
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
        message = MessageRef(channel, f"{self.message_ids}{self._next_id}")
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
            content = await asyncio.to_thread(file.read_bytes)
            self._record("dm", user, text, file=file, content=content)

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """None: direct messages here need no start link."""
        return None

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

    async def member_count(self, community: CommunityRef) -> int | None:
        """None: a history does not tell how many members the group had."""
        return None

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """A member of the history, by id or name."""
        return self._members.get((community, text.lstrip("@").casefold()))

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """A channel of the history by id or name; any other name is a channel of its own."""
        key = text.lstrip("#").casefold()
        found = self._channels.get((community, key))
        if found is None:
            found = self._channels[(community, key)] = ChannelRef(community, key, f"#{key}")
        return found
