"""A purge on Discord: many messages deleted, each one on its own account.

Messages younger than 14 days go in bulk, a hundred per request; older ones one request each
(Discord's bulk endpoint refuses them). A message or channel already gone counts as deleted. A
refusal that holds for the whole channel (a missing permission, a rate limit, an outage) ends
that channel's deletions, so a purge does not pile up refused requests; any other refusal leaves
only its own messages behind. What was not deleted is told once, at the end.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.adapters.discord.refusals import Attempt, refusals
from bot.leftovers import Leftover
from bot.platform import PASSING_REFUSALS, PlatformError

log = logging.getLogger(__name__)

# The bulk-delete endpoint takes 2 to 100 messages younger than 14 days.
BULK_AGE = timedelta(days=14) - timedelta(minutes=5)
BULK_SIZE = 100

GONE = frozenset({"message_gone", "channel_gone"})
"""Refusals that mean there is nothing left to delete."""

WHOLE_CHANNEL = PASSING_REFUSALS | {"lacking_permission", "cannot_see", "forbidden"}
"""Refusals that the channel's next messages would meet too."""


async def purge_channel(
    channel: Any, ids: Sequence[int], attempt: Attempt, now: datetime
) -> list[Leftover]:
    """Delete the messages ``ids`` of ``channel``; what could not be deleted, and why.

    Without the Manage Messages permission every message goes alone: the bulk endpoint needs
    it, while the bot may still delete its own posts (a member's suggestions, erased on request).
    """
    oldest_bulk = now - BULK_AGE
    me = channel.guild.me
    bulk = me is None or channel.permissions_for(me).manage_messages
    recent = [i for i in ids if bulk and discord.utils.snowflake_time(i) > oldest_bulk]
    in_bulk = set(recent)
    single = [i for i in ids if i not in in_bulk]
    work: deque[list[int]] = deque(
        [recent[start : start + BULK_SIZE] for start in range(0, len(recent), BULK_SIZE)]
    )
    work.extend([i] for i in single)
    left: list[Leftover] = []
    while work:
        chunk = work.popleft()
        try:
            with refusals(attempt):
                if len(chunk) == 1:
                    await channel.get_partial_message(chunk[0]).delete()
                else:
                    await channel.delete_messages([discord.Object(i) for i in chunk])
        except PlatformError as refused:
            if refused.key == "channel_gone":
                log.info("%s no longer exists: nothing left to purge there", attempt.where)
                return left
            if refused.key == "message_gone":
                # One bulk-deleted message already gone: the others, one by one.
                work.extendleft([i] for i in reversed(chunk) if len(chunk) > 1)
                continue
            if refused.key in WHOLE_CHANNEL:
                left.append(Leftover(refused, len(chunk) + sum(len(c) for c in work)))
                return left
            left.append(Leftover(refused, len(chunk)))
    return left
