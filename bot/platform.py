"""The ``Platform`` protocol: everything a cog can do, whatever the platform.

An adapter declares the capabilities it has; an action it lacks (Telegram has no roles) is skipped
and logged by the core, never a crash. Every outgoing text is sent with mentions disabled, except
the members a cog names in ``mention``.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from bot.events import ChannelRef, CommunityRef, Event, MemberRef, MessageRef, UserRef

if TYPE_CHECKING:
    from bot.commands.spec import CommandSpec


class Capability(enum.Enum):
    """An action a platform may or may not be able to perform."""

    SEND = "send"
    DM = "dm"
    DELETE = "delete"
    TIMEOUT = "timeout"
    KICK = "kick"
    BAN = "ban"
    UNBAN = "unban"
    ROLES = "roles"
    REACT = "react"
    BUTTONS = "buttons"
    FILES = "files"
    RESTRICT = "restrict"
    MEMBER_COUNT = "member_count"
    """The platform tells how many members a community has (:meth:`Platform.member_count`)."""
    PRIVATE_ANSWERS = "private_answers"
    """An answer for one member (``private_to``) is seen by them alone, wherever they are: a
    Discord ephemeral reply, a line of the console. Telegram's may land in the group, for a
    member who has not started the bot."""


@dataclass(frozen=True)
class Button:
    """A button under a message; pressing it produces a ``ButtonPressed`` with ``id``."""

    id: str
    label: str


PASSING_REFUSALS = frozenset(
    {"rate_limited", "server_error", "unreachable", "no_answer", "closing"}
)
"""Refusals that say nothing of the act itself: asked again later, the platform may well do it."""

UNCLEAR_REFUSALS = PASSING_REFUSALS - {"rate_limited", "closing"}
"""Passing refusals that leave it unclear whether the act was done: the platform answered late or
not at all (``no_answer``, ``server_error``, ``unreachable``), and may have done it. A rate limit
or a bot closing says the act was not sent."""

MOOT_REFUSALS = frozenset({"not_banned", "member_gone", "unknown_member"})
"""Refusals of a lift (unban, untimeout, unrestrict) that leave nothing to lift: the member is
not banned, or no longer here. A cog answers them itself; the mod-log is not told."""


class PlatformError(Exception):
    """A platform refused or failed an action (missing permission, unknown target, rate limit).

    ``key`` names the core text that says why, in the community's language
    (``texts.<locale>.refusals``), and ``values`` fill its placeholders: a community manager can
    act on it ("I lack the Manage Messages permission in #general"). The core writes it, logs it
    and reports it once to the mod-log. ``action`` is what the bot was doing (``delete``): the
    texts name it in words (``texts.<locale>.platform_actions``), and a ``permission`` value is
    named as the platform's settings show it (``texts.<locale>.permissions``).
    """

    def __init__(
        self,
        action: str,
        key: str,
        /,
        *,
        community: CommunityRef | None = None,
        **values: str | int,
    ) -> None:
        shown = ", ".join(f"{name}={value!r}" for name, value in values.items())
        super().__init__(f"{action}: {key}" + (f" ({shown})" if shown else ""))
        self.action = action
        self.key = key
        self.values = values
        self.community = community

    def with_values(self, **values: str | int) -> PlatformError:
        """The same refusal with some values replaced (a secret scrubbed from a detail)."""
        return type(self)(
            self.action, self.key, community=self.community, **{**self.values, **values}
        )


class TimeoutRange(NamedTuple):
    """The shortest and the longest timeout a platform carries out as asked."""

    least: timedelta
    most: timedelta

    def clamp(self, length: timedelta) -> timedelta:
        """How long a timeout asked for ``length`` lasts on the platform: a shorter one is
        lengthened to :attr:`least`, a longer one shortened to :attr:`most`."""
        return min(max(length, self.least), self.most)


class MissingCapabilityError(PlatformError):
    """The platform cannot do this at all (e.g. roles on Telegram)."""


EventSink = Callable[[Event], Awaitable[None]]


@runtime_checkable
class Platform(Protocol):
    """What an adapter (Discord, Telegram, console) provides to the core."""

    name: str
    capabilities: frozenset[Capability]
    timeout_range: TimeoutRange
    """The timeouts the platform carries out as asked (Discord's 30 seconds to 28 days,
    Telegram's 40 seconds to 365 days): :meth:`timeout` brings any other length within it. A
    moderator's ``/timeout`` outside it is refused; a rule's or a ladder step's is given the
    length the platform allows, and the mod-log says so."""

    async def start(self, sink: EventSink) -> None:
        """Connect and feed every neutral event to ``sink`` until ``stop`` (or end of input)."""

    async def stop(self) -> None:
        """Disconnect cleanly."""

    async def ready(self) -> None:
        """Return once :meth:`start` has connected and the platform can act (its servers or
        groups known); at once where there is nothing to connect to."""

    async def sync_commands(self, specs: Sequence[CommandSpec]) -> None:
        """Publish the commands (slash commands, Telegram command menus)."""

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
        """Post ``text``; only the users in ``mention`` may be pinged.

        ``private_to`` asks for an answer only that member sees (a Discord ephemeral reply); a
        platform without such answers sends it where that member alone sees it if it can
        (Telegram: the notice of the button they pressed, or a private message), else to the
        channel. The reference returned may then name no message of the channel.
        """

    async def dm(
        self,
        user: UserRef,
        text: str,
        *,
        community: CommunityRef | None = None,
        file: Path | None = None,
    ) -> None:
        """Send a direct message (with ``file`` attached); a platform error if the user does not
        accept them."""

    def start_link(self, community: CommunityRef, command: str) -> str | None:
        """A link that opens a private chat with the bot and runs ``command`` there for
        ``community``, where a bot may write privately only to members who started it
        (Telegram); None where direct messages need no such step."""

    async def delete(self, message: MessageRef) -> None:
        """Delete a message."""

    async def delete_many(self, messages: Sequence[MessageRef]) -> None:
        """Delete several messages (a purge), in bulk where the platform allows it.

        Every message is tried; should some stay, one refusal says so at the end, its
        ``not_deleted`` value counting them (those already gone count as deleted)."""

    async def timeout(self, member: MemberRef, until: datetime, *, reason: str = "") -> None:
        """Silence a member until ``until``, a length kept within :attr:`timeout_range`."""

    async def kick(self, member: MemberRef, *, reason: str = "") -> None:
        """Remove a member who may come back."""

    async def ban(self, member: MemberRef, *, reason: str = "", delete_days: int = 0) -> None:
        """Remove a member for good."""

    async def unban(self, community: CommunityRef, user: UserRef, *, reason: str = "") -> None:
        """Lift a ban."""

    async def restrict(self, member: MemberRef, *, until: datetime | None = None) -> None:
        """Keep a member from posting (until ``until``, or until ``unrestrict``)."""

    async def unrestrict(self, member: MemberRef) -> None:
        """Let a restricted member post again."""

    async def add_role(self, member: MemberRef, role: str) -> None:
        """Give a member a role by name."""

    async def remove_role(self, member: MemberRef, role: str) -> None:
        """Take a role back."""

    async def react(self, message: MessageRef, emoji: str) -> None:
        """React to a message with an emoji."""

    async def member_count(self, community: CommunityRef) -> int | None:
        """How many members ``community`` has, as the platform counts them (its own count, not
        the members the bot has seen); None when the platform cannot tell now. Cheap to call
        at every join: a count the platform must be asked for is asked at most every few
        minutes, and kept up to date meanwhile with the joins and departures the bot hears."""

    async def resolve_member(self, community: CommunityRef, text: str) -> MemberRef | None:
        """Find a member from what a person typed: a mention or a name; None when the platform
        knows no such member. A platform that could not be asked (a server error, a rate limit)
        raises :class:`PlatformError` instead: the member is not said to be missing."""

    async def resolve_channel(self, community: CommunityRef, text: str) -> ChannelRef | None:
        """Find a channel from what a person typed: ``#name``, a mention or an id."""


@runtime_checkable
class KeepsMemberData(Protocol):
    """A platform that keeps something of its own about members (Telegram: who started the
    bot, whom it holds at the charter gate): it answers for it in /mydata and /forget_member as
    a cog does, under its name (a method pair, nothing to import; one without keeps nothing)."""

    async def export_member_data(self, community: CommunityRef, user: UserRef) -> dict[str, Any]:
        """What the platform keeps about ``user`` for ``community``; empty when nothing."""

    async def erase_member_data(self, community: CommunityRef, user: UserRef) -> None:
        """Forget what the platform keeps about ``user`` for ``community``."""
