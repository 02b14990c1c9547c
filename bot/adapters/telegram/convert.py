"""Telegram updates turned into neutral events: pure functions, tested on recorded payloads.

A group or supergroup is a community (``CommunityRef("telegram", str(chat_id))``) and its main
thread a channel with the same id; a forum topic is a channel ``"<chat_id>:<thread_id>"``. What the
conversion needs to know beyond the update itself (the bot's own identity, the chat's
administrators, usernames and topics seen before) comes in as arguments, so these functions never
touch the network.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    MessageReactionUpdated,
    ReactionType,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    ReactionTypePaid,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType

from bot.adapters.telegram.administrators import AdministratorPowers, administrator_of
from bot.commands.spec import TYPED_NAME, folded
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    Event,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageEdited,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)

PLATFORM = "telegram"
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
_IN_CHAT = frozenset(
    {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)
_ADMINISTRATORS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
_COMMAND = re.compile(rf"/({TYPED_NAME})(?:@([A-Za-z0-9_]{{1,64}}))?(?=\s|$)")
_CHANNEL_ID = re.compile(r"^(-?\d{1,20})(?::(\d{1,20}))?$")
# People have positive ids, chats negative ones: a post sent as a channel (or by an anonymous
# administrator, as the group) has a chat for its author.
_USER_ID = re.compile(r"^\d{1,20}$")
_SENDER_ID = re.compile(r"^-?\d{1,20}$")
PAID_STAR = "⭐"
"""A paid reaction (Telegram Stars), as the members see it: a star, not a word."""


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is: commands addressed to another bot are not run, its own updates ignored."""

    id: int
    username: str


class Lookups(Protocol):
    """What the adapter remembers from earlier updates."""

    def user_by_username(self, username: str) -> UserRef | None:
        """The user who had ``@username`` (without the ``@``), if seen."""
        ...

    def knows_sender(self, sender_id: str) -> bool:
        """Whether a user (or a chat posting as itself) with this id was seen."""
        ...

    def thread_of(self, chat_id: int, message_id: int) -> int | None:
        """The forum topic a message was posted in, if known."""
        ...

    def topic_name(self, chat_id: int, thread_id: int) -> str | None:
        """The name of a forum topic, if known."""
        ...


class NoLookups:
    """Remembers nothing: conversion from the update alone."""

    def user_by_username(self, username: str) -> UserRef | None:
        """Nobody is known."""
        return None

    def knows_sender(self, sender_id: str) -> bool:
        """Nobody is known."""
        return False

    def thread_of(self, chat_id: int, message_id: int) -> int | None:
        """No message is known."""
        return None

    def topic_name(self, chat_id: int, thread_id: int) -> str | None:
        """No topic is known."""
        return None


# -- references ---------------------------------------------------------------------------------


def community_of(chat: Chat) -> CommunityRef:
    """The community of a group or supergroup."""
    return CommunityRef(PLATFORM, str(chat.id), chat.title or "")


def channel_id(chat_id: int, thread_id: int | None = None) -> str:
    """The neutral channel id of a chat, or of one of its forum topics."""
    return str(chat_id) if thread_id is None else f"{chat_id}:{thread_id}"


def parse_channel_id(value: str) -> tuple[int, int | None]:
    """``"-100123"`` → ``(-100123, None)``; ``"-100123:7"`` → ``(-100123, 7)``.

    Raises ``ValueError`` for anything else.
    """
    match = _CHANNEL_ID.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value[:40]!r} is not a Telegram chat id")
    return int(match[1]), int(match[2]) if match[2] else None


def parse_user_id(value: str) -> int:
    """A Telegram user id (a person's) from its neutral form; ``ValueError`` if it is not one,
    a chat's id included."""
    if not _USER_ID.fullmatch(value.strip()):
        raise ValueError(f"{value[:40]!r} is not a Telegram user id")
    return int(value)


def parse_sender_id(value: str) -> int:
    """The id of a message's author from its neutral form: a user (positive) or a chat posting as
    itself (negative); ``ValueError`` for anything else."""
    if not _SENDER_ID.fullmatch(value.strip()):
        raise ValueError(f"{value[:40]!r} is not a Telegram user or chat id")
    return int(value)


def is_chat_id(sender_id: int) -> bool:
    """Whether a sender id is a chat's (a channel, or the group itself), not a person's."""
    return sender_id < 0


def user_ref(user: User) -> UserRef:
    """The neutral form of a Telegram user."""
    return UserRef(PLATFORM, str(user.id), user.full_name, user.is_bot)


