"""DiscordChatExporter JSON exports: one channel of one server per file.

Reads ``guild``, ``channel`` and ``messages`` (``id``, ``type``, ``timestamp``, ``content``,
``author``, ``mentions``, ``reactions``, ``reference``); every other field is ignored. Posts and
replies become messages, ``GuildMemberJoin`` system messages become joins, and each reaction whose
users the export lists becomes a reaction at the message's time. Other system messages (pins,
calls, boosts) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.errors import JardinierError
from bot.events import (
    ChannelRef,
    CommunityRef,
    Event,
    MemberJoined,
    MemberRef,
    MessageCreated,
    MessageRef,
    ReactionAdded,
    UserRef,
)
from bot.replay import jsonexport
from bot.replay.history import History, as_text, listed, parse_time, required

PLATFORM = "discord"
POSTS = frozenset({"Default", "Reply", "ThreadStarterMessage"})
JOIN = "GuildMemberJoin"


def looks_like(document: object) -> bool:
    """Whether a JSON document (its outline) is a DiscordChatExporter export."""
    return isinstance(document, dict) and {"guild", "channel", "messages"} <= document.keys()


def _user(data: Any, path: Path, place: str) -> UserRef:
    user_id = as_text(required(data, "id", path, place))
    name = data.get("nickname") or data.get("name") or user_id
    return UserRef(PLATFORM, user_id, str(name), bool(data.get("isBot", False)))


def _member(community: CommunityRef, data: Any, path: Path, place: str) -> MemberRef:
    user = _user(data, path, place)
    roles = frozenset(
        str(role["name"])
        for role in data.get("roles") or ()
        if isinstance(role, dict) and role.get("name")
    )
    return MemberRef(community, user, roles=roles)


def read(outline: dict[str, Any], path: Path) -> History:
    """The history of a DiscordChatExporter export, from its outline; its events are read from
    the file when they are asked for."""
    guild = outline["guild"]
    channel_data = outline["channel"]
    community = CommunityRef(
        PLATFORM,
        as_text(required(guild, "id", path, "guild")),
        str(guild.get("name") or ""),
    )
    channel = ChannelRef(
        community,
        as_text(required(channel_data, "id", path, "channel")),
        f"#{channel_data.get('name') or channel_data.get('id')}",
    )
    messages = outline["messages"]
    if not isinstance(messages, jsonexport.Messages):
        raise JardinierError(f"{path}: messages: expected a list")
    return History(
        path,
        "discord",
        community,
        channel,
        lambda: events(channel, jsonexport.messages(path, messages), path),
    )


def events(channel: ChannelRef, messages: Iterable[Any], path: Path) -> Iterator[Event]:
    """The events of a DiscordChatExporter export's messages, in the export's order."""
    community = channel.community
    for index, data in enumerate(messages):
        place = f"message {index + 1}"
        kind = str(required(data, "type", path, place))
        at = parse_time(required(data, "timestamp", path, place), path, f"{place}: timestamp")
        author = _member(community, required(data, "author", path, place), path, f"{place}.author")
        if kind == JOIN:
            yield MemberJoined(at=at, member=author)
            continue
        if kind not in POSTS:
            continue
        message = MessageRef(channel, as_text(required(data, "id", path, place)))
        reference = data.get("reference")
        reply_to = None
        if isinstance(reference, dict) and reference.get("messageId"):
            target_channel = channel
            if reference.get("channelId") and as_text(reference["channelId"]) != channel.id:
                target_channel = ChannelRef(community, as_text(reference["channelId"]))
            reply_to = MessageRef(target_channel, as_text(reference["messageId"]))
        mentions = tuple(
            _user(user, path, f"{place}.mentions")
            for user in listed(data, "mentions", path, place)
            if isinstance(user, dict)
        )
        attachments = tuple(
            str(item.get("fileName") or item.get("url") or "attachment")
            for item in listed(data, "attachments", path, place)
            if isinstance(item, dict)
        )
        yield MessageCreated(
            at=at,
            message=message,
            author=author,
            text=str(data.get("content") or ""),
            reply_to=reply_to,
            mentions=mentions,
            attachments=attachments,
        )
        for reaction in listed(data, "reactions", path, place):
            if not isinstance(reaction, dict):
                continue
            emoji = reaction.get("emoji")
            if isinstance(emoji, dict):
                symbol = str(emoji.get("name") or emoji.get("code") or "?")
            else:
                symbol = str(emoji or "?")
            for user in listed(reaction, "users", path, f"{place}.reactions"):
                if isinstance(user, dict) and user.get("id") is not None:
                    member = _member(community, user, path, f"{place}.reactions")
                    yield ReactionAdded(at=at, message=message, member=member, emoji=symbol)
