"""Calling the Bot API: flood limits honoured, refusals turned into neutral platform errors.

A ``RetryAfter`` (flood control) is waited out and the call tried again, at most twice and never
for long, so no retry storm can build up. ``Forbidden``, ``BadRequest`` and network failures become
a :class:`PlatformError` whose reason a community manager can act on; the core reports it once to
the mod-log.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.events import CommunityRef
from bot.platform import PlatformError

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_RETRIES = 2
MAX_WAIT = 30.0  # seconds; a longer flood wait drops the action instead of stalling the bot
SLACK = 0.2

Sleep = Callable[[float], Awaitable[None]]


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asks to wait, in seconds."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are read here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def call_api(
    action: str,
    call: Callable[[], Awaitable[T]],
    *,
    community: CommunityRef | None = None,
    subject: str = "",
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run one Bot API call; raise :class:`PlatformError` if Telegram refuses it.

    ``action`` names what the bot was doing (``delete``, ``timeout`` …) and ``subject`` who or what
    it was done to, for the reason shown to moderators.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if attempt >= MAX_RETRIES or wait > MAX_WAIT:
                raise PlatformError(
                    action,
                    f"Telegram's flood control asked me to wait {wait:.0f} s; "
                    f"the {action} was dropped",
                    community=community,
                ) from None
            attempt += 1
            log.info("flood control: waiting %.1f s before retrying %s", wait, action)
            await sleep(wait + SLACK)
        except TelegramError as error:
            raise PlatformError(
                action,
                reason_for(action, error, community=community, subject=subject),
                community=community,
            ) from None


# What each action needs, and how to say it without naming anyone: a missing right is one problem,
# reported once, however many members it touched.
_NEEDS: dict[str, tuple[str, str]] = {
    "delete": ("Delete messages", "delete messages"),
    "timeout": ("Ban users", "time members out"),
    "restrict": ("Ban users", "restrict members"),
    "unrestrict": ("Ban users", "lift restrictions"),
    "kick": ("Ban users", "remove members"),
    "ban": ("Ban users", "ban members"),
    "unban": ("Ban users", "unban members"),
    "send": ("", "post messages"),
    "react": ("", "react to messages"),
}


def reason_for(
    action: str, error: TelegramError, *, community: CommunityRef | None = None, subject: str = ""
) -> str:
    """A sentence a community manager can act on, for a refused Bot API call."""
    where = f"in {community.name}" if community is not None and community.name else "there"
    text = error.message.lower()
    target = f" {subject}" if subject else ""
    if isinstance(error, InvalidToken):
        return "Telegram refused the bot's token; copy it again from BotFather into TELEGRAM_TOKEN"
    if isinstance(error, ChatMigrated):
        return (
            f"the group became a supergroup with id {error.new_chat_id}; rename its override "
            f"file in the rule book to telegram-{error.new_chat_id}.yaml"
        )
    if isinstance(error, Forbidden):
        if "initiate conversation" in text or "blocked by the user" in text:
            return (
                f"I cannot write privately to{target or ' this member'}: they have not started "
                "a conversation with the bot (or blocked it)"
            )
        if "kicked" in text or "not a member" in text:
            return f"I was removed from the chat, so I could not {action}{target}"
        return f"Telegram did not let me {action}{target} {where}: {error.message}"
    if isinstance(error, BadRequest):
        right, doing = _NEEDS.get(action, ("", action))
        if "can't be deleted" in text:
            return (
                f"I could not delete a message {where}: I need the «Delete messages» "
                "administrator right, and Telegram lets bots delete only messages younger than "
                "48 hours"
            )
        if "not enough rights" in text or "admin_required" in text:
            if right:
                return f"I need the «{right}» administrator right {where} to {doing}"
            return f"I lack the rights {where} to {doing}"
        if "administrator" in text or "chat owner" in text or "user_admin_invalid" in text:
            return f"I cannot {action}{target} {where}: they are an administrator of the chat"
        if "message to delete not found" in text or "message to react not found" in text:
            return f"the message was already gone, so I could not {action} it"
        if "chat not found" in text:
            return f"Telegram does not know that chat; is the bot still a member? ({action})"
        if "user not found" in text or "participant_id_invalid" in text:
            return f"Telegram does not know{target or ' that member'} {where}"
        if "thread not found" in text:
            return f"the forum topic no longer exists, so I could not {action}"
        if "reaction_invalid" in text:
            return f"Telegram does not allow that reaction {where}"
        return f"Telegram refused to {action}{target} {where}: {error.message}"
    if isinstance(error, TimedOut):
        return f"Telegram did not answer in time; the {action} may not have happened"
    if isinstance(error, NetworkError):
        return f"I could not reach Telegram to {action}{target}: {error.message}"
    return f"Telegram refused to {action}{target} {where}: {error.message}"
