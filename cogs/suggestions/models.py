"""The suggestions cog's tables: suggestions, numbered per community, one vote per member, and
the last number given in each community."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class Suggestion(SQLModel, table=True):
    """A member's suggestion, its post, its vote tallies and the status moderators gave it."""

    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        Index("ix_suggestions_message", "community_id", "channel_id", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    number: int
    """Shown as #n; counts up per community (see :class:`SuggestionCounter`), never reused."""
    author_id: str = Field(max_length=64)
    author_name: str = Field(max_length=100)
    text: str = Field(max_length=4000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    channel_id: str | None = Field(default=None, max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    """The post in the suggestions channel (votes by reaction find it by this)."""
    up: int = 0
    down: int = 0
    status: str = Field(default="open", max_length=16)
    comment: str | None = Field(default=None, max_length=1000)
    """The moderators' last word on it: a status given without one keeps it."""
    comment_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When ``comment`` was written (the digest's feedback is the comments of its period)."""
    status_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_by: str | None = Field(default=None, max_length=64)


class SuggestionVote(SQLModel, table=True):
    """One member's vote on one suggestion: +1 or -1 (none when withdrawn)."""

    __tablename__ = "suggestion_votes"
    __table_args__ = (UniqueConstraint("suggestion_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: int = Field(foreign_key="suggestions.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    value: int
    at: datetime = Field(sa_type=UTCDateTime)
    by_reaction: bool = False
    """Cast with 👍 / 👎 on the post (taking the reaction back withdraws it), not a button."""


class SuggestionCounter(SQLModel, table=True):
    """The last suggestion number given in a community.

    Kept apart from the suggestions so that erasing the latest one does not hand its number
    (and the buttons still under its post) to the next suggestion.
    """

    __tablename__ = "suggestion_counters"

    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE", primary_key=True)
    last_number: int = 0