def member_ref(
    community: CommunityRef, user: User, administrators: AdministratorPowers | None = None
) -> MemberRef:
    """A user inside a group; chat administrators are platform moderators, with the powers
    their rights give (a member who is no administrator holds none)."""
    administrators = administrators or {}
    return MemberRef(
        community,
        user_ref(user),
        platform_moderator=user.id in administrators,
        powers=administrators.get(user.id, frozenset()),
    )


def is_in_chat(member: ChatMember) -> bool:
    """Whether a chat member's status means they are in the chat."""
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _IN_CHAT


def is_administrator(member: ChatMember) -> bool:
    """Whether a chat member is the owner or an administrator."""
    return member.status in _ADMINISTRATORS


def message_channel(message: Message, lookups: Lookups | None = None) -> ChannelRef:
    """The channel a message lives in: its forum topic, or the group itself."""
    chat = message.chat
    thread = message.message_thread_id if message.is_topic_message else None
    if thread is None:
        return ChannelRef(community_of(chat), str(chat.id), chat.title or "")
    name = (
        topic_name_told(message)
        or (lookups or NoLookups()).topic_name(chat.id, thread)
        or topic_name_in(message)
        or ""
    )
    return ChannelRef(community_of(chat), channel_id(chat.id, thread), name)


def topic_name_in(message: Message) -> str | None:
    """The name of the message's forum topic when the message, or the one it replies to,
    carries it.

    Every message in a topic arrives as a reply to the topic's creation message, which holds the
    name the topic was created with, the same after a rename: only a topic not known otherwise
    takes it (:func:`topic_name_told`).
    """
    for source in (message, message.reply_to_message):
        if source is not None and (name := topic_name_told(source)):
            return name
    return None


def topic_name_told(message: Message) -> str | None:
    """The name of a forum topic a message creates or renames it to (``forum_topic_edited``)."""
    if message.forum_topic_edited is not None and message.forum_topic_edited.name:
        return message.forum_topic_edited.name
    if message.forum_topic_created is not None:
        return message.forum_topic_created.name
    return None


# -- updates --------------------------------------------------------------------------------------


def convert_update(
    update: Update,
    *,
    bot: BotIdentity,
    administrators: AdministratorPowers | None = None,
    lookups: Lookups | None = None,
    commands: Collection[str] | None = None,
    reply_targets: Collection[str] = (),
    now: datetime | None = None,
) -> list[Event]:
    """The neutral events an update means (often one, sometimes none or several).

    ``administrators`` are the powers of the chat's administrators by sender id. ``commands``
    are the names of the commands the bot knows: an unknown ``/command`` not addressed to this
    bot by name is an ordinary message (another bot's business), one addressed as
    ``/name@thisbot`` is always a command. ``reply_targets`` are the commands whose first option
    is a member: sent as a reply, they aim at the replied message's author. ``now`` dates the
    updates that carry no date (button presses).
    """
    lookups = lookups or NoLookups()
    administrators = administrators or {}
    if update.message is not None:
        return _from_message(update.message, bot, administrators, lookups, commands, reply_targets)
    if update.edited_message is not None:
        return _from_edit(update.edited_message, bot, administrators, lookups)
    if update.chat_member is not None:
        return _from_chat_member(update.chat_member, bot)
    if update.message_reaction is not None:
        return _from_reaction(update.message_reaction, bot, administrators, lookups)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, administrators, lookups, now)
    return []


def _is_group(chat: Chat) -> bool:
    return chat.type in GROUP_TYPES


def _author(
    message: Message, community: CommunityRef, administrators: AdministratorPowers
) -> MemberRef | None:
    sender_chat = message.sender_chat
    if sender_chat is not None:
        if sender_chat.id == message.chat.id:
            # An administrator posting anonymously, as the group itself: which one, Telegram
            # does not say, so only the powers every anonymous administrator holds.
            user = UserRef(PLATFORM, str(sender_chat.id), sender_chat.title or "")
            powers = administrators.get(sender_chat.id, frozenset())
            return MemberRef(community, user, platform_moderator=True, powers=powers)
        # A member posting as one of their channels.
        return MemberRef(
            community,
            UserRef(PLATFORM, str(sender_chat.id), sender_chat.title or ""),
            powers=frozenset(),
        )
    if message.from_user is None:
        return None
    return member_ref(community, message.from_user, administrators)


