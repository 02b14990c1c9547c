"""A write-behind flush that runs every interval while a cog lives, and once more when it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

_stopping: ContextVar[bool] = ContextVar("periodic_flush_stopping", default=False)


def stopping() -> bool:
    """Whether the flush running now is the last one of a :class:`PeriodicFlush` being stopped:
    what the database refuses then waits for no next flush, only for the tries its store makes
    at stop, if any (``flush_last``)."""
    return _stopping.get()


class PeriodicFlush:
    """Calls ``flush`` every ``interval()`` seconds in the background; a failure waits its turn.

    The interval is read before each wait, so a reloaded rule book takes effect at once.
    """

    def __init__(
        self,
        name: str,
        interval: Callable[[], float],
        flush: Callable[[], Awaitable[object]],
        log: logging.Logger,
    ) -> None:
        self._name = name
        self._interval = interval
        self._flush = flush
        self._log = log
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        """Begin flushing every interval."""
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name=f"{self._name}-flush")

    async def stop(self) -> None:
        """Stop the background flushes, then flush what is pending one last time.

        A flush in progress is never cancelled: cut off while the driver runs a statement, its
        transaction would stay open, holding the database's write lock, until garbage collection,
        and every other writer would wait out its busy timeout. It finishes first.

        The last flush runs with :func:`stopping` true: a store does not log what it could not
        write as kept for a next flush that never comes.
        """
        if self._task is not None:
            self._stopping.set()
            await self._task
            self._task = None
        token = _stopping.set(True)
        try:
            await self._flush()
        finally:
            _stopping.reset(token)

    async def _run(self) -> None:
        while not await self._stopped_within(self._interval()):
            try:
                await self._flush()
            except Exception:
                self._log.exception("%s flush failed; retrying at the next interval", self._name)

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as :meth:`stop` is called."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        return self._stopping.is_set()
