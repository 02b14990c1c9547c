"""Finding the member or channel a person meant by what they typed.

Members: ``<@id>``, ``<@!id>``, an id, a username or a display name (``@`` optional). Channels:
``<#id>``, an id, ``#name`` or ``name``. The cache is asked first; a member who is not in it is
fetched by id, or searched by name through the gateway when the server was not fully loaded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import discord

log = logging.getLogger(__name__)

_MEMBER_MENTION = re.compile(r"<@!?(\d{15,21})>")
_CHANNEL_MENTION = re.compile(r"<#(\d{15,21})>")
_ID = re.compile(r"(\d{15,21})")
_NAME_ATTRIBUTES = ("name", "global_name", "nick")


def _snowflake(text: str, mention: re.Pattern[str]) -> int | None:
    match = mention.fullmatch(text) or _ID.fullmatch(text)
    return int(match[1]) if match else None


def _by_name(members: Iterable[discord.Member], wanted: str) -> discord.Member | None:
    members = list(members)
    # Usernames are unique: they win over display names, which are not.
    for attribute in _NAME_ATTRIBUTES:
        for member in members:
            value = getattr(member, attribute)
            if value and value.casefold() == wanted:
                return member
    return None


async def find_member(guild: discord.Guild, text: str) -> discord.Member | None:
    """The member of ``guild`` that ``text`` names, or ``None``."""
    text = text.strip()
    member_id = _snowflake(text, _MEMBER_MENTION)
    if member_id is not None:
        member = guild.get_member(member_id)
        if member is None:
            try:
                member = await guild.fetch_member(member_id)
            except discord.HTTPException:
                return None
        return member
    typed = text.removeprefix("@")
    if not typed:
        return None
    found = _by_name(guild.members, typed.casefold())
    if found is None and not guild.chunked:
        try:
            candidates = await guild.query_members(query=typed, limit=5)
        except (TimeoutError, discord.ClientException) as error:
            log.info("could not search the members of %s: %s", guild.id, error)
            return None
        found = _by_name(candidates, typed.casefold())
    return found


def postable_channels(guild: discord.Guild) -> list[Any]:
    """The channels and threads the bot could post in, text channels first."""
    return [*guild.text_channels, *guild.threads, *guild.voice_channels, *guild.stage_channels]


def find_channel(guild: discord.Guild, text: str) -> Any | None:
    """The channel or thread of ``guild`` that ``text`` names, or ``None``."""
    text = text.strip()
    channel_id = _snowflake(text, _CHANNEL_MENTION)
    if channel_id is not None:
        return guild.get_channel_or_thread(channel_id)
    wanted = text.removeprefix("#").casefold()
    if not wanted:
        return None
    for channel in postable_channels(guild):
        if channel.name.casefold() == wanted:
            return channel
    return None
