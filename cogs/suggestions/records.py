"""The suggestion book: numbering, posting, votes and statuses, each committed at once."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from datetime import datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import and_, case, delete, exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Database
from bot.models import Community
from bot.retention import delete_in_batches
from cogs.suggestions.models import Suggestion, SuggestionCounter, SuggestionVote

OPEN_STATUSES = ("open", "accepted", "planned")
"""Statuses of suggestions still alive: a near-duplicate of one of them (if posted) is pointed
to it."""
CLOSED_STATUSES = ("declined", "done")
"""Statuses of suggestions the moderators closed: votes on them are refused."""

MAX_KNOWN_POSTS = 100_000

VOTE_ATTEMPTS = 3
"""Tries of a vote that met another of the same member's at the same moment."""

VoteMode = Literal["press", "set", "withdraw"]
"""``press``: a button (the same again withdraws, the other changes); ``set``: a reaction
added; ``withdraw``: a reaction taken back (only if that reaction cast the vote)."""


class VoteResult(NamedTuple):
    """A member's vote on a suggestion before and after they acted (1, -1, or 0 for none), and
    the suggestion's new tallies."""

    before: int
    after: int
    up: int
    down: int


class SuggestionBook:
    """Suggestions and votes of every community, in the database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Where suggestions were posted, loaded once (None: not yet, or too many to keep):
        # most reactions are on other messages, and they then cost no query.
        self._posts: set[tuple[int, str, str]] | None = None
        self._too_many_posts = False
        # Posts recorded so far: a load that overlapped one is not trusted.
        self._recorded = 0
        self._numbering: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def create(
        self,
        community_id: int,
        *,
        author_id: str,
        author_name: str,
        text: str,
        at: datetime,
    ) -> Suggestion:
        """Record a new suggestion under the community's next number (never one used before)."""
        # Two /suggest at the same moment would otherwise both take the same number.
        async with self._numbering[community_id], self._db.session() as session:
            suggestion = Suggestion(
                community_id=community_id,
                number=await _next_number(session, community_id),
                author_id=author_id,
                author_name=author_name[:100],
                text=text,
                created_at=at,
            )
            session.add(suggestion)
            await session.commit()
            await session.refresh(suggestion)
            return suggestion

    async def posted(self, suggestion_id: int, channel_id: str, message_id: str) -> None:
        """Remember where the suggestion was posted (reactions on that post are votes)."""
        async with self._db.session() as session:
            await session.exec(
                update(Suggestion)
                .where(col(Suggestion.id) == suggestion_id)
                .values(channel_id=channel_id, message_id=message_id)
            )
            await session.commit()
            community_id = (
                await session.exec(
                    select(Suggestion.community_id).where(col(Suggestion.id) == suggestion_id)
                )
            ).first()
        self._recorded += 1
        if self._posts is not None and community_id is not None:
            self._posts.add((community_id, channel_id, message_id))

    async def discard(self, suggestion_id: int) -> None:
        """Delete a suggestion that was never posted (its number stays taken: the counter
        keeps it)."""
        async with self._db.session() as session:
            await session.exec(
                delete(SuggestionVote).where(col(SuggestionVote.suggestion_id) == suggestion_id)
            )
            await session.exec(delete(Suggestion).where(col(Suggestion.id) == suggestion_id))
            await session.commit()

    async def _known_posts(self) -> set[tuple[int, str, str]] | None:
        if self._posts is None and not self._too_many_posts:
            recorded = self._recorded
            async with self._db.session() as session:
                rows = await session.exec(
                    select(Suggestion.community_id, Suggestion.channel_id, Suggestion.message_id)
                    .where(col(Suggestion.message_id).is_not(None))
                    .limit(MAX_KNOWN_POSTS + 1)
                )
                found = {
                    (community_id, channel_id, message_id)
                    for community_id, channel_id, message_id in rows
                    if channel_id is not None and message_id is not None
                }
            if len(found) > MAX_KNOWN_POSTS:
                self._too_many_posts = True  # always ask the database then
            elif recorded == self._recorded and self._posts is None:
                self._posts = found
        return self._posts

    async def first_seen(self, community_id: int) -> datetime:
        """When the bot first saw the community: no suggestion is older."""
        async with self._db.session() as session:
            return (
                await session.exec(
                    select(col(Community.first_seen)).where(Community.id == community_id)
                )
            ).one()

    async def get(self, community_id: int, number: int) -> Suggestion | None:
        """Suggestion #``number`` of the community."""
        async with self._db.session() as session:
            return (
                await session.exec(
                    select(Suggestion).where(
                        Suggestion.community_id == community_id, Suggestion.number == number
                    )
                )
            ).first()

    async def by_post(
        self, community_id: int, channel_id: str, message_id: str
    ) -> Suggestion | None:
        """The suggestion posted as ``message_id``, if any."""
        known = await self._known_posts()
        if known is not None and (community_id, channel_id, message_id) not in known:
            return None
        async with self._db.session() as session:
            return (
                await session.exec(
                    select(Suggestion).where(
                        Suggestion.community_id == community_id,
                        Suggestion.channel_id == channel_id,
                        Suggestion.message_id == message_id,
                    )
                )
            ).first()

    async def alive(self, community_id: int) -> list[Suggestion]:
        """Suggestions posted and not declined or done, oldest first.

        One never posted (refused by the channel before such were discarded, or left by a bot
        stopped between numbering and posting it) is nowhere to be seen or voted on.
        """
        async with self._db.session() as session:
            rows = await session.exec(
                select(Suggestion)
                .where(
                    Suggestion.community_id == community_id,
                    col(Suggestion.status).in_(OPEN_STATUSES),
                    col(Suggestion.message_id).is_not(None),
                )
                .order_by(col(Suggestion.number))
            )
            return list(rows)

    async def vote(
        self, suggestion_id: int, user_id: str, value: int, mode: VoteMode, at: datetime
    ) -> VoteResult:
        """Apply one member's vote; what their vote was and is now, and the new tallies."""
        # A double click, or a button and a reaction at once, sends two votes of one member
        # together: both find no vote and the second insert breaks the one-vote rule. That one
        # is applied again on the vote the other left (as if it had come just after).
        for _ in range(VOTE_ATTEMPTS - 1):
            with contextlib.suppress(IntegrityError):
                return await self._vote(suggestion_id, user_id, value, mode, at)
        return await self._vote(suggestion_id, user_id, value, mode, at)

    async def _vote(
        self, suggestion_id: int, user_id: str, value: int, mode: VoteMode, at: datetime
    ) -> VoteResult:
        async with self._db.session() as session:
            current = (
                await session.exec(
                    select(SuggestionVote).where(
                        SuggestionVote.suggestion_id == suggestion_id,
                        SuggestionVote.user_id == user_id,
                    )
                )
            ).first()
            by_reaction = mode != "press"
            before = after = 0 if current is None else current.value
            if mode == "withdraw":
                # Only the vote that reaction cast: taking back a 👍 leaves a button's 👍.
                if current is not None and current.value == value and current.by_reaction:
                    await session.delete(current)
                    after = 0
            elif mode == "press" and current is not None and current.value == value:
                await session.delete(current)
                after = 0
            elif current is None:
                after = value
                session.add(
                    SuggestionVote(
                        suggestion_id=suggestion_id,
                        user_id=user_id,
                        value=value,
                        at=at,
                        by_reaction=by_reaction,
                    )
                )
            elif current.value != value:
                current.value, current.at, current.by_reaction = value, at, by_reaction
                session.add(current)
                after = value
            # Else the same vote by reaction again: it stays as it was cast (a button's stays
            # a button's, which taking the reaction back must not withdraw).
            await session.flush()
            up, down = await _recount(session, suggestion_id)
            await session.commit()
            return VoteResult(before, after, up, down)

    async def set_status(
        self, suggestion_id: int, status: str, comment: str | None, at: datetime, by: str
    ) -> None:
        """Give a suggestion its status, with the moderator's comment if any: without one, the
        comment given before stays."""
        values: dict[str, Any] = {"status": status, "status_at": at, "status_by": by}
        if comment is not None:
            values |= {"comment": comment, "comment_at": at}
        async with self._db.session() as session:
            await session.exec(
                update(Suggestion).where(col(Suggestion.id) == suggestion_id).values(**values)
            )
            await session.commit()

    async def top(self, community_id: int, limit: int) -> list[Suggestion]:
        """Posted suggestions, best score (up minus down) first, then the most votes, then the
        oldest (one never posted could not be voted on)."""
        async with self._db.session() as session:
            rows = await session.exec(
                select(Suggestion)
                .where(
                    Suggestion.community_id == community_id,
                    col(Suggestion.message_id).is_not(None),
                )
                .order_by(
                    (col(Suggestion.up) - col(Suggestion.down)).desc(),
                    (col(Suggestion.up) + col(Suggestion.down)).desc(),
                    col(Suggestion.number),
                )
                .limit(limit)
            )
            return list(rows)

    async def created_between(
        self, community_id: int, since: datetime, until: datetime
    ) -> list[Suggestion]:
        """Suggestions made at or after ``since`` and before ``until`` and posted (members never
        saw the others), oldest first."""
        async with self._db.session() as session:
            rows = await session.exec(
                select(Suggestion)
                .where(
                    Suggestion.community_id == community_id,
                    col(Suggestion.message_id).is_not(None),
                    col(Suggestion.created_at) >= since,
                    col(Suggestion.created_at) < until,
                )
                .order_by(col(Suggestion.number))
            )
            return list(rows)

    async def answered_between(
        self, community_id: int, since: datetime, until: datetime
    ) -> list[Suggestion]:
        """Suggestions the moderators last commented on at or after ``since`` and before
        ``until``, oldest comment first (a status given since without a comment brings no older
        comment back)."""
        async with self._db.session() as session:
            rows = await session.exec(
                select(Suggestion)
                .where(
                    Suggestion.community_id == community_id,
                    col(Suggestion.comment_at) >= since,
                    col(Suggestion.comment_at) < until,
                    col(Suggestion.comment).is_not(None),
                )
                .order_by(col(Suggestion.comment_at))
            )
            return list(rows)

    async def of_member(self, community_id: int, user_id: str) -> dict[str, Any]:
        """The member's suggestions and votes."""
        async with self._db.session() as session:
            mine = await session.exec(
                select(Suggestion)
                .where(Suggestion.community_id == community_id, Suggestion.author_id == user_id)
                .order_by(col(Suggestion.number))
            )
            suggestions = [
                {
                    "number": row.number,
                    "text": row.text,
                    "created_at": row.created_at.isoformat(),
                    "status": row.status,
                    "status_at": row.status_at.isoformat() if row.status_at else None,
                    "comment": row.comment,
                    "up": row.up,
                    "down": row.down,
                }
                for row in mine
            ]
            votes = await session.exec(
                select(Suggestion.number, SuggestionVote.value)
                .join(Suggestion, col(Suggestion.id) == col(SuggestionVote.suggestion_id))
                .where(Suggestion.community_id == community_id, SuggestionVote.user_id == user_id)
                .order_by(col(Suggestion.number))
            )
            cast = [{"suggestion": number, "vote": value} for number, value in votes]
        return {"suggestions": suggestions, "votes": cast}

    async def forget_member(self, community_id: int, user_id: str) -> list[tuple[str, str]]:
        """Delete the member's suggestions and votes; recount what they had voted on.

        Returns where their suggestions had been posted (channel id, message id). Their numbers
        stay taken.
        """
        async with self._db.session() as session:
            ids = list(
                await session.exec(
                    select(Suggestion.id).where(Suggestion.community_id == community_id)
                )
            )
            voted = list(
                await session.exec(
                    select(SuggestionVote.suggestion_id).where(
                        col(SuggestionVote.suggestion_id).in_(ids),
                        SuggestionVote.user_id == user_id,
                    )
                )
            )
            await session.exec(
                delete(SuggestionVote).where(
                    col(SuggestionVote.suggestion_id).in_(ids),
                    col(SuggestionVote.user_id) == user_id,
                )
            )
            rows = list(
                await session.exec(
                    select(Suggestion.id, Suggestion.channel_id, Suggestion.message_id).where(
                        Suggestion.community_id == community_id, Suggestion.author_id == user_id
                    )
                )
            )
            authored = [suggestion_id for suggestion_id, _, _ in rows]
            posts = [
                (channel_id, message_id)
                for _, channel_id, message_id in rows
                if channel_id is not None and message_id is not None
            ]
            await session.exec(
                delete(SuggestionVote).where(col(SuggestionVote.suggestion_id).in_(authored))
            )
            await session.exec(delete(Suggestion).where(col(Suggestion.id).in_(authored)))
            await session.exec(
                update(Suggestion)
                .where(
                    col(Suggestion.community_id) == community_id,
                    col(Suggestion.status_by) == user_id,
                )
                .values(status_by=None)
            )
            for suggestion_id in set(voted) - set(authored):
                await _recount(session, suggestion_id)
            await session.commit()
        if self._posts is not None:
            self._posts.difference_update((community_id, *post) for post in posts)
        return posts

    async def forget_before(self, community_id: int, cutoff: datetime) -> int:
        """Delete, with their votes, the community's suggestions nothing happened to since
        ``cutoff``: those declined or done before it, and those still open, never answered,
        made before it and voted on by nobody since. Accepted and planned ones stay (the
        organisation's word still holds), as does every suggestion still voted on. How many
        rows went; the numbers of those that went stay taken.
        """
        suggestions: Any = Suggestion.__table__  # type: ignore[attr-defined]
        votes: Any = SuggestionVote.__table__  # type: ignore[attr-defined]
        voted_since = exists().where(
            votes.c.suggestion_id == suggestions.c.id, votes.c.at >= cutoff
        )
        old = and_(
            suggestions.c.community_id == community_id,
            or_(
                and_(
                    suggestions.c.status.in_(CLOSED_STATUSES),
                    func.coalesce(suggestions.c.status_at, suggestions.c.created_at) < cutoff,
                ),
                and_(
                    suggestions.c.status == "open",
                    suggestions.c.created_at < cutoff,
                    ~voted_since,
                ),
            ),
        )
        async with self._numbering[community_id], self._db.session() as session:
            found = (await session.exec(select(func.max(suggestions.c.number)).where(old))).one()
            if found is None:
                return 0
            # Rows from before the counter have none: made now, so that the next suggestion
            # does not take the number of one forgotten here.
            if (await session.get(SuggestionCounter, community_id)) is None:
                highest = (
                    await session.exec(
                        select(func.max(Suggestion.number)).where(
                            Suggestion.community_id == community_id
                        )
                    )
                ).one()
                session.add(SuggestionCounter(community_id=community_id, last_number=highest))
                await session.commit()
        forgotten = await delete_in_batches(
            self._db, votes, votes.c.suggestion_id.in_(select(suggestions.c.id).where(old))
        )
        forgotten += await delete_in_batches(self._db, suggestions, old)
        if forgotten:
            self._posts = None  # read again when next needed, without the posts forgotten
        return forgotten


