"""The write path: counters buffered in memory, written in one transaction per interval.

Every message, reply, reaction or thanks changes a counter in memory; :meth:`CounterBuffer.flush`
adds the pending changes to the database in one transaction (one upsert statement per table),
never one commit per message. The buffer holds at most ``limit`` pending counters before the cog
flushes early; if the database refuses a flush for a while (locked, busy, away), the changes stay
pending (ahead of those counted since), and past twice the limit the oldest are dropped (and
logged) so memory stays bounded; at teardown they are tried again for a few seconds, and what is
still refused then is lost, logged. If it refuses them for good (a community's row deleted under
the bot), they are written one community at a time, and only the counters of a community refused
on its own are dropped, logged. A write that fails on a bug in the bot is logged with its
traceback, and the counters it fails on are dropped (see :mod:`bot.dbrefusals`).
"""

from __future__ import annotations

import logging
import operator
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from datetime import date
from itertools import islice
from typing import NamedTuple, TypeVar

from sqlalchemy import delete
from sqlmodel import col

from bot.bulkwrite import BulkWrite
from bot.db import Database, upsert_insert
from bot.dbrefusals import LAST_FLUSH_WITHIN, last_flush, may_pass, reason, write_apart
from bot.events import CommunityRef
from bot.members import MemberDirectory
from bot.periodic import stopping
from cogs.contributors.models import DailyActivity, Interaction

log = logging.getLogger("cogs.contributors")

DAILY_FIELDS = ("messages", "introductions", "contest_wins", "moderation_cases")
_ZEROS = (0,) * len(DAILY_FIELDS)
"""What a daily counter not changed adds."""
EDGE_KINDS = ("reply", "mention", "reaction", "thanks")


Daily = tuple[CommunityRef, str, date]
"""The key of one member's counters of one day: community, user id, day."""
Edge = tuple[CommunityRef, date, str, str, str]
"""The key of one kind of interaction on one day: community, day, source, target, kind."""
_Part = tuple[dict[Daily, dict[str, int]], dict[Edge, int]]
"""One community's changes, written apart from the others'."""


class DailyKey(NamedTuple):
    """One member's counters of one day (the listeners build the same as a plain tuple)."""

    community: CommunityRef
    user_id: str
    day: date


class EdgeKey(NamedTuple):
    """One kind of interaction from ``source_id`` to ``target_id`` on one day (the listeners
    build the same as a plain tuple)."""

    community: CommunityRef
    day: date
    source_id: str
    target_id: str
    kind: str


