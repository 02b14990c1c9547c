"""The write path: mentions counted per day in memory, added to the database once per interval.

As the reports' daily figures (``cogs/reports/buffer.py``): a flush adds every pending day to
its row in one transaction (an upsert); if the database refuses for a while (locked, busy,
away), the counts stay pending for the next flush, and the last flush at stop tries again for a
few seconds; refused for good (a community's row deleted under the bot), they are written one
community at a time and only a community refused on its own is dropped, logged. See
:mod:`bot.dbrefusals`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from bot.bulkwrite import BulkWrite
from bot.db import Database, upsert_insert
from bot.dbrefusals import LAST_FLUSH_WITHIN, last_flush, may_pass, reason, write_apart
from bot.events import CommunityRef
from bot.members import MemberDirectory
from bot.periodic import stopping
from cogs.reputation.models import ReputationDay

log = logging.getLogger("cogs.reputation")

FIELDS = ("mentions", "positive", "negative")
Counts = list[int]
"""A day's changes: mentions, positive, negative."""
Pending = dict[tuple[CommunityRef, date], Counts]


class MentionBuffer:
    """Mentions counted since the last flush, per community and day."""

    def __init__(self, db: Database, members: MemberDirectory) -> None:
        self._db = db
        self._members = members
        self.pending: Pending = {}
        self._statement: BulkWrite | None = None
        self._refusal = ""
        self._retrying = False

    def __len__(self) -> int:
        return len(self.pending)

    def add(
        self, community: CommunityRef, day: date, mentions: int, positive: int, negative: int
    ) -> None:
        """Add to the day's counts (negative numbers take a mention back)."""
        counts = self.pending.get((community, day))
        if counts is None:
            counts = self.pending[(community, day)] = [0, 0, 0]
        counts[0] += mentions
        counts[1] += positive
        counts[2] += negative

    async def flush(self) -> int:
        """Add everything pending to the database in one transaction: how many days were."""
        pending, self.pending = self.pending, {}
        pending = {key: counts for key, counts in pending.items() if any(counts)}
        if not pending:
            return 0
        try:
            await self._write(pending)
        except Exception as error:
            if may_pass(error):
                self._kept(error)
                self._restore(pending)
                return 0
            return await self._write_apart(pending, error)
        return len(pending)

    async def flush_last(
        self, flush: Callable[[], Awaitable[object]], within: float = LAST_FLUSH_WITHIN
    ) -> None:
        """The last flush, when the bot stops: tried again while the database refuses for a
        while, for ``within`` seconds at most; what is still refused then is lost, logged."""
        self._retrying = True
        try:
            left = await last_flush(flush, lambda: len(self.pending), within=within)
        finally:
            self._retrying = False
        if left:
            log.error(
                "%d days of mention counts lost at stop: the database still refused them after"
                " %g s (%s)",
                left,
                within,
                self._refusal,
            )

    def _restore(self, old: Pending) -> None:
        for (community, day), counts in old.items():
            self.add(community, day, *counts)

    def _kept(self, error: Exception) -> None:
        self._refusal = reason(error)
        if self._retrying:
            return
        if stopping():
            log.warning("mention counts not written at stop, trying again: %s", self._refusal)
        else:
            log.warning("mention counts not written, kept for the next flush: %s", self._refusal)

    async def _write_apart(self, pending: Pending, together: Exception) -> int:
        parts: dict[CommunityRef, Pending] = {}
        for (community, day), counts in pending.items():
            parts.setdefault(community, {})[(community, day)] = counts

        def kept(rest: Sequence[tuple[CommunityRef, Pending]], error: Exception) -> None:
            self._kept(error)
            for _community, part in rest:
                self._restore(part)

        def refused(item: tuple[CommunityRef, Pending], error: Exception) -> None:
            log.error(
                "%d days of mention counts of %s lost: the database refuses them (%s)",
                len(item[1]),
                item[0].key,
                reason(error),
            )

        def lost(items: Sequence[tuple[CommunityRef, Pending]]) -> str:
            size = sum(len(part) for _community, part in items)
            return f"{size} days of mention counts of {', '.join(c.key for c, _p in items)}"

        written = await write_apart(
            list(parts.items()),
            lambda item: self._write(item[1]),
            together=together,
            log=log,
            refused=refused,
            kept=kept,
            lost=lost,
        )
        return sum(len(part) for _community, part in written)

    async def _write(self, pending: Pending) -> None:
        ids = {
            community: await self._members.community_id(community)
            for community in {community for community, _day in pending}
        }
        statement = self._upsert()
        async with self._db.engine.begin() as connection:
            await statement.run(
                connection,
                ((ids[community], day, *counts) for (community, day), counts in pending.items()),
            )

    def _upsert(self) -> BulkWrite:
        """Adds to each day's counts, compiled once for the database's dialect."""
        if self._statement is None:
            dialect = self._db.engine.dialect
            table: Any = ReputationDay.__table__  # type: ignore[attr-defined]
            insert = upsert_insert(dialect.name)(table)
            statement = insert.on_conflict_do_update(
                index_elements=["community_id", "day"],
                set_={name: table.c[name] + insert.excluded[name] for name in FIELDS},
            )
            self._statement = BulkWrite(statement, ("community_id", "day", *FIELDS), dialect)
        return self._statement
