"""Which warnings were logged lately, so that one repeated on every event is logged once."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.clock import Clock

AGAIN_AFTER = timedelta(days=1)
"""How long a warning logged stays quiet: long enough not to flood, short enough that the log
of the last day, all an operator may read, still shows what is still wrong."""
REMEMBERED = 10_000
"""Keys remembered at most (the oldest warned is forgotten first): one per community."""


class WarnedOnce:
    """Says whether a warning about ``key`` is due: the first time it says something, again
    when what it says changes, and again once :data:`AGAIN_AFTER` has passed."""

    def __init__(
        self, clock: Clock, *, again_after: timedelta = AGAIN_AFTER, most: int = REMEMBERED
    ) -> None:
        self._clock = clock
        self._again_after = again_after
        self._most = most
        self._warned: OrderedDict[str, tuple[str, datetime]] = OrderedDict()

    def due(self, key: str, says: str) -> bool:
        """Whether to log ``says`` about ``key`` now; if so, it is remembered as logged."""
        now = self._clock.now()
        last = self._warned.get(key)
        if last is not None and last[0] == says and now - last[1] < self._again_after:
            return False
        self._warned[key] = (says, now)
        self._warned.move_to_end(key)
        while len(self._warned) > self._most:
            self._warned.popitem(last=False)
        return True

    def resolved(self, key: str) -> None:
        """What was wrong about ``key`` is not any more: its next warning is logged at once."""
        self._warned.pop(key, None)

    def clear(self) -> None:
        """Forget every warning (the setting they were about may have changed)."""
        self._warned.clear()
