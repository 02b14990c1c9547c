"""Neutral references and events: what cogs see, whatever the platform.

References are small frozen dataclasses compared by identity (platform and ids); display names ride
along for rendering but take no part in equality. Events carry the native object in ``raw`` for
debugging only: cogs never read it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal


class _Ref:
    """Base of the references, compared and hashed by their ids.

    They key every cache on every event, and a platform builds new ones for each event: each
    reference keeps its ids as one flat tuple of strings, and that tuple's hash, both made once
    when it is built. Comparing two equal references is then one comparison of tuples, never a
    walk down their communities and channels.
    """

    __slots__ = ()
    _identity: tuple[str, ...]
    _hash: int

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._identity == other._identity

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Rebuilt from the fields given when built: string hashes change from one process to
        # the next, so the hash is never carried along, always made again.
        return (
            self.__class__,
            tuple(getattr(self, field.name) for field in fields(self) if field.init),  # type: ignore[arg-type]
        )


def _made(default: Any = None) -> Any:
    """A field the reference works out itself when it is built."""
    return field(default=default, init=False, repr=False, compare=False)


# Written out rather than generated: built on every event, each slot is written once.
_set = object.__setattr__


@dataclass(frozen=True, slots=True, eq=False, init=False)
class CommunityRef(_Ref):
    """A Discord server (guild) or a Telegram group: both are a *community*."""

    platform: str
    id: str
    name: str = field(default="", compare=False)
    key: str = _made("")
    """``<platform>-<id>``: the name of the community's override file in the rule book."""
    _identity: tuple[str, ...] = _made(())
    _hash: int = _made(0)

    def __init__(self, platform: str, id: str, name: str = "") -> None:
        _set(self, "platform", platform)
        _set(self, "id", id)
        _set(self, "name", name)
        # Asked for on every event (rule book, caches): written once.
        _set(self, "key", f"{platform}-{id}")
        identity = (platform, id)
        _set(self, "_identity", identity)
        _set(self, "_hash", hash(identity))


@dataclass(frozen=True, slots=True, eq=False, init=False)
class ChannelRef(_Ref):
    """A channel of a community (a Telegram forum topic is a channel too)."""

    community: CommunityRef
    id: str
    name: str = field(default="", compare=False)
    _identity: tuple[str, ...] = _made(())
    _hash: int = _made(0)

    def __init__(self, community: CommunityRef, id: str, name: str = "") -> None:
        _set(self, "community", community)
        _set(self, "id", id)
        _set(self, "name", name)
        identity = (*community._identity, id)
        _set(self, "_identity", identity)
        _set(self, "_hash", hash(identity))

    @property
    def platform(self) -> str:
        """The platform this channel lives on."""
        return self.community.platform


@dataclass(frozen=True, slots=True, eq=False, init=False)
class UserRef(_Ref):
    """A person (or bot) on a platform, independent of any community."""

    platform: str
    id: str
    name: str = field(default="", compare=False)
    is_bot: bool = field(default=False, compare=False)
    _identity: tuple[str, ...] = _made(())
    _hash: int = _made(0)

    def __init__(self, platform: str, id: str, name: str = "", is_bot: bool = False) -> None:
        _set(self, "platform", platform)
        _set(self, "id", id)
        _set(self, "name", name)
        _set(self, "is_bot", is_bot)
        identity = (platform, id)
        _set(self, "_identity", identity)
        _set(self, "_hash", hash(identity))


class Power(enum.Enum):
    """What a platform lets a member do to others, which the bot then does for them.

    A command that sanctions names the power it needs (``/ban`` needs :attr:`BAN`): the bot,
    acting with its own rights, does nothing for a moderator that the platform would not let
    do it themselves.
    """

    BAN = "ban"
    """Ban and unban (Discord: Ban Members; Telegram: ban users)."""
    KICK = "kick"
    """Remove a member who may come back (Discord: Kick Members; Telegram: ban users)."""
    TIMEOUT = "timeout"
    """Silence a member for a while, and lift it (Discord: Moderate Members; Telegram: ban
    users)."""
    DELETE = "delete"
    """Delete other members' messages where the command runs (Discord: Manage Messages in that
    channel; Telegram: delete messages)."""
    MANAGE = "manage"
    """Manage the community itself: its rule book, its members' data (Discord: Manage Server or
    Administrator; Telegram: the group's owner or an administrator who may change its info)."""


