"""The core's record of communities and members: first seen, joined, left.

Every event passes through here, so it must be cheap: a member already recorded costs a set lookup.
A first sighting is buffered and written with the others in one transaction, by the first event
that comes ``FLUSH_AFTER`` seconds after the oldest buffered one, or once ``MAX_PENDING`` wait,
and when the bot stops; joins and departures are written at once. A crash loses the buffered
sightings (at most ``MAX_PENDING``): those members are recorded again, later, when next seen.
Code that queries the ``members`` table itself calls :meth:`MemberDirectory.flush` first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from bot.clock import Clock
from bot.db import Database
from bot.events import CommunityRef, Event, MemberJoined, MemberLeft, MemberRef
from bot.models import Community, Member

log = logging.getLogger(__name__)

MAX_CACHED_MEMBERS = 200_000
FLUSH_AFTER = 1.0
MAX_PENDING = 1_000
# Bound parameters per SELECT … IN: well under SQLite's oldest limit (999).
_CHUNK = 500

_Key = tuple[int, str]


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
        self._flush_after = flush_after
        self._max_pending = max_pending
        self._communities: dict[CommunityRef, int] = {}
        self._known: OrderedDict[_Key, None] = OrderedDict()
        self._pending: dict[_Key, Member] = {}
        # Writes of members go one at a time, so a join never races the flush of its sighting.
        self._writing = asyncio.Lock()
        self._oldest = 0.0

    @property
    def communities(self) -> list[CommunityRef]:
        """The communities seen since start."""
        return list(self._communities)

    @property
    def pending(self) -> int:
        """First sightings not written yet."""
        return len(self._pending)

    async def community_id(self, community: CommunityRef) -> int:
        """The database id of ``community``, recording it on first sight."""
        cached = self._communities.get(community)
        if cached is not None:
            return cached
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
            self._communities[community] = row.id
            return row.id

    async def observe(self, event: Event) -> None:
        """Record the member an event is about, and joins and departures."""
        member: MemberRef | None = getattr(event, "member", None) or getattr(event, "author", None)
        if member is None:
            return
        community_id = await self.community_id(member.community)
        key = (community_id, member.user.id)
        if isinstance(event, MemberJoined | MemberLeft):
            await self._write_change(key, member, event)
        elif key in self._known:
            self._known.move_to_end(key)
            return
        else:
            if not self._pending:
                self._oldest = time.monotonic()
            self._pending.setdefault(key, self._new_row(key, member, event))
            self._remember(key)
            # Written in the event's own path, never by a timer task: a write transaction left
            # open across awaits would block the scheduler's own (blocking) writes to SQLite.
            if (
                len(self._pending) >= self._max_pending
                or time.monotonic() - self._oldest >= self._flush_after
            ):
                await self.flush()
            return
        self._remember(key)

    def _remember(self, key: _Key) -> None:
        self._known[key] = None
        self._known.move_to_end(key)
        while len(self._known) > MAX_CACHED_MEMBERS:
            self._known.popitem(last=False)

    @staticmethod
    def _new_row(key: _Key, member: MemberRef, event: Event) -> Member:
        return Member(
            community_id=key[0],
            user_id=key[1],
            name=member.name,
            is_bot=member.user.is_bot,
            first_seen=event.at,
        )

    async def _write_change(
        self, key: _Key, member: MemberRef, event: MemberJoined | MemberLeft
    ) -> None:
        async with self._writing:
            sighted = self._pending.get(key)
            async with self._db.session() as session:
                row = (
                    await session.exec(
                        select(Member).where(
                            Member.community_id == key[0], Member.user_id == key[1]
                        )
                    )
                ).first()
                if row is None:
                    row = self._new_row(key, member, event)
                    if sighted is not None:
                        row.first_seen = sighted.first_seen
                if isinstance(event, MemberJoined):
                    row.joined_at, row.left_at = event.at, None
                else:
                    row.left_at = event.at
                row.name = member.name
                session.add(row)
                await session.commit()
            self._pending.pop(key, None)

    async def flush(self) -> None:
        """Write the buffered first sightings now, in one transaction."""
        if not self._pending:
            return
        async with self._writing:
            batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                await self._insert(dict(batch))
            except SQLAlchemyError as error:
                # As when a sighting is written at once: a failed write is retried next sighting.
                log.warning("could not record %d members: %s", len(batch), error)
                for key in batch:
                    self._known.pop(key, None)

    async def _insert(self, batch: dict[_Key, Member]) -> None:
        by_community: dict[int, list[str]] = {}
        for community_id, user_id in batch:
            by_community.setdefault(community_id, []).append(user_id)
        async with self._db.session() as session:
            for community_id, user_ids in by_community.items():
                for start in range(0, len(user_ids), _CHUNK):
                    rows = await session.exec(
                        select(Member).where(
                            Member.community_id == community_id,
                            col(Member.user_id).in_(user_ids[start : start + _CHUNK]),
                        )
                    )
                    for row in rows:
                        # Seen in an earlier run: only the name may have changed.
                        row.name = batch.pop((community_id, row.user_id)).name
                        session.add(row)
            session.add_all(batch.values())
            await session.commit()

    async def close(self) -> None:
        """Write what is buffered (when the bot stops)."""
        await self.flush()

    async def get(self, community: CommunityRef, user_id: str) -> Member | None:
        """The record of ``user_id`` in ``community``, if the bot has seen them (buffered too)."""
        community_id = await self.community_id(community)
        async with self._db.session() as session:
            row = (
                await session.exec(
                    select(Member).where(
                        Member.community_id == community_id, Member.user_id == user_id
                    )
                )
            ).first()
        sighted = self._pending.get((community_id, user_id))
        if sighted is None:
            return row
        if row is None:
            return Member(**sighted.model_dump())
        row.name = sighted.name
        return row
