"""The write path: counters buffered in memory, written in one transaction per interval.

Every message, reply, reaction or thanks changes a counter in memory; :meth:`CounterBuffer.flush`
adds the pending changes to the database in one transaction (one upsert statement per table),
never one commit per message. The buffer holds at most ``limit`` pending counters before the cog
flushes early; if the database refuses a flush, the changes stay pending, and past twice the limit
the oldest are dropped (and logged) so memory stays bounded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col

from bot.db import Database
from bot.events import CommunityRef
from bot.members import MemberDirectory
from cogs.contributors.models import DailyActivity, Interaction

log = logging.getLogger("cogs.contributors")

T = TypeVar("T")

DAILY_FIELDS = ("messages", "introductions", "contest_wins", "moderation_cases")
ROWS_PER_STATEMENT = 1_000
"""Rows sent to the database at once within a flush: the parameters of ten thousand rows at once
made a passing peak of several megabytes."""
EDGE_KINDS = ("reply", "mention", "reaction", "thanks")


@dataclass(frozen=True, slots=True)
class DailyKey:
    """One member's counters of one day."""

    community: CommunityRef
    user_id: str
    day: date


@dataclass(frozen=True, slots=True)
class EdgeKey:
    """One kind of interaction from ``source_id`` to ``target_id`` on one day."""

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
        self.limit = limit
        self._daily: dict[DailyKey, dict[str, int]] = {}
        self._edges: dict[EdgeKey, int] = {}
        self.flushes = 0
        """Transactions written so far (for the benchmark and the tests)."""
        self.dropped = 0
        """Changes dropped because the database kept refusing them."""

    def __len__(self) -> int:
        return len(self._daily) + len(self._edges)

    @property
    def full(self) -> bool:
        """Whether the buffer reached its limit: time to flush, whatever the interval."""
        return len(self) >= self.limit

    def add_daily(self, key: DailyKey, field: str, delta: int = 1) -> None:
        """Change one daily counter by ``delta``."""
        counters = self._daily.setdefault(key, {})
        counters[field] = counters.get(field, 0) + delta

    def add_edge(self, key: EdgeKey, delta: int = 1) -> None:
        """Change one interaction count by ``delta``."""
        self._edges[key] = self._edges.get(key, 0) + delta

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Drop every pending change about ``user_id`` in ``community`` (opt-out, erasure)."""
        self._daily = {
            key: value
            for key, value in self._daily.items()
            if not (key.community == community and key.user_id == user_id)
        }
        self._edges = {
            key: value
            for key, value in self._edges.items()
            if not (key.community == community and user_id in (key.source_id, key.target_id))
        }

    def take(self) -> tuple[dict[DailyKey, dict[str, int]], dict[EdgeKey, int]]:
        """Every pending change, leaving the buffer empty."""
        daily, edges = self._daily, self._edges
        self._daily, self._edges = {}, {}
        return daily, edges

    async def flush(self) -> int:
        """Write every pending change in one transaction; return how many counters changed."""
        daily, edges = self.take()
        daily = {key: value for key, value in daily.items() if any(value.values())}
        edges = {key: value for key, value in edges.items() if value}
        if not daily and not edges:
            return 0
        try:
            await self._write(daily, edges)
        except SQLAlchemyError as error:
            log.warning("contributors counters not written, kept for the next flush: %s", error)
            self._restore(daily, edges)
            return 0
        self.flushes += 1
        return len(daily) + len(edges)

    async def _write(
        self, daily: dict[DailyKey, dict[str, int]], edges: dict[EdgeKey, int]
    ) -> None:
        ids: dict[CommunityRef, int] = {}
        for community in {key.community for key in daily} | {key.community for key in edges}:
            ids[community] = await self._members.community_id(community)
        insert = _dialect_insert(self._db.engine.dialect.name)
        async with self._db.engine.begin() as connection:
            if daily:
                statement = insert(DailyActivity.__table__)  # type: ignore[attr-defined]
                statement = statement.on_conflict_do_update(
                    index_elements=["community_id", "user_id", "day"],
                    set_={
                        field: getattr(DailyActivity.__table__.c, field)  # type: ignore[attr-defined]
                        + getattr(statement.excluded, field)
                        for field in DAILY_FIELDS
                    },
                )
                for chunk in _chunks(list(daily.items())):
                    await connection.execute(
                        statement,
                        [
                            {
                                "community_id": ids[key.community],
                                "user_id": key.user_id,
                                "day": key.day,
                                **{field: counters.get(field, 0) for field in DAILY_FIELDS},
                            }
                            for key, counters in chunk
                        ],
                    )
            if edges:
                table = Interaction.__table__  # type: ignore[attr-defined]
                statement = insert(table)
                statement = statement.on_conflict_do_update(
                    index_elements=["community_id", "day", "source_id", "target_id", "kind"],
                    set_={"count": table.c.count + statement.excluded.count},
                )
                for edge_chunk in _chunks(list(edges.items())):
                    await connection.execute(
                        statement,
                        [
                            {
                                "community_id": ids[key.community],
                                "day": key.day,
                                "source_id": key.source_id,
                                "target_id": key.target_id,
                                "kind": key.kind,
                                "count": count,
                            }
                            for key, count in edge_chunk
                        ],
                    )
                taken_back: dict[int, set[date]] = defaultdict(set)
                for key, count in edges.items():
                    if count < 0:
                        taken_back[ids[key.community]].add(key.day)
                for community_id, days in taken_back.items():
                    # An interaction taken back entirely no longer links the two members.
                    await connection.execute(
                        delete(Interaction).where(
                            col(Interaction.community_id) == community_id,
                            col(Interaction.day).in_(days),
                            col(Interaction.count) <= 0,
                        )
                    )

    def _restore(self, daily: dict[DailyKey, dict[str, int]], edges: dict[EdgeKey, int]) -> None:
        for key, counters in daily.items():
            for field, delta in counters.items():
                self.add_daily(key, field, delta)
        for edge, delta in edges.items():
            self.add_edge(edge, delta)
        excess = len(self) - 2 * self.limit
        if excess <= 0:
            return
        # The database keeps refusing: keep memory bounded, dropping the oldest changes.
        for old in list(self._daily)[:excess]:
            del self._daily[old]
        for old_edge in list(self._edges)[: max(excess - len(daily), 0)]:
            del self._edges[old_edge]
        self.dropped += excess
        log.warning("contributors buffer full while the database is down: %d dropped", excess)


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), ROWS_PER_STATEMENT):
        yield items[start : start + ROWS_PER_STATEMENT]


def _dialect_insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
