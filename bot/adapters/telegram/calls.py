"""Calling the Bot API: flood limits honoured, refusals turned into neutral platform errors.

A ``RetryAfter`` (flood control) is waited out and the call tried again, at most twice and never
for long, so no retry storm can build up; an answer to a member (:func:`without_waiting`) is
dropped at once instead, so that it never holds back the updates of its chat, the moderation of
the next message included. ``Forbidden``, ``BadRequest`` and network failures become
a :class:`PlatformError` whose text (``texts.<locale>.refusals``) a community manager can act on;
the core writes it in the community's language and reports it once to the mod-log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
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

_waiting: ContextVar[bool] = ContextVar("telegram_flood_waits", default=True)


@contextlib.contextmanager
def without_waiting() -> Iterator[None]:
    """Within this block, a call Telegram's flood control holds back is dropped, not waited
    out: an answer to a member, which must not keep its chat's next updates waiting."""
    token = _waiting.set(False)
    try:
        yield
    finally:
        _waiting.reset(token)


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
    it was done to, for the refusal shown to moderators.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if not _waiting.get():
                log.warning(
                    "flood control asked to wait %.0f s; an answer to a member (%s) dropped "
                    "rather than keep the chat waiting",
                    wait,
                    action,
                )
                raise refusal(action, "rate_limited", community=community) from None
            if attempt >= MAX_RETRIES or wait > MAX_WAIT:
                log.warning("flood control asked to wait %.0f s; %s dropped", wait, action)
                raise refusal(action, "rate_limited", community=community) from None
            attempt += 1
            log.info("flood control: waiting %.1f s before retrying %s", wait, action)
            await sleep(wait + SLACK)
        except TelegramError as error:
            raise refusal_for(action, error, community=community, subject=subject) from None


PLATFORM_NAME = "Telegram"

# The administrator right each action needs. Refusals name no member when the right is what is
# missing: a missing right is one problem, reported once, however many members it touched.
_NEEDS: dict[str, str] = {
    "delete": "can_delete_messages",
    "purge": "can_delete_messages",
    "timeout": "can_restrict_members",
    "restrict": "can_restrict_members",
    "unrestrict": "can_restrict_members",
    "kick": "can_restrict_members",
    "ban": "can_restrict_members",
    "unban": "can_restrict_members",
}


# What Telegram answers about a user it knows no such member as: never seen, not in the chat,
# hidden from the bot, or a number that cannot be a user's id.
_NOBODY = (
    "user not found",
    "member not found",
    "participant_id_invalid",
    "invalid user_id",
)


def refusal(
    action: str, key: str, *, community: CommunityRef | None = None, **values: str | int
) -> PlatformError:
    """A Telegram refusal of ``action``: the text ``key``, with the chat as ``{where}``."""
    where = (community.name or community.id) if community is not None else PLATFORM_NAME
    return PlatformError(
        action, key, community=community, **{"platform": PLATFORM_NAME, "where": where, **values}
    )


def refusal_for(
    action: str, error: TelegramError, *, community: CommunityRef | None = None, subject: str = ""
) -> PlatformError:
    """What a community manager can act on, for a refused Bot API call."""
    text = error.message.lower()
    target = subject or "?"

    def refused(key: str, **values: str | int) -> PlatformError:
        return refusal(action, key, community=community, **values)

    if isinstance(error, InvalidToken):
        return refused("invalid_token")
    if isinstance(error, ChatMigrated):
        return refused("chat_migrated", chat=str(error.new_chat_id))
    if isinstance(error, Forbidden):
        if "initiate conversation" in text or "blocked by the user" in text:
            return refused("not_started", target=target)
        if "kicked" in text or "not a member" in text:
            return refused("removed_from_chat")
        return refused("refused", detail=error.message)
    if isinstance(error, BadRequest):
        right = _NEEDS.get(action)
        if "can't be deleted" in text:
            return refused("cannot_delete_old", permission="can_delete_messages")
        if "not enough rights" in text or "admin_required" in text:
            if right:
                return refused("lacking_right", permission=right)
            return refused("lacking_rights")
        if "administrator" in text or "chat owner" in text or "user_admin_invalid" in text:
            return refused("administrator", target=target)
        if "message to delete not found" in text or "message to react not found" in text:
            return refused("message_gone")
        if "chat not found" in text:
            return refused("unknown_chat")
        if any(nobody in text for nobody in _NOBODY):
            return refused("unknown_member", target=target)
        if "thread not found" in text:
            return refused("topic_gone")
        if "reaction_invalid" in text:
            return refused("reaction_not_allowed")
        return refused("refused", detail=error.message)
    if isinstance(error, TimedOut):
        return refused("no_answer")
    if isinstance(error, NetworkError):
        log.warning("could not reach Telegram to %s: %s", action, error.message)
        return refused("unreachable")
    return refused("refused", detail=error.message)
