"""Start links: how a member reaches a command in a private chat with the bot.

Telegram lets a bot write privately only to someone who started a chat with it. A start link
(``https://t.me/<bot>?start=<payload>``) opens that chat; pressing Start sends the bot
``/start <payload>``. Jardinier's payload names a command and the group it is for,
``mydata--1001234567890``, so the command runs for that group and answers in the private chat.
Pure functions, tested on recorded payloads.
"""

from __future__ import annotations

import re

from telegram import Message, User

from bot.adapters.telegram.administrators import AdministratorPowers
from bot.adapters.telegram.convert import member_ref
from bot.events import ChannelRef, CommandInvoked, CommunityRef, MessageRef

# A command name and a chat id: at most 54 characters, within Telegram's 64 for a payload.
_PAYLOAD = re.compile(r"([a-z0-9_]{1,32})-(-?\d{1,20})")
_START = re.compile(r"/start(?:@[A-Za-z0-9_]{1,64})?\s+(\S{1,64})\s*")


def start_link(bot_username: str, command: str, chat_id: int) -> str | None:
    """The link that runs ``command`` for the group ``chat_id`` in a private chat with the bot;
    None when it cannot be written (no username yet, a name a payload cannot hold)."""
    payload = f"{command}-{chat_id}"
    if not bot_username or not _PAYLOAD.fullmatch(payload):
        return None
    return f"https://t.me/{bot_username}?start={payload}"


def parse_start(text: str) -> tuple[str, int] | None:
    """The command and the group a ``/start <payload>`` asks for; None for anything else (a
    plain ``/start``, a payload someone else wrote)."""
    started = _START.fullmatch(text)
    if started is None:
        return None
    payload = _PAYLOAD.fullmatch(started[1])
    if payload is None:
        return None
    return payload[1], int(payload[2])


def private_command(
    message: Message,
    sender: User,
    name: str,
    community: CommunityRef,
    administrators: AdministratorPowers,
) -> CommandInvoked:
    """The command ``sender`` started in their private chat with the bot, for ``community``.

    Its channel is the private chat (answers go there); the member is who they are in the group
    (administrators are moderators there, with the powers their rights give).
    """
    channel = ChannelRef(community, str(message.chat.id), "")
    return CommandInvoked(
        at=message.date,
        channel=channel,
        member=member_ref(community, sender, administrators),
        name=name,
        message=MessageRef(channel, str(message.message_id)),
        private=True,
        raw=message,
    )
