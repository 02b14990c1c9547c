"""A platform that records every action, so tests read as a conversation (errbot/maubot style)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef, UserRef
from bot.platform import Capability, EventSink, PlatformError, TimeoutRange
from bot.replay.recorder import RecordingPlatform


@dataclass
class Recorded:
    """One action the bot took."""

    action: str
    target: Any
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class FakePlatform(RecordingPlatform):
    """The replay's recorder with a community of its own, members made on demand, and
    ``refuse``: an action named there fails with a PlatformError, as on a platform (the refusal's
    text key and values: ``refuse["dm"] = ("no_direct_messages", {"target": "alice"})``).
    With ``start_links``, ``start_link`` gives a link as Telegram's does (a plain
    ``start:<command>:<community>`` text); only that: its ``capabilities`` stay those given (all,
    PRIVATE_ANSWERS and ROLES included, unless told), and its ``timeout_range`` is Discord's
    unless given. A test of Telegram's ways takes away what Telegram cannot do."""

    message_ids = ""

    def __init__(
        self,
        name: str = "fake",
        capabilities: frozenset[Capability] = frozenset(Capability),
        *,
        timeout_range: TimeoutRange | None = None,
    ) -> None:
        super().__init__(name, clock=None, timeout_range=timeout_range)
        self.capabilities = capabilities
        self.community = CommunityRef(name, "c1", "Garden")
        self.actions: list[Recorded] = []  # type: ignore[assignment]
        self.refuse: dict[str, tuple[str, dict[str, str | int]]] = {}
        self.members: dict[str, MemberRef] = {}
        self.start_links = False
        self.member_total: int | None = None
        """What ``member_count`` answers: the platform's own count of members (None: unknown)."""
        self._next_id = 1000

    # -- building events ---------------------------------------------------------------------

    def channel(self, name: str = "general") -> ChannelRef:
        """A channel of the fake community."""
        return ChannelRef(self.community, name, f"#{name}")

    def next_message_ref(self, channel: ChannelRef) -> MessageRef:
        """The reference the bot's next message gets if it is sent in ``channel`` (the ids
        count across channels): to act on a message before the bot has posted it."""
        return MessageRef(channel, f"{self.message_ids}{self._next_id + 1}")

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

    # -- what differs from the replay's recorder ----------------------------------------------

    def _record(self, action: str, target: Any, text: str = "", **details: Any) -> None:
        if action in self.refuse:
            key, values = self.refuse[action]
            raise PlatformError(action, key, community=self.community, **values)
        self.actions.append(Recorded(action, target, text, details))

    async def start(self, sink: EventSink) -> None:
        """Nothing to connect to: tests feed events to the core directly."""

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """``start:<command>:<community>`` with ``start_links``, else None."""
        return f"start:{command}:{community.id}" if self.start_links else None

    async def member_count(self, community: CommunityRef) -> int | None:
        """:attr:`member_total`, as tests set it."""
        return self.member_total

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """Members created with :meth:`member`, by name."""
        return self.members.get(text.lstrip("@"))

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """Every ``#name`` exists."""
        return self.channel(text.lstrip("#"))
