"""Raid safety: telling a wave of joins from the usual trickle, with bounded memory.

More than ``limit`` joins within ``within`` start a *wave*: individual welcomes stop, the
newcomers are gathered (their count, and the first few names) for one aggregated welcome, and
the wave ends after ``quiet`` without a join. The same sliding window bounds anything else the
bot could be made to repeat (goodbyes, nudges, mod-log lines).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cogs.welcome.wording import plain_name

MAX_LISTED = 10
"""Names listed in an aggregated welcome; the rest are counted."""


class SlidingWindow:
    """Times of recent occurrences; never holds more than it needs to answer."""

    def __init__(self) -> None:
        self._times: deque[datetime] = deque()

    def add(self, at: datetime, *, within: timedelta, limit: int) -> int:
        """Record an occurrence at ``at``; return how many fell within ``within`` (≤ limit+1)."""
        self._prune(at, within)
        self._times.append(at)
        while len(self._times) > limit + 1:
            self._times.popleft()
        return len(self._times)

    def allows(self, at: datetime, *, within: timedelta, limit: int) -> bool:
        """Record an occurrence at ``at`` if fewer than ``limit`` fell within ``within``."""
        self._prune(at, within)
        if len(self._times) >= limit:
            return False
        self._times.append(at)
        return True

    def clear(self) -> None:
        """Forget every occurrence."""
        self._times.clear()

    def _prune(self, at: datetime, within: timedelta) -> None:
        while self._times and self._times[0] <= at - within:
            self._times.popleft()


@dataclass
class Wave:
    """A wave of joins in one community."""

    started: datetime
    last_join: datetime
    count: int = 0
    """Newcomers not yet greeted by an aggregated welcome."""
    names: list[str] = field(default_factory=list)
    """The first :data:`MAX_LISTED` of them, as texts write them."""

    def add(self, at: datetime, name: str) -> None:
        """Count one more newcomer of the wave, called ``name``."""
        self.last_join = at
        self.count += 1
        if len(self.names) < MAX_LISTED:
            self.names.append(plain_name(name))


@dataclass(frozen=True)
class JoinVerdict:
    """What to do about one join."""

    individual: bool
    """Greet this newcomer on their own (no wave)."""
    wave_started: bool = False
    """This join started a wave: alert the moderators (once per wave)."""
    wave: Wave | None = None
    overdue: Wave | None = None
    """A wave this join found over (its quiet passed without the job that ends it): it ended
    here, and its job has yet to greet it."""


class JoinWatch:
    """The join windows and waves of every community, by community key."""

    def __init__(self) -> None:
        self._windows: dict[str, SlidingWindow] = {}
        self._waves: dict[str, Wave] = {}

    def join(
        self, key: str, at: datetime, name: str, *, limit: int, within: timedelta, quiet: timedelta
    ) -> JoinVerdict:
        """Record a join of ``name`` in community ``key``; say whether it belongs to a wave."""
        wave = self._waves.get(key)
        overdue = None
        if wave is not None and at - wave.last_join > quiet:
            # The wave ended before its closing job ran (the job is late): start afresh.
            self.end(key)
            overdue, wave = wave, None
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = SlidingWindow()
        recent = window.add(at, within=within, limit=limit)
        if wave is not None:
            wave.add(at, name)
            return JoinVerdict(individual=False, wave=wave)
        if recent <= limit:
            return JoinVerdict(individual=True, overdue=overdue)
        wave = self._waves[key] = Wave(started=at, last_join=at)
        wave.add(at, name)
        return JoinVerdict(individual=False, wave_started=True, wave=wave, overdue=overdue)

    def wave(self, key: str) -> Wave | None:
        """The wave of joins community ``key`` is in, or was in until its job ends it."""
        return self._waves.get(key)

    def in_wave(self, key: str, at: datetime, quiet: timedelta) -> bool:
        """Whether community ``key`` is in a wave of joins at ``at``.

        The wave lasts until ``quiet`` has passed since its last join, that moment included:
        the job greeting the wave runs then, and ends it.
        """
        wave = self._waves.get(key)
        return wave is not None and at - wave.last_join <= quiet

    def end(self, key: str) -> None:
        """The wave of community ``key`` is over: the next burst is a new wave."""
        self._waves.pop(key, None)
        window = self._windows.get(key)
        if window is not None:
            window.clear()
