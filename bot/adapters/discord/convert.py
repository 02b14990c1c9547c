"""discord.py objects → neutral events: pure functions, tested on recorded gateway payloads.

Nothing here talks to Discord. Where a gateway payload carries no time (a deletion, a reaction),
the caller passes ``at``. Events outside a server (direct messages) are not community events and
convert to ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.commands.spec import CommandSpec, OptionKind
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    MessageRef,
    Power,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)

PLATFORM = "discord"
INTERACTION_PREFIX = "interaction:"
RECENT_EDIT = timedelta(minutes=5)
"""How long after an edit Discord's word of it may arrive (late after a resumed connection):
an uncached message's update arriving later is a pin or a thread started on it, not an edit."""
# Slash-command option types (Discord's ApplicationCommandOptionType).
_INTEGER, _BOOLEAN, _USER, _CHANNEL, _NUMBER = 4, 5, 6, 7, 10
_POSTS = (discord.MessageType.default, discord.MessageType.reply)


# -- references -------------------------------------------------------------------------------


def community_ref(guild: discord.Guild) -> CommunityRef:
    """The community of a server."""
    return CommunityRef(PLATFORM, str(guild.id), guild.name)


def community_of(guild_id: int, guild: discord.Guild | None) -> CommunityRef:
    """The community of ``guild_id``, named when the server is in the cache."""
    return community_ref(guild) if guild is not None else CommunityRef(PLATFORM, str(guild_id))


def channel_ref(community: CommunityRef, channel: Any) -> ChannelRef:
    """A channel (or thread) of ``community``; its name is ``#name`` when known."""
    name = getattr(channel, "name", None)
    return ChannelRef(community, str(channel.id), f"#{name}" if name else "")


def channel_of(
    community: CommunityRef, channel_id: int, guild: discord.Guild | None
) -> ChannelRef:
    """The channel ``channel_id``, named when it is in the cache."""
    channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
    return (
        channel_ref(community, channel)
        if channel is not None
        else ChannelRef(community, str(channel_id))
    )


def user_ref(user: discord.abc.User) -> UserRef:
    """A Discord user, named by what members see (server nickname, global name, username)."""
    return UserRef(PLATFORM, str(user.id), user.display_name, user.bot)


_POWERS = (
    ("ban_members", Power.BAN),
    ("kick_members", Power.KICK),
    ("moderate_members", Power.TIMEOUT),
    ("manage_messages", Power.DELETE),
    ("manage_guild", Power.MANAGE),
)
"""The permission that grants each power, as discord.py names it (Administrator grants all)."""


def is_moderator(permissions: discord.Permissions) -> bool:
    """Discord makes a moderator of whoever holds one of the powers (or is an administrator).

    Given the member's server-wide permissions: Manage Messages granted in one channel makes
    no moderator of the whole server."""
    return bool(permissions.administrator) or any(
        getattr(permissions, flag) for flag, _power in _POWERS
    )


def powers(permissions: discord.Permissions) -> frozenset[Power]:
    """The powers ``permissions`` grant (a member's permissions in a channel, say)."""
    if permissions.administrator:
        return frozenset(Power)
    return frozenset(power for flag, power in _POWERS if getattr(permissions, flag))


def member_ref(
    community: CommunityRef,
    user: discord.Member | discord.User | discord.abc.User,
    *,
    permissions: discord.Permissions | None = None,
) -> MemberRef:
    """A member with their role names, moderator standing (always from their server-wide
    permissions) and powers (from ``permissions``, theirs in a channel, when given)."""
    if not isinstance(user, discord.Member):
        return MemberRef(community, user_ref(user))
    server_wide = user.guild_permissions
    granted = permissions if permissions is not None else server_wide
    roles = frozenset(role.name for role in user.roles if not role.is_default())
    return MemberRef(community, user_ref(user), roles, is_moderator(server_wide), powers(granted))


def _member_in(
    community: CommunityRef, user: discord.Member | discord.User | discord.abc.User, channel: Any
) -> MemberRef:
    # Channel overwrites change what a member may do in that channel (delete messages there),
    # never whether they moderate the server.
    if isinstance(user, discord.Member) and hasattr(channel, "permissions_for"):
        return member_ref(community, user, permissions=channel.permissions_for(user))
    return member_ref(community, user)