def _from_message(
    message: Message,
    bot: BotIdentity,
    administrators: AdministratorPowers,
    lookups: Lookups,
    commands: Collection[str] | None,
    reply_targets: Collection[str],
) -> list[Event]:
    if not _is_group(message.chat) or message.is_automatic_forward:
        return []
    community = community_of(message.chat)
    if message.new_chat_members or message.left_chat_member:
        return _membership_service_message(message, community, bot, administrators)
    if message.from_user is not None and message.from_user.id == bot.id:
        return []
    author = _author(message, community, administrators)
    text = message.text or message.caption or _shown_text(message)
    attachments = _attachments(message)
    if author is None or (not text and not attachments):
        return []  # a service message (pinned, topic created, …): no member said anything
    channel = message_channel(message, lookups)
    ref = MessageRef(channel, str(message.message_id))
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    mentions = _mentions(entities, lookups)
    reply_to = _reply_to(message, channel)
    if message.text and (command := _COMMAND.match(message.text)):
        # The menus hold the declared names; a member may type them accented (/débannir).
        name, key, addressee = command[1].lower(), folded(command[1]), command[2]
        addressed_here = addressee is not None and addressee.lower() == bot.username.lower()
        known = commands is None or key in commands
        if addressed_here or (addressee is None and known):
            args = _arguments(message.text, command.end(), entities)
            replied = message.reply_to_message if reply_to is not None else None
            target = (
                _reply_target(replied, community, administrators)
                if replied is not None and key in reply_targets
                else None
            )
            if target is not None and not _starts_with_member(args, mentions, lookups):
                args = f"{target.id} {args}".strip()
                mentions = (target, *(user for user in mentions if user != target))
            return [
                CommandInvoked(
                    at=message.date,
                    channel=channel,
                    member=author,
                    name=name,
                    args=args,
                    options=None,
                    message=ref,
                    mentions=mentions,
                    raw=message,
                )
            ]
    return [
        MessageCreated(
            at=message.date,
            message=ref,
            author=author,
            text=text,
            reply_to=reply_to,
            reply_to_author=_replied_author(message, reply_to, community, administrators),
            mentions=mentions,
            attachments=attachments,
            hidden_links=_hidden_links(message, entities),
            group=message.media_group_id,
            raw=message,
        )
    ]


def _reply_target(
    replied: Message, community: CommunityRef, administrators: AdministratorPowers
) -> UserRef | None:
    """Whom a member command sent as a reply to ``replied`` aims at, if anyone."""
    # "Alice added CryptoBot Deals" is sent by Alice: a /ban in reply to it means the member it
    # is about. Of several added at once none is meant more than another: the moderator names
    # one (the command then asks for the member it lacks).
    if replied.new_chat_members:
        added = replied.new_chat_members
        return user_ref(added[0]) if len(added) == 1 else None
    if replied.left_chat_member is not None:
        return user_ref(replied.left_chat_member)
    # The replied message's author as its own events name it: a channel that posted it, not
    # the placeholder user Telegram puts in ``from`` for every such post.
    author = _author(replied, community, administrators)
    return author.user if author is not None else None


def _membership_service_message(
    message: Message,
    community: CommunityRef,
    bot: BotIdentity,
    administrators: AdministratorPowers,
) -> list[Event]:
    events: list[Event] = []
    for user in message.new_chat_members:
        if user.id != bot.id:
            member = member_ref(community, user, administrators)
            events.append(MemberJoined(at=message.date, member=member, raw=message))
    left = message.left_chat_member
    if left is not None and left.id != bot.id:
        member = member_ref(community, left, administrators)
        events.append(MemberLeft(at=message.date, member=member, raw=message))
    return events


def _from_edit(
    message: Message, bot: BotIdentity, administrators: AdministratorPowers, lookups: Lookups
) -> list[Event]:
    # A channel post edited in its channel is edited in the discussion group's copy too: the
    # copy was never moderated, its edit is not either.
    if not _is_group(message.chat) or message.is_automatic_forward:
        return []
    if message.from_user is not None and message.from_user.id == bot.id:
        return []
    community = community_of(message.chat)
    author = _author(message, community, administrators)
    text = message.text or message.caption or ""
    if author is None or not text:
        return []
    channel = message_channel(message, lookups)
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    return [
        MessageEdited(
            at=message.edit_date or message.date,
            message=MessageRef(channel, str(message.message_id)),
            author=author,
            text=text,
            mentions=_mentions(entities, lookups),
            hidden_links=_hidden_links(message, entities),
            raw=message,
        )
    ]