@dataclass(frozen=True, slots=True, eq=False, init=False)
class MemberRef(_Ref):
    """A user inside one community, with what the platform says of their standing there."""

    community: CommunityRef
    user: UserRef
    roles: frozenset[str] = field(default=frozenset(), compare=False)
    # True when the platform grants moderation rights across the whole community (Discord
    # server-wide permissions, Telegram chat administrator), never rights held in one channel
    # only. The rule book can add more moderators.
    platform_moderator: bool = field(default=False, compare=False)
    powers: frozenset[Power] | None = field(default=None, compare=False)
    """The powers the platform grants the member where the event happened; None where the
    platform does not say (the console, a replay): there every moderator holds them all."""
    _identity: tuple[str, ...] = _made(())
    _hash: int = _made(0)

    def __init__(
        self,
        community: CommunityRef,
        user: UserRef,
        roles: frozenset[str] = frozenset(),
        platform_moderator: bool = False,
        powers: frozenset[Power] | None = None,
    ) -> None:
        _set(self, "community", community)
        _set(self, "user", user)
        _set(self, "roles", roles)
        _set(self, "platform_moderator", platform_moderator)
        _set(self, "powers", powers)
        identity = (*community._identity, user.id)
        _set(self, "_identity", identity)
        _set(self, "_hash", hash(identity))

    @property
    def name(self) -> str:
        """The member's display name."""
        return self.user.name or self.user.id

    @property
    def platform(self) -> str:
        """The platform this member lives on."""
        return self.community.platform


@dataclass(frozen=True, slots=True, eq=False, init=False)
class MessageRef(_Ref):
    """A message in a channel."""

    channel: ChannelRef
    id: str
    community: CommunityRef = field(init=False, repr=False, compare=False)
    """The community the message was posted in (its channel's, kept at hand: asked for by
    every listener)."""
    _identity: tuple[str, ...] = _made(())
    _hash: int = _made(0)

    def __init__(self, channel: ChannelRef, id: str) -> None:
        _set(self, "channel", channel)
        _set(self, "id", id)
        _set(self, "community", channel.community)
        identity = (*channel._identity, id)
        _set(self, "_identity", identity)
        _set(self, "_hash", hash(identity))


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened on a platform, at ``at`` (timezone-aware UTC)."""

    at: datetime
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def community(self) -> CommunityRef:
        """The community the event happened in."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class MessageCreated(Event):
    """A member posted a message."""

    message: MessageRef
    author: MemberRef
    text: str
    reply_to: MessageRef | None = None
    reply_to_author: UserRef | None = None
    """Who wrote the message replied to, when the platform says (a Telegram reply carries it,
    a Discord reply when the message it answers was resolved, an export when that message is in
    the file): ``None`` when unknown, or for no reply."""
    mentions: tuple[UserRef, ...] = ()
    attachments: tuple[str, ...] = ()
    hidden_links: tuple[str, ...] = ()
    """Addresses the message links to without showing them in ``text``: a Telegram text link
    (words that lead elsewhere) or a link button."""
    group: str | None = None
    """Shared by messages posted as one (a Telegram album: one message per photo), so that what
    counts a member's messages counts them once: the netiquette's flood and duplicate limits and
    the reports' activity figures read it. ``None`` for a message posted on its own, and on
    Discord, which has no albums."""

    @property
    def community(self) -> CommunityRef:
        return self.message.community

    @property
    def channel(self) -> ChannelRef:
        """Where the message was posted."""
        return self.message.channel


@dataclass(frozen=True, kw_only=True)
class MessageEdited(Event):
    """A member edited one of their messages."""

    message: MessageRef
    author: MemberRef
    text: str
    mentions: tuple[UserRef, ...] = ()
    """The members the message mentions after the edit, as :attr:`MessageCreated.mentions`
    (those it mentioned before too): empty where the platform does not say."""
    hidden_links: tuple[str, ...] = ()
    """As :attr:`MessageCreated.hidden_links`, after the edit."""

    @property
    def community(self) -> CommunityRef:
        return self.message.community


@dataclass(frozen=True, kw_only=True)
class MessageDeleted(Event):
    """A message disappeared (deleted by its author, a moderator or the bot)."""

    message: MessageRef

    @property
    def community(self) -> CommunityRef:
        return self.message.community


@dataclass(frozen=True, kw_only=True)
class MemberJoined(Event):
    """Someone joined a community."""

    member: MemberRef

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class MemberLeft(Event):
    """Someone left (or was removed from) a community."""

    member: MemberRef

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class ReactionEvent(Event):
    """A reaction on a message changed (listen to this to hear both kinds)."""

    message: MessageRef
    member: MemberRef
    emoji: str

    @property
    def community(self) -> CommunityRef:
        return self.message.community


@dataclass(frozen=True, kw_only=True)
class ReactionAdded(ReactionEvent):
    """A member reacted to a message with an emoji."""


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(ReactionEvent):
    """A member took a reaction back."""


