"""Telegram update payloads as the Bot API sends them (JSON dicts, without ``update_id``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

GROUP_ID = -1001234567890
GROUP_TITLE = "Garden"
DATE = 1_793_000_000  # 2026-10-26, a Monday

_message_ids = iter(range(100, 100_000))


def user(
    user_id: int, first_name: str, *, username: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A Telegram user."""
    payload: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, **extra}
    if username:
        payload["username"] = username
    return payload


ALICE = user(201, "Alice", username="alice", last_name="Martin")
BOB = user(202, "Bob")
ADMIN = user(301, "Ada", username="ada_admin")
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


def group(
    chat_id: int = GROUP_ID, title: str = GROUP_TITLE, *, forum: bool = False
) -> dict[str, Any]:
    """A supergroup (a forum when ``forum``)."""
    chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
    if forum:
        chat["is_forum"] = True
    return chat


def basic_group(chat_id: int, title: str = GROUP_TITLE) -> dict[str, Any]:
    """A (basic) group, before Telegram upgrades it to a supergroup."""
    return {"id": chat_id, "type": "group", "title": title}


def private(of: dict[str, Any]) -> dict[str, Any]:
    """The private chat with a user."""
    return {"id": of["id"], "type": "private", "first_name": of["first_name"]}


def next_message_id() -> int:
    """A fresh message id."""
    return next(_message_ids)


def message(
    sender: dict[str, Any] | None,
    text: str | None = None,
    *,
    chat: dict[str, Any] | None = None,
    message_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
    date: int = DATE,
    **extra: Any,
) -> dict[str, Any]:
    """A Message object."""
    payload: dict[str, Any] = {
        "message_id": message_id or next_message_id(),
        "date": date,
        "chat": chat or group(),
        **extra,
    }
    if sender is not None:
        payload["from"] = sender
    if text is not None:
        payload["text"] = text
    if entities:
        payload["entities"] = entities
    return payload


def text_message(sender: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    """An update: ``sender`` posts ``text``."""
    return {"message": message(sender, text, **extra)}


def command(sender: dict[str, Any], line: str, **extra: Any) -> dict[str, Any]:
    """An update: ``sender`` types the command ``line`` (``/help``, ``/warn@bot x``)."""
    name = line.split(maxsplit=1)[0]
    entity = {"type": "bot_command", "offset": 0, "length": len(name)}
    entities = [entity, *extra.pop("entities", [])]
    return {"message": message(sender, line, entities=entities, **extra)}


def upgraded(
    old: int, new: int, *, by: dict[str, Any], title: str = GROUP_TITLE
) -> list[dict[str, Any]]:
    """The updates telling that the group ``old`` became the supergroup ``new``: a service
    message in each chat, the old one first (the new one's sent by the group itself)."""
    new_chat = group(new, title)
    return [
        {"message": message(by, chat=basic_group(old, title), migrate_to_chat_id=new)},
        {
            "message": message(
                GROUP_ANONYMOUS_BOT,
                chat=new_chat,
                sender_chat=new_chat,
                migrate_from_chat_id=old,
            )
        },
    ]


def joined_service_message(*members: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An update: the service message saying ``members`` joined."""
    sender = extra.pop("sender", members[0])
    return {"message": message(sender, new_chat_members=list(members), **extra)}


def left_service_message(member: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An update: the service message saying ``member`` left."""
    return {"message": message(member, left_chat_member=member, **extra)}


def chat_member(
    member: dict[str, Any],
    old: str,
    new: str,
    *,
    chat: dict[str, Any] | None = None,
    date: int = DATE,
    key: str = "chat_member",
    **new_extra: Any,
) -> dict[str, Any]:
    """An update: ``member``'s status went from ``old`` to ``new``."""

    def status(name: str, extra: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {"status": name, "user": member, **extra}
        if name == "kicked":
            payload.setdefault("until_date", 0)
        if name == "restricted":
            payload.setdefault("is_member", True)
            payload.setdefault("until_date", 0)
            for right in RESTRICTED_RIGHTS:
                payload.setdefault(right, False)
        if name == "administrator":
            payload.update(ADMIN_FLAGS)
        return payload

    return {
        key: {
            "chat": chat or group(),
            "from": member,
            "date": date,
            "old_chat_member": status(old, {}),
            "new_chat_member": status(new, new_extra),
        }
    }


def reaction(
    member: dict[str, Any] | None,
    message_id: int,
    *,
    old: Sequence[str] = (),
    new: Sequence[str] = (),
    chat: dict[str, Any] | None = None,
    date: int = DATE,
) -> dict[str, Any]:
    """An update: ``member`` changed their reactions on a message."""
    payload: dict[str, Any] = {
        "chat": chat or group(),
        "message_id": message_id,
        "date": date,
        "old_reaction": [{"type": "emoji", "emoji": emoji} for emoji in old],
        "new_reaction": [{"type": "emoji", "emoji": emoji} for emoji in new],
    }
    if member is not None:
        payload["user"] = member
    return {"message_reaction": payload}


def button_press(
    member: dict[str, Any], data: str, *, on: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An update: ``member`` pressed the button ``data`` under the bot's message ``on``."""
    return {
        "callback_query": {
            "id": "cb-1",
            "from": member,
            "chat_instance": "ci-1",
            "data": data,
            "message": on or message({"id": 123, "is_bot": True, "first_name": "J"}, "Vote?"),
        }
    }


RESTRICTED_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)
ADMIN_FLAGS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}
