"""The contests cog's tables: contests, entries, votes, challenge turns, giveaways, wins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.dbtypes import UTCDateTime


class Contest(SQLModel, table=True):
    """A contest (or one run of a challenge): open from ``starts_at`` until ``ends_at``.

    Each phase is claimed once by setting its timestamp with a conditional update, so a job
    that runs twice (or after a restart) never announces twice; its ``*_announced_at`` is set
    once the announcement was made (posted, refused by the platform, or not due), so a phase
    claimed and not announced is one the process died while announcing.
    """

    __tablename__ = "contests"
    __table_args__ = (Index("ix_contests_community_ends", "community_id", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=1000)
    channel_id: str = Field(max_length=64)
    channel_name: str = Field(default="", max_length=100)
    created_by: str = Field(default="", max_length=64)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    entries_per_member: int = 1
    winners: int = 3
    choose_by: str = Field(default="votes", max_length=16)
    challenge_id: str | None = Field(default=None, max_length=32)
    theme: str | None = Field(default=None, max_length=200)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    open_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the opening claimed (``opened_at``) was announced, or reported missed."""
    remind_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the reminder claimed (``reminded_at``) was announced, or reported missed."""
    close_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the results of the close (``closed_at``) were announced."""
    cancel_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the cancellation (``cancelled_at``) was announced: posted, or owed no post (the
    contest had not opened)."""
    seed: str | None = Field(default=None, max_length=64)
    """The seed of the draw, for a contest judged at random."""
    last_entry_number: int = 0
    """The last entry number given: an erased entry's number is not given again."""
    excluded_ids: str | None = Field(default=None, sa_type=Text)
    """The authors who had left by the close, whose entries won nothing: their ids, sorted, one
    per line (empty: nobody). Kept so the results shown later are those announced, whoever
    comes back or leaves again; None for a contest not closed yet (or closed before it was
    kept)."""
    banned_voter_ids: str | None = Field(default=None, sa_type=Text)
    """The voters banned while the contest ran, whose votes are not counted: their ids, sorted,
    one per line. Filled as bans happen; at the close, cut to those who had voted, and kept so
    the results shown later are those announced. None: nobody (or closed before it was kept)."""


class Entry(SQLModel, table=True):
    """A member's submission to a contest; ``message_id`` is the bot's post of it."""

    __tablename__ = "contest_entries"
    __table_args__ = (
        UniqueConstraint("contest_id", "number"),
        Index("ix_contest_entries_author", "contest_id", "user_id"),
        Index("ix_contest_entries_message", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contests.id", ondelete="CASCADE")
    number: int
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    text: str = Field(max_length=4000)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    message_id: str | None = Field(default=None, max_length=64)


class Vote(SQLModel, table=True):
    """One member's vote in one contest (changing it moves it to another entry)."""

    __tablename__ = "contest_votes"
    __table_args__ = (UniqueConstraint("contest_id", "voter_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contests.id", ondelete="CASCADE")
    entry_id: int = Field(foreign_key="contest_entries.id", ondelete="CASCADE", index=True)
    voter_id: str = Field(max_length=64)
    voted_at: datetime = Field(sa_type=UTCDateTime)
    by_reaction: bool = False
    """Cast with the vote emoji on the entry's post (taking it back withdraws the vote), not
    with /vote."""


class ChallengeTurn(SQLModel, table=True):
    """Where a recurring challenge is in its list of themes, per community."""

    __tablename__ = "contest_challenges"
    __table_args__ = (UniqueConstraint("community_id", "challenge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    challenge_id: str = Field(max_length=32)
    next_theme: int = 0
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Giveaway(SQLModel, table=True):
    """A giveaway: members enter until ``ends_at``, then the draw."""

    __tablename__ = "giveaways"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE", index=True)
    prize: str = Field(max_length=200)
    winners: int = 1
    channel_id: str = Field(max_length=64)
    channel_name: str = Field(default="", max_length=100)
    message_id: str | None = Field(default=None, max_length=64)
    created_by: str = Field(default="", max_length=64)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    draw_announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the draw claimed (``drawn_at``) was announced, or reported to the mod-log."""


class GiveawayEntry(SQLModel, table=True):
    """A member in a giveaway."""

    __tablename__ = "giveaway_entries"
    __table_args__ = (UniqueConstraint("giveaway_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    giveaway_id: int = Field(foreign_key="giveaways.id", ondelete="CASCADE")
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    entered_at: datetime = Field(sa_type=UTCDateTime)
    by_reaction: bool = False
    """Entered with the giveaway's emoji (taking it back withdraws the entry), not with its
    button."""


class GiveawayDraw(SQLModel, table=True):
    """One draw of a giveaway (the first, then each reroll), with what re-runs it."""

    __tablename__ = "giveaway_draws"
    __table_args__ = (UniqueConstraint("giveaway_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    giveaway_id: int = Field(foreign_key="giveaways.id", ondelete="CASCADE")
    round: int
    seed: str = Field(max_length=64)
    entrants_hash: str = Field(max_length=64)
    entrants: int
    winner_ids: str = Field(max_length=4000)
    """The winners' ids, in winning order, one per line; an erased winner's line is left
    empty, so the places after it keep their numbers."""
    drawn_at: datetime = Field(sa_type=UTCDateTime)
    excluded_ids: str | None = Field(default=None, sa_type=Text)
    """The entrants left out of this draw for having left the community by then, or as the
    giveaway's staff (its creator, a moderator): their ids, sorted, one per line (empty:
    nobody). What the draw drew from stays known whoever comes back or leaves again; None for
    a draw made before it was kept."""


class Win(SQLModel, table=True):
    """A place won in a contest or challenge (``kind`` contest) or a giveaway (``giveaway``)."""

    __tablename__ = "contest_wins"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", "user_id", "rank"),
        Index("ix_contest_wins_community", "community_id", "won_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    ref_id: int
    title: str = Field(max_length=200)
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    rank: int = 1
    votes: int | None = None
    won_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the other cogs were told of the win (``ContestWon``): one stored and not told yet
    (the process died in between) is told at the next start."""
