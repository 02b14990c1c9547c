"""Contest wins, counted at once and once: not buffered with the other counters.

A win is rare and worth much: it is written when heard, with the record that it was counted
(:class:`~cogs.contributors.models.CountedWin`), in one transaction. The contests cog tells a
win again after a restart when the process died before it could record that it told it; the
record keeps that from counting it twice.
"""

from __future__ import annotations

from datetime import date

from bot.db import Database, upsert_insert
from cogs.contributors.models import CountedWin, DailyActivity


async def record_win(
    db: Database, community_id: int, contest_id: str, user_id: str, day: date
) -> bool:
    """Add the win ``contest_id`` to the counters of ``user_id`` on ``day``, unless it was
    counted already; whether it was counted now."""
    insert = upsert_insert(db.engine.dialect.name)
    counted = CountedWin.__table__  # type: ignore[attr-defined]
    daily = DailyActivity.__table__  # type: ignore[attr-defined]
    new_win = (
        insert(counted)
        .values(community_id=community_id, contest_id=contest_id, user_id=user_id, day=day)
        .on_conflict_do_nothing(index_elements=["community_id", "contest_id", "user_id"])
        .returning(counted.c.id)
    )
    one_more = insert(daily).values(
        community_id=community_id,
        user_id=user_id,
        day=day,
        messages=0,
        introductions=0,
        contest_wins=1,
        moderation_cases=0,
    )
    one_more = one_more.on_conflict_do_update(
        index_elements=["community_id", "user_id", "day"],
        set_={"contest_wins": daily.c.contest_wins + 1},
    )
    async with db.engine.begin() as connection:
        if (await connection.execute(new_win)).first() is None:
            return False
        await connection.execute(one_more)
    return True
