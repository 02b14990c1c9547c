"""Newcomers' journeys: read through a bounded cache, written behind in batches.

A journey is one arrival: a member who leaves and comes back starts a new one, on a row of its
own, and the earlier one keeps the stages it reached (each counts in the funnel of its period).
What the store reads and changes is a member's latest journey.

Every message of every member asks whether its author is a newcomer. Who has a journey is known
per community (a set of user ids, loaded once), so for most authors the answer costs a set
lookup and nothing is kept about them; the journeys themselves are cached (at most
``MAX_CACHED``).

Changes are written behind: a join or a stage reached changes the cache and waits, with the
others, for :meth:`JourneyStore.flush` (every ``FLUSH_EVERY`` from the cog, once ``MAX_PENDING``
wait, and when the bot stops), so a join costs no database round trip. Reads of one journey see
what waits; whatever queries the table itself (the funnel) flushes first. Transitions that must
happen at most once (the introduction, the nudge, a removal by the gate) are *claimed* with a
conditional update, after a flush, so two messages arriving together, or a job running twice,
still act once.

The crash window: a crash loses the changes of the last ``FLUSH_EVERY`` (at most
``MAX_PENDING`` journeys): a newcomer who joined then is not followed (the cog writes the journey
of one held at the charter gate at once, with :meth:`JourneyStore.written`), and a stage reached
then is not recorded (a charter accepted then is asked again; a removal by the gate then is not
counted towards a ban).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, insert
from sqlalchemy.orm import aliased
from sqlmodel import col, delete, select, update

from bot.db import Database
from bot.dbrefusals import LAST_FLUSH_WITHIN, last_flush, may_pass, reason, write_apart
from bot.events import CommunityRef
from bot.members import MemberDirectory
from bot.retention import delete_in_batches
from cogs.welcome.models import Newcomer

log = logging.getLogger("cogs.welcome")

MAX_CACHED = 100_000
"""Journeys cached, at most (the most recently used); members without one take no room."""
FLUSH_EVERY = 1.0
"""Seconds between writes of the changes waiting (the crash window)."""
MAX_PENDING = 1_000
"""Journeys whose changes may wait; one more writes them at once."""
WRITE_TRIES = 3
"""Writes :meth:`JourneyStore.written` tries (each waits out the busy timeout under a lock) …"""
WRITE_PAUSE = 0.5
"""… with this many seconds before the second, twice as many before the third."""
CARRIED_OVER = ("welcomed_at", "first_introduced_at", "gate_failures")
"""What a new arrival takes from the member's last one: when they were last welcomed, their
first introduction in any stay and the count of their removals by the gate."""
RESET_ON_JOIN = (
    "charter_accepted_at",
    "introduced_at",
    "first_message_at",
    "active_7d_at",
    "active_30d_at",
    "nudged_at",
)
CHUNK = 500
"""Members one statement names, at most (SQLite limits the values a statement binds)."""
Welcomed = dict[int, tuple[str, datetime | None]]
"""Journeys a welcome claimed: by row id, the member's user id and when they were last welcomed
before."""
ACTIVE_AFTER = {"active_7d_at": timedelta(days=7), "active_30d_at": timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class Journey:
    """A snapshot of one arrival's row (``id`` is None until it is first written)."""

    id: int | None
    community_id: int
    user_id: str
    joined_at: datetime
    welcomed_at: datetime | None = None
    charter_accepted_at: datetime | None = None
    introduced_at: datetime | None = None
    first_introduced_at: datetime | None = None
    first_message_at: datetime | None = None
    active_7d_at: datetime | None = None
    active_30d_at: datetime | None = None
    nudged_at: datetime | None = None
    gate_pending: bool = False
    restricted: bool = False
    gate_failures: int = 0

    @classmethod
    def of(cls, row: Any) -> Journey:
        """The snapshot of ``row`` (a :class:`Newcomer`, or a result row of its columns)."""
        return cls(**{name: getattr(row, name) for name in _FIELDS})

    def activity(self, at: datetime) -> dict[str, datetime]:
        """The funnel stages a message posted at ``at`` completes (empty when none)."""
        changes: dict[str, datetime] = {}
        if at < self.joined_at:
            return changes
        if self.first_message_at is None:
            changes["first_message_at"] = at
        for stage, after in ACTIVE_AFTER.items():
            if getattr(self, stage) is None and at >= self.joined_at + after:
                changes[stage] = at
        return changes

    def export(self) -> dict[str, Any]:
        """What is kept about this newcomer, for a data-subject access request."""
        return {
            field.name: value.isoformat() if isinstance(value, datetime) else value
            for field in fields(self)
            if field.name not in ("id", "community_id")
            for value in [getattr(self, field.name)]
        }


