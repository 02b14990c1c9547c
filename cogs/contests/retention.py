"""What the retention sweep forgets of contests and giveaways (see :mod:`bot.retention`).

A contest closed or cancelled before the cutoff loses its entries (their texts), its votes and
the ids of those its close left out (who had left, banned voters); a giveaway drawn before it
loses its entries, and its draws the ids of their winners and of those left out (each line left
empty, so the places keep their numbers). The contests and giveaways themselves stay, as do
the places won (``contest_wins``: the hall of fame, the contributors' counts): ``/contest_results``
then says the details are gone and names the winners from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_, select, update

from bot.db import Database
from bot.retention import delete_in_batches
from cogs.contests.models import Contest, Entry, Giveaway, GiveawayDraw, GiveawayEntry, Vote


async def forget_contests(db: Database, community_id: int, cutoff: datetime) -> int:
    """Forget the entries, votes and left-out ids of the community's contests closed or
    cancelled before ``cutoff``; how many rows went or were cleared."""
    contests: Any = Contest.__table__  # type: ignore[attr-defined]
    entries: Any = Entry.__table__  # type: ignore[attr-defined]
    votes: Any = Vote.__table__  # type: ignore[attr-defined]
    old = and_(
        contests.c.community_id == community_id,
        or_(contests.c.closed_at < cutoff, contests.c.cancelled_at < cutoff),
    )
    ended = select(contests.c.id).where(old)
    forgotten = await delete_in_batches(db, votes, votes.c.contest_id.in_(ended))
    forgotten += await delete_in_batches(db, entries, entries.c.contest_id.in_(ended))
    async with db.engine.begin() as connection:
        # "" rather than None: nobody was left out, which is what the results say from now.
        cleared = await connection.execute(
            update(contests)
            .where(
                old,
                or_(contests.c.excluded_ids != "", contests.c.banned_voter_ids.is_not(None)),
            )
            .values(
                excluded_ids=case((contests.c.excluded_ids.is_(None), None), else_=""),
                banned_voter_ids=None,
            )
        )
    return forgotten + int(cleared.rowcount or 0)


async def forget_giveaways(db: Database, community_id: int, cutoff: datetime) -> int:
    """Forget the entrants of the community's giveaways drawn before ``cutoff``, and the ids
    their draws name (winners, those left out); how many rows went or were cleared."""
    giveaways: Any = Giveaway.__table__  # type: ignore[attr-defined]
    tickets: Any = GiveawayEntry.__table__  # type: ignore[attr-defined]
    draws: Any = GiveawayDraw.__table__  # type: ignore[attr-defined]
    drawn = select(giveaways.c.id).where(
        giveaways.c.community_id == community_id, giveaways.c.drawn_at < cutoff
    )
    forgotten = await delete_in_batches(db, tickets, tickets.c.giveaway_id.in_(drawn))
    async with db.engine.begin() as connection:
        named = (
            await connection.execute(
                select(draws.c.id, draws.c.winner_ids, draws.c.excluded_ids).where(
                    draws.c.giveaway_id.in_(drawn)
                )
            )
        ).all()
        for draw_id, winner_ids, excluded_ids in named:
            # Each winner's line left empty, as an erasure leaves it: the places keep their
            # numbers for a later draw.
            blank = "\n" * winner_ids.count("\n")
            left_out = None if excluded_ids is None else ""
            if (winner_ids, excluded_ids) == (blank, left_out):
                continue
            await connection.execute(
                update(draws)
                .where(draws.c.id == draw_id)
                .values(winner_ids=blank, excluded_ids=left_out)
            )
            forgotten += 1
    return forgotten


async def members_named(db: Database, community_id: int) -> set[str]:
    """The entrants and voters the community's kept entries, votes and giveaway entries name:
    a close or a draw not recorded yet leaves out those of them who left, by their member
    record. The ids a close or a draw recorded are read back as recorded, not looked up."""
    contests: Any = Contest.__table__  # type: ignore[attr-defined]
    entries: Any = Entry.__table__  # type: ignore[attr-defined]
    votes: Any = Vote.__table__  # type: ignore[attr-defined]
    giveaways: Any = Giveaway.__table__  # type: ignore[attr-defined]
    tickets: Any = GiveawayEntry.__table__  # type: ignore[attr-defined]
    here = select(contests.c.id).where(contests.c.community_id == community_id)
    held = select(giveaways.c.id).where(giveaways.c.community_id == community_id)
    needed: set[str] = set()
    async with db.engine.connect() as connection:
        for query in (
            select(entries.c.user_id).where(entries.c.contest_id.in_(here)),
            select(votes.c.voter_id).where(votes.c.contest_id.in_(here)),
            select(tickets.c.user_id).where(tickets.c.giveaway_id.in_(held)),
        ):
            needed.update((await connection.execute(query.distinct())).scalars())
    return needed