async def _next_number(session: AsyncSession, community_id: int) -> int:
    """Take the community's next suggestion number in ``session``'s transaction."""
    mine = col(SuggestionCounter.community_id) == community_id
    taken = await session.exec(
        update(SuggestionCounter)
        .where(mine)
        .values(last_number=col(SuggestionCounter.last_number) + 1)
    )
    if taken.rowcount:
        return int((await session.exec(select(SuggestionCounter.last_number).where(mine))).one())
    # No counter yet: the community's first suggestion, or rows written before the counter.
    highest = (
        await session.exec(
            select(func.max(Suggestion.number)).where(Suggestion.community_id == community_id)
        )
    ).one()
    number = int(highest or 0) + 1
    session.add(SuggestionCounter(community_id=community_id, last_number=number))
    return number


async def _recount(session: AsyncSession, suggestion_id: int) -> tuple[int, int]:
    row = (
        await session.exec(
            select(
                func.count(case((col(SuggestionVote.value) > 0, 1))),
                func.count(case((col(SuggestionVote.value) < 0, 1))),
            ).where(SuggestionVote.suggestion_id == suggestion_id)
        )
    ).one()
    up, down = int(row[0] or 0), int(row[1] or 0)
    await session.exec(
        update(Suggestion).where(col(Suggestion.id) == suggestion_id).values(up=up, down=down)
    )
    return up, down