def _author_of(community: CommunityRef, message: discord.Message) -> MemberRef:
    """Who posted ``message``. A webhook (an integration, a followed channel's crosspost) posts
    under a name it chooses, with no bot flag: no member wrote it, so it counts as a bot's."""
    author = _member_in(community, message.author, message.channel)
    if message.webhook_id is None:
        return author
    user = author.user
    return MemberRef(community, UserRef(PLATFORM, user.id, user.name, is_bot=True))


# -- messages ---------------------------------------------------------------------------------


def _replied_author(
    community: CommunityRef, reference: discord.MessageReference
) -> UserRef | None:
    """Who wrote the message a reply answers, when Discord sent that message along with the
    reply (``resolved``: not when it was deleted, nor always for an old one)."""
    resolved = reference.resolved
    if not isinstance(resolved, discord.Message):
        return None
    return _author_of(community, resolved).user


def message_created(message: discord.Message) -> MessageCreated | None:
    """A member's post in a server; system messages and direct messages give ``None``."""
    if message.guild is None or message.type not in _POSTS:
        return None
    community = community_ref(message.guild)
    channel = channel_ref(community, message.channel)
    reply_to = None
    replied_author = None
    reference = message.reference
    if message.type is discord.MessageType.reply and reference and reference.message_id:
        where = channel
        if reference.channel_id != message.channel.id:
            where = channel_of(community, reference.channel_id, message.guild)
        reply_to = MessageRef(where, str(reference.message_id))
        replied_author = _replied_author(community, reference)
    return MessageCreated(
        at=message.created_at,
        raw=message,
        message=MessageRef(channel, str(message.id)),
        author=_author_of(community, message),
        text=_shown_text(message),
        reply_to=reply_to,
        reply_to_author=replied_author,
        mentions=tuple(user_ref(user) for user in message.mentions),
        attachments=tuple(
            attachment.filename
            for attachments in (
                message.attachments,
                *(snapshot.attachments for snapshot in message.message_snapshots),
            )
            for attachment in attachments
        ),
    )


def _shown_text(message: discord.Message) -> str:
    """What the channel shows: the message's text, then the text of a message it forwards.

    A forward's own content is empty: the forwarded words (an invitation, an insult) are in its
    snapshot, and the rules must read them as the members do.
    """
    parts = [message.content, *(snapshot.content for snapshot in message.message_snapshots)]
    return "\n".join(part for part in parts if part)


def message_edited(
    update: discord.RawMessageUpdateEvent, arrived: datetime | None = None
) -> MessageEdited | None:
    """A member changed a message's text; embeds unfurling, pins, a thread started on the
    message or a poll ending give ``None``.

    Discord sends the whole message for each of those, uncached messages included, with the
    time of its last edit: only an edit time that moved says its author edited it. With nothing
    cached to compare with, the update is an edit only if it ``arrived`` within
    :data:`RECENT_EDIT` of that time (a pin weeks after an edit is not that edit again); with
    no arrival time (a recorded payload), it is taken as one.
    """
    message = update.message
    if update.guild_id is None or "content" not in update.data or message.edited_at is None:
        return None
    before = update.cached_message
    if before is None:
        if arrived is not None and arrived - message.edited_at > RECENT_EDIT:
            return None
    elif before.content == message.content or (
        before.edited_at is not None and message.edited_at <= before.edited_at
    ):
        return None
    community = community_of(update.guild_id, message.guild)
    channel = channel_of(community, update.channel_id, message.guild)
    return MessageEdited(
        at=message.edited_at,
        raw=update,
        message=MessageRef(channel, str(message.id)),
        author=_author_of(community, message),
        text=message.content,
        mentions=tuple(user_ref(user) for user in message.mentions),
    )


def message_deleted(
    deletion: discord.RawMessageDeleteEvent, guild: discord.Guild | None, at: datetime
) -> MessageDeleted | None:
    """A message disappeared from a server channel."""
    if deletion.guild_id is None:
        return None
    community = community_of(deletion.guild_id, guild)
    channel = channel_of(community, deletion.channel_id, guild)
    return MessageDeleted(
        at=at, raw=deletion, message=MessageRef(channel, str(deletion.message_id))
    )


def messages_deleted(
    deletion: discord.RawBulkMessageDeleteEvent, guild: discord.Guild | None, at: datetime
) -> list[MessageDeleted]:
    """Messages removed at once (a purge), one event each, in id order."""
    if deletion.guild_id is None:
        return []
    community = community_of(deletion.guild_id, guild)
    channel = channel_of(community, deletion.channel_id, guild)
    return [
        MessageDeleted(at=at, raw=deletion, message=MessageRef(channel, str(message_id)))
        for message_id in sorted(deletion.message_ids)
    ]


