"""A period's figures, read from the daily aggregates: per day, totals, and the breakdowns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from bot.db import Database
from cogs.reports.buffer import DAY_FIELDS
from cogs.reports.models import (
    ReportActive,
    ReportChannel,
    ReportDay,
    ReportModeration,
    ReportNewcomer,
)


@dataclass(frozen=True)
class Span:
    """Days from ``start`` to ``end``, both included (community time zone)."""

    start: date
    end: date

    @property
    def days(self) -> list[date]:
        """Every day of the span, in order."""
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def previous(self) -> Span:
        """The span of the same length just before."""
        length = (self.end - self.start).days + 1
        return Span(self.start - timedelta(days=length), self.start - timedelta(days=1))


@dataclass
class Figures:
    """What a report says about one span."""

    span: Span
    daily: dict[date, dict[str, int]]
    """Per day: every counter of ``DAY_FIELDS`` and ``active`` (members who posted)."""
    active_members: int = 0
    active_ids: frozenset[str] = frozenset()
    newcomers: int = 0
    """Joins in the span: a member who came back joined again, in the period of their return."""
    introduced: int = 0
    posted: int = 0
    stayed: int = 0
    """Of those joins, the members here now (who left, but came back, are)."""
    channels: list[tuple[str, int]] = field(default_factory=list)
    moderation: Counter[str] = field(default_factory=Counter)

    def since(self, first: date) -> Figures:
        """These figures from ``first`` on, the days before left out (not shown as zeros): the
        days the bot counted. The same figures when the span starts on or after ``first``."""
        if first <= self.span.start or first > self.span.end:
            return self
        span = Span(first, self.span.end)
        daily = {day: self.daily[day] for day in span.days}
        return replace(self, span=span, daily=daily)

    def total(self, name: str) -> int:
        """The sum of one daily counter over the span."""
        return sum(day[name] for day in self.daily.values())

    @property
    def sanctions(self) -> int:
        """The sanctions given in the span, less those pardoned since."""
        return max(0, self.total("moderation"))

    @property
    def pardoned(self) -> int:
        """The sanctions of :attr:`moderation` (given in the span, by rule) pardoned since."""
        return max(0, sum(self.moderation.values()) - self.sanctions)


async def read_figures(
    db: Database, community_id: int, span: Span, zone: ZoneInfo, top_channels: int
) -> Figures:
    """The figures of ``span`` from the aggregates (flush the buffer first)."""
    async with db.engine.connect() as connection:
        daily = await _daily(connection, community_id, span)
        active_ids = await _active_ids(connection, community_id, span)
        channels = await _channels(connection, community_id, span, top_channels)
        moderation = await _moderation(connection, community_id, span)
        newcomers, introduced, posted, stayed = await _funnel(connection, community_id, span, zone)
    return Figures(
        span=span,
        daily=daily,
        active_members=len(active_ids),
        active_ids=active_ids,
        newcomers=newcomers,
        introduced=introduced,
        posted=posted,
        stayed=stayed,
        channels=channels,
        moderation=moderation,
    )


_DailyTable = type[ReportDay] | type[ReportActive] | type[ReportChannel] | type[ReportModeration]


def _in_span(table: _DailyTable, community_id: int, span: Span) -> ColumnElement[bool]:
    """The condition on ``table``'s rows: the community's, on a day of ``span``."""
    return and_(
        col(table.community_id) == community_id,
        col(table.day) >= span.start,
        col(table.day) <= span.end,
    )


async def _daily(
    connection: AsyncConnection, community_id: int, span: Span
) -> dict[date, dict[str, int]]:
    """Per day of ``span``: its counters, and how many members posted (0 for a day unseen)."""
    daily = {day: dict.fromkeys((*DAY_FIELDS, "active"), 0) for day in span.days}
    rows = await connection.execute(
        select(ReportDay).where(_in_span(ReportDay, community_id, span))
    )
    for row in rows.mappings():
        daily[row["day"]].update({name: row[name] for name in DAY_FIELDS})
    active_rows = await connection.execute(
        select(col(ReportActive.day), func.count())
        .where(_in_span(ReportActive, community_id, span))
        .group_by(col(ReportActive.day))
    )
    for day, count in active_rows:
        daily[day]["active"] = int(count)
    return daily


async def _active_ids(
    connection: AsyncConnection, community_id: int, span: Span
) -> frozenset[str]:
    """The members who posted on some day of ``span``."""
    rows = await connection.execute(
        select(col(ReportActive.user_id))
        .distinct()
        .where(_in_span(ReportActive, community_id, span))
    )
    return frozenset(rows.scalars())


async def _channels(
    connection: AsyncConnection, community_id: int, span: Span, top: int
) -> list[tuple[str, int]]:
    """The ``top`` channels by messages over ``span``, busiest first, by their latest name; a
    channel whose messages were all deleted is none of them."""
    rows = await connection.execute(
        select(
            col(ReportChannel.channel_id),
            col(ReportChannel.channel_name),
            col(ReportChannel.messages),
        )
        .where(_in_span(ReportChannel, community_id, span))
        .order_by(col(ReportChannel.day))
    )
    totals: Counter[str] = Counter()
    names: dict[str, str] = {}
    for channel_id, name, messages in rows:
        totals[channel_id] += messages
        if name:  # a day known only by its deletions has no name
            names[channel_id] = name
    return sorted(
        (
            (names.get(channel_id, channel_id), total)
            for channel_id, total in totals.items()
            if total > 0
        ),
        key=lambda item: (-item[1], item[0]),
    )[:top]


async def _moderation(connection: AsyncConnection, community_id: int, span: Span) -> Counter[str]:
    """The sanctions given by rule over ``span``."""
    rows = await connection.execute(
        select(col(ReportModeration.rule), func.sum(col(ReportModeration.count)))
        .where(_in_span(ReportModeration, community_id, span))
        .group_by(col(ReportModeration.rule))
    )
    return Counter({rule: int(total) for rule, total in rows})


async def _funnel(
    connection: AsyncConnection, community_id: int, span: Span, zone: ZoneInfo
) -> tuple[int, int, int, int]:
    """Of the joins in ``span``: how many, introduced, posted, and still here."""
    since = datetime.combine(span.start, time(), zone).astimezone(UTC)
    until = datetime.combine(span.end + timedelta(days=1), time(), zone).astimezone(UTC)
    stay: Any = ReportNewcomer.__table__  # type: ignore[attr-defined]
    latest = stay.alias("latest")
    # Still here: the member's latest stay has not ended, this one or one after a return.
    gone = (
        select(latest.c.left_at)
        .where(
            latest.c.community_id == stay.c.community_id,
            latest.c.user_id == stay.c.user_id,
        )
        .order_by(latest.c.joined_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    funnel = (
        await connection.execute(
            select(
                func.count(),
                func.count(stay.c.introduced_at),
                func.count(stay.c.first_message_at),
                func.count() - func.count(gone),
            ).where(
                stay.c.community_id == community_id,
                stay.c.joined_at >= since,
                stay.c.joined_at < until,
            )
        )
    ).one()
    newcomers, introduced, posted, stayed = (int(value or 0) for value in funnel)
    return newcomers, introduced, posted, stayed


def signals(figures: Figures) -> tuple[int, int]:
    """The fallback indicator's positive signals (positive reactions, thanks) and negative ones
    (negative reactions, sanctions not pardoned); other reactions, votes and entries are
    neither."""
    positive = figures.total("positive_reactions") + figures.total("thanks")
    return positive, figures.total("negative_reactions") + figures.sanctions


def satisfaction(figures: Figures) -> tuple[str, float | None]:
    """The indicator and its source: ``toxicity`` (share of civil messages among scored ones),
    ``fallback`` (positive signals among all signals, see :func:`signals`), or ``none``."""
    scored = figures.total("scored")
    if scored:
        return "toxicity", figures.total("civil") / scored
    positive, negative = signals(figures)
    if positive + negative:
        return "fallback", positive / (positive + negative)
    return "none", None
