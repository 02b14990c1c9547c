"""Reading a window's counters back from the database, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, case, func
from sqlmodel import col, select

from bot.db import Database
from cogs.contributors.models import DailyActivity, Interaction
from cogs.contributors.scoring import EDGE_COMPONENTS, Span, Tally


@dataclass(frozen=True)
class Edge:
    """Interactions of one kind from ``source`` to ``target`` in a window (capped per day)."""

    source: str
    target: str
    kind: str
    count: int


def _within(column: Any, window: Span) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = col(column) <= window.end
    if window.start is not None:
        condition = and_(condition, col(column) >= window.start)
    return condition


async def tallies(
    db: Database, community_id: int, window: Span, *, messages_per_day: int
) -> dict[str, Tally]:
    """Every member's tally in ``window``, each day's messages capped at ``messages_per_day``.

    Every score is computed from these tallies (``/top``, ``/profile``, the shout-out, the role
    rewards): the cap applies here, once, to the counters stored per day.
    """
    found: dict[str, Tally] = {}
    messages = col(DailyActivity.messages)
    counted = case((messages > messages_per_day, messages_per_day), else_=messages)
    daily = sa.select(
        col(DailyActivity.user_id),
        func.sum(counted),
        func.sum(messages),
        func.sum(col(DailyActivity.introductions)),
        func.sum(col(DailyActivity.contest_wins)),
    ).where(col(DailyActivity.community_id) == community_id, _within(DailyActivity.day, window))
    async with db.session() as session:
        # Five columns: more than sqlmodel's select() types, so on the session's connection.
        connection = await session.connection()
        per_member = await connection.execute(daily.group_by(col(DailyActivity.user_id)))
        for user_id, scored, posted, introductions, wins in per_member:
            tally = found.setdefault(user_id, Tally())
            tally.messages = max(int(scored or 0), 0)
            tally.posted = max(int(posted or 0), 0)
            tally.introductions = max(int(introductions or 0), 0)
            tally.contest_wins = max(int(wins or 0), 0)
        received = await session.exec(
            select(Interaction.target_id, Interaction.kind, func.count())
            .where(
                Interaction.community_id == community_id,
                col(Interaction.count) > 0,
                col(Interaction.source_id) != col(Interaction.target_id),
                _within(Interaction.day, window),
            )
            .group_by(col(Interaction.target_id), col(Interaction.kind))
        )
        for target_id, kind, rows in received:
            component = EDGE_COMPONENTS.get(kind)
            if component is not None:
                setattr(found.setdefault(target_id, Tally()), component, int(rows))
    return found


async def edges(db: Database, community_id: int, window: Span, *, daily_cap: int) -> list[Edge]:
    """The interaction graph of ``window``: counts summed over days, each day capped."""
    capped = case((col(Interaction.count) > daily_cap, daily_cap), else_=col(Interaction.count))
    async with db.session() as session:
        rows = await session.exec(
            select(
                Interaction.source_id, Interaction.target_id, Interaction.kind, func.sum(capped)
            )
            .where(
                Interaction.community_id == community_id,
                col(Interaction.count) > 0,
                col(Interaction.source_id) != col(Interaction.target_id),
                _within(Interaction.day, window),
            )
            .group_by(
                col(Interaction.source_id), col(Interaction.target_id), col(Interaction.kind)
            )
        )
        return [Edge(source, target, kind, int(count)) for source, target, kind, count in rows]


async def moderated(db: Database, community_id: int, window: Span) -> set[str]:
    """Members with a moderation case in ``window`` that was not pardoned."""
    async with db.session() as session:
        rows = await session.exec(
            select(DailyActivity.user_id)
            .where(
                DailyActivity.community_id == community_id,
                col(DailyActivity.moderation_cases) > 0,
                _within(DailyActivity.day, window),
            )
            .distinct()
        )
        return set(rows)
