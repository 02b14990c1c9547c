"""The updates in hand, kept until handled: a crash, or a kill, loses none.

Telegram forgets an update once the bot asks for the next ones with a higher ``offset``
(getUpdates), or once the webhook answered its delivery. Python-telegram-bot does either as soon
as the update is in its queue, before any handler ran: it offers no way to confirm an update
once handled. Holding the offset back instead would have Telegram send the updates in hand again
at every poll, at once (no long poll while any is pending), and past a hundred of them (one
flood-control pause in a busy group) nothing new would come at all.

So the updates in hand are kept in the state store before Telegram is told to forget them: the
next request for updates, or the webhook's answer, waits for them to be written. Each is dropped
from the store once handled (with or without an error: an update that fails is not tried again),
and those a run left are handled at the next start, before polling resumes. Telegram sends again
what it was not told to forget before a crash; an update kept or handled already is not handled
twice. One left longer than Telegram keeps an update (24 hours) is dropped: a bot down for days
would act on what is long past. An update is kept as python-telegram-bot reads it
(``Update.to_dict``), for the moments it is in hand; a store that fails is logged, and the bot
goes on as python-telegram-bot alone would.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.adapters.telegram.kept import KeptValue
from bot.clock import Clock, SystemClock
from bot.state import StateStore

if TYPE_CHECKING:
    # The type of do_request's timeouts, as python-telegram-bot writes it.
    from telegram._utils.types import ODVInput

log = logging.getLogger(__name__)

STATE_KEY = "telegram:unhandled:{bot_id}"
"""Per bot: update ids are the bot's own, and another token may be another bot."""
KEPT_FOR = timedelta(hours=24)
"""How long Telegram keeps an update no bot asked for: one left longer is past acting on."""


class UnhandledUpdates:
    """The updates received and not handled yet, kept in the state store.

    ``polling``: Telegram learns which updates to forget from the next request for updates
    (:class:`KeepingRequest`); an update handled before it did is remembered until then, as
    Telegram would send it again after a crash. Else the webhook's answer tells it, right after
    the update was kept (:class:`KeepingQueue`).
    """

    def __init__(
        self,
        state: StateStore | None,
        bot_id: str,
        *,
        polling: bool,
        clock: Clock | None = None,
    ) -> None:
        key = STATE_KEY.format(bot_id=bot_id)
        self._kept = KeptValue(state, key, "the Telegram updates not handled yet")
        self._keeping = state is not None
        self._polling = polling
        self._clock = clock or SystemClock()
        self._updates: dict[int, dict[str, Any] | None] = {}
        """Each update in hand by id, as kept (with when it came); None once handled, until
        Telegram forgets it."""
        self._earlier: frozenset[int] = frozenset()
        """What the run before kept: Telegram may send those again once."""
        self._forgotten_below = 0
        self._revision = 0
        self._kept_revision = 0

    async def left_by_the_last_run(self, bot: Bot | None) -> list[Update]:
        """The updates the run before did not handle, in the order they came (read once, at the
        start)."""
        answered, stored = await self._kept.read()
        if not answered or not stored:
            return []
        try:
            kept = json.loads(stored)
            handled = {int(update_id) for update_id in kept.get("handled", [])}
            entries = [_entry(kept_entry, bot) for kept_entry in kept.get("updates", [])]
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            log.warning("could not read the Telegram updates the last run left: %s", error)
            return []
        self._earlier = frozenset(handled | {update.update_id for _, _, update in entries})
        since = self._clock.now() - KEPT_FOR
        left = sorted(
            (update for came, _, update in entries if came >= since),
            key=lambda update: update.update_id,
        )
        if len(left) < len(entries):
            self._revision += 1  # kept no more
            log.warning(
                "dropping %d Telegram updates the last run left unhandled more than %s ago",
                len(entries) - len(left),
                KEPT_FOR,
            )
        for came, entry, update in entries:
            if came >= since:
                self._updates[update.update_id] = entry
        if left:
            log.info("handling %d Telegram updates the last run left unhandled", len(left))
        return left

    def received(self, update: Update) -> bool:
        """Note ``update`` as in hand; False when it is in hand or was handled already (Telegram
        sent it again)."""
        update_id = update.update_id
        if update_id in self._updates or update_id in self._earlier:
            return False
        self._updates[update_id] = (
            {"came": self._clock.now().isoformat(), "update": update.to_dict()}
            if self._keeping
            else {}
        )
        self._revision += 1
        return True

    async def handled(self, update: object) -> None:
        """``update`` is handled: no later run handles it again."""
        if not isinstance(update, Update) or update.update_id not in self._updates:
            return
        update_id = update.update_id
        if self._polling and update_id >= self._forgotten_below:
            self._updates[update_id] = None
        else:
            del self._updates[update_id]
        self._revision += 1
        await self.keep()

    def forgotten_below(self, offset: int) -> None:
        """Telegram forgot the updates below ``offset``: none of them will come again."""
        self._forgotten_below = max(self._forgotten_below, offset)
        for update_id in [i for i, data in self._updates.items() if data is None and i < offset]:
            del self._updates[update_id]

    async def keep(self) -> None:
        """Return once the updates in hand are kept (at once when nothing changed since a
        write that has ended)."""
        if not self._keeping or self._revision == self._kept_revision:
            return
        # Counted kept only once written: a write still running (one a handled update started)
        # may already hold this revision, and Telegram must not forget the updates before it
        # ends. A write that returns was written after this call began, or carried its change.
        revision = self._revision
        await self._kept.write(self._dump)
        self._kept_revision = max(self._kept_revision, revision)

    def _dump(self) -> str:
        updates = [data for data in self._updates.values() if data is not None]
        handled = [update_id for update_id, data in self._updates.items() if data is None]
        return json.dumps({"updates": updates, "handled": handled}, ensure_ascii=False)


