"""The case book: every moderation case, committed before anything is announced about it."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal, cast

import aiosqlite
from sqlalchemy import ColumnElement, and_, insert, not_, or_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, delete, select

from bot.bulkwrite import BulkWrite
from bot.db import Database
from bot.events import CommunityRef, MemberRef, UserRef
from bot.members import MemberDirectory
from bot.models import Community
from bot.retention import delete_in_batches
from bot.ruleconf import one_line
from cogs.netiquette.models import Case

_KINDS = ("timeout", "ban")
"""The acts a case can list as refused, as lifted or as left to the moderators, in the order
listed."""
EXCERPT_LENGTH = 200
MAX_LISTED = 15
MAX_STRIKE_HISTORIES = 10_000
"""Members whose strikes are kept in memory; the least recently used are read again if needed."""


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of ``text`` on one line, shortened with an ellipsis."""
    flat = _on_one_line(text)
    return flat if len(flat) <= length else flat[: length - 1] + "…"


@functools.lru_cache(maxsize=256)
def _on_one_line(text: str) -> str:
    """``text`` visible and on one line (:func:`~bot.ruleconf.one_line`), made once for the
    excerpts of one firing: its case's, its mod-log line's, its alert's (a text that is not
    ASCII is read character by character)."""
    return one_line(text)


@dataclass(frozen=True)
class CaseRecord:
    """A snapshot of one case row."""

    id: int
    community_id: int
    user_id: str
    user_name: str
    action: str
    moderator_id: str | None
    moderator_name: str
    rule: str | None
    reason: str
    matched: str
    excerpt: str
    points: int
    created_at: datetime
    expires_at: datetime | None
    lifted_at: datetime | None
    pardoned_at: datetime | None
    pardoned_by: str | None
    lift_left_at: datetime | None = None
    lifts_left: str = ""
    refused: str = ""
    ban_expires_at: datetime | None = None
    lifted: str = ""

    @classmethod
    def of(cls, row: Case) -> CaseRecord:
        """The snapshot of ``row``."""
        assert row.id is not None
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})

    @property
    def actions(self) -> list[str]:
        """What the case records as asked (``delete``, ``timeout``, ``ban``…)."""
        return self.action.split(", ")

    def imposes(self, kind: str) -> bool:
        """Whether the case's ``kind`` (``timeout``, ``ban``) was done and counts as in force:
        asked, not refused by the platform (:meth:`refuses`), and not lifted while the case
        stays open (:attr:`ban_lifted`)."""
        return (
            kind in self.actions and not self.refuses(kind) and kind not in self.lifted.split(", ")
        )

    def refuses(self, kind: str) -> bool:
        """Whether the platform refused the case's ``kind`` (``timeout``, ``ban``): asked,
        never in force."""
        return kind in self.actions and kind in self.refused.split(", ")

    @property
    def ban_lifted(self) -> bool:
        """Whether the case's ban was lifted while its timeout, which ends later, goes on (the
        case stays open until the timeout ends): done, no longer in force."""
        return "ban" in self.lifted.split(", ")

    @property
    def ban_ends_at(self) -> datetime | None:
        """When the case's ban ends: None for a ban for good, or where it does not ban (asked
        but refused included)."""
        if not self.imposes("ban"):
            return None
        # The case's own end is the later one of a case that also times out.
        return self.ban_expires_at if "timeout" in self.actions else self.expires_at

    def lift_left(self, kind: str) -> bool:
        """Whether the lift of the case's ``kind`` is left to the moderators."""
        if self.lift_left_at is None or not self.imposes(kind):
            return False
        return not self.lifts_left or kind in self.lifts_left.split(", ")

    @property
    def by(self) -> str:
        """Who acted: the moderator's name, or the rule."""
        if self.moderator_id is not None:
            return self.moderator_name or self.moderator_id or "—"  # "—": forgotten since
        return self.rule or "automod"

    def export(self) -> dict[str, Any]:
        """The case as plain values, for a data-subject access request."""
        return {
            field.name: value.isoformat() if isinstance(value, datetime) else value
            for field in fields(self)
            if field.name != "community_id"
            for value in [getattr(self, field.name)]
        }


@dataclass(frozen=True)
class NewCase:
    """What a case records, before it has an id."""

    member: MemberRef | UserRef
    action: str
    at: datetime
    moderator: MemberRef | None = None
    rule: str | None = None
    reason: str = ""
    matched: str = ""
    excerpt: str = ""
    points: int = 0
    expires_at: datetime | None = None


