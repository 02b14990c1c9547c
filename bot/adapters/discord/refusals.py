"""Discord's refusals as neutral :class:`PlatformError`: what a community manager can act on.

Forbidden, NotFound, other HTTP errors, rate limits and an unreachable Discord all become one
``PlatformError`` whose text (``texts.<locale>.refusals``) names what to fix ("I lack the Manage
Messages permission in #general"). The core writes it in the community's language, logs it and
reports it once to the mod-log; nothing here retries. Refusals hold no counters or delays, so the
same refusal is recognised and reported only once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp
import discord

from bot.events import CommunityRef
from bot.platform import PlatformError

# Discord's JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_ROLE = 10011
UNKNOWN_USER = 10013
UNKNOWN_BAN = 10026
UNKNOWN_INTERACTION = 10062
MISSING_ACCESS = 50001
CANNOT_MESSAGE_USER = 50007

PLATFORM_NAME = "Discord"


@dataclass(frozen=True)
class Attempt:
    """What the bot was doing, to word a refusal: the action, where, on whom, with which right."""

    action: str
    where: str
    community: CommunityRef | None = None
    permission: str = ""
    """The permission the action needs, as discord.py names it (``manage_messages``)."""
    target: str = ""

    def refused(self, key: str, **values: str | int) -> PlatformError:
        """The platform error for this attempt: the text ``key`` with ``values``."""
        return PlatformError(
            self.action,
            key,
            community=self.community,
            **{"platform": PLATFORM_NAME, "where": self.where, **values},
        )

    def lacking(self) -> PlatformError:
        """The bot lacks :attr:`permission` where it acted."""
        return self.refused("lacking_permission", permission=self.permission)


def refusal_for(attempt: Attempt, error: Exception) -> PlatformError:
    """Why ``attempt`` failed, in words a community manager can act on."""
    if isinstance(error, discord.RateLimited) or (
        isinstance(error, discord.HTTPException) and error.status == 429
    ):
        return attempt.refused("rate_limited")
    if isinstance(error, discord.Forbidden):
        return _forbidden(attempt, error)
    if isinstance(error, discord.NotFound):
        return _not_found(attempt, error)
    if isinstance(error, discord.DiscordServerError):
        return attempt.refused("server_error")
    if isinstance(error, discord.HTTPException):
        return attempt.refused("refused", detail=error.text or f"HTTP {error.status}")
    return attempt.refused("unreachable")


def _forbidden(attempt: Attempt, error: discord.Forbidden) -> PlatformError:
    if error.code == CANNOT_MESSAGE_USER:
        return attempt.refused("no_direct_messages", target=attempt.target or "?")
    if error.code == MISSING_ACCESS:
        return attempt.refused("cannot_see")
    if attempt.permission:
        if attempt.target and attempt.action in ("timeout", "kick", "ban"):
            return attempt.refused(
                "lacking_permission_or_rank", permission=attempt.permission, target=attempt.target
            )
        if attempt.target and attempt.action in ("add_role", "remove_role"):
            return attempt.refused(
                "lacking_permission_or_role", permission=attempt.permission, role=attempt.target
            )
        return attempt.lacking()
    return attempt.refused("forbidden")


def _not_found(attempt: Attempt, error: discord.NotFound) -> PlatformError:
    target = attempt.target or "?"
    code = error.code
    if code == UNKNOWN_MESSAGE:
        return attempt.refused("message_gone")
    if code in (UNKNOWN_MEMBER, UNKNOWN_USER):
        return attempt.refused("member_gone", target=target)
    if code == UNKNOWN_CHANNEL:
        return attempt.refused("channel_gone")
    if code == UNKNOWN_ROLE:
        return attempt.refused("role_gone", role=target)
    if code == UNKNOWN_BAN:
        return attempt.refused("not_banned", target=target)
    if code == UNKNOWN_INTERACTION:
        return attempt.refused("interaction_expired")
    return attempt.refused("not_found")


@contextlib.contextmanager
def refusals(attempt: Attempt) -> Iterator[None]:
    """Turn whatever Discord answers with into a :class:`PlatformError` for ``attempt``."""
    try:
        yield
    except (
        discord.HTTPException,
        discord.RateLimited,
        aiohttp.ClientError,
        TimeoutError,
    ) as error:
        raise refusal_for(attempt, error) from error
