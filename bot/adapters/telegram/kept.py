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
from bot.keyedlocks import KeyedLocks
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

    async def write(self, render: Callable[[], str]) -> bool:
        """Keep what ``render`` gives once this write's turn comes (so the newest state);
        whether the store took it."""
        if self._state is None:
            return True
        self._pending = True
        async with self._writing:
            if not self._pending:
                return True  # the write before this one's turn carried its change
            self._pending = False
            try:
                await self._state.set(self._key, render())
            except SQLAlchemyError as error:
                log.warning("could not remember %s: %s", self._what, error)
                return False
            return True


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
    """The forum topics of each chat, as the directory learns them, kept between runs.

    What was kept is read before anything is written over it: a topic learnt before that read
    answered is written once it has (or at the next :meth:`flush`).
    """

    def __init__(self, directory: Directory, state: StateStore | None) -> None:
        self._directory = directory
        self._state = state
        self._loaded: set[int] = set()
        self._unsaved: set[int] = set()
        self._loading: KeyedLocks[int] = KeyedLocks()
        self._values: dict[int, KeptValue] = {}

    def _kept(self, chat_id: int) -> KeptValue:
        # One per chat, so that its writes go one at a time, the newest last.
        value = self._values.get(chat_id)
        if value is None:
            value = KeptValue(
                self._state, f"telegram:topics:{chat_id}", f"the topics of {chat_id}"
            )
            self._values[chat_id] = value
        return value

    async def save(self, chat_id: int) -> None:
        """Keep the topics of ``chat_id`` as the directory knows them now, with those kept
        before a restart."""
        self._unsaved.add(chat_id)
        if chat_id in self._loaded:
            await self._write(chat_id)
        elif chat_id not in self._loading:
            await self.load(chat_id)  # writes them once it has read those kept
        # else the read under way writes them once it answers

    async def load(self, chat_id: int) -> None:
        """Teach the directory the topics of ``chat_id`` kept before a restart (once the store
        answers; those it learnt since win)."""
        if chat_id in self._loaded:
            return
        async with self._loading.holding(chat_id):
            if chat_id in self._loaded:
                return
            answered, stored = await self._kept(chat_id).read()
            if not answered:
                return  # asked again at the next use: nothing is written over it meanwhile
            if stored:
                with contextlib.suppress(ValueError, AttributeError):
                    for thread, name in json.loads(stored).items():
                        if self._directory.topic_name(chat_id, int(thread)) is None:
                            self._directory.remember_topic(chat_id, int(thread), str(name))
            self._loaded.add(chat_id)
        if chat_id in self._unsaved:
            await self._write(chat_id)

    async def flush(self) -> None:
        """Keep the topics learnt while the store could not be read or written."""
        for chat_id in list(self._unsaved):
            if chat_id in self._loaded:
                await self._write(chat_id)
            else:
                await self.load(chat_id)

    async def _write(self, chat_id: int) -> None:
        self._unsaved.discard(chat_id)

        def render() -> str:
            topics = self._directory.topics(chat_id)
            return json.dumps({str(thread): name for thread, name in topics.items()})

        if not await self._kept(chat_id).write(render):
            self._unsaved.add(chat_id)


MAX_KEPT_THREADS_PER_CHAT = 5_000
"""Members' messages of a chat whose forum topic is kept between runs, the latest kept;
older ones are filed under the whole group."""

MAX_KEPT_OWN_POSTS_PER_CHAT = 10_000
"""The bot's own posts of a chat (contest entries, suggestions, posts with buttons) whose forum
topic is kept between runs: what votes and presses land on, kept apart so that members' chatter
cannot push them out."""


class KeptThreads:
    """The forum topic of the latest messages posted in topics, kept between runs: a reaction
    does not say which topic its message is in.

    Members' messages and the bot's own posts are kept in two lists, each with its bound, in
    the background (:meth:`flush`), never while an update is handled. Nothing is written over
    what a chat kept before its read answered.
    """

    def __init__(
        self,
        directory: Directory,
        state: StateStore | None,
        *,
        max_per_chat: int = MAX_KEPT_THREADS_PER_CHAT,
        max_own_per_chat: int = MAX_KEPT_OWN_POSTS_PER_CHAT,
    ) -> None:
        self._directory = directory
        self._state = state
        self._bounds = {False: max_per_chat, True: max_own_per_chat}
        self._threads: dict[tuple[int, bool], OrderedDict[int, int]] = {}
        self._loaded: set[int] = set()
        self._changed: set[int] = set()
        self._loading: KeyedLocks[int] = KeyedLocks()

    def _key(self, chat_id: int, own: bool) -> str:
        return f"telegram:{'own_threads' if own else 'threads'}:{chat_id}"

    async def load(self, chat_id: int) -> None:
        """Teach the directory the topics of ``chat_id``'s messages kept before a restart (once
        the store answers; what it learnt since wins)."""
        if chat_id in self._loaded:
            return
        if self._state is None:
            self._loaded.add(chat_id)
            return
        async with self._loading.holding(chat_id):
            if chat_id in self._loaded:
                return
            stored: dict[bool, str | None] = {}
            for own in (False, True):
                try:
                    stored[own] = await self._state.get(self._key(chat_id, own))
                except SQLAlchemyError as error:
                    log.warning("could not read the topics of %s's messages: %s", chat_id, error)
                    return  # asked again at the next use: nothing is written over it meanwhile
            for own, text in stored.items():
                kept = _restored(text)
                for message_id, thread_id in kept.items():
                    if self._directory.thread_of(chat_id, message_id) is None:
                        self._directory.remember_message(chat_id, message_id, thread_id)
                # Those remembered since the start are the latest.
                learnt = self._threads.get((chat_id, own), OrderedDict())
                kept.update(learnt)
                for message_id in learnt:
                    kept.move_to_end(message_id)
                self._threads[(chat_id, own)] = kept
                self._trim(kept, own)
            self._loaded.add(chat_id)

    def remember(
        self, chat_id: int, message_id: int, thread_id: int | None, *, own: bool = False
    ) -> None:
        """Remember the forum topic of a message (``own``: the bot's), kept at the next
        :meth:`flush`."""
        if thread_id is None:
            return
        self._directory.remember_message(chat_id, message_id, thread_id)
        threads = self._threads.setdefault((chat_id, own), OrderedDict())
        if threads.get(message_id) == thread_id:
            return  # an edit, or a message told twice: nothing new to keep
        threads[message_id] = thread_id
        threads.move_to_end(message_id)
        self._trim(threads, own)
        self._changed.add(chat_id)

    async def flush(self) -> None:
        """Keep the chats changed since the last flush; those whose kept topics could not be
        read, or written, wait for the next."""
        if self._state is None:
            self._changed.clear()
            return
        for chat_id in list(self._changed):
            await self.load(chat_id)
            if chat_id not in self._loaded:
                continue
            self._changed.discard(chat_id)
            try:
                for own in (False, True):
                    threads = self._threads.get((chat_id, own))
                    if threads is not None:
                        await self._state.set(self._key(chat_id, own), _dumped(threads))
            except SQLAlchemyError as error:
                self._changed.add(chat_id)
                log.warning(
                    "could not keep the topics of %s's messages (tried again later): %s",
                    chat_id,
                    error,
                )

    def _trim(self, threads: OrderedDict[int, int], own: bool) -> None:
        while len(threads) > self._bounds[own]:
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
