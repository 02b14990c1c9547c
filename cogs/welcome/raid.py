"""Raid safety: telling a wave of joins from the usual trickle, with bounded memory.

More than ``limit`` members joining within ``within`` start a *wave* (one member leaving and
joining again and again counts once): individual welcomes stop, the newcomers are gathered (by
user id, so that one who comes back is counted once and one who leaves is dropped) for one
aggregated welcome, and the wave ends after ``quiet`` without a join. The same sliding window
bounds anything else the bot could be made to repeat (goodbyes, nudges, mod-log lines).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from cogs.welcome.wording import plain_name

MAX_LISTED = 10
"""Names listed in an aggregated welcome; the rest are counted."""
MAX_KEPT = 10_000
"""Newcomers of one wave known by id; the others are only counted (a huge raid's ids would fill
the memory and the job that greets it)."""


class SlidingWindow:
    """Times of recent occurrences; never holds more than it needs to answer."""

    def __init__(self) -> None:
        self._times: deque[datetime] = deque()

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


class ArrivalWindow:
    """The members who joined recently, each counted once however often they came and went
    (a join-leave loop is one person, not a raid); never holds more than it needs to answer."""

    def __init__(self) -> None:
        # Each member at their latest join, oldest first.
        self._latest: OrderedDict[str, datetime] = OrderedDict()

    def add(self, at: datetime, user_id: str, *, within: timedelta, limit: int) -> int:
        """Record a join of ``user_id`` at ``at``; return how many members joined within
        ``within`` (≤ limit+1)."""
        latest = self._latest
        latest.pop(user_id, None)
        latest[user_id] = at
        while latest and next(iter(latest.values())) <= at - within:
            latest.popitem(last=False)
        while len(latest) > limit + 1:
            latest.popitem(last=False)
        return len(latest)

    def clear(self) -> None:
        """Forget every arrival."""
        self._latest.clear()


@dataclass
class Wave:
    """A wave of joins in one community: its newcomers not greeted yet, who are still here."""

    started: datetime
    last_join: datetime
    members: dict[str, str] = field(default_factory=dict)
    """Names as texts write them, by user id, in order of arrival."""
    anonymous: int = 0
    """Newcomers beyond :data:`MAX_KEPT`: counted, neither told apart nor dropped on leaving."""
    lately: dict[str, str] = field(default_factory=dict)
    """Newcomers of the wave welcomed a short while ago (back after leaving): not greeted
    again, but invited to introduce themselves with the others."""
    failed: int = 0
    """How many runs of its welcome failed (a busy database): a bounded number are tried."""

    @property
    def count(self) -> int:
        """How many newcomers the aggregated welcome greets."""
        return len(self.members) + self.anonymous

    @property
    def kept(self) -> int:
        """How many newcomers it knows by id: what the size of its job grows with."""
        return len(self.members) + len(self.lately)

    @property
    def names(self) -> list[str]:
        """The first :data:`MAX_LISTED` of them."""
        return list(islice(self.members.values(), MAX_LISTED))

    @property
    def newcomers(self) -> dict[str, str]:
        """Every newcomer of the wave known by id, greeted or welcomed lately: names by id."""
        return {**self.members, **self.lately}

    def add(self, at: datetime, user_id: str, name: str) -> None:
        """Count one more newcomer of the wave (once, however often they join)."""
        self.last_join = at
        if user_id not in self.lately:
            self._keep(user_id, plain_name(name))

    def welcomed_lately(self, user_id: str) -> None:
        """The newcomer ``user_id`` was welcomed a short while ago: not greeted again."""
        name = self.members.pop(user_id, None)
        if name is not None:
            self.lately[user_id] = name

    def _keep(self, user_id: str, name: str) -> None:
        if user_id in self.members:
            return
        if len(self.members) + len(self.lately) < MAX_KEPT:
            self.members[user_id] = name
        else:
            self.anonymous += 1

    def remove(self, user_id: str) -> bool:
        """The newcomer ``user_id`` left: not greeted; whether they were in the wave."""
        greeted = self.members.pop(user_id, None) is not None
        return self.lately.pop(user_id, None) is not None or greeted

    def take_in(self, earlier: Wave) -> None:
        """Greet the newcomers of ``earlier``, never greeted, with this wave's (theirs first)."""
        ours, self.members = self.members, {}
        for user_id, name in (*earlier.members.items(), *ours.items()):
            if user_id not in self.lately:
                self._keep(user_id, name)
        for user_id, name in earlier.lately.items():
            if user_id not in self.members:
                self.lately.setdefault(user_id, name)
        self.anonymous += earlier.anonymous
        self.failed = max(self.failed, earlier.failed)
        self.started = min(self.started, earlier.started)

    def recovered(self, user_id: str, name: str | None, *, lately: bool) -> bool:
        """Greet ``user_id`` too (named ``name``; None: not named), a newcomer of this wave its
        job did not name (a kill came before it was written again), or only invite them to
        introduce themselves (``lately``: welcomed a short while ago). Whether they are to be
        counted, not named (no name, or the wave is or was full: a job that counts newcomers
        it could not name may count them already, and naming one would count them twice), see
        :meth:`counted_at_least`."""
        if user_id in self.members or user_id in self.lately:
            return False
        if lately:
            if name is not None and self.kept < MAX_KEPT:
                self.lately[user_id] = plain_name(name)
            return False
        if name is None or self.kept >= MAX_KEPT or self.anonymous:
            return True
        self.members[user_id] = plain_name(name)
        return False

    def counted_at_least(self, unnamed: int) -> None:
        """The recovery found ``unnamed`` newcomers to count, not name: those its job counted
        (beyond :data:`MAX_KEPT`) are among them, so the count is the larger of the two."""
        self.anonymous = max(self.anonymous, unnamed)

    def arguments(self) -> dict[str, Any]:
        """The newcomers, as plain arguments for the job that greets them."""
        arguments: dict[str, Any] = {
            "members": dict(self.members),
            "anonymous": self.anonymous,
            "started": self.started.isoformat(),
        }
        if self.lately:
            arguments["lately"] = dict(self.lately)
        if self.failed:
            arguments["failed_welcomes"] = self.failed
        return arguments

    @classmethod
    def of_arguments(cls, arguments: Mapping[str, Any], at: datetime) -> Wave:
        """The wave a job's :meth:`arguments` hold; ``at`` stands for its times (such a wave is
        only greeted or taken in), but for when it started, where a job says it."""
        members = arguments.get("members")
        if members is None:
            # A job planned before waves knew their newcomers by id: its count and names.
            names = list(arguments.get("names", ()))
            members = {f"#{number}": name for number, name in enumerate(names)}
            anonymous = int(arguments.get("count", 0)) - len(names)
        else:
            anonymous = int(arguments.get("anonymous", 0))
        started = arguments.get("started")
        return cls(
            started=at if started is None else datetime.fromisoformat(started),
            last_join=at,
            members=dict(members),
            anonymous=max(anonymous, 0),
            lately=dict(arguments.get("lately", {})),
            failed=int(arguments.get("failed_welcomes", 0)),
        )


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
        self._windows: dict[str, ArrivalWindow] = {}
        self._waves: dict[str, Wave] = {}

    def join(
        self,
        key: str,
        at: datetime,
        user_id: str,
        name: str,
        *,
        limit: int,
        within: timedelta,
        quiet: timedelta,
    ) -> JoinVerdict:
        """Record a join of ``user_id`` (called ``name``) in community ``key``; say whether it
        belongs to a wave."""
        wave = self._waves.get(key)
        overdue = None
        if wave is not None and at - wave.last_join > quiet:
            # The wave ended before its closing job ran (the job is late): start afresh.
            self.end(key)
            overdue, wave = wave, None
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = ArrivalWindow()
        recent = window.add(at, user_id, within=within, limit=limit)
        if wave is not None:
            wave.add(at, user_id, name)
            return JoinVerdict(individual=False, wave=wave)
        if recent <= limit:
            return JoinVerdict(individual=True, overdue=overdue)
        wave = self._waves[key] = Wave(started=at, last_join=at)
        wave.add(at, user_id, name)
        return JoinVerdict(individual=False, wave_started=True, wave=wave, overdue=overdue)

    def leave(self, key: str, user_id: str) -> bool:
        """``user_id`` left community ``key``: whether they were a newcomer of its wave."""
        wave = self._waves.get(key)
        return wave is not None and wave.remove(user_id)

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
