"""The netiquette cog's table: moderation cases (sanctions, notes, strikes, timed actions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class Case(SQLModel, table=True):
    """One moderation case: what was done to whom, by whom or by which rule, and why.

    A case is committed before the bot announces anything about it. Strike points live on the
    case that gave them; a pardoned case counts no more. A timed sanction (a timeout, a
    temporary ban) has ``expires_at``, and ``lifted_at`` once the bot lifted it; a lift the
    platform refused for good, or that failed every try, has ``lift_left_at`` instead: the
    mod-log asked a moderator to lift it by hand, and a restart does not try it again.

    ``id`` is the case number moderators read and type (``/case 12``): on SQLite it is an
    AUTOINCREMENT key, so the number of an erased or forgotten case is never given again.
    """

    __tablename__ = "netiquette_cases"
    __table_args__ = (
        Index("ix_netiquette_cases_member", "community_id", "user_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=100)
    """What was done: ``warn``, ``timeout``, ``delete, warn``, ``note``…"""
    moderator_id: str | None = Field(default=None, max_length=64)
    """The moderator who acted; None when a rule (or the strike ladder) did."""
    moderator_name: str = Field(default="", max_length=200)
    rule: str | None = Field(default=None, max_length=100)
    reason: str = Field(default="", max_length=1000)
    matched: str = Field(default="", max_length=300)
    """What the rule matched: the word, the pattern, the score."""
    excerpt: str = Field(default="", max_length=300)
    points: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lift_left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the bot, having failed to lift the sanction, asked a moderator in the mod-log to
    lift it by hand; the case stays open until it is lifted (``/unban``, ``/untimeout``)."""
    lifts_left: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    """Which lifts ``lift_left_at`` left to the moderators (``timeout``, ``ban``, ``timeout,
    ban``); empty on a case recorded before it was kept: every kind the case imposes."""
    refused: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    """The case's acts the platform refused (``ban``, ``timeout, ban``): recorded as asked,
    never in force, nothing to lift."""
    lifted: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    """The case's acts lifted while the case stays open (``ban``: a ban lifted while the
    case's timeout, ending later, goes on): done, no longer in force, nothing left to lift."""
    ban_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the case's ban ends, where it bans for a time (``expires_at`` is the later end of
    a case that also times out). None for a ban for good, and on a case recorded before it was
    kept, whose ban given with a timeout is taken for one for good."""
    pardoned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pardoned_by: str | None = Field(default=None, max_length=64)