@dataclass(frozen=True, kw_only=True)
class CommandInvoked(Event):
    """A member ran a command.

    Text platforms fill ``args`` with what followed the command name; platforms with typed
    options (Discord slash commands) fill ``options`` with values already converted. ``private``:
    the member ran it in a private chat with the bot, opened by a start link for ``community``;
    ``channel`` is then that private chat, and only commands declared ``private`` run.
    """

    channel: ChannelRef
    member: MemberRef
    name: str
    args: str = ""
    options: Mapping[str, Any] | None = None
    message: MessageRef | None = None
    mentions: tuple[UserRef, ...] = ()
    private: bool = False

    @property
    def community(self) -> CommunityRef:
        return self.channel.community

    @property
    def typed(self) -> str:
        """The words the member typed after the command's name: ``args``, or the text options."""
        if self.options is None:
            return self.args
        return " ".join(value for value in self.options.values() if isinstance(value, str))


@dataclass(frozen=True, kw_only=True)
class ButtonPressed(Event):
    """A member pressed a button the bot had attached to a message."""

    channel: ChannelRef
    member: MemberRef
    message: MessageRef
    button_id: str

    @property
    def community(self) -> CommunityRef:
        return self.channel.community


# -- events cogs tell each other, through the bus (a cog never imports another cog) -------------


@dataclass(frozen=True, kw_only=True)
class CommunitySeen(Event):
    """The first event from a community since the bot started (published by the core, before
    that event): the moment to schedule the community's recurring jobs, rather than asking on
    every message."""

    seen: CommunityRef

    @property
    def community(self) -> CommunityRef:
        return self.seen


@dataclass(frozen=True, kw_only=True)
class MemberIntroduced(Event):
    """A newcomer introduced themselves (published by the welcome cog)."""

    member: MemberRef
    message: MessageRef

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class ContestWon(Event):
    """A member won a contest, challenge or giveaway (published by the contests cog).

    ``kind`` says what was won: ``contest`` (a contest or challenge, won with an entry) or
    ``giveaway`` (a place drawn at random among those who pressed to enter: luck, no work).
    """

    member: MemberRef
    contest_id: str
    title: str
    rank: int = 1
    kind: Literal["contest", "giveaway"] = "contest"

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class ReactionVoted(Event):
    """A reaction a cog took as a vote or an entry, not as a feeling: the vote emoji on a
    suggestion or a contest entry, the giveaway emoji on its giveaway (published by the
    suggestions and contests cogs while they handle ``reaction``, so before any observer of
    it)."""

    reaction: ReactionAdded

    @property
    def community(self) -> CommunityRef:
        return self.reaction.community


@dataclass(frozen=True, kw_only=True)
class ModerationRecorded(Event):
    """A moderation case was recorded (published by the netiquette cog).

    ``rule`` is the automod rule that fired, or None for a moderator's command; ``action`` says
    what was done (``delete, warn``, ``timeout``, ``note`` …); ``matched`` what the rule's trigger
    found, in the community's words (``match_words: word “idiot”``).
    """

    member: MemberRef
    case_id: int
    action: str
    rule: str | None = None
    moderator: MemberRef | None = None
    matched: str = ""

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class ModerationPardoned(Event):
    """A moderator pardoned a case (published by the netiquette cog).

    ``action`` and ``recorded_at`` are the case's, as ``ModerationRecorded`` told them: a count by
    day takes it back from the right day.
    """

    member: MemberRef
    case_id: int
    action: str
    recorded_at: datetime

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class ModerationLifted(Event):
    """A sanction is no longer in force without a moderator's lift (published by the netiquette
    cog): a timed one ran out and the bot lifted it on time, or a ban the case recorded turned out
    refused by the platform while no other ban of the member goes on, or a moderator's /unban
    found the ban on record already lifted on the platform (its ``unban`` case is recorded too).

    ``action`` is what ended (``ban``, ``timeout``), ``case_id`` the case that imposed it. No
    case is recorded for it, unlike a moderator's /unban (``ModerationRecorded``, ``unban``):
    counts of moderation have nothing to add, but who left banned voters out counts them again.
    """

    member: MemberRef
    case_id: int
    action: str

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class DryRunMatched(Event):
    """A rule on trial (``dry_run``) matched; nothing was done but the mod-log line (published
    by the netiquette cog).

    ``action`` says what the rule would have done (``delete, warn``); ``matched`` what its trigger
    found; ``message`` is the message it matched, if it matched one.
    """

    member: MemberRef
    rule: str
    action: str
    matched: str = ""
    message: MessageRef | None = None

    @property
    def community(self) -> CommunityRef:
        return self.member.community


@dataclass(frozen=True, kw_only=True)
class ContestClosed(Event):
    """A contest or challenge closed with its results (published by the contests cog)."""

    channel: ChannelRef
    contest_id: str
    title: str
    entries: int
    votes: int

    @property
    def community(self) -> CommunityRef:
        return self.channel.community


@dataclass(frozen=True, kw_only=True)
class MessageScored(Event):
    """The toxicity model scored a message (published by the netiquette cog when it is on).

    ``scores`` maps each label (``toxicity``, ``insult`` …) to a probability in [0, 1].
    """

    message: MessageRef
    author: MemberRef
    scores: Mapping[str, float]

    @property
    def community(self) -> CommunityRef:
        return self.message.community
