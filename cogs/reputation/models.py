"""The reputation cog's table: mentions of the organisation per community per day, never a
message's text nor its author."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class ReputationDay(SQLModel, table=True):
    """A community's mentions of one local day (community time zone), by tone: the neutral ones
    are those neither positive nor negative."""

    __tablename__ = "reputation_days"
    __table_args__ = (UniqueConstraint("community_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    day: date
    mentions: int = 0
    positive: int = 0
    negative: int = 0