class CounterBuffer:
    """Pending counter changes (positive or negative), by key."""

    def __init__(self, db: Database, members: MemberDirectory, *, limit: int) -> None:
        self._db = db
        self._members = members
        self._daily: dict[Daily, dict[str, int]] = {}
        self._edges: dict[Edge, int] = {}
        self._limit = limit
        self.full = limit <= 0
        """Whether the buffer reached its limit: time to flush, whatever the interval (asked
        after every event, so kept up to date rather than counted)."""
        self.flushes = 0
        """Transactions written so far (for the benchmark and the tests)."""
        self.dropped = 0
        """Changes dropped because the database kept refusing them."""
        self.restores = 0
        """Times changes taken out were put back (a write refused, or one waiting behind it)."""
        self._compiled: tuple[BulkWrite, BulkWrite] | None = None
        self._older_daily = 0
        """How many of the first pending daily counters were put back by :meth:`restore`:
        older than those after them, they go first when the buffer overflows."""
        self._older_edges = 0
        """The same for the interactions."""
        self._refusal = ""
        """What the database said when it last refused a write for a while."""
        self._retrying = False
        """Whether the last flush at stop is trying again: it says at the end what is lost."""

    def __len__(self) -> int:
        return len(self._daily) + len(self._edges)

    @property
    def limit(self) -> int:
        """Pending counters that make the buffer :attr:`full`."""
        return self._limit

    @limit.setter
    def limit(self, limit: int) -> None:
        self._limit = limit
        self.full = len(self) >= limit

    def add_daily(self, key: Daily, field: str, delta: int = 1) -> None:
        """Change one daily counter by ``delta``."""
        counters = self._daily.get(key)
        if counters is None:
            self._daily[key] = {field: delta}
            if len(self._daily) + len(self._edges) >= self._limit:
                self.full = True
        else:
            counters[field] = counters.get(field, 0) + delta

    def add_edge(self, key: Edge, delta: int = 1) -> None:
        """Change one interaction count by ``delta``."""
        edges = self._edges
        count = edges.get(key)
        if count is None:
            edges[key] = delta
            if len(self._daily) + len(edges) >= self._limit:
                self.full = True
        else:
            edges[key] = count + delta

    def forget(self, community: CommunityRef, user_id: str, *, keep: Collection[str] = ()) -> None:
        """Drop every pending change about ``user_id`` in ``community`` (opt-out, erasure), but
        those of the daily counters named in ``keep``."""

        def kept_daily(key: Daily, counters: dict[str, int]) -> dict[str, int] | None:
            if not (key[0] == community and key[1] == user_id):
                return counters
            return {field: delta for field, delta in counters.items() if field in keep} or None

        def kept_edge(key: Edge) -> bool:
            return not (key[0] == community and user_id in (key[2], key[3]))

        daily: dict[Daily, dict[str, int]] = {}
        older_daily = 0
        for position, (key, counters) in enumerate(self._daily.items()):
            kept = kept_daily(key, counters)
            if kept is not None:
                daily[key] = kept
                older_daily += position < self._older_daily
        self._daily, self._older_daily = daily, older_daily
        self._older_edges = sum(map(kept_edge, islice(self._edges, self._older_edges)))
        self._edges = {key: value for key, value in self._edges.items() if kept_edge(key)}
        self.full = len(self) >= self._limit

    def named(self, community: CommunityRef) -> set[str]:
        """The members the pending changes of ``community`` are about."""
        found = {key[1] for key in self._daily if key[0] == community}
        for key in self._edges:
            if key[0] == community:
                found.update((key[2], key[3]))
        return found

    def take(self) -> tuple[dict[Daily, dict[str, int]], dict[Edge, int]]:
        """Every pending change, leaving the buffer empty."""
        daily, edges = self._daily, self._edges
        self._daily, self._edges = {}, {}
        self._older_daily = self._older_edges = 0
        self.full = len(self) >= self._limit  # a limit of 0 is full when empty
        return daily, edges

    async def flush(self) -> int:
        """Write every pending change in one transaction; return how many counters changed."""
        return await self.write(*self.take()) or 0

    async def write(
        self, daily: dict[Daily, dict[str, int]], edges: dict[Edge, int]
    ) -> int | None:
        """Write changes :meth:`take` returned, in one transaction: how many counters changed,
        or None when the database refused them for now (they are pending again, see
        :meth:`restore`). Refused for good, they are written one community at a time."""
        if not all(map(any, map(dict.values, daily.values()))):  # rarely: taken back
            daily = {key: value for key, value in daily.items() if any(value.values())}
        if not all(edges.values()):
            edges = {key: value for key, value in edges.items() if value}
        if not daily and not edges:
            return 0
        try:
            await self._write(daily, edges)
        except Exception as error:
            if may_pass(error):
                self._kept(error)
                self.restore(daily, edges)
                return None
            return await self._write_apart(daily, edges, error)
        self.flushes += 1
        return len(daily) + len(edges)

    async def flush_last(
        self, flush: Callable[[], Awaitable[object]], within: float = LAST_FLUSH_WITHIN
    ) -> None:
        """The last flush, when the bot stops, with ``flush`` (the cog's, after the writes under
        way): tried again while the database refuses for a while (locked, busy), no new try
        starting past ``within`` seconds. The counters still not written then are lost, and
        the log says how many."""
        self._retrying = True
        try:
            left = await last_flush(flush, lambda: len(self), within=within)
        finally:
            self._retrying = False
        if left:
            self.dropped += left
            log.error(
                "%d contributors counters lost at stop: the database still refused them after "
                "%g s (%s)",
                left,
                within,
                self._refusal,
            )

    def _kept(self, error: Exception) -> None:
        self._refusal = reason(error)
        if self._retrying:
            return
        if stopping():  # the cog's teardown: its last flush tries again for a few seconds
            log.warning(
                "contributors counters not written at stop, trying again: %s", self._refusal
            )
        else:
            log.warning(
                "contributors counters not written, kept for the next flush: %s", self._refusal
            )

    async def _write_apart(
        self, daily: dict[Daily, dict[str, int]], edges: dict[Edge, int], together: Exception
    ) -> int | None:
        """Write the changes one community per transaction, after writing them in one failed
        with ``together``: how many counters changed. Those of a community the database
        refuses for good, or whose write fails on a bug, are dropped (logged); on a passing
        refusal, those not written yet are pending again (None if none was written)."""
        parts: dict[CommunityRef, _Part] = {}
        for key, counters in daily.items():
            parts.setdefault(key[0], ({}, {}))[0][key] = counters
        for edge, count in edges.items():
            parts.setdefault(edge[0], ({}, {}))[1][edge] = count
        waited = False

        def refused(item: tuple[CommunityRef, _Part], error: Exception) -> None:
            community, part = item
            self.dropped += _size(part)
            _refused(community, _size(part), error)

        def kept(rest: Sequence[tuple[CommunityRef, _Part]], error: Exception) -> None:
            nonlocal waited
            waited = True
            self._kept(error)
            self.restore(
                {key: value for _c, (d, _e) in rest for key, value in d.items()},
                {key: value for _c, (_d, e) in rest for key, value in e.items()},
            )

        def lost(items: Sequence[tuple[CommunityRef, _Part]]) -> str:
            size = sum(_size(part) for _community, part in items)
            self.dropped += size
            return f"{size} contributors counters of {', '.join(c.key for c, _part in items)}"

        async def write_one(item: tuple[CommunityRef, _Part]) -> None:
            await self._write(*item[1])
            self.flushes += 1

        written = await write_apart(
            list(parts.items()),
            write_one,
            together=together,
            log=log,
            refused=refused,
            kept=kept,
            lost=lost,
        )
        if waited and not written:
            return None
        return sum(_size(part) for _community, part in written)

    async def _write(self, daily: dict[Daily, dict[str, int]], edges: dict[Edge, int]) -> None:
        ids: dict[CommunityRef, int] = {}
        for community in {key[0] for key in daily} | {key[0] for key in edges}:
            ids[community] = await self._members.community_id(community)
        daily_write, edge_write = self._statements()
        async with self._db.engine.begin() as connection:
            if daily:
                await daily_write.run(
                    connection,
                    (
                        (ids[community], user_id, day, *map(counters.get, DAILY_FIELDS, _ZEROS))
                        for (community, user_id, day), counters in daily.items()
                    ),
                )
            if edges:
                await edge_write.run(
                    connection,
                    (
                        (ids[community], day, source_id, target_id, kind, count)
                        for (community, day, source_id, target_id, kind), count in edges.items()
                    ),
                )
                taken_back: dict[int, set[date]] = defaultdict(set)
                for (community, day, *_pair), count in edges.items():
                    if count < 0:
                        taken_back[ids[community]].add(day)
                for community_id, days in taken_back.items():
                    # An interaction taken back entirely no longer links the two members.
                    await connection.execute(
                        delete(Interaction).where(
                            col(Interaction.community_id) == community_id,
                            col(Interaction.day).in_(days),
                            col(Interaction.count) <= 0,
                        )
                    )

    def _statements(self) -> tuple[BulkWrite, BulkWrite]:
        """The upserts of the daily counters and of the interactions, compiled once."""
        if self._compiled is None:
            dialect = self._db.engine.dialect
            insert = upsert_insert(dialect.name)
            daily_table = DailyActivity.__table__  # type: ignore[attr-defined]
            daily = insert(daily_table)
            daily = daily.on_conflict_do_update(
                index_elements=["community_id", "user_id", "day"],
                set_={
                    field: daily_table.c[field] + daily.excluded[field] for field in DAILY_FIELDS
                },
            )
            edge_table = Interaction.__table__  # type: ignore[attr-defined]
            edge = insert(edge_table)
            edge = edge.on_conflict_do_update(
                index_elements=["community_id", "day", "source_id", "target_id", "kind"],
                set_={"count": edge_table.c.count + edge.excluded.count},
            )
            self._compiled = (
                BulkWrite(daily, ["community_id", "user_id", "day", *DAILY_FIELDS], dialect),
                BulkWrite(
                    edge,
                    ["community_id", "day", "source_id", "target_id", "kind", "count"],
                    dialect,
                ),
            )
        return self._compiled

    def restore(self, daily: dict[Daily, dict[str, int]], edges: dict[Edge, int]) -> None:
        """Put changes taken out back as pending, ahead of those counted since they were taken
        (past twice the limit, the oldest go)."""
        self.restores += 1
        self._daily, self._older_daily = _older_first(
            self._daily, self._older_daily, daily, _added_counters
        )
        self._edges, self._older_edges = _older_first(
            self._edges, self._older_edges, edges, operator.add
        )
        excess = len(self) - 2 * self._limit
        if excess > 0:
            # The database keeps refusing: keep memory bounded, dropping the oldest changes
            # (those put back, then those counted since, first come first).
            older_daily = min(excess, self._older_daily)
            older_edges = min(excess - older_daily, self._older_edges)
            _drop_first(self._daily, older_daily)
            _drop_first(self._edges, older_edges)
            self._older_daily -= older_daily
            self._older_edges -= older_edges
            newer = excess - older_daily - older_edges
            newer_daily = min(newer, len(self._daily) - self._older_daily)
            _drop_first(self._daily, newer_daily)
            _drop_first(self._edges, newer - newer_daily)
            self.dropped += excess
            log.warning("contributors buffer full while the database is down: %d dropped", excess)
        self.full = len(self) >= self._limit


