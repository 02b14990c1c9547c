"""The core's record of communities and members: first seen, joined, left.

Every event passes through here, so it must be cheap: a member already recorded costs a set lookup.
What changes (a first sighting, a join, a departure) is buffered and written with the rest in one
transaction: started by the first event that comes ``FLUSH_AFTER`` seconds after the oldest
buffered change or finds ``MAX_PENDING`` waiting (in the background: the event goes on to the
cogs at once, however long the database takes, unless twice as many wait), every ``FLUSH_AFTER``
by the core's periodic flush (a quiet bot too), and when the bot stops. Reads of one member
(:meth:`MemberDirectory.get`) see what is buffered; code that queries the ``members`` table
itself calls :meth:`MemberDirectory.flush` first.

The crash window: a crash loses what is buffered, that is what changed since the last write (at
most about ``FLUSH_AFTER``, and about twice ``MAX_PENDING`` members while the database keeps
up).
A lost sighting is recorded again when the member is next seen; a lost join or departure is not:
that member's row keeps its previous ``joined_at`` / ``left_at`` until their next one.

How many members are present in a community (seen, not left, not bots) is counted in the
database once, then kept in memory: each buffered change knows, once its member's stored row has
been read (in one query for all those waiting), how it moves the count.

The record of a member who left longer ago than the rule book's ``retention`` is forgotten by
the daily sweep (:meth:`MemberDirectory.forget_departed`), unless a cog still names them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, func, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from bot.bulkwrite import BulkWrite
from bot.clock import Clock
from bot.db import Database
from bot.dbrefusals import LAST_FLUSH_WITHIN, last_flush, may_pass, reason, write_apart
from bot.dbtypes import UTCDateTime
from bot.events import CommunityRef, Event, MemberJoined, MemberLeft, MemberRef
from bot.models import Community, Member
from bot.retention import delete_in_batches

log = logging.getLogger(__name__)

MAX_CACHED_MEMBERS = 200_000
"""Members remembered as recorded, at most (the most recently seen); a forgotten one costs a
database lookup when next seen, nothing more."""
FLUSH_AFTER = 1.0
MAX_PENDING = 1_000
# Bound parameters per SELECT … IN: well under SQLite's oldest limit (999).
_CHUNK = 500

_Key = tuple[int, str]

_PRESENCE = (MemberJoined, MemberLeft)


class _Stored(NamedTuple):
    """A member's row as the database holds it."""

    id: int
    name: str
    is_bot: bool
    joined_at: datetime | None
    left_at: datetime | None


class _Change:
    """What waits to be written about one member: seen, and perhaps joined or left since."""

    __slots__ = (
        "first_seen",
        "is_bot",
        "joined_at",
        "left_at",
        "name",
        "presence",
        "read",
        "stored",
    )

    def __init__(self, member: MemberRef, at: datetime) -> None:
        self.name = member.name
        self.is_bot = member.user.is_bot
        self.first_seen = at
        self.joined_at: datetime | None = None
        self.left_at: datetime | None = None
        self.presence: bool | None = None
        """True after a join, False after a departure, None when only seen."""
        self.read = False
        """Whether the member's stored row was read (into ``stored``; None: there is none)."""
        self.stored: _Stored | None = None

    def record(self, member: MemberRef, event: Event) -> None:
        """Add what ``event`` says of ``member``."""
        self.name = member.name
        if isinstance(event, MemberJoined):
            self.joined_at, self.left_at, self.presence = event.at, None, True
        elif isinstance(event, MemberLeft):
            self.left_at, self.presence = event.at, False

    def then(self, newer: _Change) -> None:
        """Add ``newer`` (what happened after this) to this change."""
        self.name = newer.name
        if newer.presence is not None:
            self.joined_at = newer.joined_at or self.joined_at
            self.left_at, self.presence = newer.left_at, newer.presence
        if not self.read:
            self.read, self.stored = newer.read, newer.stored

    def row(self) -> tuple[datetime | None, datetime | None]:
        """``joined_at`` and ``left_at`` as they are to be written over the stored row."""
        stored = self.stored
        if stored is None:
            return self.joined_at, self.left_at
        if self.presence is None:
            return stored.joined_at, stored.left_at
        return self.joined_at or stored.joined_at, self.left_at

    def counted(self) -> int:
        """How this change moves the count of present members (its row must be looked up)."""
        assert self.read
        stored = self.stored
        if stored is None:
            return int(not self.is_bot and self.presence is not False)
        if stored.is_bot:
            return 0
        before = stored.left_at is None
        after = before if self.presence is None else self.presence
        return int(after) - int(before)

    def apply(self, record: Member) -> None:
        """Show this change on ``record`` (a row read, or one made for a member not written)."""
        record.name = self.name
        if self.presence is not None:
            record.joined_at = self.joined_at or record.joined_at
            record.left_at = self.left_at


