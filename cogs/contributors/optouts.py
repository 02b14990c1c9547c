"""Members who opted out of scores, rankings and shout-outs, read through a cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from bot.db import Database
from bot.events import CommunityRef
from bot.members import MemberDirectory
from cogs.contributors.models import OptOut


class OptOuts:
    """The ``contributors_optouts`` table, one set of user ids per community."""

    def __init__(self, db: Database, members: MemberDirectory) -> None:
        self._db = db
        self._members = members
        self._cache: dict[CommunityRef, set[str]] = {}

    async def of(self, community: CommunityRef) -> set[str]:
        """The ids of the members of ``community`` who opted out."""
        cached = self._cache.get(community)
        if cached is not None:
            return cached
        community_id = await self._members.community_id(community)
        async with self._db.session() as session:
            rows = await session.exec(
                select(OptOut.user_id).where(OptOut.community_id == community_id)
            )
            found = set(rows)
        # Another call may have read it meanwhile, and marked an opt-out in it: keep that one.
        return self._cache.setdefault(community, found)

    async def add(self, community: CommunityRef, user_id: str, at: datetime) -> bool:
        """Record an opt-out; False if the member had already opted out."""
        current = await self.of(community)
        if user_id in current:
            return False
        # Marked before the write: the same command sent twice at once (a double tap) finds
        # it done, rather than writing it twice.
        current.add(user_id)
        try:
            community_id = await self._members.community_id(community)
            async with self._db.session() as session:
                session.add(OptOut(community_id=community_id, user_id=user_id, at=at))
                await session.commit()
        except BaseException:
            current.discard(user_id)
            raise
        return True

    async def remove(self, community: CommunityRef, user_id: str) -> bool:
        """Forget an opt-out; False if the member had not opted out."""
        current = await self.of(community)
        if user_id not in current:
            return False
        current.discard(user_id)  # as in add: done once, however often it is sent at once
        try:
            community_id = await self._members.community_id(community)
            async with self._db.session() as session:
                await session.exec(
                    delete(OptOut).where(
                        col(OptOut.community_id) == community_id, col(OptOut.user_id) == user_id
                    )
                )
                await session.commit()
        except BaseException:
            current.add(user_id)
            raise
        return True
