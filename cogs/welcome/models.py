"""The welcome cog's table: each newcomer's onboarding journey, as timestamps (never texts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class Newcomer(SQLModel, table=True):
    """One arrival of a member in one community: their onboarding from that join on.

    A member who leaves and comes back starts a new journey on a row of its own, and the earlier
    one keeps the stages it reached. The new one starts with what carries over from the last:
    the count of charter-gate failures (so a repeat offender can be banned), when they were last
    welcomed and when they first introduced themselves.
    """

    __tablename__ = "welcome_newcomers"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id", "joined_at"),
        Index("ix_welcome_newcomers_joined", "community_id", "joined_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    welcomed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    charter_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    introduced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_introduced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Their first introduction in any stay: the other cogs hear of one introduction only."""
    first_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active_7d_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Their first message on or after the 7th day after joining."""
    active_30d_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Their first message on or after the 30th day after joining."""
    nudged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    gate_pending: bool = False
    """They joined behind the charter gate and have not accepted yet."""
    restricted: bool = False
    """The bot restricted them on join (lifted on acceptance)."""
    gate_failures: int = 0
    """How many times they were removed for not accepting the charter in time."""