def _size(part: _Part) -> int:
    daily, edges = part
    return len(daily) + len(edges)


def _refused(community: CommunityRef, size: int, error: BaseException) -> None:
    log.error(
        "%d contributors counters of %s lost: the database refuses them (%s)",
        size,
        community.key,
        reason(error),
    )


_Key = TypeVar("_Key", bound=Hashable)
_Value = TypeVar("_Value")


def _older_first(
    pending: dict[_Key, _Value],
    older: int,
    restored: dict[_Key, _Value],
    add: Callable[[_Value, _Value], _Value],
) -> tuple[dict[_Key, _Value], int]:
    """``pending`` with ``restored`` put back after its first ``older`` entries (put back
    earlier, so older still) and before the rest; and how many now come before the rest."""
    merged = dict(islice(pending.items(), older))
    for key, value in restored.items():
        merged[key] = add(merged[key], value) if key in merged else value
    front = len(merged)
    for key, value in islice(pending.items(), older, None):
        merged[key] = add(merged[key], value) if key in merged else value
    return merged, front


def _added_counters(first: dict[str, int], then: dict[str, int]) -> dict[str, int]:
    added = dict(first)
    for field, delta in then.items():
        added[field] = added.get(field, 0) + delta
    return added


def _drop_first(pending: dict[_Key, _Value], count: int) -> None:
    for key in list(islice(pending, count)):
        del pending[key]