# -- members and reactions --------------------------------------------------------------------


def member_joined(member: discord.Member, at: datetime) -> MemberJoined:
    """Someone joined a server (``at`` when Discord gives no join time)."""
    return MemberJoined(
        at=member.joined_at or at,
        raw=member,
        member=member_ref(community_ref(member.guild), member),
    )


def member_left(
    removal: discord.RawMemberRemoveEvent, guild: discord.Guild | None, at: datetime
) -> MemberLeft:
    """Someone left a server, or was kicked or banned from it."""
    community = community_of(removal.guild_id, guild)
    return MemberLeft(at=at, raw=removal, member=member_ref(community, removal.user))


def reaction(
    action: discord.RawReactionActionEvent, guild: discord.Guild | None, at: datetime
) -> ReactionAdded | ReactionRemoved | None:
    """A reaction added or taken back on a server message."""
    if action.guild_id is None:
        return None
    community = community_of(action.guild_id, guild)
    channel = channel_of(community, action.channel_id, guild)
    user = action.member or (guild.get_member(action.user_id) if guild is not None else None)
    member = (
        member_ref(community, user)
        if user is not None
        else MemberRef(community, UserRef(PLATFORM, str(action.user_id)))
    )
    kind = ReactionAdded if action.event_type == "REACTION_ADD" else ReactionRemoved
    return kind(
        at=at,
        raw=action,
        message=MessageRef(channel, str(action.message_id)),
        member=member,
        emoji=str(action.emoji),
    )


# -- interactions -----------------------------------------------------------------------------


def interaction_message(channel: ChannelRef, interaction_id: int) -> MessageRef:
    """The reference that stands for a slash command: answering it answers the interaction."""
    return MessageRef(channel, f"{INTERACTION_PREFIX}{interaction_id}")


def _interaction_place(
    interaction: discord.Interaction[Any],
) -> tuple[CommunityRef, ChannelRef, MemberRef] | None:
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    guild = interaction.guild
    community = community_of(interaction.guild_id, guild)
    channel = (
        channel_ref(community, interaction.channel)
        if interaction.channel is not None
        else ChannelRef(community, str(interaction.channel_id))
    )
    # Discord sends the member's permissions in this channel with every interaction: what they
    # may do here. Whether they moderate the server comes from their server-wide permissions.
    member = member_ref(community, interaction.user, permissions=interaction.permissions)
    return community, channel, member


def command_invoked(
    interaction: discord.Interaction[Any], spec: CommandSpec | None
) -> CommandInvoked | None:
    """A slash command, its options typed as the core expects (see ``CommandInvoked``)."""
    place = _interaction_place(interaction)
    data: Mapping[str, Any] = interaction.data or {}
    if place is None or "name" not in data:
        return None
    community, channel, member = place
    resolved: Mapping[str, Any] = data.get("resolved") or {}
    kinds = {option.name: option.kind for option in spec.options} if spec else {}
    options: dict[str, Any] = {}
    for option in data.get("options") or ():
        name = option["name"]
        if name in kinds:
            options[name] = _option_value(
                kinds[name], option["type"], option.get("value"), resolved, community, interaction
            )
    mentions = tuple(
        _resolved_user(user_id, resolved) for user_id in (resolved.get("users") or {})
    )
    return CommandInvoked(
        at=interaction.created_at,
        raw=interaction,
        channel=channel,
        member=member,
        name=str(data["name"]),
        options=options,
        message=interaction_message(channel, interaction.id),
        mentions=mentions,
    )


def _option_value(
    kind: OptionKind,
    option_type: int,
    value: Any,
    resolved: Mapping[str, Any],
    community: CommunityRef,
    interaction: discord.Interaction[Any],
) -> Any:
    # Convert what Discord typed; anything else (a registration older than the declaration)
    # goes to the core as text, which converts it or answers with the usage.
    if value is None:
        return None
    if kind is OptionKind.MEMBER and option_type == _USER:
        return _resolved_member(str(value), resolved, community, interaction.guild)
    if kind is OptionKind.CHANNEL and option_type == _CHANNEL:
        channel = (resolved.get("channels") or {}).get(str(value)) or {}
        name = channel.get("name")
        return ChannelRef(community, str(value), f"#{name}" if name else "")
    if kind is OptionKind.INTEGER and option_type == _INTEGER:
        return int(value)
    if kind is OptionKind.NUMBER and option_type in (_INTEGER, _NUMBER):
        return float(value)
    if kind is OptionKind.BOOLEAN and option_type == _BOOLEAN:
        return bool(value)
    return str(value)


