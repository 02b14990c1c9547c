"""The reports cog's tables: figures per community per day, never message texts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class ReportDay(SQLModel, table=True):
    """A community's counts of one day (in the community's time zone)."""

    __tablename__ = "report_days"
    __table_args__ = (UniqueConstraint("community_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    day: date
    messages: int = 0
    joined: int = 0
    left: int = 0
    introduced: int = 0
    reactions: int = 0
    """Reactions that day, votes and entries by reaction left out."""
    positive_reactions: int = 0
    """Of those, the positive ones (``satisfaction.positive_reactions``)."""
    negative_reactions: int = 0
    """Of those, the negative ones (``satisfaction.negative_reactions``)."""
    thanks: int = 0
    moderation: int = 0
    """Sanctions given that day (not notes, not lifts), less those pardoned since."""
    contests: int = 0
    scored: int = 0
    """Messages the toxicity model scored."""
    civil: int = 0
    hostile: int = 0


class ReportActive(SQLModel, table=True):
    """A member posted at least once that day (active members, retention)."""

    __tablename__ = "report_active"
    __table_args__ = (UniqueConstraint("community_id", "day", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    day: date
    user_id: str = Field(max_length=64)


class ReportChannel(SQLModel, table=True):
    """Messages in one channel on one day."""

    __tablename__ = "report_channels"
    __table_args__ = (UniqueConstraint("community_id", "day", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    day: date
    channel_id: str = Field(max_length=64)
    channel_name: str = Field(max_length=100)
    messages: int = 0


class ReportModeration(SQLModel, table=True):
    """Sanctions given on one day by rule (``""``: a moderator's command), those pardoned since
    included (the day's total leaves them out)."""

    __tablename__ = "report_moderation"
    __table_args__ = (UniqueConstraint("community_id", "day", "rule"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    day: date
    rule: str = Field(max_length=64)
    count: int = 0


class ReportNewcomer(SQLModel, table=True):
    """A newcomer's funnel, one per stay: joined, introduced, first message, left. A member who
    comes back has a stay for each join, each in the period of its own join."""

    __tablename__ = "report_newcomers"
    __table_args__ = (UniqueConstraint("community_id", "user_id", "joined_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    introduced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
