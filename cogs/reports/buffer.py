"""The write path: daily figures counted in memory, written in one transaction per interval.

Events change counters here; :meth:`FigureBuffer.flush` adds them to the database in one
transaction (an upsert per table), and the cog flushes every ``write.flush_every`` and on
teardown. If the database refuses, the changes stay pending for the next flush.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import Database
from bot.events import CommunityRef
from bot.members import MemberDirectory
from cogs.reports.models import (
    ReportActive,
    ReportChannel,
    ReportDay,
    ReportModeration,
    ReportNewcomer,
)

log = logging.getLogger("cogs.reports")

DAY_FIELDS = (
    "messages",
    "joined",
    "left",
    "introduced",
    "reactions",
    "thanks",
    "moderation",
    "contests",
    "scored",
    "civil",
    "hostile",
)
MOMENTS = ("introduced_at", "first_message_at", "left_at")
ROWS_PER_STATEMENT = 1_000


@dataclass
class Pending:
    """Everything counted since the last flush."""

    days: dict[tuple[CommunityRef, date], Counter[str]] = field(default_factory=dict)
    active: dict[tuple[CommunityRef, date, str], datetime] = field(default_factory=dict)
    channels: Counter[tuple[CommunityRef, date, str]] = field(default_factory=Counter)
    channel_names: dict[tuple[CommunityRef, str], str] = field(default_factory=dict)
    moderation: Counter[tuple[CommunityRef, date, str]] = field(default_factory=Counter)
    joins: dict[tuple[CommunityRef, str], datetime] = field(default_factory=dict)
    moments: dict[tuple[str, CommunityRef, str], datetime] = field(default_factory=dict)

    def __len__(self) -> int:
        return (
            len(self.days)
            + len(self.active)
            + len(self.channels)
            + len(self.moderation)
            + len(self.joins)
            + len(self.moments)
        )


class FigureBuffer:
    """Pending figures of every community, until the next flush."""

    def __init__(self, db: Database, members: MemberDirectory) -> None:
        self._db = db
        self._members = members
        self.pending = Pending()
        self.flushes = 0

    def count(self, community: CommunityRef, day: date, name: str, delta: int = 1) -> None:
        """Add ``delta`` to one of the day's counters."""
        self.pending.days.setdefault((community, day), Counter())[name] += delta

    def active(self, community: CommunityRef, day: date, user_id: str, at: datetime) -> None:
        """A member posted that day (the first time counts as their first message)."""
        self.pending.active.setdefault((community, day, user_id), at)

    def channel(self, community: CommunityRef, day: date, channel_id: str, name: str) -> None:
        """One more message in a channel."""
        self.pending.channels[(community, day, channel_id)] += 1
        self.pending.channel_names[(community, channel_id)] = name[:100]

    def moderation(self, community: CommunityRef, day: date, rule: str) -> None:
        """One more moderation case for ``rule`` (``""``: a moderator's command)."""
        self.pending.moderation[(community, day, rule[:64])] += 1

    def joined(self, community: CommunityRef, user_id: str, at: datetime) -> None:
        """A newcomer's funnel starts (again, if they come back)."""
        self.pending.joins[(community, user_id)] = at
        for moment in MOMENTS:
            self.pending.moments.pop((moment, community, user_id), None)

    def moment(self, name: str, community: CommunityRef, user_id: str, at: datetime) -> None:
        """A newcomer reached a stage (kept only the first time)."""
        self.pending.moments.setdefault((name, community, user_id), at)

    def forget(self, community: CommunityRef, user_id: str) -> None:
        """Drop what is pending about one member (erasure)."""
        pending = self.pending
        pending.active = {
            k: v for k, v in pending.active.items() if k[0] != community or k[2] != user_id
        }
        pending.joins.pop((community, user_id), None)
        for moment in MOMENTS:
            pending.moments.pop((moment, community, user_id), None)

    async def flush(self) -> int:
        """Write everything pending in one transaction; return how many entries were written."""
        pending, self.pending = self.pending, Pending()
        size = len(pending)
        if not size:
            return 0
        try:
            await self._write(pending)
        except SQLAlchemyError as error:
            log.warning("report figures not written, kept for the next flush: %s", error)
            self._restore(pending)
            return 0
        self.flushes += 1
        return size

    def _restore(self, old: Pending) -> None:
        new, self.pending = self.pending, old
        for (community, day), counters in new.days.items():
            for name, delta in counters.items():
                self.count(community, day, name, delta)
        for key, at in new.active.items():
            self.pending.active.setdefault(key, at)
        self.pending.channels.update(new.channels)
        self.pending.channel_names.update(new.channel_names)
        self.pending.moderation.update(new.moderation)
        self.pending.joins.update(new.joins)
        for moment_key, at in new.moments.items():
            self.pending.moments.setdefault(moment_key, at)

    async def _write(self, pending: Pending) -> None:
        communities = (
            {key[0] for key in pending.days}
            | {key[0] for key in pending.active}
            | {key[0] for key in pending.channels}
            | {key[0] for key in pending.moderation}
            | {key[0] for key in pending.joins}
            | {key[1] for key in pending.moments}
        )
        ids = {community: await self._members.community_id(community) for community in communities}
        insert = _dialect_insert(self._db.engine.dialect.name)
        async with self._db.engine.begin() as connection:
            if pending.days:
                table: Any = ReportDay.__table__  # type: ignore[attr-defined]
                statement = insert(table)
                statement = statement.on_conflict_do_update(
                    index_elements=["community_id", "day"],
                    set_={name: table.c[name] + statement.excluded[name] for name in DAY_FIELDS},
                )
                rows = [
                    {
                        "community_id": ids[community],
                        "day": day,
                        **{name: counters.get(name, 0) for name in DAY_FIELDS},
                    }
                    for (community, day), counters in pending.days.items()
                ]
                await connection.execute(statement, rows)
            if pending.active:
                table = ReportActive.__table__  # type: ignore[attr-defined]
                statement = insert(table).on_conflict_do_nothing(
                    index_elements=["community_id", "day", "user_id"]
                )
                await _execute_in_chunks(
                    connection,
                    statement,
                    (
                        {"community_id": ids[community], "day": day, "user_id": user_id}
                        for community, day, user_id in pending.active
                    ),
                )
            if pending.channels:
                table = ReportChannel.__table__  # type: ignore[attr-defined]
                statement = insert(table)
                statement = statement.on_conflict_do_update(
                    index_elements=["community_id", "day", "channel_id"],
                    set_={
                        "messages": table.c.messages + statement.excluded.messages,
                        "channel_name": statement.excluded.channel_name,
                    },
                )
                rows = [
                    {
                        "community_id": ids[community],
                        "day": day,
                        "channel_id": channel_id,
                        "channel_name": pending.channel_names.get((community, channel_id), ""),
                        "messages": count,
                    }
                    for (community, day, channel_id), count in pending.channels.items()
                ]
                await connection.execute(statement, rows)
            if pending.moderation:
                table = ReportModeration.__table__  # type: ignore[attr-defined]
                statement = insert(table)
                statement = statement.on_conflict_do_update(
                    index_elements=["community_id", "day", "rule"],
                    set_={"count": table.c.count + statement.excluded.count},
                )
                rows = [
                    {"community_id": ids[community], "day": day, "rule": rule, "count": count}
                    for (community, day, rule), count in pending.moderation.items()
                ]
                await connection.execute(statement, rows)
            newcomers: Any = ReportNewcomer.__table__  # type: ignore[attr-defined]
            if pending.joins:
                statement = insert(newcomers)
                statement = statement.on_conflict_do_update(
                    index_elements=["community_id", "user_id"],
                    set_={
                        "joined_at": statement.excluded.joined_at,
                        **dict.fromkeys(MOMENTS),
                    },
                )
                rows = [
                    {"community_id": ids[community], "user_id": user_id, "joined_at": at}
                    for (community, user_id), at in pending.joins.items()
                ]
                await connection.execute(statement, rows)
            active = pending.active.items()
            for name in MOMENTS:
                firsts = (
                    ((community, user_id, at) for (community, _day, user_id), at in active)
                    if name == "first_message_at"
                    else ()
                )
                stages = (
                    (community, user_id, at)
                    for (moment, community, user_id), at in pending.moments.items()
                    if moment == name
                )
                column = newcomers.c[name]
                # Only the first time counts, and only for someone who joined before it.
                statement = (
                    update(newcomers)
                    .where(
                        and_(
                            newcomers.c.community_id == bindparam("cid"),
                            newcomers.c.user_id == bindparam("uid"),
                            column.is_(None),
                            newcomers.c.joined_at
                            <= bindparam("at", type_=newcomers.c.joined_at.type),
                        )
                    )
                    .values({name: bindparam("at", type_=newcomers.c.joined_at.type)})
                )
                await _execute_in_chunks(
                    connection,
                    statement,
                    (
                        {"cid": ids[community], "uid": user_id, "at": at}
                        for community, user_id, at in chain(stages, firsts)
                    ),
                )


async def _execute_in_chunks(
    connection: AsyncConnection, statement: Any, rows: Iterable[dict[str, Any]]
) -> None:
    """Run ``statement`` for ``rows``, a thousand at a time: one list of every active member's
    parameters made a passing peak of tens of megabytes."""
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == ROWS_PER_STATEMENT:
            await connection.execute(statement, chunk)
            chunk = []
    if chunk:
        await connection.execute(statement, chunk)


def _dialect_insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
