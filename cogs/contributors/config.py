"""The ``contributors`` section of the rule book: every weight, the shout-out, the texts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.crontab import Weekday
from bot.ruleconf import Placeholders, TextsByLocale
from bot.writeconfig import WriteConfig as SharedWriteConfig

Weight = Annotated[float, Field(ge=0, le=1000)]


class ScoringConfig(BaseModel):
    """Points per thing a member does or receives. Value counts, volume does not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message: Weight = 1.0
    """Per message long enough, within the per-minute and the daily cap."""
    min_length: int = Field(default=20, ge=0, le=2000)
    """Characters (spaces trimmed) below which a message earns nothing."""
    per_minute: int = Field(default=3, ge=0, le=60)
    """Messages that earn points per member per minute; the rest earn nothing, unless another
    member thanks them (one such message per thanking member a day)."""
    messages_per_day: int = Field(default=20, ge=0, le=100_000)
    """Messages that earn points per member per day; the rest earn nothing more. Under what a
    helper thanked by 3 members and replied to by 5 in a day receives (25 points), so a day of
    filler never outranks a day of help."""
    reply_received: Weight = 2.0
    """Per member who replied to the member, per day."""
    reaction_received: Weight = 0.5
    """Per member who reacted to the member's messages, per day."""
    mention_received: Weight = 0.5
    """Per member who mentioned the member, per day."""
    thanks_received: Weight = 5.0
    """Per member who thanked the member (a reply or mention with thanks words), per day."""
    introduction: Weight = 3.0
    contest_win: Weight = 10.0


class InfluenceConfig(BaseModel):
    """The interaction graph ranked with PageRank: weights of each kind of edge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reply: Weight = 1.0
    mention: Weight = 0.5
    reaction: Weight = 0.2
    thanks: Weight = 2.0
    daily_cap: int = Field(default=3, ge=1, le=1000)
    """Interactions of one kind from one member to another that count per day."""
    damping: float = Field(default=0.85, gt=0, lt=1)
    """PageRank's damping factor (the chance of following an edge rather than jumping)."""


class ShoutoutConfig(BaseModel):
    """The weekly shout-out, in the community's time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    channel: str | None = "general"
    """Where to post it (a channel name); none: no shout-out."""
    day_of_week: Weekday = "mon"
    hour: int = Field(default=9, ge=0, le=23)
    minute: int = Field(default=0, ge=0, le=59)
    top: int = Field(default=3, ge=1, le=10)
    newcomer_days: int = Field(default=30, ge=1, le=365)
    """A rising newcomer joined less than this many days ago."""


class RolesConfig(BaseModel):
    """Optional Discord role for the week's top contributors, taken back when they drop out."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    role: str = Field(default="Top contributor", min_length=1, max_length=100)
    top: int = Field(default=3, ge=1, le=25)


class WriteConfig(SharedWriteConfig):
    """How counters reach the database: buffered, one transaction per interval."""

    buffer_limit: int = Field(default=10_000, ge=10, le=1_000_000)
    """Pending counters that make the buffer flush early."""


Count = Annotated[str, Placeholders("count")]


class ContributorsTexts(BaseModel):
    """What the contributors cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_7d: Annotated[str, Placeholders()]
    window_30d: Annotated[str, Placeholders()]
    window_all: Annotated[str, Placeholders()]
    top_header: Annotated[str, Placeholders("window")]
    top_line: Annotated[str, Placeholders("rank", "member", "score", "reason")]
    top_empty: Annotated[str, Placeholders("window")]
    influencers_header: Annotated[str, Placeholders("window")]
    influencers_line: Annotated[str, Placeholders("rank", "member", "influence", "members")]
    influencers_empty: Annotated[str, Placeholders("window")]
    profile_header: Annotated[str, Placeholders("member", "window", "score", "rank")]
    profile_unranked: Annotated[str, Placeholders("member", "window")]
    profile_line: Annotated[str, Placeholders("reason", "points")]
    profile_trend_up: Annotated[str, Placeholders("previous", "change")]
    profile_trend_down: Annotated[str, Placeholders("previous", "change")]
    profile_trend_flat: Annotated[str, Placeholders("previous")]
    profile_opted_out: Annotated[str, Placeholders("member")]
    reason_messages: Count
    reason_messages_capped: Annotated[str, Placeholders("count", "posted")]
    reason_replies: Count
    reason_reactions: Count
    reason_mentions: Count
    reason_thanks: Count
    reason_introductions: Count
    reason_contest_wins: Count
    opted_out: Annotated[str, Placeholders()]
    already_opted_out: Annotated[str, Placeholders()]
    opted_in: Annotated[str, Placeholders()]
    already_opted_in: Annotated[str, Placeholders()]
    shoutout_header: Annotated[str, Placeholders("community")]
    shoutout_line: Annotated[str, Placeholders("rank", "member", "reason")]
    shoutout_influencer: Annotated[str, Placeholders("member", "members")]
    shoutout_newcomer: Annotated[str, Placeholders("member", "reason")]
    shoutout_missed: Annotated[str, Placeholders("when")]
    influencers_unavailable: Annotated[str, Placeholders()]
    """/influencers's answer when PageRank cannot converge (the moderators are told why)."""
    influence_unavailable: Annotated[str, Placeholders("reason")]
    """The mod-log's notice that PageRank cannot converge; ``reason`` says what to change."""
    role_kept_after_erasure: Annotated[str, Placeholders("role", "member", "reason")]
    """The mod-log's notice that the platform refused to take the reward role back from a
    member being forgotten: nothing will try again, a moderator must take it by hand."""
    member_unseen: Annotated[str, Placeholders("id")]
    """How a ranking names a member the bot never saw, whose name the platform did not give."""


class ContributorsConfig(BaseModel):
    """Scores, influence, shout-out, role rewards, the write path and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scoring: ScoringConfig = ScoringConfig()
    thanks_words: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=200)
    ] = ["merci", "merci beaucoup", "thanks", "thank you", "thx", "ty"]
    """Words and phrases that thank, matched as whole words, ignoring case and accents."""
    influence: InfluenceConfig = InfluenceConfig()
    top_size: int = Field(default=10, ge=1, le=25)
    shoutout: ShoutoutConfig = ShoutoutConfig()
    roles: RolesConfig = RolesConfig()
    skip_moderated: bool = True
    """Pass over, in the shout-out and the role rewards, a member with a moderation case in the
    week (a sanction that was not pardoned)."""
    write: WriteConfig = WriteConfig()
    texts: TextsByLocale[ContributorsTexts]
