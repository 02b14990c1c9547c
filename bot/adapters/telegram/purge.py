"""A purge on Telegram: many messages deleted, each chat and each batch on its own account.

``deleteMessages`` takes up to a hundred messages of one chat and skips those it cannot find, but
refuses them all for one it may not delete (older than 48 hours, or not the bot's own where it
lacks the «Delete messages» right). A refused batch is asked again one message at a time, so one
old message no longer keeps the others; a message already gone counts as deleted. A refusal that
holds for the whole chat (a missing right, a chat the bot left, flood control past the waits of
:func:`~bot.adapters.telegram.calls.call_api`) ends that chat's deletions only. What was not
deleted is told once, at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.leftovers import Leftover
from bot.platform import PASSING_REFUSALS, PlatformError

log = logging.getLogger(__name__)

BATCH = 100
"""The most messages ``deleteMessages`` takes at once."""

WHOLE_CHAT = PASSING_REFUSALS | {
    "lacking_right",
    "lacking_rights",
    "removed_from_chat",
    "unknown_chat",
    "chat_migrated",
    "invalid_token",
}
"""Refusals that the chat's next messages would meet too."""

REFUSED_IN_A_ROW = 10
"""Messages refused one after another before the rest of their batch is given up. A bot without
the right may delete only its own recent posts: asking for each of a hundred members' messages
would hold the chat's other updates back for nothing."""

DeleteBatch = Callable[[list[int]], Awaitable[object]]
DeleteOne = Callable[[int], Awaitable[object]]


async def purge_chat(
    ids: Sequence[int], delete_batch: DeleteBatch, delete_one: DeleteOne
) -> list[Leftover]:
    """Delete the messages ``ids`` of one chat; what could not be deleted, and why.

    ``delete_batch`` and ``delete_one`` call ``deleteMessages`` and ``deleteMessage``, raising
    :class:`PlatformError` when Telegram refuses.
    """
    batches = [list(ids[start : start + BATCH]) for start in range(0, len(ids), BATCH)]
    left: list[Leftover] = []
    for index, batch in enumerate(batches):
        later = sum(len(other) for other in batches[index + 1 :])
        try:
            await delete_batch(batch)
            continue
        except PlatformError as refused:
            if refused.key in WHOLE_CHAT:
                return [*left, Leftover(refused, len(batch) + later)]
            log.info("a purge batch was refused (%s); deleting its messages one by one", refused)
        in_a_row = 0
        for position, message_id in enumerate(batch):
            try:
                await delete_one(message_id)
            except PlatformError as refused:
                if refused.key == "message_gone":
                    continue
                rest = len(batch) - position
                if refused.key in WHOLE_CHAT:
                    return [*left, Leftover(refused, rest + later)]
                in_a_row += 1
                if in_a_row == REFUSED_IN_A_ROW:
                    left.append(Leftover(refused, rest))
                    break
                left.append(Leftover(refused, 1))
            else:
                in_a_row = 0
    return left