_CASE_COLUMNS = (
    "community_id",
    "user_id",
    "user_name",
    "action",
    "moderator_id",
    "moderator_name",
    "rule",
    "reason",
    "matched",
    "excerpt",
    "points",
    "created_at",
    "expires_at",
    "refused",
    "lifts_left",
    "lifted",
)
"""The columns of a new case, as :meth:`CaseBook._row` gives them."""
_LAST_CASE_NUMBER = "SELECT seq FROM sqlite_sequence WHERE name = 'netiquette_cases'"
"""The highest case number SQLite ever gave. Read in the transaction that inserted cases, it is
the last of theirs: that transaction holds the write lock, and only the case book inserts cases.
(``last_insert_rowid()`` is the connection's last row in any table: on a connection that other
coroutines share, an in-memory database's, another table's row could come between.)"""


class CaseBook:
    """Reads and writes the ``netiquette_cases`` table."""

    def __init__(
        self,
        db: Database,
        members: MemberDirectory,
        recorded: Callable[[CommunityRef, NewCase, CaseRecord], Awaitable[None]] | None = None,
    ) -> None:
        self._db = db
        self._members = members
        self._recorded = recorded
        # Background toxicity verdicts record cases while the event loop serves other events:
        # one session at a time keeps them from interleaving on a shared connection.
        self._lock = asyncio.Lock()
        # The ladder reads a member's strikes at every firing with points: kept here once read,
        # and changed with the table (under the lock), so a firing costs no query.
        self._strikes: OrderedDict[tuple[int, str], list[CaseRecord]] = OrderedDict()
        self._struck: dict[int, set[str]] = {}
        """Per community, who has ever had a case with points: the others need no query."""
        self._bulk: BulkWrite | None = None

    async def record(self, community: CommunityRef, new: NewCase) -> CaseRecord:
        """Store a case and commit it; return it with its id."""
        [record] = await self.record_many([(community, new)])
        return record

    async def record_many(self, cases: Sequence[tuple[CommunityRef, NewCase]]) -> list[CaseRecord]:
        """Store cases in one transaction and commit them; return them with their ids, in order."""
        rows = [await self._row(community, new) for community, new in cases]
        async with self._lock:
            async with self._db.engine.begin() as connection:
                ids = await self._insert(connection, rows)
            # Only once committed: strikes a failed commit leaves in memory would count on the
            # ladder, and the same cases written again would count twice.
            records = [
                CaseRecord(
                    id=case_id,
                    lifted_at=None,
                    pardoned_at=None,
                    pardoned_by=None,
                    lift_left_at=None,
                    **row,
                )
                for case_id, row in zip(ids, rows, strict=True)
            ]
            self._remember(records)
        if self._recorded is not None:
            for (community, new), record in zip(cases, records, strict=True):
                await self._recorded(community, new, record)
        return records

    async def _insert(self, connection: AsyncConnection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows``; their ids, in order."""
        if connection.dialect.name != "sqlite":
            # A Core insert: the ORM's unit of work cost more than the rest of a firing together.
            statement = insert(Case).returning(col(Case.id), sort_by_parameter_order=True)
            return cast(list[int], (await connection.execute(statement, rows)).scalars().all())
        # SQLite would insert the rows one by one to return their ids in order (two round trips
        # to its thread each). The whole burst goes in one call instead, and SQLite numbers
        # it: the rows of one write transaction take the numbers after the highest it ever gave
        # (AUTOINCREMENT), one after the other, in order, with no other writer in between. The
        # last number gives them all. (Numbers read before the insert could go to another
        # process's case meanwhile: its transaction only starts with the insert.)
        if self._bulk is None:
            self._bulk = BulkWrite(insert(Case), _CASE_COLUMNS, connection.dialect)
        driver = (await connection.get_raw_connection()).driver_connection
        if isinstance(driver, aiosqlite.Connection):
            return await self._insert_on_driver(connection, driver, rows)
        await self._bulk.run(connection, _values(rows))
        last = (await connection.exec_driver_sql(_LAST_CASE_NUMBER)).scalar_one()
        return _numbered(last, rows)

    async def _insert_on_driver(
        self, connection: AsyncConnection, driver: aiosqlite.Connection, rows: list[dict[str, Any]]
    ) -> list[int]:
        """:meth:`_insert` on aiosqlite's own connection, inside ``connection``'s transaction
        (which commits it): one trip to its thread per statement, where SQLAlchemy's cursors
        take three or four (open, execute, fetch, close). What the driver raises is wrapped as
        SQLAlchemy wraps it, so that a refusal reads the same (locked, a constraint)."""
        assert self._bulk is not None
        sql = self._bulk.sql
        try:
            await self._bulk.run_on_driver(driver, _values(rows))
            sql = _LAST_CASE_NUMBER
            [(last,)] = await driver.execute_fetchall(sql)
        except sqlite3.Error as error:
            dbapi = connection.dialect.loaded_dbapi
            raise DBAPIError.instance(sql, None, error, dbapi.Error) from error
        return _numbered(last, rows)

    async def _row(self, community: CommunityRef, new: NewCase) -> dict[str, Any]:
        community_id = await self._members.community_id(community)
        user = new.member.user if isinstance(new.member, MemberRef) else new.member
        return {
            "community_id": community_id,
            "user_id": user.id,
            "user_name": (user.name or user.id)[:200],
            "action": new.action[:100],
            "moderator_id": new.moderator.user.id if new.moderator else None,
            "moderator_name": new.moderator.name[:200] if new.moderator else "",
            "rule": new.rule,
            "reason": new.reason[:1000],
            "matched": new.matched[:300],
            "excerpt": excerpt(new.excerpt),
            "points": new.points,
            "created_at": new.at,
            "expires_at": new.expires_at,
            "refused": "",
            "lifts_left": "",
            "lifted": "",
        }

    async def get(self, community: CommunityRef, case_id: int) -> CaseRecord | None:
        """Case ``case_id`` of ``community``, if there is one."""
        community_id = await self._members.community_id(community)
        async with self._lock, self._db.session() as session:
            row = await session.get(Case, case_id)
            if row is None or row.community_id != community_id:
                return None
            return CaseRecord.of(row)

    async def of_member(
        self, community: CommunityRef, user_id: str, *, since: datetime | None = None
    ) -> list[CaseRecord]:
        """The member's cases, newest first (those since ``since`` when given)."""
        community_id = await self._members.community_id(community)
        query = select(Case).where(Case.community_id == community_id, Case.user_id == user_id)
        if since is not None:
            query = query.where(col(Case.created_at) > since)
        async with self._lock, self._db.session() as session:
            rows = (await session.exec(query.order_by(col(Case.id).desc()))).all()
            return [CaseRecord.of(row) for row in rows]

    async def strikes(self, community: CommunityRef, user_id: str) -> list[CaseRecord]:
        """The member's cases that carry points, oldest first, pardoned ones included."""
        community_id = await self._members.community_id(community)
        key = (community_id, user_id)
        async with self._lock:
            known = self._strikes.get(key)
            if known is None:
                known = await self._read_strikes(community_id, user_id)
                self._keep(key, known)
            else:
                self._strikes.move_to_end(key)
            return list(known)

    async def _read_strikes(self, community_id: int, user_id: str) -> list[CaseRecord]:
        """Read a member's cases with points; none to read for who never had any."""
        struck = self._struck.get(community_id)
        if struck is not None and user_id not in struck:
            return []  # without opening a session: most members who break a rule never had
        async with self._db.session() as session:
            struck = self._struck.get(community_id)
            if struck is None:
                who = select(Case.user_id).where(
                    Case.community_id == community_id, col(Case.points) > 0
                )
                struck = self._struck[community_id] = set(
                    (await session.exec(who.distinct())).all()
                )
            if user_id not in struck:
                return []
            theirs = select(Case).where(
                Case.community_id == community_id,
                Case.user_id == user_id,
                col(Case.points) > 0,
            )
            rows = (await session.exec(theirs.order_by(col(Case.id)))).all()
            return [CaseRecord.of(row) for row in rows]

    def _remember(self, records: list[CaseRecord]) -> None:
        """Add newly recorded cases to the strikes kept in memory."""
        for record in records:
            if record.points <= 0:
                continue
            key = (record.community_id, record.user_id)
            known = self._strikes.get(key)
            struck = self._struck.get(record.community_id)
            if known is not None:
                known.append(record)
            elif struck is not None and record.user_id not in struck:
                self._keep(key, [record])  # their first case with points: all there is
            if struck is not None:
                struck.add(record.user_id)

    def _keep(self, key: tuple[int, str], strikes: list[CaseRecord]) -> None:
        self._strikes[key] = strikes
        while len(self._strikes) > MAX_STRIKE_HISTORIES:
            self._strikes.popitem(last=False)

    async def mark(self, case_id: int, **changes: Any) -> CaseRecord | None:
        """Set ``changes`` on case ``case_id`` (lifted, pardoned) and commit."""
        async with self._lock, self._db.session() as session:
            row = await session.get(Case, case_id)
            if row is None:
                return None
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            await session.commit()
            await session.refresh(row)
            return self._marked(CaseRecord.of(row))

    async def add_kind(
        self, case_id: int, column: Literal["refused", "lifts_left"], kind: str, **changes: Any
    ) -> CaseRecord | None:
        """Add ``kind`` (``timeout``, ``ban``) to the list ``column`` of case ``case_id`` holds,
        set ``changes`` with it, and commit: read and written at once, since the two acts of a
        case that times out and bans each add theirs."""
        async with self._lock, self._db.session() as session:
            row = await session.get(Case, case_id)
            if row is None:
                return None
            _list_kind(row, column, kind)
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            await session.commit()
            await session.refresh(row)
            return self._marked(CaseRecord.of(row))

    async def lift_done(self, case_id: int, kind: str, **changes: Any) -> CaseRecord | None:
        """Record that case ``case_id``'s ``kind`` was lifted while the case stays open (its
        other kind goes on): that lift is no longer left to the moderators. Set ``changes`` with
        it, and commit; read and written at once, as :meth:`add_kind`.

        A case recorded before it kept which lifts were left (none listed) left them all: it
        keeps the others listed."""
        async with self._lock, self._db.session() as session:
            row = await session.get(Case, case_id)
            if row is None:
                return None
            _no_longer_left(row, kind)
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            await session.commit()
            await session.refresh(row)
            return self._marked(CaseRecord.of(row))

    async def ban_lifted(self, case_id: int) -> CaseRecord | None:
        """Record that case ``case_id``'s ban was lifted while its timeout goes on, and commit:
        the case stays open, its ban no longer in force (:attr:`CaseRecord.ban_lifted`) nor
        its lift left to the moderators. Read and written at once, as :meth:`add_kind`."""
        async with self._lock, self._db.session() as session:
            row = await session.get(Case, case_id)
            if row is None:
                return None
            _no_longer_left(row, "ban")
            _list_kind(row, "lifted", "ban")
            session.add(row)
            await session.commit()
            await session.refresh(row)
            return self._marked(CaseRecord.of(row))

    def _marked(self, marked: CaseRecord) -> CaseRecord:
        """Keep ``marked`` in the strikes kept in memory, as it now is; return it."""
        known = self._strikes.get((marked.community_id, marked.user_id))
        if known is not None:
            known[:] = [marked if case.id == marked.id else case for case in known]
        return marked

    async def acted_by(self, community: CommunityRef, user_id: str) -> list[CaseRecord]:
        """The cases ``user_id`` decided or pardoned as a moderator (about other members)."""
        community_id = await self._members.community_id(community)
        query = select(Case).where(
            col(Case.community_id) == community_id,
            or_(col(Case.moderator_id) == user_id, col(Case.pardoned_by) == user_id),
        )
        async with self._lock, self._db.session() as session:
            rows = (await session.exec(query.order_by(col(Case.id)))).all()
            return [CaseRecord.of(row) for row in rows]

    async def forget_moderator(self, community: CommunityRef, user_id: str) -> None:
        """Leave ``user_id`` off the cases they decided or pardoned: the cases stay, about
        their members, with no name for who acted."""
        community_id = await self._members.community_id(community)
        here = col(Case.community_id) == community_id
        async with self._lock, self._db.session() as session:
            await session.exec(
                update(Case)
                .where(here, col(Case.moderator_id) == user_id)
                .values(moderator_id="", moderator_name="")
            )
            await session.exec(
                update(Case).where(here, col(Case.pardoned_by) == user_id).values(pardoned_by="")
            )
            await session.commit()
            # Rare: every member's cached cases are read again rather than patched.
            self._strikes.clear()

    async def forget_before(self, community: CommunityRef, cutoff: datetime) -> int:
        """Erase the cases of ``community`` recorded before ``cutoff``, save a sanction still
        running (a ban not lifted, a timed sanction not over by then, a ban whose lift was left
        to the moderators); how many went."""
        community_id = await self._members.community_id(community)
        banned = and_(_bans(), not_(_ban_not_in_force()))
        # Each side NULL-free: NOT over a NULL would keep a case that is not running.
        running = and_(
            col(Case.lifted_at).is_(None),
            or_(
                and_(col(Case.expires_at).is_not(None), col(Case.expires_at) >= cutoff),
                and_(col(Case.expires_at).is_(None), banned),
                # Over, but the platform refused its unban: the member is banned until a
                # moderator lifts it.
                and_(col(Case.lift_left_at).is_not(None), banned),
            ),
        )
        forgotten = await delete_in_batches(
            self._db,
            Case.__table__,  # type: ignore[attr-defined]
            and_(
                col(Case.community_id) == community_id,
                col(Case.created_at) < cutoff,
                not_(running),
            ),
        )
        if forgotten:
            async with self._lock:
                self._strikes.clear()  # read again as they are now
        return forgotten

    async def not_lifted(self) -> list[tuple[CommunityRef, CaseRecord]]:
        """In every community, the cases of a timed sanction not recorded lifted (running, or
        over and owed a lift) and of a ban not lifted, oldest first."""
        query = (
            select(Case, Community)
            .join(Community, col(Community.id) == col(Case.community_id))
            .where(
                col(Case.lifted_at).is_(None),
                or_(col(Case.expires_at).is_not(None), _bans()),
            )
            .order_by(col(Case.id))
        )
        async with self._lock, self._db.session() as session:
            rows = (await session.exec(query)).all()
        return [
            (
                CommunityRef(community.platform, community.external_id, community.name),
                CaseRecord.of(case),
            )
            for case, community in rows
        ]

    async def members_named(self, community: CommunityRef) -> set[str]:
        """The members the cases kept in ``community`` are about."""
        community_id = await self._members.community_id(community)
        async with self._db.session() as session:
            rows = await session.exec(
                select(Case.user_id).where(col(Case.community_id) == community_id).distinct()
            )
            return set(rows)

    async def forget(self, community: CommunityRef, user_id: str) -> None:
        """Erase every case about ``user_id`` in ``community``."""
        community_id = await self._members.community_id(community)
        async with self._lock, self._db.session() as session:
            await session.exec(
                delete(Case).where(
                    col(Case.community_id) == community_id, col(Case.user_id) == user_id
                )
            )
            await session.commit()
            self._strikes.pop((community_id, user_id), None)
            self._struck.get(community_id, set()).discard(user_id)


def _list_kind(row: Case, column: Literal["refused", "lifts_left", "lifted"], kind: str) -> None:
    """Add ``kind`` to the list ``column`` of ``row`` holds, in the order of :data:`_KINDS`."""
    listed = [name for name in getattr(row, column).split(", ") if name]
    if kind not in listed:
        setattr(row, column, ", ".join(sorted([*listed, kind], key=_KINDS.index)))


def _no_longer_left(row: Case, kind: str) -> None:
    """Take ``kind``'s lift off those ``row`` leaves to the moderators (see
    :meth:`CaseBook.lift_done`)."""
    case = CaseRecord.of(row)
    if case.lift_left(kind):
        left = [other for other in _KINDS if other != kind and case.lift_left(other)]
        row.lifts_left = ", ".join(left)
        if not left:
            row.lift_left_at = None


def _bans() -> ColumnElement[bool]:
    """Whether a case's action bans (``ban``, ``delete, ban``…)."""
    return or_(
        col(Case.action) == "ban",
        col(Case.action).like("ban, %"),
        col(Case.action).like("%, ban"),
        col(Case.action).like("%, ban, %"),
    )


def _ban_not_in_force() -> ColumnElement[bool]:
    """Whether a case's ban is not in force: the platform refused it (``refused`` is ``ban`` or
    ``timeout, ban``), or it was lifted while the case's timeout goes on (``lifted``)."""
    return or_(col(Case.refused).like("%ban"), col(Case.lifted).like("%ban"))


def _numbered(last: int, rows: Sequence[object]) -> list[int]:
    """The ids of ``rows``, inserted in one transaction, the last one numbered ``last``."""
    return list(range(last - len(rows) + 1, last + 1))


def _values(rows: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """Each row's values, in the order of the bulk insert's columns."""
    for row in rows:
        yield tuple(row[name] for name in _CASE_COLUMNS)
