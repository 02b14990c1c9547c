"""The core's tables: the communities the bot serves and the members it has seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class Community(SQLModel, table=True):
    """A Discord server, Telegram group or console community the bot has seen."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    first_seen: datetime = Field(sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    """A user inside one community: when the bot first saw them, when they joined and left."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE", index=True)
    user_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    is_bot: bool = False
    first_seen: datetime = Field(sa_type=UTCDateTime)
    joined_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CoreState(SQLModel, table=True):
    """Small named values the core keeps between runs (the console clock, command hashes)."""

    __tablename__ = "core_state"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=4000)
