"""Forgetting members' day-by-day details once they are older than the rule book's
``retention`` (data minimisation), and the daily sweep that does it.

Once a day the sweep asks every loaded cog (enabled or not: a cog turned off still holds what
it kept) to forget, in each community the bot knows, the details it keeps from before that
community's cutoff (:meth:`bot.cog.Cog.forget_before`). What a cog still needs stays whatever
the cutoff: a case the strike ladder still counts, a sanction still running, a member's latest
journey. Day totals, which hold no one's details, stay for ever.

Then the records of the members who left before the cutoff go (name, first seen, joined, left:
:meth:`bot.members.MemberDirectory.forget_departed`), save those a cog still names in what it
keeps (:meth:`bot.cog.Cog.members_still_needed`): a ban ``/unban`` finds by the record, counters
a ranking reads, an entry a close reads. What tells a ranking that someone left thus goes with
the last thing it would rank them on.

Rows go in batches of :data:`BATCH_ROWS`, each its own short transaction, their ids read first
without the write lock: the sweep never holds the database for long, and the bot's other
writers go on between batches. A batch the database refuses for a while (locked, busy) is tried
again a few times; a sweep it still cannot finish is tried again :data:`RETRY_AFTER` later, and
leaves nothing half-deleted that matters (each batch commits whole).

When the last complete sweep ran is kept in ``core_state``: a restart neither skips the day's
sweep nor runs it twice, and one task runs it, never two at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.exc import SQLAlchemyError

from bot.cog import Cog
from bot.cogloader import available_cogs
from bot.db import Database
from bot.dbrefusals import may_pass, reason
from bot.events import CommunityRef
from bot.models import Community
from bot.state import StateStore

if TYPE_CHECKING:
    from bot.core import Jardinier

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(days=1)
"""How often details are forgotten."""
FIRST_LOOK_AFTER = timedelta(minutes=10)
"""How long after the bot starts the sweep first looks whether it is due: start-up (catching up
on jobs, connecting) comes first."""
LOOK_EVERY = timedelta(hours=1)
"""How often the sweep looks at the clock: a machine that slept, a clock that jumped."""
RETRY_AFTER = timedelta(hours=1)
"""When a sweep the database did not let finish is tried again."""
BATCH_ROWS = 500
"""Rows one transaction deletes: a few milliseconds of the write lock."""
BATCH_PAUSE = 0.02
"""Seconds between two batches, for the bot's other writers."""
REFUSED_PAUSES = (0.05, 0.25, 1.0, 3.0)
"""Seconds between the tries of a batch the database refuses for a while (each try may also
wait out the busy timeout)."""
MEMBERS = "members"
"""What the sweep's log line calls the records of members who left, next to the cogs' names."""
SWEPT_AT = "retention:swept_at"
"""The ``core_state`` key of when the last complete sweep ran (ISO 8601)."""

_halted: ContextVar[asyncio.Event | None] = ContextVar("retention_halted", default=None)
"""Set while the bot stops: a sweep under way stops after its current batch."""


class SweepStoppedError(Exception):
    """The bot is stopping: the sweep under way ends after its current batch, unfinished."""


Hold = Callable[[list[Any]], AbstractAsyncContextManager[Collection[Any]]]
"""Held around one batch's delete, given the ids read: yields those of them to delete."""


async def delete_in_batches(
    db: Database, table: Table, where: ColumnElement[bool], *, hold: Hold | None = None
) -> int:
    """Delete the rows of ``table`` (its ``id`` the primary key) that ``where`` selects, in
    batches; how many went.

    With ``hold``, each batch is deleted inside ``hold(ids)``, and only the ids it yields: the
    owner of rows cached in memory locks them there and leaves out those it is changing.

    A batch the database refuses for a while is tried again (:data:`REFUSED_PAUSES`), then the
    refusal is raised: the batches before it are deleted for good, and the next sweep finds the
    rest. Raises :class:`SweepStoppedError` between batches once the bot is stopping.
    """
    key = table.c.id
    deleted = 0
    after: Any = None
    while True:
        halted = _halted.get()
        if halted is not None and halted.is_set():
            raise SweepStoppedError
        query = select(key).where(where)
        if after is not None:
            # Past the last batch: a row ``hold`` left out is not read again and again.
            query = query.where(key > after)
        # Read apart, without the write lock: the table may be scanned to find them.
        async with db.engine.connect() as connection:
            ids = list((await connection.execute(query.order_by(key).limit(BATCH_ROWS))).scalars())
        if not ids:
            return deleted
        if hold is None:
            # ``where`` again: a row changed since it was read (a case lifted) is judged anew.
            deleted += await _delete_batch(db, delete(table).where(key.in_(ids), where))
        else:
            async with hold(ids) as chosen:
                if chosen:
                    deleted += await _delete_batch(
                        db, delete(table).where(key.in_(list(chosen)), where)
                    )
        if len(ids) < BATCH_ROWS:
            return deleted
        after = ids[-1]
        await asyncio.sleep(BATCH_PAUSE)


async def _delete_batch(db: Database, statement: Any) -> int:
    """Run one batch's delete in a transaction of its own, again while the database refuses
    for a while; how many rows went."""
    for pause in (*REFUSED_PAUSES, None):
        try:
            async with db.engine.begin() as connection:
                result = await connection.execute(statement)
        except SQLAlchemyError as error:
            if pause is None or not may_pass(error):
                raise
            await asyncio.sleep(pause)
        else:
            return int(result.rowcount or 0)
    raise AssertionError("unreachable")  # pragma: no cover


