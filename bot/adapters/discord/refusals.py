"""Discord's refusals as neutral :class:`PlatformError`: a sentence a community manager can act on.

Forbidden, NotFound, other HTTP errors, rate limits and an unreachable Discord all become one
``PlatformError`` whose reason names what to fix ("I lack the Manage Messages permission in
#general"). The core logs it and reports it once to the mod-log; nothing here retries. Reasons
hold no counters or delays, so the same refusal is recognised and reported only once.
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

_VERBS = {
    "send": "post",
    "dm": "send a direct message",
    "delete": "delete a message",
    "purge": "delete messages",
    "timeout": "time a member out",
    "kick": "kick a member",
    "ban": "ban a member",
    "unban": "lift a ban",
    "add_role": "give a role",
    "remove_role": "take a role back",
    "react": "react",
    "sync_commands": "publish the slash commands",
    "answer": "answer a slash command",
}


@dataclass(frozen=True)
class Attempt:
    """What the bot was doing, to word a refusal: the action, where, on whom, with which right."""

    action: str
    where: str
    community: CommunityRef | None = None
    permission: str = ""
    target: str = ""

    @property
    def verb(self) -> str:
        """The action as words: ``delete a message``."""
        return _VERBS.get(self.action, self.action.replace("_", " "))

    def refused(self, reason: str) -> PlatformError:
        """The platform error for this attempt."""
        return PlatformError(self.action, reason, community=self.community)

    def lacking(self) -> PlatformError:
        """The bot lacks :attr:`permission` where it acted."""
        return self.refused(f"I lack the {self.permission} permission in {self.where}")


def reason_for(attempt: Attempt, error: Exception) -> str:
    """The sentence for a community manager that explains why ``attempt`` failed."""
    if isinstance(error, discord.RateLimited) or (
        isinstance(error, discord.HTTPException) and error.status == 429
    ):
        return f"Discord is rate-limiting me in {attempt.where}; some actions were dropped"
    if isinstance(error, discord.Forbidden):
        return _forbidden(attempt, error)
    if isinstance(error, discord.NotFound):
        return _not_found(attempt, error)
    if isinstance(error, discord.DiscordServerError):
        return f"Discord had a server error when I tried to {attempt.verb} in {attempt.where}"
    if isinstance(error, discord.HTTPException):
        detail = error.text or f"HTTP {error.status}"
        return f"Discord refused to let me {attempt.verb} in {attempt.where}: {detail}"
    return f"I could not reach Discord to {attempt.verb} in {attempt.where}"


def _forbidden(attempt: Attempt, error: discord.Forbidden) -> str:
    if error.code == CANNOT_MESSAGE_USER:
        return f"{attempt.target or 'this member'} does not accept direct messages"
    if error.code == MISSING_ACCESS:
        return f"I cannot see {attempt.where}; give me the View Channel permission there"
    if attempt.permission:
        reason = f"I lack the {attempt.permission} permission in {attempt.where}"
        if attempt.target and attempt.action in ("timeout", "kick", "ban"):
            reason += f", or {attempt.target}'s highest role is not below mine"
        elif attempt.target and attempt.action in ("add_role", "remove_role"):
            reason += f", or the role {attempt.target} is not below my highest role"
        return reason
    return f"Discord forbade me to {attempt.verb} in {attempt.where}"


def _not_found(attempt: Attempt, error: discord.NotFound) -> str:
    target = attempt.target or "it"
    code = error.code
    if code == UNKNOWN_MESSAGE:
        return f"the message I was to act on in {attempt.where} no longer exists"
    if code in (UNKNOWN_MEMBER, UNKNOWN_USER):
        return f"{target} is no longer a member of {attempt.where}"
    if code == UNKNOWN_CHANNEL:
        return f"the channel {attempt.where} no longer exists"
    if code == UNKNOWN_ROLE:
        return f"the role {target} no longer exists in {attempt.where}"
    if code == UNKNOWN_BAN:
        return f"{target} is not banned from {attempt.where}"
    if code == UNKNOWN_INTERACTION:
        return "a slash command expired before I could answer it (Discord allows 3 seconds)"
    return f"Discord could not find what I was to {attempt.verb} in {attempt.where}"


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
        raise attempt.refused(reason_for(attempt, error)) from error
