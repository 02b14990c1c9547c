"""The ``suggestions`` section of the rule book: channels, duplicates, the digest, the texts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.crontab import Weekday
from bot.ruleconf import Placeholders, TextsByLocale


class DigestConfig(BaseModel):
    """The leadership digest, weekly by default, in the community's time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    """Post it on schedule (``/digest`` works either way)."""
    channel: str | None = "leadership"
    """Where leadership reads it (a channel name or id); none: only ``/digest`` shows it."""
    day_of_week: Weekday = "mon"
    hour: int = Field(default=9, ge=0, le=23)
    minute: int = Field(default=0, ge=0, le=59)
    days: int = Field(default=7, ge=1, le=366)
    """The period the digest covers: new suggestions and feedback of the last days."""
    top: int = Field(default=10, ge=1, le=50)
    """Suggestions listed by votes."""
    folder: str = "data/reports"
    """No longer used: the digest's Markdown file is temporary, removed once posted. Still
    accepted so that rule books which set it keep loading."""


class SuggestionTexts(BaseModel):
    """What the suggestions cog says, in one locale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    posted: Annotated[str, Placeholders("number", "member", "text")]
    thanks: Annotated[str, Placeholders("number", "channel")]
    not_posted: Annotated[str, Placeholders("channel")]
    """To the member whose suggestion the suggestions channel refused: nothing was kept."""
    duplicate: Annotated[str, Placeholders("number", "text", "status")]
    no_channel: Annotated[str, Placeholders("channel")]
    too_short: Annotated[str, Placeholders("min")]
    no_words: Annotated[str, Placeholders()]
    unknown: Annotated[str, Placeholders("number")]
    status_set: Annotated[str, Placeholders("number", "status")]
    status_set_untold: Annotated[str, Placeholders("number", "status")]
    comment_too_long: Annotated[str, Placeholders("most", "length")]
    author_told: Annotated[str, Placeholders("number", "status", "text", "comment")]
    author_told_in_channel: Annotated[str, Placeholders("member", "message")]
    """``author_told`` posted in the suggestions channel to an author who takes no direct
    messages, their name first."""
    comment: Annotated[str, Placeholders("comment")]
    own_vote: Annotated[str, Placeholders()]
    closed_vote: Annotated[str, Placeholders("number", "status")]
    vote_counted: Annotated[str, Placeholders("number", "vote", "up", "down")]
    """To a member who pressed 👍 or 👎, privately: their vote and the tallies."""
    vote_changed: Annotated[str, Placeholders("number", "vote", "up", "down")]
    vote_withdrawn: Annotated[str, Placeholders("number", "vote", "up", "down")]
    button_up: Annotated[str, Placeholders()]
    button_down: Annotated[str, Placeholders()]
    status_open: Annotated[str, Placeholders()]
    status_accepted: Annotated[str, Placeholders()]
    status_planned: Annotated[str, Placeholders()]
    status_declined: Annotated[str, Placeholders()]
    status_done: Annotated[str, Placeholders()]
    digest_title: Annotated[str, Placeholders("community", "start", "end")]
    digest_top: Annotated[str, Placeholders()]
    digest_new: Annotated[str, Placeholders()]
    digest_feedback: Annotated[str, Placeholders()]
    digest_line: Annotated[str, Placeholders("number", "text", "up", "down", "status", "member")]
    digest_feedback_line: Annotated[str, Placeholders("number", "text", "status", "comment")]
    digest_none: Annotated[str, Placeholders()]
    digest_posted: Annotated[str, Placeholders("path")]
    digest_delivered: Annotated[str, Placeholders("count", "channel")]
    digest_unset: Annotated[str, Placeholders()]
    digest_sent_privately: Annotated[str, Placeholders()]
    digest_not_sent_privately: Annotated[str, Placeholders()]
    digest_missed: Annotated[str, Placeholders("when")]
    digest_no_channel: Annotated[str, Placeholders("channel")]
    digest_refused: Annotated[str, Placeholders("channel")]
    digest_unposted: Annotated[str, Placeholders("channel")]
    digest_counted_since: Annotated[str, Placeholders("since")]
    """The last line of a digest whose period began before the bot first saw the community."""
    digest_before_start: Annotated[str, Placeholders("start", "end", "since")]
    """Posted instead of a weekly digest whose whole period came before the bot did."""


class SuggestionsConfig(BaseModel):
    """Where suggestions go, how near-duplicates are caught, the digest and the texts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = "suggestions"
    """The channel suggestions are posted in (a name or id)."""
    min_length: int = Field(default=10, ge=1, le=500)
    """Visible characters a suggestion needs (invisible ones do not count)."""
    max_length: int = Field(default=1000, ge=20, le=4000)
    duplicate_similarity: float = Field(default=0.85, ge=0.5, le=1.0)
    """Similarity (0–1, difflib's ratio on normalised text) from which a suggestion is a
    near-duplicate of an open one."""
    digest: DigestConfig = DigestConfig()
    texts: TextsByLocale[SuggestionTexts]