def _from_chat_member(change: ChatMemberUpdated, bot: BotIdentity) -> list[Event]:
    if not _is_group(change.chat):
        return []
    user = change.new_chat_member.user
    if user.id == bot.id:
        return []
    was_in, is_in = is_in_chat(change.old_chat_member), is_in_chat(change.new_chat_member)
    if was_in == is_in:
        return []  # promoted, restricted, …: not a join or a departure
    community = community_of(change.chat)
    standing = administrator_of(change.new_chat_member)
    member = MemberRef(
        community,
        user_ref(user),
        platform_moderator=standing is not None,
        powers=frozenset() if standing is None else standing.powers,
    )
    if is_in:
        return [MemberJoined(at=change.date, member=member, raw=change)]
    return [MemberLeft(at=change.date, member=member, raw=change)]


def _from_reaction(
    reaction: MessageReactionUpdated,
    bot: BotIdentity,
    administrators: AdministratorPowers,
    lookups: Lookups,
) -> list[Event]:
    chat = reaction.chat
    if not _is_group(chat) or reaction.user is None or reaction.user.id == bot.id:
        return []  # anonymous reactions (as a channel) name nobody
    community = community_of(chat)
    thread = lookups.thread_of(chat.id, reaction.message_id)
    # A reaction does not say which topic its message is in: the message, seen before, does.
    name = chat.title or "" if thread is None else lookups.topic_name(chat.id, thread) or ""
    channel = ChannelRef(community, channel_id(chat.id, thread), name)
    message = MessageRef(channel, str(reaction.message_id))
    member = member_ref(community, reaction.user, administrators)
    before = _emojis(reaction.old_reaction)
    after = _emojis(reaction.new_reaction)
    events: list[Event] = [
        ReactionRemoved(
            at=reaction.date, message=message, member=member, emoji=emoji, raw=reaction
        )
        for emoji in before
        if emoji not in after
    ]
    events.extend(
        ReactionAdded(at=reaction.date, message=message, member=member, emoji=emoji, raw=reaction)
        for emoji in after
        if emoji not in before
    )
    return events


def _from_callback(
    query: CallbackQuery,
    administrators: AdministratorPowers,
    lookups: Lookups,
    now: datetime | None,
) -> list[Event]:
    message = query.message
    if message is None or query.data is None or not _is_group(message.chat):
        return []
    if isinstance(message, Message):
        channel = message_channel(message, lookups)
    else:  # too old to be shown: only its chat and id are left
        chat = message.chat
        thread = lookups.thread_of(chat.id, message.message_id)
        name = chat.title or "" if thread is None else lookups.topic_name(chat.id, thread) or ""
        channel = ChannelRef(community_of(chat), channel_id(chat.id, thread), name)
    member = member_ref(channel.community, query.from_user, administrators)
    return [
        ButtonPressed(
            at=now or datetime.now(UTC),
            channel=channel,
            member=member,
            message=MessageRef(channel, str(message.message_id)),
            button_id=query.data,
            raw=query,
        )
    ]


# -- message details ------------------------------------------------------------------------------


def _reply_to(message: Message, channel: ChannelRef) -> MessageRef | None:
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return None
    if replied.message_id == message.message_thread_id and (
        message.is_topic_message or replied.is_automatic_forward
    ):
        # Every message in a forum topic "replies" to the topic itself, and every comment in a
        # channel's discussion group to the channel's post it comments on.
        return None
    return MessageRef(channel, str(replied.message_id))


def _replied_author(
    message: Message,
    reply_to: MessageRef | None,
    community: CommunityRef,
    administrators: AdministratorPowers,
) -> UserRef | None:
    """Who wrote the message ``message`` replies to, as that message's own event names them:
    Telegram sends it along with the reply, however old it is."""
    replied = message.reply_to_message
    if reply_to is None or replied is None:
        return None
    author = _author(replied, community, administrators)
    return author.user if author is not None else None


def _ordered(entities: Mapping[MessageEntity, str]) -> list[tuple[MessageEntity, str]]:
    return sorted(entities.items(), key=lambda item: item[0].offset)


def _mentions(entities: Mapping[MessageEntity, str], lookups: Lookups) -> tuple[UserRef, ...]:
    found: dict[str, UserRef] = {}
    for entity, text in _ordered(entities):
        user: UserRef | None = None
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user is not None:
            user = user_ref(entity.user)
        elif entity.type == MessageEntityType.MENTION:
            user = lookups.user_by_username(text.removeprefix("@"))
        if user is not None:
            found.setdefault(user.id, user)
    return tuple(found.values())


