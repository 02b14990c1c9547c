"""Telegram Desktop exports (``result.json`` of one chat).

Reads ``name``, ``id``, ``type`` and ``messages`` (``id``, ``type`` message or service,
``date_unixtime`` else ``date``, ``from``, ``from_id``, ``text`` as a string or a list of
entities (mentions, and the ``href`` of text links), ``reply_to_message_id``, ``reactions``);
every other field is ignored. Service messages whose ``action`` is a join become joins; other
service messages are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
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

PLATFORM = "telegram"
JOIN_ACTIONS = frozenset({"join_group_by_link", "join_group_by_request", "invite_members"})
SUPERGROUPS = frozenset({"private_supergroup", "public_supergroup", "public_channel"})


def looks_like(document: object) -> bool:
    """Whether a JSON document (its outline) is a Telegram Desktop chat export."""
    return (
        isinstance(document, dict)
        and "messages" in document
        and "guild" not in document
        and ("name" in document or "type" in document)
    )


def chat_id(document: dict[str, Any], path: Path) -> str:
    """The chat id as the Bot API (and so the rule book's override files) write it."""
    raw = as_text(required(document, "id", path, "chat"))
    if raw.startswith("-"):
        return raw
    kind = document.get("type")
    if kind in SUPERGROUPS:
        return f"-100{raw}"
    if kind == "private_group":
        return f"-{raw}"
    return raw


def user_id(value: object) -> str:
    """``user123`` (or ``channel123``) as the Bot API writes the id: ``123``."""
    text = as_text(value)
    for prefix in ("user", "channel"):
        if text.startswith(prefix) and text[len(prefix) :].isdigit():
            return text[len(prefix) :]
    return text


@dataclass(frozen=True)
class Written:
    """A message's text as the export lists it: the plain text, whom its entities mention, and
    the addresses its text links hide."""

    text: str = ""
    mentions: tuple[UserRef, ...] = ()
    hidden_links: tuple[str, ...] = ()


def written(value: object) -> Written:
    """Read ``text``: a string, or a list of strings and entities."""
    if isinstance(value, str):
        return Written(value)
    if not isinstance(value, list):
        return Written()
    parts: list[str] = []
    mentions: list[UserRef] = []
    links: list[str] = []
    for entity in value:
        if isinstance(entity, str):
            parts.append(entity)
            continue
        if not isinstance(entity, dict):
            continue
        inner = entity.get("text")
        # An entity inside an entity (bold text in a link) writes its text as a list again.
        text = written(inner).text if isinstance(inner, list) else str(inner or "")
        parts.append(text)
        kind = entity.get("type")
        if kind == "mention_name" and entity.get("user_id") is not None:
            mentions.append(UserRef(PLATFORM, as_text(entity["user_id"]), text))
        elif kind == "mention" and text.startswith("@"):
            mentions.append(UserRef(PLATFORM, text, text[1:]))
        elif kind == "text_link" and entity.get("href"):
            links.append(str(entity["href"]))
    return Written("".join(parts), tuple(mentions), tuple(dict.fromkeys(links)))


def read(outline: dict[str, Any], path: Path) -> History:
    """The history of a Telegram Desktop export, from its outline; its events are read from the
    file when they are asked for."""
    identifier = chat_id(outline, path)
    name = str(outline.get("name") or identifier)
    community = CommunityRef(PLATFORM, identifier, name)
    channel = ChannelRef(community, identifier, name)
    messages = outline["messages"]
    if not isinstance(messages, jsonexport.Messages):
        raise JardinierError(f"{path}: messages: expected a list")
    return History(
        path,
        "telegram",
        community,
        channel,
        lambda: events(channel, jsonexport.messages(path, messages), path),
    )


def events(channel: ChannelRef, messages: Iterable[Any], path: Path) -> Iterator[Event]:
    """The events of a Telegram Desktop export's messages, in the export's order."""
    community = channel.community
    for index, data in enumerate(messages):
        place = f"message {index + 1}"
        kind = required(data, "type", path, place)
        stamp = data.get("date_unixtime") or required(data, "date", path, place)
        at = parse_time(stamp, path, f"{place}: date")
        if kind == "service":
            if data.get("action") in JOIN_ACTIONS:
                yield from _joins(community, data, at, path, place)
            continue
        if kind != "message":
            continue
        author_id = user_id(required(data, "from_id", path, place))
        author = MemberRef(
            community, UserRef(PLATFORM, author_id, str(data.get("from") or author_id))
        )
        message = MessageRef(channel, as_text(required(data, "id", path, place)))
        content = written(data.get("text"))
        reply = data.get("reply_to_message_id")
        attachments = tuple(
            str(data[key]) for key in ("photo", "file", "sticker_emoji") if data.get(key)
        )
        yield MessageCreated(
            at=at,
            message=message,
            author=author,
            text=content.text,
            reply_to=None if reply is None else MessageRef(channel, as_text(reply)),
            mentions=content.mentions,
            attachments=attachments,
            hidden_links=content.hidden_links,
        )
        for reaction in listed(data, "reactions", path, place):
            if not isinstance(reaction, dict):
                continue
            emoji = str(reaction.get("emoji") or reaction.get("document_id") or "?")
            for who in listed(reaction, "recent", path, f"{place}.reactions"):
                if isinstance(who, dict) and who.get("from_id") is not None:
                    reactor_id = user_id(who["from_id"])
                    reactor = MemberRef(
                        community,
                        UserRef(PLATFORM, reactor_id, str(who.get("from") or reactor_id)),
                    )
                    yield ReactionAdded(at=at, message=message, member=reactor, emoji=emoji)


def _joins(
    community: CommunityRef, data: dict[str, Any], at: datetime, path: Path, place: str
) -> list[MemberJoined]:
    if data.get("action") == "invite_members":
        # The export names invited members but gives no ids: their name stands in for one.
        return [
            MemberJoined(
                at=at,
                member=MemberRef(community, UserRef(PLATFORM, f"name:{name}", str(name))),
            )
            for name in listed(data, "members", path, place)
            if name
        ]
    actor_id = user_id(data.get("actor_id") or data.get("from_id") or "")
    if not actor_id:
        return []
    name = str(data.get("actor") or data.get("from") or actor_id)
    return [MemberJoined(at=at, member=MemberRef(community, UserRef(PLATFORM, actor_id, name)))]