_Key = tuple[int, str]
"""A member: the row id of their community and their user id."""
_FIELDS = tuple(field.name for field in fields(Journey))
_COLUMNS = tuple(name for name in _FIELDS if name not in ("id", "community_id", "user_id"))
"""What a new row is written with, besides its key."""
_STARTING: dict[str, Any] = {
    **dict.fromkeys(RESET_ON_JOIN),
    "gate_pending": False,
    "restricted": False,
}
"""What every journey starts with."""


class _Waiting:
    """The changes of one journey not written yet."""

    __slots__ = ("new", "values")

    def __init__(self, new: bool, values: dict[str, Any]) -> None:
        self.new = new
        """Whether the row is to be inserted (then ``values`` holds every column)."""
        self.values = values

    def then(self, newer: _Waiting) -> None:
        """Add ``newer`` (changes made after these) to these."""
        self.new = self.new or newer.new
        self.values.update(newer.values)


_Batch = dict[_Key, dict[datetime, _Waiting]]
"""Changes not written yet, by member, then by arrival (its ``joined_at``), oldest first."""


class JourneyStore:
    """The ``welcome_newcomers`` table, read through a cache, written behind."""

    def __init__(self, db: Database, members: MemberDirectory) -> None:
        self._db = db
        self._members = members
        self._cache: OrderedDict[tuple[CommunityRef, str], Journey] = OrderedDict()
        self.holders: dict[str, set[str]] = {}
        """Who has a row (user ids), by community key, loaded once per community: most authors
        never joined under watch, and their messages then cost one lookup here (the cog's
        message listeners read it directly), no query and no cache entry. Changed only here."""
        # Held while that set loads and while a journey that needs a read begins: a journey
        # begun meanwhile must either be in what it reads or added after, and two joins of one
        # member take turns. (A first join, once the set is loaded, awaits nothing: no lock.)
        self._holders_lock = asyncio.Lock()
        self._pending: _Batch = {}
        # The changes being written: still seen by reads until they are.
        self._in_flight: _Batch = {}
        self._flushing = asyncio.Lock()
        # Journeys whose changes were dropped (refused for good, or failed on a bug), until they
        # change again.
        self._lost: set[_Key] = set()
        # Members (community key, user id) whose journeys are being erased: no holders already.
        self._forgetting: Counter[tuple[str, str]] = Counter()

    @property
    def pending(self) -> int:
        """Members whose journeys have changes not written yet."""
        return len(self._pending)

    def _remember(self, community: CommunityRef, user_id: str, journey: Journey) -> None:
        holders = self.holders.get(community.key)
        if holders is not None and user_id not in holders:
            # Forgotten (erased) while the change was under way, a removal by the gate say:
            # cached again, their journey would live on in memory, to be read, nudged, counted.
            return
        key = (community, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached.joined_at > journey.joined_at:
            return  # a change to an earlier arrival: the member came back since
        self._cache[key] = journey
        self._cache.move_to_end(key)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    async def get(self, community: CommunityRef, user_id: str) -> Journey | None:
        """The latest journey of ``user_id`` in ``community``; None if they never joined under
        watch."""
        key = (community, user_id)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        community_id = await self._members.community_id(community)
        holders = await self._holders_of(community, community_id)
        if user_id not in holders:
            return None
        journey = await self._latest(community_id, user_id)
        if journey is not None:
            self._remember(community, user_id, journey)
        return journey

    async def arrivals(self, community: CommunityRef, user_id: str) -> list[Journey]:
        """Every journey of ``user_id`` in ``community``, oldest first (for their data)."""
        community_id = await self._members.community_id(community)
        return await self._read(community_id, user_id, latest=False)

    async def _latest(self, community_id: int, user_id: str) -> Journey | None:
        """The latest journey as stored, with the changes that wait applied."""
        journeys = await self._read(community_id, user_id, latest=True)
        return journeys[-1] if journeys else None

    async def _read(self, community_id: int, user_id: str, *, latest: bool) -> list[Journey]:
        """The journeys as stored (only the latest one if ``latest``), with the changes that
        wait applied, oldest first."""
        statement = (
            select(Newcomer)
            .where(Newcomer.community_id == community_id, Newcomer.user_id == user_id)
            .order_by(col(Newcomer.joined_at).desc())
        )
        if latest:
            statement = statement.limit(1)
        async with self._db.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        journeys = {journey.joined_at: journey for journey in map(Journey.of, rows)}
        newest = max(journeys, default=None)
        for batch in (self._in_flight, self._pending):
            for joined_at, waiting in batch.get((community_id, user_id), {}).items():
                known = journeys.get(joined_at)
                if known is not None:
                    journeys[joined_at] = replace(known, **waiting.values)
                elif waiting.new and (not latest or newest is None or joined_at > newest):
                    # An arrival not inserted yet (changes to a row erased meanwhile, or to an
                    # earlier arrival than the one read, are not one).
                    journeys[joined_at] = Journey(
                        id=None, community_id=community_id, user_id=user_id, **waiting.values
                    )
        if latest and journeys:
            return [journeys[max(journeys)]]
        return [journeys[joined_at] for joined_at in sorted(journeys)]

    def may_hold(self, community_key: str, user_id: str) -> bool:
        """False when ``user_id`` surely has no journey in the community keyed ``community_key``
        (``CommunityRef.key``); True when it may have one, to be read with :meth:`get`.

        Answered from memory, without an await: the question every message asks.
        """
        if (community_key, user_id) in self._forgetting:
            return False
        holders = self.holders.get(community_key)
        return holders is None or user_id in holders

    async def _holders_of(self, community: CommunityRef, community_id: int) -> set[str]:
        holders = self.holders.get(community.key)
        if holders is not None:
            return holders
        async with self._holders_lock:
            return await self._load_holders(community, community_id)

    async def _load_holders(self, community: CommunityRef, community_id: int) -> set[str]:
        """The holders of ``community`` (the caller holds the lock)."""
        holders = self.holders.get(community.key)
        if holders is None:
            # Rows still waiting to be inserted are holders too.
            async with self._db.engine.connect() as connection:
                rows = await connection.execute(
                    select(Newcomer.user_id).where(Newcomer.community_id == community_id)
                )
                holders = set(rows.scalars())
            for batch in (self._in_flight, self._pending):
                holders.update(
                    user_id
                    for (holder_community, user_id), arrivals in batch.items()
                    if holder_community == community_id
                    and any(change.new for change in arrivals.values())
                )
            self.holders[community.key] = holders
        return holders

    async def begin(
        self,
        community: CommunityRef,
        user_id: str,
        at: datetime,
        *,
        welcome: Callable[[datetime | None], bool] | None = None,
        **state: Any,
    ) -> tuple[Journey, bool]:
        """Start a journey at ``at`` (a first join, or a new one); return it, and whether the
        newcomer counts as welcomed at ``at``.

        A member coming back starts a new journey: every stage starts over, the earlier journey
        keeps its own, and ``welcomed_at``, ``first_introduced_at`` and ``gate_failures`` carry
        over. (A join at the very instant of their latest one is that one, started over.)
        ``welcome`` is asked when the newcomer was last welcomed (None: never); if it answers
        yes, ``welcomed_at`` becomes ``at``. A member never seen joining costs no query; one
        coming back, a read.
        """
        community_id = await self._members.community_id(community)
        values: dict[str, Any] = {**_STARTING, "joined_at": at, **state}
        holders = self.holders.get(community.key)
        if holders is not None and user_id not in holders:
            # A first join: nothing to read, nothing awaited until it is recorded, so no other
            # begin can come in between and the lock is not needed.
            journey, welcomed = self._start(community_id, user_id, at, values, welcome, None)
            holders.add(user_id)
        else:
            async with self._holders_lock:
                holders = await self._load_holders(community, community_id)
                # Read again, not taken from the cache: what carries over must be current.
                previous = (
                    await self._latest(community_id, user_id) if user_id in holders else None
                )
                journey, welcomed = self._start(
                    community_id, user_id, at, values, welcome, previous
                )
                holders.add(user_id)
        self._remember(community, user_id, journey)
        await self._flush_if_full()
        return journey, welcomed

    def _start(
        self,
        community_id: int,
        user_id: str,
        at: datetime,
        values: dict[str, Any],
        welcome: Callable[[datetime | None], bool] | None,
        previous: Journey | None,
    ) -> tuple[Journey, bool]:
        """Record the journey that begins with ``values``, after ``previous`` if any."""
        last = None if previous is None else previous.welcomed_at
        welcomed = welcome is not None and welcome(last)
        if welcomed:
            values["welcomed_at"] = at
        key = (community_id, user_id)
        if previous is not None and previous.joined_at == at:
            journey = replace(previous, **values)
            self._wait(key, at, _Waiting(False, values))
            return journey, welcomed
        carried = (
            {} if previous is None else {name: getattr(previous, name) for name in CARRIED_OVER}
        )
        journey = Journey(
            id=None, community_id=community_id, user_id=user_id, **{**carried, **values}
        )
        row = {name: getattr(journey, name) for name in _COLUMNS}
        self._wait(key, at, _Waiting(True, row))
        return journey, welcomed

    def _wait(self, key: _Key, joined_at: datetime, change: _Waiting) -> None:
        """Add ``change`` to what waits for the arrival at ``joined_at`` of member ``key``."""
        self._lost.discard(key)
        arrivals = self._pending.setdefault(key, {})
        waiting = arrivals.get(joined_at)
        if waiting is None:
            arrivals[joined_at] = change
        else:
            waiting.then(change)

    async def _flush_if_full(self) -> None:
        if len(self._pending) >= MAX_PENDING:
            await self.flush()

    async def update(self, community: CommunityRef, journey: Journey, **changes: Any) -> Journey:
        """Record ``changes`` to the journey (written behind) and return the new snapshot."""
        key = (journey.community_id, journey.user_id)
        self._wait(key, journey.joined_at, _Waiting(False, dict(changes)))
        changed = replace(journey, **changes)
        self._remember(community, journey.user_id, changed)
        await self._flush_if_full()
        return changed

    async def claim(
        self, community: CommunityRef, journey: Journey, stage: str, at: datetime, **also: Any
    ) -> Journey | None:
        """Set ``stage`` to ``at`` if it is still empty (with ``also``); None if it was not."""
        condition = col(getattr(Newcomer, stage)).is_(None)
        return await self._claim(community, journey, condition, {stage: at, **also})

    async def claim_cleared(
        self, community: CommunityRef, journey: Journey, flag: str, **also: Any
    ) -> Journey | None:
        """Clear ``flag`` (a boolean column) if it is still set (with ``also``); None if it was
        not: what a removal by the gate claims, so that a run repeated acts once."""
        condition = col(getattr(Newcomer, flag)).is_(True)
        return await self._claim(community, journey, condition, {flag: False, **also})

    async def _claim(
        self,
        community: CommunityRef,
        journey: Journey,
        condition: ColumnElement[bool],
        values: dict[str, Any],
    ) -> Journey | None:
        # The condition is checked by the database: everything that waits goes first.
        await self.flush()
        async with self._db.engine.begin() as connection:
            result = await connection.execute(
                update(Newcomer)
                .where(
                    col(Newcomer.community_id) == journey.community_id,
                    col(Newcomer.user_id) == journey.user_id,
                    col(Newcomer.joined_at) == journey.joined_at,
                    condition,
                )
                .values(values)
            )
            claimed = result.rowcount == 1
        if not claimed:
            # Someone else got there first: the cached snapshot is stale.
            self._cache.pop((community, journey.user_id), None)
            return None
        changed = replace(journey, **values)
        self._remember(community, journey.user_id, changed)
        return changed

    async def claim_welcome(
        self, community: CommunityRef, user_ids: Collection[str], at: datetime
    ) -> Welcomed | None:
        """Record that the newcomers ``user_ids`` (a wave) are welcomed at ``at``: their latest
        journeys begun by then and not welcomed in that stay yet. None when none was left to
        welcome and one was welcomed in their stay: the wave was greeted already."""
        community_id = await self._members.community_id(community)
        await self.flush()
        latest: dict[str, Any] = {}
        earlier: Welcomed = {}
        async with self._db.engine.begin() as connection:
            for chunk in _chunks(list(user_ids)):
                rows = await connection.execute(
                    select(Newcomer.id, Newcomer.user_id, Newcomer.joined_at, Newcomer.welcomed_at)
                    .where(
                        col(Newcomer.community_id) == community_id,
                        col(Newcomer.user_id).in_(chunk),
                    )
                    .order_by(col(Newcomer.joined_at))
                )
                latest.update((row.user_id, row) for row in rows)
            already = False
            for row in latest.values():
                if row.joined_at > at:
                    continue  # back since: a journey of its own
                if row.welcomed_at is not None and row.welcomed_at >= row.joined_at:
                    already = True
                else:
                    earlier[row.id] = (row.user_id, row.welcomed_at)
            if not earlier and already:
                return None
            for chunk in _chunks(list(earlier)):
                await connection.execute(
                    update(Newcomer).where(col(Newcomer.id).in_(chunk)).values(welcomed_at=at)
                )
        self._forget_cached(community, (user_id for user_id, _ in earlier.values()))
        return earlier

    async def begun_between(
        self, community: CommunityRef, since: datetime, until: datetime
    ) -> list[Journey]:
        """The journeys of ``community`` begun from ``since`` to ``until`` that are their
        members' latest (a member back since then is left out: their stay began later), as
        written: what waits is written first."""
        community_id = await self._members.community_id(community)
        await self.flush()
        later = aliased(Newcomer)
        statement = (
            select(Newcomer)
            .where(
                col(Newcomer.community_id) == community_id,
                col(Newcomer.joined_at) >= since,
                col(Newcomer.joined_at) <= until,
                ~(
                    select(col(later.id))
                    .where(
                        col(later.community_id) == community_id,
                        col(later.user_id) == col(Newcomer.user_id),
                        col(later.joined_at) > col(Newcomer.joined_at),
                    )
                    .exists()
                ),
            )
            .order_by(col(Newcomer.joined_at))
        )
        async with self._db.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [Journey.of(row) for row in rows]

    async def unclaim_welcome(self, community: CommunityRef, welcomed: Welcomed) -> None:
        """Undo :meth:`claim_welcome` (the welcome could not be posted): each journey is as it
        was before."""
        if not welcomed:
            return
        table = Newcomer.__table__  # type: ignore[attr-defined]
        async with self._db.engine.begin() as connection:
            await connection.execute(
                update(Newcomer)
                .where(col(Newcomer.id) == bindparam("row_id"))
                .values(welcomed_at=bindparam("earlier", type_=table.c.welcomed_at.type)),
                [{"row_id": row_id, "earlier": at} for row_id, (_, at) in welcomed.items()],
            )
        self._forget_cached(community, (user_id for user_id, _ in welcomed.values()))

    def _forget_cached(self, community: CommunityRef, user_ids: Iterable[str]) -> None:
        """Drop the cached journeys of ``user_ids``, changed in the database: read again."""
        for user_id in user_ids:
            self._cache.pop((community, user_id), None)

    async def forget(self, community: CommunityRef, user_id: str) -> None:
        """Erase every journey of ``user_id`` in ``community``.

        They are no holder from the start, before any await: a job planned while their rows
        are written and deleted (a nudge spread out, say) asks :meth:`may_hold` and must not
        name them. Should the database refuse, they are a holder again.
        """
        key = (community.key, user_id)
        self._forgetting[key] += 1
        holders = self.holders.get(community.key)
        was_holder = holders is not None and user_id in holders
        self._cache.pop((community, user_id), None)
        if holders is not None:
            holders.discard(user_id)
        try:
            community_id = await self._members.community_id(community)
            await self.flush()
            async with self._db.engine.begin() as connection:
                await connection.execute(
                    delete(Newcomer).where(
                        col(Newcomer.community_id) == community_id,
                        col(Newcomer.user_id) == user_id,
                    )
                )
        except BaseException:
            if was_holder:
                self.holders.get(community.key, set()).add(user_id)
            raise
        finally:
            self._forgetting[key] -= 1
            if not self._forgetting[key]:
                del self._forgetting[key]
        # Loaded meanwhile from rows not deleted yet: not a holder either.
        self.holders.get(community.key, set()).discard(user_id)
        self._cache.pop((community, user_id), None)

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Erase the journeys of ``community`` that began before ``cutoff`` and were followed
        by a later one of the same member: what carries over is on the later one (a member's
        latest journey stays, however old); how many went."""
        community_id = await self._members.community_id(community)
        later = aliased(Newcomer)
        followed = (
            select(later.id)
            .where(
                col(later.community_id) == col(Newcomer.community_id),
                col(later.user_id) == col(Newcomer.user_id),
                col(later.joined_at) > col(Newcomer.joined_at),
            )
            .exists()
        )
        return await delete_in_batches(
            self._db,
            Newcomer.__table__,  # type: ignore[attr-defined]
            and_(
                col(Newcomer.community_id) == community_id,
                col(Newcomer.joined_at) < cutoff,
                followed,
            ),
        )

    async def written(self, journey: Journey) -> bool:
        """Write what waits now, until ``journey``'s changes are in the database (tried
        :data:`WRITE_TRIES` times while the database refuses for a while, once if it refuses
        them for good): whether they are."""
        key = (journey.community_id, journey.user_id)
        pause = WRITE_PAUSE
        for attempt in range(WRITE_TRIES):
            if attempt:
                await asyncio.sleep(pause)
                pause *= 2
            await self.flush()
            async with self._flushing:  # a flush that took it before this one: its outcome
                if key in self._lost:
                    return False
                if journey.joined_at not in self._pending.get(key, {}):
                    return True
        return False

    async def flush(self) -> None:
        """Write every change that waits, in one transaction, once a write under way is done.

        Changes the database refuses for a while (locked, busy, away) wait for the next flush.
        Refused because of what one of them holds (a row that breaks a constraint), they are
        written one by one instead: the others get in, and only those refused on their own are
        dropped, each logged with its member and community. A write that fails on a bug in the
        bot is logged with its traceback, and the changes it fails on are dropped (see
        :mod:`bot.dbrefusals`).
        """
        # A write under way has taken its changes out of those waiting: returning before it
        # ends, a caller that reads the table next (a claim, an erasure) would miss them.
        if not self._pending and not self._flushing.locked():
            return
        async with self._flushing:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            self._in_flight = batch
            try:
                await self._write(batch)
                batch.clear()
            except Exception as error:
                if may_pass(error):
                    _kept(error)
                else:
                    await self._write_apart(batch, error)
            finally:
                # What is left (all of it if this was cut off) waits, before what came since.
                for key, arrivals in batch.items():
                    for joined_at, newer in self._pending.get(key, {}).items():
                        waiting = arrivals.get(joined_at)
                        if waiting is None:
                            arrivals[joined_at] = newer
                        else:
                            waiting.then(newer)
                    self._pending[key] = arrivals
                self._in_flight = {}

    async def flush_last(self, within: float = LAST_FLUSH_WITHIN) -> None:
        """The last flush, when the bot stops: tried again while the database refuses for a
        while (locked, busy), no new try starting past ``within`` seconds. The journeys whose
        changes are still not written then are lost, and the log says how many."""
        left = await last_flush(self.flush, lambda: self.pending, within=within)
        if left:
            log.error(
                "the changes of %d newcomers' journeys lost at stop: the database still refused "
                "them after %g s (a join then is not followed, a stage reached then not recorded)",
                left,
                within,
            )

    async def _write_apart(self, batch: _Batch, together: Exception) -> None:
        """Write ``batch`` one journey per transaction, after writing it in one failed with
        ``together``, taking out of it those written, those the database refuses for good and
        those whose write fails on a bug; a passing refusal leaves the rest in it."""

        async def write_one(key: _Key) -> None:
            await self._write({key: batch[key]})
            del batch[key]

        def refused(key: _Key, error: Exception) -> None:
            self._refused(key, error)
            del batch[key]

        def lost(keys: Sequence[_Key]) -> str:
            for key in keys:
                self._lost.add(key)
                del batch[key]
            return f"the changes of {len(keys)} newcomers' journeys"

        await write_apart(
            list(batch),
            write_one,
            together=together,
            log=log,
            refused=refused,
            kept=lambda _rest, error: _kept(error),
            lost=lost,
        )

    def _refused(self, key: _Key, error: Exception) -> None:
        """Drop the changes of ``key`` the database refuses for good, saying whose they were."""
        self._lost.add(key)
        community_id, user_id = key
        log.error(
            "the journey of member %s in %s is lost: the database refuses it (%s)",
            user_id,
            self._members.community_named(community_id),
            reason(error),
        )

    async def _write(self, batch: _Batch) -> None:
        inserted: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        updated: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for (community_id, user_id), arrivals in batch.items():
            for joined_at, waiting in arrivals.items():
                columns = tuple(sorted(waiting.values))
                if waiting.new:
                    inserted.setdefault(columns, []).append(
                        {"community_id": community_id, "user_id": user_id, **waiting.values}
                    )
                else:
                    updated.setdefault(columns, []).append(
                        {
                            "key_community": community_id,
                            "key_user": user_id,
                            "key_joined": joined_at,
                            **{f"new_{name}": value for name, value in waiting.values.items()},
                        }
                    )
        table: Any = Newcomer.__table__  # type: ignore[attr-defined]
        async with self._db.engine.begin() as connection:
            for rows in inserted.values():
                await connection.execute(insert(Newcomer), rows)
            for columns, rows in updated.items():
                await connection.execute(
                    update(Newcomer)
                    .where(
                        col(Newcomer.community_id) == bindparam("key_community"),
                        col(Newcomer.user_id) == bindparam("key_user"),
                        col(Newcomer.joined_at)
                        == bindparam("key_joined", type_=table.c.joined_at.type),
                    )
                    .values(
                        {
                            name: bindparam(f"new_{name}", type_=table.c[name].type)
                            for name in columns
                        }
                    ),
                    rows,
                )


def _kept(error: Exception) -> None:
    log.warning("journeys not written, kept for the next flush: %s", reason(error))


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    """``items`` in slices of at most :data:`CHUNK`."""
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]