class MemberDirectory:
    """Keeps the ``communities`` and ``members`` tables up to date from the event stream."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        flush_after: float = FLUSH_AFTER,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._db = db
        self._clock = clock
        self.flush_after = flush_after
        """Seconds a change waits at most before it is written."""
        self._max_pending = max_pending
        # Each community seen, and its database id, by the reference's ids tuple (what the
        # reference compares by): hashed and compared in C, where the reference's own __hash__
        # and __eq__ are Python calls.
        self._communities: dict[tuple[str, ...], tuple[CommunityRef, int]] = {}
        # A community's first sight, one at a time: two first events at once (two members
        # joining a server the bot just joined) would both insert it.
        self._first_sight = asyncio.Lock()
        # Members known to be recorded, as user ids per community id: a set entry costs a few
        # dozen bytes where a (community, user) tuple in an ordered dict cost ~150. The bound is
        # kept by generations: when the recent one fills half the budget, the older one is
        # dropped, and a member found in the older one moves to the recent one.
        self._recent: dict[int, set[str]] = {}
        self._older: dict[int, set[str]] = {}
        self._recent_size = 0
        self._pending: dict[_Key, _Change] = {}
        # The changes being written, still visible to get() until they are.
        self._in_flight: dict[_Key, _Change] = {}
        # Members present (not left, not bots) per community id as stored, once counted.
        self._present: dict[int, int] = {}
        # Writes go one at a time, and reads of stored rows for the count wait for them: a row
        # read while a write is on its way would be stale.
        self._writing = asyncio.Lock()
        self._oldest = 0.0
        self._insert: BulkWrite | None = None
        # The write an event started, in the background: the event does not wait for it.
        self._writer: asyncio.Task[None] | None = None

    @property
    def communities(self) -> list[CommunityRef]:
        """The communities seen since start."""
        return [community for community, _ in self._communities.values()]

    @property
    def pending(self) -> int:
        """Members whose changes are not written yet."""
        return len(self._pending)

    async def community_id(self, community: CommunityRef) -> int:
        """The database id of ``community``, recording it on first sight."""
        cached = self._communities.get(community._identity)
        if cached is not None:
            return cached[1]
        async with self._first_sight:
            return await self._record_community(community)

    async def _record_community(self, community: CommunityRef) -> int:
        cached = self._communities.get(community._identity)
        if cached is not None:  # recorded while this one waited for its turn
            return cached[1]
        async with self._db.session() as session:
            row = (
                await session.exec(
                    select(Community).where(
                        Community.platform == community.platform,
                        Community.external_id == community.id,
                    )
                )
            ).first()
            if row is None:
                row = Community(
                    platform=community.platform,
                    external_id=community.id,
                    name=community.name,
                    first_seen=self._clock.now(),
                )
                session.add(row)
                await session.commit()
            assert row.id is not None
            self._drop_stale(row.id, community)
            self._communities[community._identity] = (community, row.id)
            return row.id

    def _drop_stale(self, community_id: int, community: CommunityRef) -> None:
        """Forget the community cached under ``community_id``, if any, now that the id names
        ``community``: its row was deleted under the bot (``communities.id`` has no
        AUTOINCREMENT: the next one recorded gets the highest id again), and the members the
        cache holds of it would be counted and written as the new community's."""
        communities = self._communities
        stale = [known for known, cached in communities.values() if cached == community_id]
        if not stale:
            return
        for known in stale:
            del communities[known._identity]
        recent = self._recent.pop(community_id, None)
        if recent is not None:
            self._recent_size -= len(recent)
        self._older.pop(community_id, None)
        self._present.pop(community_id, None)
        dropped = [key for key in self._pending if key[0] == community_id]
        for key in dropped:
            del self._pending[key]
        log.warning(
            "community %s was deleted from the database while the bot ran, and its id %d now "
            "names %s: %d changes of its members not written; it is recorded again when next "
            "seen",
            ", ".join(known.key for known in stale),
            community_id,
            community.key,
            len(dropped),
        )

    def community_named(self, community_id: int) -> str:
        """How a log line names the community of database id ``community_id``."""
        for community, known in self._communities.values():
            if known == community_id:
                return f"community {community.key} (id {community_id})"
        return f"community id {community_id}"

    async def observe(self, event: Event) -> None:
        """Record the member an event is about, and joins and departures."""
        member: MemberRef | None = getattr(event, "member", None) or getattr(event, "author", None)
        if member is None:
            return
        is_presence = isinstance(event, _PRESENCE)
        if not is_presence:
            # Every event: a member already recorded costs two lookups, no await.
            seen = self._communities.get(member.community._identity)
            if seen is not None:
                recent = self._recent.get(seen[1])
                if recent is not None and member.user.id in recent:
                    return
        community_id = await self.community_id(member.community)
        key = (community_id, member.user.id)
        if is_presence:
            change = self._pending.get(key) or self._add(key, member, event.at)
            change.record(member, event)
        elif self._is_known(key) or key in self._pending:
            return
        else:
            self._add(key, member, event.at)
        self._remember(key)
        # Written from the event's own path too: a busy bot never waits for the timer.
        if (
            len(self._pending) >= self._max_pending
            or time.monotonic() - self._oldest >= self.flush_after
        ):
            await self._write_soon()

    def _add(self, key: _Key, member: MemberRef, at: datetime) -> _Change:
        if not self._pending:
            self._oldest = time.monotonic()
        change = self._pending[key] = _Change(member, at)
        return change

    # -- members known to be recorded -------------------------------------------------------

    def _is_known(self, key: _Key) -> bool:
        community_id, user_id = key
        recent = self._recent.get(community_id)
        if recent is not None and user_id in recent:
            return True
        older = self._older.get(community_id)
        if older is None or user_id not in older:
            return False
        older.discard(user_id)
        self._remember(key)
        return True

    def _remember(self, key: _Key) -> None:
        community_id, user_id = key
        recent = self._recent.get(community_id)
        if recent is None:
            recent = self._recent[community_id] = set()
        elif user_id in recent:
            return
        recent.add(user_id)
        self._recent_size += 1
        if self._recent_size >= MAX_CACHED_MEMBERS // 2:
            self._older, self._recent, self._recent_size = self._recent, {}, 0

    def _forget(self, key: _Key) -> None:
        community_id, user_id = key
        recent = self._recent.get(community_id)
        if recent is not None and user_id in recent:
            recent.discard(user_id)
            self._recent_size -= 1
        older = self._older.get(community_id)
        if older is not None:
            older.discard(user_id)

    # -- writing ----------------------------------------------------------------------------

    async def _write_soon(self) -> None:
        """Start writing what is buffered without making the event wait: the database can take
        seconds to answer (locked by another process, it waits out its busy timeout), and the
        event's message, command or join must reach the cogs meanwhile.

        Only while twice ``MAX_PENDING`` wait behind a write under way (events faster than the
        database, or fed without a pause that lets the write run) does the event wait for it,
        so that what waits in memory stays bounded.
        """
        while (writer := self._writer) is not None and not writer.done():
            if len(self._pending) < 2 * self._max_pending:
                return  # the write under way, or the next, takes them
            await asyncio.wait([writer])
        if self._pending:
            self._writer = asyncio.get_running_loop().create_task(
                self._write_behind(), name="members-write"
            )

    async def _write_behind(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception("members not written")

    async def flush(self) -> None:
        """Write the buffered changes now, in one transaction, once a write under way is done.

        Changes the database refuses for a while (locked, busy, away): joins and departures wait
        for the next flush, sightings are dropped (recorded again when next seen). Refused
        because of one of them (a row that breaks a constraint), they are written one by one
        instead, each row read again: only those refused on their own are dropped, each logged.
        A write that fails on a bug in the bot is logged with its traceback, and the changes it
        fails on are dropped (see :mod:`bot.dbrefusals`).
        """
        # A write under way has taken its changes out of the buffer: returning before it ends,
        # a caller that queries the table next (who left, at a contest's close) would miss them.
        if not self._pending and not self._writing.locked():
            return
        async with self._writing:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            self._in_flight = batch
            try:
                written = await self._write_all(batch)
            finally:
                self._in_flight = {}
            for (community_id, _user_id), change in written:
                if community_id in self._present:
                    self._present[community_id] += change.counted()

    async def flush_last(self, within: float = LAST_FLUSH_WITHIN) -> None:
        """The last flush, when the bot stops: tried again while the database refuses for a
        while (locked, busy), no new try starting past ``within`` seconds. The joins and
        departures still not written then are lost, and the log says how many."""
        left = await last_flush(self.flush, lambda: self.pending, within=within)
        if not left:
            return
        moves = sum(change.presence is not None for change in self._pending.values())
        log.error(
            "%d joins and departures lost at stop: the database still refused them after %g s "
            "(those members keep their previous joined_at and left_at)",
            moves,
            within,
        )

    async def _write_all(self, batch: dict[_Key, _Change]) -> Iterable[tuple[_Key, _Change]]:
        """Write ``batch`` in one transaction (else as :meth:`_write_apart` says): what is
        written."""
        try:
            async with self._db.engine.begin() as connection:
                await self._look_up(connection, batch.items())
                await self._write(connection, batch)
        except Exception as error:
            if may_pass(error):
                self._failed(batch, error)
                return ()
            return await self._write_apart(batch, error)
        return batch.items()

    async def _write_apart(
        self, batch: dict[_Key, _Change], together: Exception
    ) -> list[tuple[_Key, _Change]]:
        """Write ``batch`` one member per transaction, each stored row read again (a row another
        process wrote meanwhile is updated, not inserted twice), after writing it in one failed
        with ``together``: what is written. A change the database refuses on its own, or whose
        write fails on a bug, is dropped (logged); on a passing refusal, the rest wait."""

        async def write_one(item: tuple[_Key, _Change]) -> None:
            key, change = item
            change.read, change.stored = False, None
            async with self._db.engine.begin() as connection:
                await self._look_up(connection, [item])
                await self._write(connection, {key: change})

        def lost(items: Sequence[tuple[_Key, _Change]]) -> str:
            moves = 0
            for key, change in items:
                self._forget(key)  # recorded again when next seen
                moves += change.presence is not None
            return f"{len(items)} member records ({moves} with a join or departure)"

        return await write_apart(
            list(batch.items()),
            write_one,
            together=together,
            log=log,
            refused=lambda item, error: self._refused(item[0], error),
            kept=lambda rest, error: self._failed(dict(rest), error),
            lost=lost,
        )

    def _refused(self, key: _Key, error: Exception) -> None:
        """Drop the change of ``key`` the database refuses for good, saying whose it was."""
        self._forget(key)  # recorded again when next seen
        community_id, user_id = key
        log.error(
            "member %s of %s not recorded: the database refuses it (%s)",
            user_id,
            self.community_named(community_id),
            reason(error),
        )

    def _failed(self, batch: dict[_Key, _Change], error: Exception) -> None:
        # Sightings are dropped, as ever: recorded again when next seen. Joins and departures
        # wait for the next flush, before what came after them.
        log.warning("could not record %d members: %s", len(batch), reason(error))
        for key, change in batch.items():
            newer = self._pending.get(key)
            if change.presence is None and newer is None:
                self._forget(key)
                continue
            if newer is not None:
                change.then(newer)
            elif not self._pending:
                self._oldest = time.monotonic()
            self._pending[key] = change

    async def _look_up(
        self, connection: AsyncConnection, changes: Iterable[tuple[_Key, _Change]]
    ) -> None:
        """Read the stored rows of the ``changes`` not looked up yet."""
        by_community: dict[int, dict[str, _Change]] = {}
        for (community_id, user_id), change in changes:
            if not change.read:
                by_community.setdefault(community_id, {})[user_id] = change
        for community_id, waiting in by_community.items():
            user_ids = list(waiting)
            for start in range(0, len(user_ids), _CHUNK):
                rows = await connection.execute(
                    select(Member).where(
                        Member.community_id == community_id,
                        col(Member.user_id).in_(user_ids[start : start + _CHUNK]),
                    )
                )
                for row in rows:
                    waiting[row.user_id].stored = _Stored(
                        row.id, row.name, row.is_bot, row.joined_at, row.left_at
                    )
            for change in waiting.values():
                change.read = True

    async def _write(self, connection: AsyncConnection, batch: dict[_Key, _Change]) -> None:
        fresh: list[tuple[Any, ...]] = []
        changed: list[dict[str, Any]] = []
        for (community_id, user_id), change in batch.items():
            assert change.read
            stored = change.stored
            joined_at, left_at = change.row()
            if stored is None:
                fresh.append(
                    (
                        community_id,
                        user_id,
                        change.name,
                        change.is_bot,
                        change.first_seen,
                        joined_at,
                        left_at,
                    )
                )
            elif (change.name, joined_at, left_at) != (
                stored.name,
                stored.joined_at,
                stored.left_at,
            ):
                # Seen in an earlier run: the first sighting stays; the name may have changed.
                changed.append(
                    {
                        "row_id": stored.id,
                        "new_name": change.name,
                        "new_joined_at": joined_at,
                        "new_left_at": left_at,
                    }
                )
        if changed:
            await connection.execute(
                update(Member)
                .where(col(Member.id) == bindparam("row_id"))
                .values(
                    name=bindparam("new_name"),
                    joined_at=bindparam("new_joined_at", type_=UTCDateTime()),
                    left_at=bindparam("new_left_at", type_=UTCDateTime()),
                ),
                changed,
            )
        if fresh:
            if self._insert is None:
                self._insert = BulkWrite(
                    insert(Member),
                    (
                        "community_id",
                        "user_id",
                        "name",
                        "is_bot",
                        "first_seen",
                        "joined_at",
                        "left_at",
                    ),
                    connection.dialect,
                )
            await self._insert.run(connection, fresh)

    # -- reading ----------------------------------------------------------------------------

    async def departed(
        self, community: CommunityRef, user_ids: Iterable[str], *, before: datetime | None = None
    ) -> set[str]:
        """Those of ``user_ids`` who left ``community`` (before ``before``, when given) and have
        not come back, the changes buffered written first. Kicks and bans count: the platforms
        report them as departures. A member the bot never recorded counts as there."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return set()
        community_id = await self.community_id(community)
        await self.flush()
        gone: set[str] = set()
        async with self._db.session() as session:
            for start in range(0, len(wanted), _CHUNK):
                query = select(Member.user_id).where(
                    Member.community_id == community_id,
                    col(Member.user_id).in_(wanted[start : start + _CHUNK]),
                    col(Member.left_at).is_not(None),
                )
                if before is not None:
                    query = query.where(col(Member.left_at) < before)
                gone.update(await session.exec(query))
        return gone

    async def present(self, community: CommunityRef) -> int:
        """Members seen in ``community`` (joining or posting) who have not left; bots not counted.

        Counted in the database the first time, then kept up to date in memory; the buffered
        changes are counted too (their members' stored rows are read, in one query).
        """
        community_id = await self.community_id(community)
        async with self._writing:
            waiting = [
                (key, change) for key, change in self._pending.items() if key[0] == community_id
            ]
            unknown = [item for item in waiting if not item[1].read]
            stored = self._present.get(community_id)
            if unknown or stored is None:
                async with self._db.engine.connect() as connection:
                    await self._look_up(connection, unknown)
                    if stored is None:
                        stored = await self._count(connection, community_id)
                        self._present[community_id] = stored
            return stored + sum(change.counted() for _key, change in waiting)

    @staticmethod
    async def _count(connection: AsyncConnection, community_id: int) -> int:
        return int(
            (
                await connection.execute(
                    select(func.count())
                    .select_from(Member)
                    .where(
                        Member.community_id == community_id,
                        col(Member.left_at).is_(None),
                        col(Member.is_bot).is_(False),
                    )
                )
            ).scalar_one()
        )

    async def get(self, community: CommunityRef, user_id: str) -> Member | None:
        """The record of ``user_id`` in ``community``, if the bot has seen them (buffered too)."""
        community_id = await self.community_id(community)
        key = (community_id, user_id)
        # The changes waiting before the read too: one a flush commits while the row is read is
        # in neither the row nor the buffer after it. Applying a change twice changes nothing.
        waiting = [self._in_flight.get(key), self._pending.get(key)]
        async with self._db.session() as session:
            row = (
                await session.exec(
                    select(Member).where(
                        Member.community_id == community_id, Member.user_id == user_id
                    )
                )
            ).first()
        changes: list[_Change] = []
        for change in (*waiting, self._in_flight.get(key), self._pending.get(key)):
            if change is not None and all(change is not seen for seen in changes):
                changes.append(change)
        if not changes:
            return row
        if row is None:
            first = changes[0]
            row = Member(
                community_id=community_id,
                user_id=user_id,
                name=first.name,
                is_bot=first.is_bot,
                first_seen=first.first_seen,
            )
        for change in changes:
            change.apply(row)
        return row

    async def forget_departed(
        self, community: CommunityRef, cutoff: datetime, keep: Collection[str] = ()
    ) -> int:
        """Erase the records of the members who left ``community`` before ``cutoff`` and have
        not come back, save those of ``keep`` (a cog still names them); how many went.

        In batches (see :func:`bot.retention.delete_in_batches`), each under the write lock: a
        member with a change waiting to be written (back since, or seen) keeps their record,
        and one who comes back once it is gone is recorded again, as someone new. Those who
        left are not counted as present: the count does not move.
        """
        community_id = await self.community_id(community)
        await self.flush()  # a return buffered is written: that member's row says so
        table: Any = Member.__table__  # type: ignore[attr-defined]
        kept = frozenset(keep)

        @asynccontextmanager
        async def hold(ids: list[Any]) -> AsyncIterator[list[int]]:
            async with self._db.engine.connect() as connection:
                rows = (
                    await connection.execute(
                        select(table.c.id, table.c.user_id).where(table.c.id.in_(ids))
                    )
                ).all()
            async with self._writing:  # no write under way, none starts until they are gone
                chosen = []
                for row_id, user_id in rows:
                    key = (community_id, user_id)
                    if user_id in kept or key in self._pending or key in self._in_flight:
                        continue
                    # Before the delete: an event meanwhile records the member again.
                    self._forget(key)
                    chosen.append(row_id)
                yield chosen

        return await delete_in_batches(
            self._db,
            table,
            and_(
                table.c.community_id == community_id,
                table.c.left_at.is_not(None),
                table.c.left_at < cutoff,
            ),
            hold=hold,
        )

    async def forget(self, community: CommunityRef, user_id: str) -> bool:
        """Erase the record of ``user_id`` in ``community``; whether there was one.

        Seen again, the member is recorded again, as someone new.
        """
        await self.flush()
        community_id = await self.community_id(community)
        key = (community_id, user_id)
        async with self._writing:
            # A sighting buffered since the flush goes too: the erasure is the last word.
            buffered = self._pending.pop(key, None)
            async with self._db.engine.begin() as connection:
                row = (
                    await connection.execute(
                        delete(Member)
                        .where(
                            col(Member.community_id) == community_id,
                            col(Member.user_id) == user_id,
                        )
                        .returning(col(Member.left_at), col(Member.is_bot))
                    )
                ).first()
            self._forget(key)
            was_present = row is not None and row.left_at is None and not row.is_bot
            if was_present and community_id in self._present:
                self._present[community_id] -= 1
        return row is not None or buffered is not None
