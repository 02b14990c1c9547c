"""Short ways to build the events a member causes."""

from __future__ import annotations

from datetime import datetime

from bot.events import ChannelRef, CommandInvoked, MemberRef, MessageCreated, MessageRef


def command(
    member: MemberRef, line: str, at: datetime, *, channel: str = "general", private: bool = False
) -> CommandInvoked:
    """``member`` types ``line`` (``/name args``) in ``#channel``; with ``private``, in their
    private chat with the bot (``channel`` is then that chat), through a start link."""
    name, _, args = line.removeprefix("/").partition(" ")

    where = ChannelRef(member.community, channel, f"#{channel}")
    return CommandInvoked(
        at=at,
        channel=where,
        member=member,
        name=name,
        args=args,
        message=MessageRef(where, f"cmd-{abs(hash((line, at))) % 10_000}"),
        private=private,
    )


def message(
    member: MemberRef, text: str, at: datetime, *, channel: str = "general", message_id: str = "1"
) -> MessageCreated:
    """``member`` posts ``text`` in ``#channel``."""

    where = ChannelRef(member.community, channel, f"#{channel}")
    return MessageCreated(at=at, message=MessageRef(where, message_id), author=member, text=text)
