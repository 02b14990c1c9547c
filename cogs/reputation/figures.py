"""Reading the mentions of a period back, and writing them as leadership reads them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from bot.db import Database
from bot.localtime import LocalDate
from bot.ruleconf import percent_text, render
from cogs.reputation.config import ReputationTexts
from cogs.reputation.models import ReputationDay


@dataclass(frozen=True)
class DayCounts:
    """One day's mentions by tone."""

    day: date
    mentions: int = 0
    positive: int = 0
    negative: int = 0

    @property
    def neutral(self) -> int:
        """Mentions neither positive nor negative."""
        return self.mentions - self.positive - self.negative


@dataclass(frozen=True)
class Period:
    """Days from ``start`` to ``end``, both included, and their counts."""

    start: date
    end: date
    days: tuple[DayCounts, ...]

    def since(self, first: date) -> Period:
        """This period from ``first`` on, the days before left out (not counted: no zeros);
        none left when it ended before ``first``. The same period when it starts on or after
        ``first``."""
        if first <= self.start:
            return self
        return Period(first, self.end, tuple(day for day in self.days if day.day >= first))

    def total(self) -> DayCounts:
        """The period's counts, summed."""
        return DayCounts(
            self.end,
            sum(day.mentions for day in self.days),
            sum(day.positive for day in self.days),
            sum(day.negative for day in self.days),
        )


def span(end: date, days: int) -> tuple[date, date]:
    """The ``days`` days up to ``end``."""
    return end - timedelta(days=days - 1), end


async def read_period(db: Database, community_id: int, start: date, end: date) -> Period:
    """The counts of every day from ``start`` to ``end`` (none counted: zeros)."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(ReputationDay).where(
                    ReputationDay.community_id == community_id,
                    col(ReputationDay.day) >= start,
                    col(ReputationDay.day) <= end,
                )
            )
        ).all()
    found = {row.day: row for row in rows}
    days = []
    day = start
    while day <= end:
        row = found.get(day)
        days.append(
            DayCounts(day, row.mentions, row.positive, row.negative)
            if row is not None
            else DayCounts(day)
        )
        day += timedelta(days=1)
    return Period(start, end, tuple(days))


def change(current: int, previous: int, locale: str) -> str:
    """``+12%``, ``-3%``, ``±0%`` against the period before; from nothing before, the count
    itself (``+5``, ``±0``), never a percentage of nothing."""
    if previous == 0:
        return f"+{current}" if current else "±0"
    return percent_text((current - previous) / previous, locale, signed=True)


def _share(part: int, whole: int, locale: str) -> str:
    return percent_text(part / whole, locale) if whole else "—"


def _moved(part: int, whole: int, before: int, before_whole: int) -> str:
    """The change of a share in percentage points; ``—`` without mentions in either period."""
    if not whole or not before_whole:
        return "—"
    return f"{round(100 * (part / whole - before / before_whole)):+d} pts"


def period_text(
    texts: ReputationTexts,
    community_name: str,
    locale: str,
    current: Period,
    previous: Period,
    since: date,
) -> str:
    """The figures of ``current`` against ``previous`` (as long, just before), counted from
    ``since`` on: days before it are left out and said to be, and a period before that ended
    before it is no comparison."""
    days = len(current.days)
    counted = current.since(since)
    # A period before that ended before counting began was never counted: nothing to compare.
    comparable = previous.end >= since
    # Without a comparison, the period before has no day left: no share moved.
    now, before = counted.total(), previous.since(since).total()
    lines = [
        render(
            texts.title,
            community=community_name,
            start=LocalDate(current.start),
            end=LocalDate(current.end),
            days=days,
        ),
        render(
            texts.mentions,
            count=now.mentions,
            change=change(now.mentions, before.mentions, locale),
            days=days,
        )
        if comparable
        else render(texts.mentions_alone, count=now.mentions),
    ]
    if now.mentions:
        whole, was = now.mentions, before.mentions
        lines.append(
            render(
                texts.tone,
                positive=_share(now.positive, whole, locale),
                negative=_share(now.negative, whole, locale),
                neutral=_share(now.neutral, whole, locale),
                positive_change=_moved(now.positive, whole, before.positive, was),
                negative_change=_moved(now.negative, whole, before.negative, was),
                neutral_change=_moved(now.neutral, whole, before.neutral, was),
            )
        )
    else:
        lines.append(render(texts.tone_none))
    lines.append(render(texts.per_day))
    lines += _day_lines(texts, counted.days)
    if current.start < since:
        lines.append(render(texts.counted_since, since=LocalDate(since)))
    elif not comparable:
        lines.append(render(texts.compared_none, since=LocalDate(since)))
    elif previous.start < since:
        lines.append(render(texts.compared_since, since=LocalDate(since)))
    lines.append(render(texts.source))
    return "\n".join(lines)


def _day_lines(texts: ReputationTexts, days: Sequence[DayCounts]) -> list[str]:
    return [
        render(
            texts.day_line,
            day=LocalDate(day.day),
            count=day.mentions,
            positive=day.positive,
            negative=day.negative,
        )
        for day in days
    ]
