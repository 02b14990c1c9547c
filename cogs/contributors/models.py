"""The contributors cog's tables: counters per member per day, never message texts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class DailyActivity(SQLModel, table=True):
    """What one member did on one day (the community's local date) in one community."""

    __tablename__ = "contributors_daily"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id", "day"),
        Index("ix_contributors_daily_day", "community_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    day: date
    messages: int = 0
    """Substantial messages (long enough, within the per-minute cap or thanked, not removed); at
    most ``scoring.messages_per_day`` of a day's earn points, a cap applied when scores are
    read."""
    introductions: int = 0
    contest_wins: int = 0
    moderation_cases: int = 0
    """Cases recorded against the member (sanctions, not notes or lifts), less those pardoned:
    the shout-out and the role rewards pass over a member with one in the week."""


class Interaction(SQLModel, table=True):
    """How many times ``source`` replied to, mentioned, reacted to or thanked ``target`` a day.

    One row per pair, kind and day: the rows are the edges of the influence graph, and the number
    of rows into a member is how many distinct members (per day) engaged with them.
    """

    __tablename__ = "contributors_interactions"
    __table_args__ = (
        UniqueConstraint("community_id", "day", "source_id", "target_id", "kind"),
        Index("ix_contributors_interactions_target", "community_id", "target_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    day: date
    source_id: str = Field(max_length=64)
    target_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    count: int = 0


class OptOut(SQLModel, table=True):
    """A member who asked not to be scored, ranked or shouted out."""

    __tablename__ = "contributors_optouts"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    at: datetime = Field(sa_type=UTCDateTime)


class CountedWin(SQLModel, table=True):
    """A contest win counted in ``DailyActivity.contest_wins``, written in the same transaction:
    the contests cog tells a win again after a restart when it could not record that it told
    it, and a win counted already is not counted twice."""

    __tablename__ = "contributors_wins"
    __table_args__ = (UniqueConstraint("community_id", "contest_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    contest_id: str = Field(max_length=64)
    """As ``ContestWon.contest_id`` says it: ``contest:42``."""
    user_id: str = Field(max_length=64)
    day: date
    """The day the win was counted for (forgotten with that day's counters)."""
