"""One ``asyncio.Lock`` per key, kept only while a task holds it or waits for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    """Locks by key (a contest, a member), made when first asked for and dropped once nobody
    holds or waits for them: a key that comes once (most of them) costs nothing afterwards.
    Granted in the order asked, as an ``asyncio.Lock`` is."""

    def __init__(self) -> None:
        self._locks: dict[K, tuple[asyncio.Lock, int]] = {}

    def __contains__(self, key: object) -> bool:
        """Whether a task holds ``key``'s lock or waits for it: one lookup, no await."""
        return key in self._locks

    def __bool__(self) -> bool:
        return bool(self._locks)

    @asynccontextmanager
    async def holding(self, key: K) -> AsyncIterator[None]:
        """Hold ``key``'s lock while the block runs (counted as waiting before any await)."""
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