def _utf16_index(text: str, offset: int) -> int:
    """The Python index of a UTF-16 offset (Telegram counts entity offsets in UTF-16 units)."""
    units = 0
    for index, character in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(character) > 0xFFFF else 1
    return len(text)


def _arguments(text: str, start: int, entities: Mapping[MessageEntity, str]) -> str:
    # A mention of a member without a username is a span of their display name (which may have
    # spaces): it reaches the command as their id, which the core matches against the mentions.
    pieces: list[str] = []
    cursor = start
    for entity, _ in _ordered(entities):
        if entity.type != MessageEntityType.TEXT_MENTION or entity.user is None:
            continue
        begin = _utf16_index(text, entity.offset)
        end = _utf16_index(text, entity.offset + entity.length)
        if begin < cursor:
            continue
        pieces.extend((text[cursor:begin], str(entity.user.id)))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces).strip()


def _starts_with_member(args: str, mentions: Collection[UserRef], lookups: Lookups) -> bool:
    """Whether a command's arguments open by naming a member: then a reply does not name one.

    Only a member the bot can tell counts: in "/warn 3 times now" or "/warn @nobody spam" sent as
    a reply, the first word is the start of the reason, and the replied member is the one meant.
    """
    first = args.split(maxsplit=1)[0] if args.strip() else ""
    if first.startswith("@"):
        return lookups.user_by_username(first.removeprefix("@")) is not None
    if not _SENDER_ID.fullmatch(first):
        return False
    return any(user.id == first for user in mentions) or lookups.knows_sender(first)


def _hidden_links(message: Message, entities: Mapping[MessageEntity, str]) -> tuple[str, ...]:
    """The addresses behind text links and link buttons: a spammer's favourite hiding place."""
    links = [
        entity.url
        for entity, _ in _ordered(entities)
        if entity.type == MessageEntityType.TEXT_LINK and entity.url
    ]
    markup = message.reply_markup
    if markup is not None:
        links += [button.url for row in markup.inline_keyboard for button in row if button.url]
    return tuple(dict.fromkeys(links))


def _shown_text(message: Message) -> str:
    """The words a message without text or caption shows: a poll's question and answers, a
    checklist's title and tasks, a venue's name and address (one per line)."""
    lines: list[str] = []
    if message.poll is not None:
        poll = message.poll
        lines = [poll.question, *(option.text for option in poll.options)]
        if poll.explanation:
            lines.append(poll.explanation)
    elif message.checklist is not None:
        lines = [message.checklist.title, *(task.text for task in message.checklist.tasks)]
    elif message.venue is not None:
        lines = [message.venue.title, message.venue.address]
    return "\n".join(line for line in lines if line)


def _attachments(message: Message) -> tuple[str, ...]:
    kinds: Iterable[tuple[str, object]] = (
        ("document", message.document),
        ("photo", message.photo or None),
        ("video", message.video),
        ("animation", message.animation),
        ("audio", message.audio),
        ("voice", message.voice),
        ("video_note", message.video_note),
        ("sticker", message.sticker),
        ("paid_media", message.paid_media),
        # What carries no file is no less a message: a dice flood is a flood.
        ("dice", message.dice),
        ("poll", message.poll),
        ("checklist", message.checklist),
        ("contact", message.contact),
        ("venue", message.venue),
        ("location", message.location if message.venue is None else None),
        ("game", message.game),
        ("story", message.story),
    )
    found = []
    for kind, attachment in kinds:
        if attachment is None:
            continue
        file_name = getattr(attachment, "file_name", None)
        found.append(file_name or kind)
    if message.document is not None and message.animation is not None:
        found = found[1:]  # an animation also arrives as a document: count it once
    return tuple(found)


def _emoji(reaction: ReactionType) -> str:
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji
    if isinstance(reaction, ReactionTypeCustomEmoji):
        return f"custom:{reaction.custom_emoji_id}"
    if isinstance(reaction, ReactionTypePaid):
        return PAID_STAR
    return str(reaction.type)


def _emojis(reactions: Iterable[ReactionType]) -> list[str]:
    seen: list[str] = []
    for reaction in reactions:
        emoji = _emoji(reaction)
        if emoji not in seen:
            seen.append(emoji)
    return seen
