"""Newcomers' journeys: read through a bounded cache, written only when something changes.

Every message of every member asks whether its author is a newcomer, so the answer (a row, or
none) is cached; a member already settled costs a dictionary lookup. Transitions that must happen
at most once (the introduction, the nudge) are *claimed* with a conditional update, so two
messages arriving together, or a job running twice, still act once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, delete, func, select, update

from bot.db import Database
from bot.events import CommunityRef
from bot.members import MemberDirectory
from bot.models import Member
from cogs.welcome.models import Newcomer

MAX_CACHED = 100_000
RESET_ON_JOIN = (
    "charter_accepted_at",
    "introduced_at",
    "first_message_at",
    "active_7d_at",
    "active_30d_at",
    "nudged_at",
)
ACTIVE_AFTER = {"active_7d_at": timedelta(days=7), "active_30d_at": timedelta(days=30)}


@dataclass(frozen=True)
class Journey:
    """A snapshot of one newcomer's row."""

    id: int
    community_id: int
    user_id: str
    joined_at: datetime
    welcomed_at: datetime | None = None
    charter_accepted_at: datetime | None = None
    introduced_at: datetime | None = None
    first_message_at: datetime | None = None
    active_7d_at: datetime | None = None
    active_30d_at: datetime | None = None
    nudged_at: datetime | None = None
    gate_pending: bool = False
    restricted: bool = False
    gate_failures: int = 0

    @classmethod
    def of(cls, row: Newcomer) -> Journey:
        """The snapshot of ``row``."""
        assert row.id is not None
        return cls(**{field.name: getattr(row, field.name) for field in fields(cls)})

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


class JourneyStore:
    """The ``welcome_newcomers`` table, read through a cache."""

    def __init__(self, db: Database, members: MemberDirectory) -> None:
        self._db = db
        self._members = members
        self._cache: OrderedDict[tuple[CommunityRef, str], Journey | None] = OrderedDict()
        # Who has a row, per community, loaded once: most authors never joined under watch,
        # and their first message then costs no query.
        self._holders: dict[CommunityRef, set[str]] = {}
        # A journey begun while that set loads must either be in what it reads or added after.
        self._holders_lock = asyncio.Lock()

    def _remember(self, community: CommunityRef, user_id: str, journey: Journey | None) -> None:
        key = (community, user_id)
        self._cache[key] = journey
        self._cache.move_to_end(key)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    async def get(self, community: CommunityRef, user_id: str) -> Journey | None:
        """The journey of ``user_id`` in ``community``; None if they never joined under watch."""
        key = (community, user_id)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        community_id = await self._members.community_id(community)
        holders = await self._holders_of(community, community_id)
        row = None
        if user_id in holders:
            async with self._db.session() as session:
                row = (
                    await session.exec(
                        select(Newcomer).where(
                            Newcomer.community_id == community_id, Newcomer.user_id == user_id
                        )
                    )
                ).first()
        journey = None if row is None else Journey.of(row)
        self._remember(community, user_id, journey)
        return journey

    async def _holders_of(self, community: CommunityRef, community_id: int) -> set[str]:
        holders = self._holders.get(community)
        if holders is not None:
            return holders
        async with self._holders_lock:
            if community not in self._holders:
                async with self._db.session() as session:
                    rows = await session.exec(
                        select(Newcomer.user_id).where(Newcomer.community_id == community_id)
                    )
                    self._holders[community] = set(rows)
            return self._holders[community]

    async def begin(
        self, community: CommunityRef, user_id: str, at: datetime, **state: Any
    ) -> tuple[Journey, Journey | None]:
        """Start a journey at ``at`` (a first join, or a new one); return it and the previous.

        Every stage starts over; ``welcomed_at`` and ``gate_failures`` carry over.
        """
        community_id = await self._members.community_id(community)
        async with self._holders_lock, self._db.session() as session:
            row = (
                await session.exec(
                    select(Newcomer).where(
                        Newcomer.community_id == community_id, Newcomer.user_id == user_id
                    )
                )
            ).first()
            previous = None if row is None else Journey.of(row)
            if row is None:
                row = Newcomer(community_id=community_id, user_id=user_id, joined_at=at)
            row.joined_at = at
            for stage in RESET_ON_JOIN:
                setattr(row, stage, None)
            row.gate_pending = row.restricted = False
            for name, value in state.items():
                setattr(row, name, value)
            session.add(row)
            await session.commit()
            journey = Journey.of(row)
            if community in self._holders:
                self._holders[community].add(user_id)
        self._remember(community, user_id, journey)
        return journey, previous

    async def update(self, community: CommunityRef, journey: Journey, **changes: Any) -> Journey:
        """Write ``changes`` to the journey's row and return the new snapshot."""
        async with self._db.session() as session:
            await session.exec(
                update(Newcomer).where(col(Newcomer.id) == journey.id).values(**changes)
            )
            await session.commit()
        changed = replace(journey, **changes)
        self._remember(community, journey.user_id, changed)
        return changed

    async def claim(
        self, community: CommunityRef, journey: Journey, stage: str, at: datetime, **also: Any
    ) -> Journey | None:
        """Set ``stage`` to ``at`` if it is still empty (with ``also``); None if it was not."""
        column = getattr(Newcomer, stage)
        async with self._db.session() as session:
            result = await session.exec(
                update(Newcomer)
                .where(col(Newcomer.id) == journey.id, col(column).is_(None))
                .values({stage: at, **also})
            )
            await session.commit()
            claimed = result.rowcount == 1
        if not claimed:
            # Someone else got there first: the cached snapshot is stale.
            self._cache.pop((community, journey.user_id), None)
            return None
        changed = replace(journey, **{stage: at, **also})
        self._remember(community, journey.user_id, changed)
        return changed

    async def forget(self, community: CommunityRef, user_id: str) -> None:
        """Erase the journey of ``user_id`` in ``community``."""
        community_id = await self._members.community_id(community)
        async with self._db.session() as session:
            await session.exec(
                delete(Newcomer).where(
                    col(Newcomer.community_id) == community_id, col(Newcomer.user_id) == user_id
                )
            )
            await session.commit()
        self._holders.get(community, set()).discard(user_id)
        self._remember(community, user_id, None)

    async def present_members(self, community: CommunityRef) -> int:
        """Members the core has seen in ``community`` (joining or posting) who have not left.

        Bots are not counted. On a community the bot joined late this is fewer than the
        platform's own count: members who never joined or posted under watch are unknown.
        """
        community_id = await self._members.community_id(community)
        await self._members.flush()
        async with self._db.session() as session:
            count = (
                await session.exec(
                    select(func.count())
                    .select_from(Member)
                    .where(
                        Member.community_id == community_id,
                        col(Member.left_at).is_(None),
                        col(Member.is_bot).is_(False),
                    )
                )
            ).one()
        return int(count)
