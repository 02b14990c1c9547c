"""What the adapter keeps between runs in the core's state store, each value as JSON text.

Read once; written again after each change, one write at a time: changes made while a write is
under way go, all together, into the next one. A store that fails is logged, never raised: the
adapter goes on with what it has in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.telegram.directory import Directory
from bot.state import StateStore

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R", bound="Restorable")


class KeptValue:
    """The text kept under ``key``; ``what`` names it in the log (``the members held``)."""

    def __init__(self, state: StateStore | None, key: str, what: str) -> None:
        self._state = state
        self._key = key
        self._what = what
        self._writing = asyncio.Lock()
        self._pending = False

    async def read(self) -> tuple[bool, str | None]:
        """Whether the store answered, and the text kept (None when there is none)."""
        if self._state is None:
            return True, None
        try:
            return True, await self._state.get(self._key)
        except SQLAlchemyError as error:
            log.warning("could not read %s: %s", self._what, error)
            return False, None

    async def write(self, render: Callable[[], str]) -> None:
        """Keep what ``render`` gives once this write's turn comes (so the newest state)."""
        if self._state is None:
            return
        self._pending = True
        async with self._writing:
            if not self._pending:
                return  # the write before this one's turn carried its change
            self._pending = False
            try:
                await self._state.set(self._key, render())
            except SQLAlchemyError as error:
                log.warning("could not remember %s: %s", self._what, error)


class Restorable(Protocol):
    """What the adapter remembers and keeps as JSON text (:class:`KeptState`)."""

    revision: int
    """Counts the changes: what was kept is out of date once it moved."""

    def dump(self) -> str:
        """Everything remembered, as JSON text."""
        ...

    def restore(self, text: str | None) -> None:
        """Remember again what :meth:`dump` wrote."""
        ...


class KeptState(Generic[R]):
    """``value`` (who has started the bot, whom the bot holds) kept between runs under ``key``:
    read at the first use, kept again after each change."""

    def __init__(self, value: R, state: StateStore | None, key: str, what: str) -> None:
        self.value = value
        self._kept = KeptValue(state, key, what)
        self._read = False
        self._reading = asyncio.Lock()

    async def get(self) -> R:
        """The value, as kept before a restart."""
        if not self._read:
            async with self._reading:
                if not self._read:
                    _, kept = await self._kept.read()
                    self.value.restore(kept)
                    # A store that did not answer is not asked again: what this run learns is
                    # newer than anything it held (a member unknown is tried once, as before
                    # the bot remembered them).
                    self._read = True
        return self.value

    async def change(self, change: Callable[[R], T]) -> T:
        """Make ``change`` to the value, and keep it if anything changed."""
        value = await self.get()
        revision = value.revision
        result = change(value)
        if value.revision != revision:
            await self._kept.write(value.dump)
        return result


class KeptTopics:
    """The forum topics of each chat, as the directory learns them, kept between runs."""

    def __init__(self, directory: Directory, state: StateStore | None) -> None:
        self._directory = directory
        self._state = state
        self._loaded: set[int] = set()

    def _kept(self, chat_id: int) -> KeptValue:
        return KeptValue(self._state, f"telegram:topics:{chat_id}", f"the topics of {chat_id}")

    async def save(self, chat_id: int) -> None:
        """Keep the topics of ``chat_id`` as the directory knows them now, with those kept
        before a restart."""
        await self.load(chat_id)  # or the first topic learnt would replace all those kept
        topics = {str(thread): name for thread, name in self._directory.topics(chat_id).items()}
        await self._kept(chat_id).write(lambda: json.dumps(topics))

    async def load(self, chat_id: int) -> None:
        """Teach the directory the topics of ``chat_id`` kept before a restart (once; those it
        learnt since win)."""
        if self._state is None or chat_id in self._loaded:
            return
        self._loaded.add(chat_id)
        _answered, stored = await self._kept(chat_id).read()
        if not stored:
            return
        with contextlib.suppress(ValueError, AttributeError):
            for thread, name in json.loads(stored).items():
                if self._directory.topic_name(chat_id, int(thread)) is None:
                    self._directory.remember_topic(chat_id, int(thread), str(name))


MAX_KEPT_THREADS_PER_CHAT = 5_000
"""Messages of a chat whose forum topic is kept between runs, the latest first kept (a
contest's entries, the bot's own posts); older ones are filed under the whole group."""


class KeptThreads:
    """The forum topic of the latest messages posted in topics (the bot's own included), kept
    between runs: a reaction does not say which topic its message is in."""

    def __init__(
        self,
        directory: Directory,
        state: StateStore | None,
        *,
        max_per_chat: int = MAX_KEPT_THREADS_PER_CHAT,
    ) -> None:
        self._directory = directory
        self._state = state
        self._max = max_per_chat
        self._threads: dict[int, OrderedDict[int, int]] = {}
        self._values: dict[int, KeptValue] = {}
        self._loading = asyncio.Lock()

    def _kept(self, chat_id: int) -> KeptValue:
        # One per chat, so that its writes go one at a time and a burst shares one write.
        value = self._values.get(chat_id)
        if value is None:
            value = KeptValue(
                self._state, f"telegram:threads:{chat_id}", f"the topics of {chat_id}'s messages"
            )
            self._values[chat_id] = value
        return value

    async def load(self, chat_id: int) -> None:
        """Teach the directory the topics of ``chat_id``'s messages kept before a restart (once;
        what it learnt since wins)."""
        if chat_id in self._threads:
            return
        async with self._loading:
            if chat_id in self._threads:
                return
            _answered, stored = await self._kept(chat_id).read()
            threads = _restored(stored)
            for message_id, thread_id in threads.items():
                if self._directory.thread_of(chat_id, message_id) is None:
                    self._directory.remember_message(chat_id, message_id, thread_id)
            self._threads[chat_id] = threads
            self._trim(threads)

    async def remember(self, chat_id: int, message_id: int, thread_id: int | None) -> None:
        """Remember the forum topic of a message, and keep it."""
        if thread_id is None:
            return
        self._directory.remember_message(chat_id, message_id, thread_id)
        await self.load(chat_id)
        threads = self._threads[chat_id]
        if threads.get(message_id) == thread_id:
            return  # an edit, or a message told twice: nothing new to keep
        threads[message_id] = thread_id
        threads.move_to_end(message_id)
        self._trim(threads)
        await self._kept(chat_id).write(lambda: _dumped(threads))

    def _trim(self, threads: OrderedDict[int, int]) -> None:
        while len(threads) > self._max:
            threads.popitem(last=False)


def _dumped(threads: OrderedDict[int, int]) -> str:
    """``{thread: [message ids]}``: shorter than one entry per message."""
    by_thread: dict[str, list[int]] = {}
    for message_id, thread_id in threads.items():
        by_thread.setdefault(str(thread_id), []).append(message_id)
    return json.dumps(by_thread, separators=(",", ":"))


def _restored(stored: str | None) -> OrderedDict[int, int]:
    """What :func:`_dumped` wrote, oldest message first (message ids grow in a chat); nothing
    from text that is not that."""
    threads: OrderedDict[int, int] = OrderedDict()
    if not stored:
        return threads
    try:
        by_thread = json.loads(stored)
        pairs = sorted(
            (int(message_id), int(thread_id))
            for thread_id, message_ids in by_thread.items()
            if isinstance(message_ids, list)
            for message_id in message_ids
        )
    except (ValueError, TypeError, AttributeError) as error:
        log.warning("could not read the kept topics of messages: %s", error)
        return threads
    threads.update(pairs)
    return threads