def _entry(kept: dict[str, Any], bot: Bot | None) -> tuple[datetime, dict[str, Any], Update]:
    """When a kept update came, the entry as kept, and the update."""
    came = datetime.fromisoformat(kept["came"])
    if came.tzinfo is None:
        raise ValueError(f"{kept['came']!r} has no time zone")
    return came, kept, Update.de_json(kept["update"], bot)


class KeepingQueue(asyncio.Queue[object]):
    """The application's update queue: drops an update sent again; with ``keep_first`` (the
    webhook, which answers Telegram as soon as the update is queued), keeps it first.
    ``arrived`` is told of each update Telegram sends (not of those a run left)."""

    def __init__(
        self,
        unhandled: UnhandledUpdates,
        *,
        keep_first: bool,
        arrived: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self._unhandled = unhandled
        self._keep_first = keep_first
        self._arrived = arrived

    async def put(self, item: object) -> None:
        """Queue ``item`` for the application, unless it is an update in hand already."""
        if isinstance(item, Update):
            if self._arrived is not None:
                self._arrived()
            if not self._unhandled.received(item):
                log.info("Telegram sent update %s again; it is handled once", item.update_id)
                return
            if self._keep_first:
                await self._unhandled.keep()
        await super().put(item)


class KeepingRequest(HTTPXRequest):
    """The getUpdates requests: each tells Telegram to forget the updates below its offset, so
    it waits until the updates in hand are kept."""

    def __init__(self, unhandled: UnhandledUpdates) -> None:
        # What python-telegram-bot uses for getUpdates when given nothing: one connection.
        super().__init__(connection_pool_size=1)
        self._unhandled = unhandled

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Keep the updates in hand, then ask; note what Telegram forgot once it answered."""
        await self._unhandled.keep()
        status, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        offset = request_data.parameters.get("offset") if request_data is not None else None
        if status == 200 and isinstance(offset, int):
            self._unhandled.forgotten_below(offset)
        return status, payload