class RetentionSweep:
    """The daily sweep of one core: :meth:`start` it with the bot, :meth:`stop` it before the
    cogs stop; :meth:`sweep_if_due` is one look at the clock (what the background task does)."""

    def __init__(self, core: Jardinier) -> None:
        self._core = core
        self._state = StateStore(core.db)
        self._running = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._retry_at: datetime | None = None
        """When an unfinished sweep is tried again (kept in memory: a restart tries at once)."""

    def start(self) -> None:
        """Look every :data:`LOOK_EVERY` whether a sweep is due, from :data:`FIRST_LOOK_AFTER`."""
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="retention-sweep")

    async def stop(self) -> None:
        """Stop looking; a sweep under way ends after its current batch (each batch commits
        whole; the next start finishes the sweep)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        wait = FIRST_LOOK_AFTER
        while not await self._stopped_within(wait.total_seconds()):
            try:
                wait = await self.sweep_if_due()
            except Exception:
                log.exception("the retention sweep failed; tried again in %s", RETRY_AFTER)
                wait = RETRY_AFTER

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        return self._stopping.is_set()

    async def sweep_if_due(self) -> timedelta:
        """Sweep if the last complete sweep is a day old (or none ran); how long until the
        next look."""
        async with self._running:  # a second look waits, then finds the sweep done
            now = self._core.clock.now()
            if self._retry_at is not None and now < self._retry_at:
                return min(self._retry_at - now, LOOK_EVERY)
            last = await self._last_sweep()
            # A last sweep in the future is a clock that was wrong then: not waited for.
            if last is not None and last <= now < last + SWEEP_EVERY:
                return min(last + SWEEP_EVERY - now, LOOK_EVERY)
            finished = await self._halting_sweep()
            self._retry_at = None if finished else self._core.clock.now() + RETRY_AFTER
            return LOOK_EVERY

    async def _last_sweep(self) -> datetime | None:
        written = await self._state.get(SWEPT_AT)
        if written is None:
            return None
        try:
            return datetime.fromisoformat(written)
        except ValueError:
            return None

    async def sweep(self) -> bool:
        """Ask every cog to forget, in every community, the details from before its cutoff;
        whether all of it was done (then it is recorded as the last sweep). One at a time."""
        async with self._running:
            return await self._halting_sweep()

    async def _halting_sweep(self) -> bool:
        """:meth:`_sweep`, ending after the current batch once :meth:`stop` is called."""
        token = _halted.set(self._stopping)
        try:
            return await self._sweep()
        finally:
            _halted.reset(token)

    async def _sweep(self) -> bool:
        core = self._core
        now = core.clock.now()
        forgotten: Counter[str] = Counter()
        unfinished: dict[str, str] = {}
        for community in await known_communities(core.db):
            retention = core.community_config(community).retention
            if retention is None:
                continue
            cutoff = now - retention
            for name, cog in list(core.cogs.items()):
                if name in unfinished:
                    continue  # refused once this sweep: not asked again for each community
                try:
                    forgotten[name] += await cog.forget_before(community, cutoff)
                except SweepStoppedError:
                    return False
                except Exception as error:
                    if isinstance(error, SQLAlchemyError) and may_pass(error):
                        unfinished[name] = reason(error)
                    else:
                        log.exception("cog %s could not forget old details", name)
                        unfinished[name] = type(error).__name__
            if MEMBERS in unfinished:
                continue
            try:
                forgotten[MEMBERS] += await self._forget_departed(community, cutoff)
            except SweepStoppedError:
                return False
            except Exception as error:
                if isinstance(error, SQLAlchemyError) and may_pass(error):
                    unfinished[MEMBERS] = reason(error)
                else:
                    log.exception("the members who left %s could not be forgotten", community.key)
                    unfinished[MEMBERS] = type(error).__name__
        if any(forgotten.values()):
            log.info(
                "retention: forgot members' details older than the rule book keeps them: %s",
                ", ".join(f"{name} {count}" for name, count in sorted(forgotten.items()) if count),
            )
        if unfinished:
            log.warning(
                "retention: old details not all forgotten (%s); tried again in %s",
                "; ".join(f"{name}: {why}" for name, why in unfinished.items()),
                RETRY_AFTER,
            )
            return False
        try:
            await self._state.set(SWEPT_AT, now.isoformat())
        except SQLAlchemyError as error:
            # Done all the same: the next look sweeps again, finding little left.
            log.warning("retention: could not record the sweep (%s)", reason(error))
        return True

    async def _forget_departed(self, community: CommunityRef, cutoff: datetime) -> int:
        """Forget the records of the members who left ``community`` before ``cutoff``, save
        those a cog still needs (asked once they forgot what they would: a member they named
        only in what went goes too); how many went. None go while a cog that may need some is
        not loaded: what it keeps stays, and it cannot say whom it names."""
        core = self._core
        absent = [
            name
            for name, cog in available_cogs().items()
            if name not in core.cogs and cog.members_still_needed is not Cog.members_still_needed
        ]
        if absent:
            log.debug(
                "retention: the members who left %s are kept: %s not loaded",
                community.key,
                ", ".join(absent),
            )
            return 0
        keep: set[str] = set()
        for cog in list(core.cogs.values()):
            keep |= await cog.members_still_needed(community)
        return await core.members.forget_departed(community, cutoff, keep)


async def known_communities(db: Database) -> list[CommunityRef]:
    """Every community the database holds something of."""
    table = Community.__table__  # type: ignore[attr-defined]
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            select(table.c.platform, table.c.external_id, table.c.name).order_by(table.c.id)
        )
        return [CommunityRef(platform, external_id, name) for platform, external_id, name in rows]
