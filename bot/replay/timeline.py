"""Every file's events as one timeline, read as it plays: the files merged by time (a file's own
order breaks ties, so a message comes before the reactions to it), a file that does not list its
events by time sorted first, and what two overlapping exports both hold played once.

What is held at a time is a few events of each file, not the files: a file out of time order is
sorted in runs written to temporary files, and a repeat is looked for only where two exports
hold the same channel, among the last day's events.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import pickle
import tempfile
from collections import Counter, deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import IO

from bot.events import Event, MemberJoined, MessageCreated, ReactionAdded
from bot.replay.history import History

REAL_IDS = frozenset({"discord", "telegram"})
"""The formats whose messages carry the platform's own ids."""
RUN = 50_000
"""Events of a file out of time order sorted in memory at a time."""
REPEAT_WINDOW = timedelta(days=1)
"""How far apart in time two copies of an event may be and still be taken for one. Two exports
of a channel give a message the same time; a day covers an export that wrote local times
without their offset."""


def _time(event: Event) -> datetime:
    return event.at


def in_time_order(history: History) -> Iterator[Event]:
    """The events of one file by time, its own order breaking ties."""
    if history.in_time_order:
        yield from history.events()
        return
    with contextlib.ExitStack() as files:
        runs: list[IO[bytes]] = []
        events = history.events()
        while batch := list(itertools.islice(events, RUN)):
            batch.sort(key=_time)  # a stable sort: the file's order breaks ties
            if not runs and len(batch) < RUN:
                yield from batch  # the whole file in one run: nothing to write
                return
            run = files.enter_context(tempfile.TemporaryFile(prefix="jardinier-replay-"))
            runs.append(run)
            for event in batch:
                pickle.dump(event, run, pickle.HIGHEST_PROTOCOL)
            run.seek(0)
        # Ties go to the earlier run: the file's order is kept.
        yield from heapq.merge(*(_unpickled(run) for run in runs), key=_time)


def _unpickled(run: IO[bytes]) -> Iterator[Event]:
    while True:
        try:
            yield pickle.load(run)
        except EOFError:
            return


def ordered_events(histories: Sequence[History]) -> Iterator[Event]:
    """Every event of every history, by time; the order of the files, then of each file, breaks
    ties."""
    # Ties go to the earlier file.
    return heapq.merge(*(in_time_order(history) for history in histories), key=_time)


class Timeline:
    """The events to play, by time, each repeat of an overlapping export left out and counted
    in :attr:`repeats` (a January export and a "last 90 days" one hold the same messages).

    Repeats are looked for only in a channel (for joins, a community) that more than one
    platform export holds; only those carry real ids: a CSV row's id may be its position, which
    two files share without being the same message.
    """

    def __init__(self, histories: Sequence[History]) -> None:
        self.histories = histories
        self.repeats = 0
        exported = [history for history in histories if history.format in REAL_IDS]
        self._channels = _shared(history.channel for history in exported)
        self._communities = _shared(history.community for history in exported)

    def __iter__(self) -> Iterator[Event]:
        seen: set[tuple[object, ...]] = set()
        recent: deque[tuple[datetime, tuple[object, ...]]] = deque()
        for event in ordered_events(self.histories):
            while recent and recent[0][0] < event.at - REPEAT_WINDOW:
                seen.discard(recent.popleft()[1])
            key = self._identity(event)
            if key is not None:
                if key in seen:
                    self.repeats += 1
                    continue
                seen.add(key)
                recent.append((event.at, key))
            yield event

    def _identity(self, event: Event) -> tuple[object, ...] | None:
        if isinstance(event, MessageCreated):
            if event.message.channel in self._channels:
                return ("message", event.message)
        elif isinstance(event, ReactionAdded):
            if event.message.channel in self._channels:
                return ("reaction", event.message, event.member.user.id, event.emoji)
        elif isinstance(event, MemberJoined) and event.community in self._communities:
            return ("join", event.community, event.member.user.id, event.at)
        return None


def _shared(items: Iterable[Hashable]) -> set[Hashable]:
    """What comes up more than once."""
    counts = Counter(items)
    return {item for item, count in counts.items() if count > 1}
