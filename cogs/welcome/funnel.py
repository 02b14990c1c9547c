"""The newcomer funnel: how many of the newcomers of a period reached each stage.

Stages are counted among the arrivals of the period: charter accepted, introduced, first message,
and still active (a message on or after the 7th, the 30th day after joining). A member who came
back is a newcomer again: each of their arrivals counts, with the stages it reached, in the
period of its own join. Retention is counted only among those who joined long enough ago to have
reached that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, select
from sqlmodel import col, func

from bot.db import Database
from bot.ruleconf import render
from bot.ruleconf.numbers import Percent
from cogs.welcome.config import WelcomeTexts
from cogs.welcome.journeys import ACTIVE_AFTER
from cogs.welcome.models import Newcomer


@dataclass(frozen=True)
class Funnel:
    """Counts of the arrivals of one period, stage by stage."""

    joined: int = 0
    charter_accepted: int = 0
    introduced: int = 0
    first_message: int = 0
    eligible_7d: int = 0
    """Arrivals of the period at least 7 days ago."""
    active_7d: int = 0
    eligible_30d: int = 0
    active_30d: int = 0


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


async def count_funnel(db: Database, community_id: int, since: datetime, now: datetime) -> Funnel:
    """The funnel of the arrivals in ``community_id`` from ``since`` to ``now``."""
    joined = col(Newcomer.joined_at)
    week = now - ACTIVE_AFTER["active_7d_at"]
    month = now - ACTIVE_AFTER["active_30d_at"]
    statement = select(
        func.count(),
        func.count(col(Newcomer.charter_accepted_at)),
        func.count(col(Newcomer.introduced_at)),
        func.count(col(Newcomer.first_message_at)),
        _count_if(joined <= week),
        _count_if((joined <= week) & col(Newcomer.active_7d_at).is_not(None)),
        _count_if(joined <= month),
        _count_if((joined <= month) & col(Newcomer.active_30d_at).is_not(None)),
    ).where(col(Newcomer.community_id) == community_id, joined >= since, joined <= now)
    async with db.engine.connect() as connection:
        row = (await connection.execute(statement)).one()
    return Funnel(*(int(value or 0) for value in row))


def rate(count: int, total: int) -> Percent | str:
    """``count`` as a share of ``total`` (``42%``, ``42 %`` in French), or ``—`` when there is no
    one to count."""
    return "—" if total <= 0 else Percent(count / total)


def funnel_report(texts: WelcomeTexts, days: int, funnel: Funnel, *, gate: bool) -> str:
    """The funnel as moderators read it, one stage per line.

    The charter stage is left out when the gate is off and no one accepted in the period.
    """
    if funnel.joined == 0:
        return render(texts.onboarding_empty, days=days)
    lines = [render(texts.onboarding_header, days=days, joined=funnel.joined)]
    stages = [
        (texts.stage_introduced, funnel.introduced),
        (texts.stage_first_message, funnel.first_message),
    ]
    if gate or funnel.charter_accepted:
        stages.insert(0, (texts.stage_charter, funnel.charter_accepted))
    for stage, count in stages:
        lines.append(
            render(
                texts.onboarding_stage,
                stage=render(stage),
                count=count,
                rate=rate(count, funnel.joined),
            )
        )
    for stage, count, eligible in (
        (texts.stage_active_7, funnel.active_7d, funnel.eligible_7d),
        (texts.stage_active_30, funnel.active_30d, funnel.eligible_30d),
    ):
        lines.append(
            render(
                texts.onboarding_retention,
                stage=render(stage),
                count=count,
                eligible=eligible,
                rate=rate(count, eligible),
            )
        )
    return "\n".join(lines)
