"""Finding the member or channel a person meant by what they typed.

Members: ``<@id>``, ``<@!id>``, an id, a username or a display name (``@`` optional). Channels:
``<#id>``, an id, ``#name`` or ``name``. The cache is asked first; a member who is not in it is
fetched by id, or searched by name through the gateway when the server was not fully loaded.
Only Discord's "unknown member" means nobody: a request Discord failed or rate-limited is a
:class:`PlatformError`, so that a moderator is not told a member does not exist when Discord
could not say.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import discord

from bot.adapters.discord.convert import community_ref
from bot.adapters.discord.refusals import Attempt, refusal_for, refusals

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


def _attempt(guild: discord.Guild) -> Attempt:
    return Attempt("find_member", where=guild.name, community=community_ref(guild))


async def find_member(guild: discord.Guild, text: str) -> discord.Member | None:
    """The member of ``guild`` that ``text`` names, or ``None`` when Discord knows no such member.

    Raises :class:`PlatformError` when Discord could not be asked (a server error, a rate limit,
    no answer).
    """
    text = text.strip()
    member_id = _snowflake(text, _MEMBER_MENTION)
    if member_id is not None:
        member = guild.get_member(member_id)
        if member is None:
            with refusals(_attempt(guild)):
                try:
                    member = await guild.fetch_member(member_id)
                except discord.NotFound:
                    return None  # an unknown member or user: nobody by that id here
        return member
    typed = text.removeprefix("@")
    if not typed:
        return None
    found = _by_name(guild.members, typed.casefold())
    if found is None and not guild.chunked:
        try:
            candidates = await guild.query_members(query=typed, limit=5)
        except discord.ClientException as error:
            # The bot was not granted the members intent: a search it cannot make, not a
            # failure of Discord's (the members it has seen are still found by the core).
            log.info("could not search the members of %s: %s", guild.id, error)
            return None
        except TimeoutError as error:
            raise refusal_for(_attempt(guild), error) from error
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
