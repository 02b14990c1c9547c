"""Names of members the core never recorded, for the rankings to show a name, not an id.

A member credited only through a reply to a message the bot did not see (posted before it
started) has no ``members`` row: the core records members as they post, join or act. Their name
comes from the platform: the one it gives with the reply (Telegram always, Discord when it
resolved the message replied to) is remembered; failing that, the platform is asked by id when a
ranking shows them (Discord fetches the server's member, Telegram the group's). At most
:data:`MAX_LOOKUPS` are asked for one answer, all at once and for :data:`LOOKUP_SECONDS` at most;
the answers are kept (a name until heard anew, none for :data:`NONE_KEPT`, a failure for
:data:`FAILURE_KEPT`), so ``/top`` asked in a loop asks the platform nothing more. A member still
unnamed is written as the texts' ``member_unseen`` says. Memory only: a restart asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.events import CommunityRef, UserRef
from bot.platform import PlatformError

log = logging.getLogger("cogs.contributors")

MAX_NAMES = 10_000
"""Names (or their absence) remembered, at most: the least recently used go first."""
MAX_LOOKUPS = 20
"""Members asked of the platform for one answer, at most (``/top`` lists up to twice its size)."""
LOOKUP_SECONDS = 3.0
NONE_KEPT = timedelta(hours=1)
"""How long the platform's "nobody by that id here" is believed (one who left may come back)."""
FAILURE_KEPT = timedelta(minutes=5)
"""How long a platform that could not be asked (a rate limit, an outage) is left alone."""

NameLookup = Callable[[str], Coroutine[Any, Any, str | None]]
"""Asks the platform the name of a member by id (None: it knows nobody by that id)."""


class UnrecordedNames:
    """Names heard with replies, or asked of the platform, by community and user id."""

    def __init__(self, clock: Clock, *, limit: int = MAX_NAMES) -> None:
        self._clock = clock
        self._limit = limit
        # A name, or "" and until when the platform is not asked again.
        self._names: OrderedDict[tuple[str, str], tuple[str, datetime | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._names)

    def heard(self, community: CommunityRef, user: UserRef) -> None:
        """The platform named ``user`` (the author of a message replied to)."""
        if user.name:
            self._keep(community, user.id, user.name)

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Forget the name of ``user_id`` (their data erased)."""
        self._names.pop((community.key, user_id), None)

    async def of(
        self, community: CommunityRef, user_ids: Sequence[str], lookup: NameLookup
    ) -> dict[str, str]:
        """The names of those of ``user_ids`` that are known, asking ``lookup`` for the others
        (at most :data:`MAX_LOOKUPS`, for :data:`LOOKUP_SECONDS`); an unknown one is left out."""
        now = self._clock.now()
        found: dict[str, str] = {}
        asked: list[str] = []
        for user_id in user_ids:
            key = (community.key, user_id)
            kept = self._names.get(key)
            if kept is not None and (kept[1] is None or kept[1] > now):
                self._names.move_to_end(key)
                if kept[0]:
                    found[user_id] = kept[0]
            elif len(asked) < MAX_LOOKUPS:
                asked.append(user_id)
        if not asked:
            return found
        tasks: dict[str, asyncio.Task[str | None]] = {
            user_id: asyncio.create_task(lookup(user_id)) for user_id in asked
        }
        _done, late = await asyncio.wait(tasks.values(), timeout=LOOKUP_SECONDS)
        for task in late:
            task.cancel()
        for user_id, task in tasks.items():
            name = self._answer(community, user_id, task)
            if name:
                found[user_id] = name
        return found

    def _answer(
        self, community: CommunityRef, user_id: str, task: asyncio.Task[str | None]
    ) -> str:
        """What the platform said of ``user_id`` (kept for as long as it is believed)."""
        if task.cancelled():
            log.info(
                "no name for member %s of %s: the platform was too slow", user_id, community.key
            )
            self._keep(community, user_id, "", FAILURE_KEPT)
            return ""
        error = task.exception()
        if error is not None:
            if isinstance(error, PlatformError | TimeoutError):
                log.info("no name for member %s of %s: %s", user_id, community.key, error)
            else:
                log.error("no name for member %s of %s", user_id, community.key, exc_info=error)
            self._keep(community, user_id, "", FAILURE_KEPT)
            return ""
        name = task.result() or ""
        self._keep(community, user_id, name, None if name else NONE_KEPT)
        return name

    def _keep(
        self, community: CommunityRef, user_id: str, name: str, kept: timedelta | None = None
    ) -> None:
        """Remember ``name`` (kept until heard anew), or no name for ``kept``."""
        key = (community.key, user_id)
        names = self._names
        names[key] = (name, None if kept is None else self._clock.now() + kept)
        names.move_to_end(key)
        while len(names) > self._limit:
            names.popitem(last=False)
