"""The core's record of communities and members: first seen, joined, left.

Every event passes through here, so it must be cheap: a member already recorded costs a set lookup,
and only what changes (a first sighting, a join, a departure) is written.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlmodel import select

from bot.clock import Clock
from bot.db import Database
from bot.events import CommunityRef, Event, MemberJoined, MemberLeft, MemberRef
from bot.models import Community, Member

MAX_CACHED_MEMBERS = 200_000


class MemberDirectory:
    """Keeps the ``communities`` and ``members`` tables up to date from the event stream."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._communities: dict[CommunityRef, int] = {}
        self._known: OrderedDict[tuple[int, str], None] = OrderedDict()

    @property
    def communities(self) -> list[CommunityRef]:
        """The communities seen since start."""
        return list(self._communities)

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
        changes = isinstance(event, MemberJoined | MemberLeft)
        if key in self._known and not changes:
            self._known.move_to_end(key)
            return
        async with self._db.session() as session:
            row = (
                await session.exec(
                    select(Member).where(
                        Member.community_id == community_id, Member.user_id == member.user.id
                    )
                )
            ).first()
            if row is None:
                row = Member(
                    community_id=community_id,
                    user_id=member.user.id,
                    name=member.name,
                    is_bot=member.user.is_bot,
                    first_seen=event.at,
                )
            if isinstance(event, MemberJoined):
                row.joined_at, row.left_at = event.at, None
            elif isinstance(event, MemberLeft):
                row.left_at = event.at
            row.name = member.name
            session.add(row)
            await session.commit()
        self._known[key] = None
        while len(self._known) > MAX_CACHED_MEMBERS:
            self._known.popitem(last=False)

    async def get(self, community: CommunityRef, user_id: str) -> Member | None:
        """The record of ``user_id`` in ``community``, if the bot has seen them."""
        community_id = await self.community_id(community)
        async with self._db.session() as session:
            return (
                await session.exec(
                    select(Member).where(
                        Member.community_id == community_id, Member.user_id == user_id
                    )
                )
            ).first()