def _resolved_user(user_id: str, resolved: Mapping[str, Any]) -> UserRef:
    user = (resolved.get("users") or {}).get(user_id) or {}
    member = (resolved.get("members") or {}).get(user_id) or {}
    name = member.get("nick") or user.get("global_name") or user.get("username") or ""
    return UserRef(PLATFORM, user_id, name, bool(user.get("bot", False)))


def _resolved_member(
    user_id: str,
    resolved: Mapping[str, Any],
    community: CommunityRef,
    guild: discord.Guild | None,
) -> MemberRef:
    user = _resolved_user(user_id, resolved)
    member = (resolved.get("members") or {}).get(user_id)
    if member is None:  # a user who is not (or no longer) in the server
        return MemberRef(community, user)
    roles = set()
    for role_id in member.get("roles") or ():
        role = guild.get_role(int(role_id)) if guild is not None else None
        name = (
            role.name
            if role
            else ((resolved.get("roles") or {}).get(str(role_id)) or {}).get("name")
        )
        if name:
            roles.add(str(name))
    # The permissions Discord resolves are the member's in this channel: their standing on the
    # server is the server's to say, from the member it knows or from their roles.
    here = discord.Permissions(int(member.get("permissions") or 0))
    server_wide = _server_permissions(guild, user_id, member.get("roles") or ())
    return MemberRef(
        community,
        user,
        frozenset(roles),
        is_moderator(here if server_wide is None else server_wide),
        powers(here),
    )


def _server_permissions(
    guild: discord.Guild | None, user_id: str, role_ids: Any
) -> discord.Permissions | None:
    """A member's server-wide permissions: as the server's cache knows the member, else from
    their roles; None when the server is not known."""
    everyone = None if guild is None else guild.get_role(guild.id)
    if guild is None or everyone is None:
        return None
    known = guild.get_member(int(user_id))
    if known is not None:
        return known.guild_permissions
    if guild.owner_id == int(user_id):
        return discord.Permissions.all()
    granted = everyone.permissions.value
    for role_id in role_ids:
        role = guild.get_role(int(role_id))
        if role is not None:
            granted |= role.permissions.value
    permissions = discord.Permissions(granted)
    return discord.Permissions.all() if permissions.administrator else permissions


def button_pressed(interaction: discord.Interaction[Any], button_id: str) -> ButtonPressed | None:
    """A member pressed one of the bot's buttons."""
    place = _interaction_place(interaction)
    if place is None or interaction.message is None:
        return None
    _community, channel, member = place
    return ButtonPressed(
        at=interaction.created_at,
        raw=interaction,
        channel=channel,
        member=member,
        message=MessageRef(channel, str(interaction.message.id)),
        button_id=button_id,
    )


def direct_button_pressed(
    interaction: discord.Interaction[Any],
    button_id: str,
    member: discord.Member,
    channel_id: int,
) -> ButtonPressed | None:
    """A member pressed, in their direct messages, a button the bot sent there for them in
    ``member``'s server, as an answer meant for ``channel_id``: the same press as in the channel.
    """
    if interaction.message is None or interaction.channel_id is None:
        return None
    community = community_ref(member.guild)
    channel = channel_of(community, channel_id, member.guild)
    place = member.guild.get_channel_or_thread(channel_id)
    # Where the message is, as ``send`` answered when it sent it: the direct messages.
    sent_in = ChannelRef(community, str(interaction.channel_id))
    return ButtonPressed(
        at=interaction.created_at,
        raw=interaction,
        channel=channel,
        member=_member_in(community, member, place),
        message=MessageRef(sent_in, str(interaction.message.id)),
        button_id=button_id,
    )


def focused_option(interaction: discord.Interaction[Any]) -> tuple[str, str, str] | None:
    """For an autocomplete request: the command, the option being typed and what is typed."""
    data: Mapping[str, Any] = interaction.data or {}
    for option in data.get("options") or ():
        if option.get("focused"):
            return str(data.get("name", "")), str(option["name"]), str(option.get("value", ""))
    return None
